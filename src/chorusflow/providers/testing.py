"""``provider test``: each link of the connection checked in order, with what to fix.

Connectors usually answer "401" and leave the user to guess whether the PISTE
application, the technical account, or the SIRET is wrong; here each step is
its own check, and a failure stops the steps that depend on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx

from chorusflow.chorus.errors import ChorusAuthError, ChorusConfigError, ChorusError
from chorusflow.core.provider import Provider
from chorusflow.providers.service import client_for
from chorusflow.security.secretbox import SecretBox, SecretKeyError

__all__ = ["PASSWORD_WARNING_DAYS", "test_provider"]

PASSWORD_WARNING_DAYS = 15


def _check(name: str, ok: bool, message: str, **extra: Any) -> dict[str, Any]:
    return {"check": name, "ok": ok, "message": message, **extra}


def _expiry(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def test_provider(provider: Provider, box: SecretBox, *, today: date | None = None) -> list[dict[str, Any]]:
    today = today or datetime.now(UTC).date()
    checks: list[dict[str, Any]] = []
    try:
        client = client_for(provider, box, sleep=lambda _s: None)
    except (SecretKeyError, ChorusConfigError, ValueError) as exc:
        return [_check("configuration", False, str(exc))]
    with client:
        checks.append(
            _check("configuration", True, f"{provider.environment} at {client.config.endpoints.api_base_url}")
        )
        try:
            if client.config.oauth is not None:
                client.transport.ensure_token()
                checks.append(_check("oauth", True, "PISTE accepted the client id and secret"))
        except (ChorusError, httpx.HTTPError) as exc:
            checks.append(
                _check("oauth", False, f"PISTE refused the application: {exc}. Check client id/secret.")
            )
            return checks
        try:
            structures = client.transverses.list_supplier_structures().listeStructures
        except ChorusAuthError as exc:
            checks.append(
                _check(
                    "technical_account",
                    False,
                    f"Chorus Pro refused the technical account {provider.login!r} ({exc}). "
                    "Check its login and password (they expire) in the Chorus Pro portal.",
                )
            )
            return checks
        except (ChorusError, httpx.HTTPError) as exc:
            checks.append(_check("technical_account", False, f"Chorus Pro could not be reached: {exc}"))
            return checks
        checks.append(_check("technical_account", True, f"{provider.login} is accepted"))
        mine = [s for s in structures if s.identifiant == provider.siret]
        if not mine:
            known = ", ".join(s.identifiant or "?" for s in structures) or "none"
            checks.append(
                _check(
                    "supplier_structure",
                    False,
                    f"SIRET {provider.siret} is not among the account's supplier structures ({known}). "
                    "Fix the provider's SIRET or attach the technical account to this structure.",
                )
            )
            return checks
        structure_id = mine[0].idStructureCPP
        checks.append(
            _check("supplier_structure", True, f"structure {structure_id} ({mine[0].designationStructure})")
        )
        try:
            details = client.structures.get_structure(structure_id)
        except (ChorusError, httpx.HTTPError) as exc:
            checks.append(_check("password_expiry", False, f"Could not read the structure: {exc}"))
            return checks
        info = details.informationGenerales
        expiry = _expiry(info.dateExpirationMotPasseCompteTech if info else None)
        if expiry is None:
            checks.append(_check("password_expiry", True, "Chorus Pro gives no expiry date"))
        else:
            days = (expiry - today).days
            ok = days > PASSWORD_WARNING_DAYS
            message = f"technical account password expires on {expiry.isoformat()} ({days} days)"
            if not ok:
                message += ": change it in the Chorus Pro portal, then update the provider"
            checks.append(
                _check("password_expiry", ok, message, expires_on=expiry.isoformat(), days_left=days)
            )
    return checks
