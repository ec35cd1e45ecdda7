"""Credential health per provider: can we get a token, and when does the technical password expire.

The technical account's password expires (Chorus says when, in
``dateExpirationMotPasseCompteTech`` of the supplier's own structure); once
it has, every call fails with an opaque 401 and invoices stop flowing. OCA
e-mails a reminder 15 days ahead; here the state is computed on every check
and shown by ``chorusflow credentials``, with the sync's own health next to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusAuthError, ChorusError
from chorusflow.context import HubContext
from chorusflow.core.provider import Provider
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.sync import get_sync_state
from chorusflow.lifecycle.timeline import parse_chorus_time
from chorusflow.providers.service import client_for

__all__ = ["credential_health", "password_state"]


def password_state(expires_at: datetime | None, now: datetime, warning_days: int = 15) -> str:
    """``ok``, ``expiring`` (within ``warning_days``), ``expired`` or ``unknown``."""
    if expires_at is None:
        return "unknown"
    if expires_at <= now:
        return "expired"
    if expires_at - now <= timedelta(days=warning_days):
        return "expiring"
    return "ok"


def _error(exc: ChorusError) -> str:
    detail = getattr(exc, "detail", None)
    return f"{type(exc).__name__}: {exc.message}" + (f" ({detail})" if detail else "")


def credential_health(
    ctx: HubContext,
    provider: Provider,
    *,
    client: ChorusClient | None = None,
    settings: LifecycleSettings | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    settings = settings or LifecycleSettings()
    now = now or datetime.now(UTC)
    result: dict[str, Any] = {
        "provider": provider.name,
        "token": "unknown",
        "token_error": None,
        "password_expires_at": None,
        "password": "unknown",
        "days_left": None,
        "warnings": [],
    }
    own = client is None
    client = client or client_for(provider, ctx.secrets)
    try:
        client.transport.ensure_token()
        result["token"] = "ok"
        mine = client.transverses.list_supplier_structures().listeStructures
        structure = next((s for s in mine if s.identifiant == provider.siret), mine[0] if mine else None)
        if structure is not None:
            info = client.structures.get_structure(structure.idStructureCPP).informationGenerales
            expires = parse_chorus_time(info.dateExpirationMotPasseCompteTech if info else None)
            if expires is not None:
                result["password_expires_at"] = expires.isoformat()
                result["days_left"] = (expires - now).days
            result["password"] = password_state(expires, now, settings.password_warning_days)
    except ChorusAuthError as exc:
        result["token"] = "refused"
        result["token_error"] = _error(exc)
    except ChorusError as exc:
        result["token"] = result["token"] if result["token"] == "ok" else "unreachable"
        result["token_error"] = _error(exc)
    finally:
        if own:
            client.close()
    if result["token"] == "refused":
        result["warnings"].append(
            "Chorus Pro refused the credentials: check the PISTE client id/secret and the technical "
            "account's password (it may have expired; reset it on the Chorus Pro portal)."
        )
    if result["password"] == "expiring":
        result["warnings"].append(
            f"The technical account's password expires in {result['days_left']} day(s): renew it on the "
            "Chorus Pro portal, then update the provider."
        )
    elif result["password"] == "expired":
        result["warnings"].append(
            "The technical account's password has expired: renew it on the Chorus Pro portal."
        )
    with ctx.sessions.begin() as session:
        state = get_sync_state(session, provider.id)  # type: ignore[arg-type]
    result["sync"] = {
        "mode": provider.upload_mode,
        "last_retrieved_at": state["last_success_at"].isoformat() if state["last_success_at"] else None,
        "last_error": state["last_error"],
        "consecutive_failures": state["consecutive_failures"],
    }
    if state["consecutive_failures"] >= settings.max_sync_failures:
        result["warnings"].append(
            f"The last {state['consecutive_failures']} syncs failed ({state['last_error']}); statuses shown "
            "date from the last retrieval."
        )
    return result
