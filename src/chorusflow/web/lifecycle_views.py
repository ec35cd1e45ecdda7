"""Credential health, notifications and receivables, with the caller's scope applied.

The lifecycle, notification and receivables areas compute these for the whole
hub (the CLI is run by an operator); the screens and the API show a user only
what their providers and invoice label allow, the same rule as the tracking
module, so receivables cannot leak another provider's customers.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import ChorusStatus
from chorusflow.lifecycle.credentials import credential_health
from chorusflow.lifecycle.sync import get_sync_state
from chorusflow.notifications.service import collect, dashboard, mark_read
from chorusflow.notifications.tables import notifications
from chorusflow.providers.service import list_providers
from chorusflow.receivables.reports import dispute_list, dunning_list, statement
from chorusflow.receivables.service import close_dispute
from chorusflow.receivables.tables import disputes
from chorusflow.storage import schema
from chorusflow.web.accounts import User
from chorusflow.web.document_actions import interactive_client
from chorusflow.web.operations import WebError
from chorusflow.web.search import document_scope, flow_scope

_NOT_RECEIVABLE = {ChorusStatus.REJECTED_BY_CHORUS.value, ChorusStatus.REJECTED.value}

__all__ = [
    "close_dispute_for",
    "disputes_for",
    "dunning_for",
    "health_of",
    "health_of_all",
    "mark_read_for",
    "notifications_for",
    "statement_for",
]


def health_of(ctx: HubContext, provider: Provider) -> dict[str, Any]:
    """Token, technical password expiry (warned 15 days ahead) and sync health of one provider."""
    try:
        client = interactive_client(ctx, provider)
    except WebError as exc:
        with ctx.sessions.begin() as session:
            state = get_sync_state(session, provider.id or 0)
        return {
            "provider": provider.name,
            "token": "unknown",
            "token_error": exc.message,
            "password_expires_at": None,
            "password": "unknown",
            "days_left": None,
            "warnings": [exc.message],
            "sync": {
                "mode": provider.upload_mode,
                "last_retrieved_at": state["last_success_at"].isoformat()
                if state["last_success_at"]
                else None,
                "last_error": state["last_error"],
                "consecutive_failures": state["consecutive_failures"],
            },
        }
    with client:
        return credential_health(ctx, provider, client=client)


def health_of_all(ctx: HubContext) -> list[dict[str, Any]]:
    """Every provider's health, checked side by side (one slow Chorus does not add up)."""
    with ctx.sessions() as session:
        providers = list(list_providers(session))
        for p in providers:
            session.expunge(p)
    if not providers:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(providers))) as pool:
        return list(pool.map(lambda p: health_of(ctx, p), providers))


def notifications_for(ctx: HubContext, user: User, *, unread_only: bool = True) -> list[dict[str, Any]]:
    """The user's dashboard notifications, after turning new events into notifications.

    ``collect`` is idempotent and cursor-based; two requests collecting at
    once may collide on the unique (event, recipient) key, and the loser
    simply shows what the winner wrote.
    """
    try:
        with ctx.sessions.begin() as session:
            collect(session)
    except IntegrityError:
        pass
    with ctx.sessions() as session:
        return dashboard(session, [user.login], unread_only=unread_only)[:200]


def mark_read_for(ctx: HubContext, user: User, ids: Iterable[int]) -> int:
    """Mark the user's own notifications read; ids of others' notifications are ignored."""
    with ctx.sessions.begin() as session:
        mine = list(
            session.scalars(
                select(notifications.c.id).where(
                    notifications.c.id.in_(list(ids)), notifications.c.recipient == user.login
                )
            )
        )
        if mine:
            mark_read(session, mine)
    return len(mine)


def _visible_ids(session: Session, user: User, ids: Iterable[int]) -> set[int]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return set()
    d, f = schema.documents, schema.flows
    found: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            session.scalars(
                select(d.c.id)
                .join(f, f.c.id == d.c.flow_id)
                .where(and_(d.c.id.in_(chunk), flow_scope(user), document_scope(user)))
            )
        )
    return found


def statement_for(
    ctx: HubContext, user: User, customer_code: str | None, as_of: date
) -> list[dict[str, Any]]:
    """Account statements per customer, limited to the invoices the user may see."""
    with ctx.sessions() as session:
        entries = statement(session, customer_code or None, as_of=as_of)
        visible = _visible_ids(session, user, (r["document_id"] for e in entries for r in e["invoices"]))
    if user.sees_all_providers:
        return entries
    out = []
    for entry in entries:
        invoices = [r for r in entry["invoices"] if r["document_id"] in visible]
        if invoices:
            out.append(entry | {"invoices": invoices, "totals": _totals(invoices)})
    return out


def _totals(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Totals over the visible invoices only (the report's own totals are hub-wide)."""
    sums = dict.fromkeys(("invoiced", "paid", "overdue", "in_dispute"), Decimal(0))
    for r in rows:
        amount = Decimal(r["amount"] or 0)
        live = r["chorus_status"] not in _NOT_RECEIVABLE
        sums["invoiced"] += amount if live else 0
        sums["paid"] += amount if live and r["payment_advice_at"] else 0
        sums["overdue"] += amount if r["overdue"] else 0
        sums["in_dispute"] += abs(amount) if r["in_dispute"] else 0
    out = {k: f"{v:.2f}" for k, v in sums.items()}
    out["open"] = f"{sums['invoiced'] - sums['paid']:.2f}"
    return out


def disputes_for(ctx: HubContext, user: User, *, include_closed: bool = False) -> list[dict[str, Any]]:
    with ctx.sessions() as session:
        rows = dispute_list(session, include_closed=include_closed)
        visible = _visible_ids(session, user, (r["document_id"] for r in rows))
    return [r for r in rows if r["document_id"] in visible]


def dunning_for(ctx: HubContext, user: User, as_of: date) -> list[dict[str, Any]]:
    with ctx.sessions() as session:
        rows = dunning_list(session, as_of=as_of)
        visible = _visible_ids(session, user, (r["document_id"] for r in rows))
    return [r for r in rows if r["document_id"] in visible]


def close_dispute_for(ctx: HubContext, user: User, dispute_id: int) -> None:
    with ctx.sessions.begin() as session:
        document_id = session.scalar(select(disputes.c.document_id).where(disputes.c.id == dispute_id))
        if document_id is None or not _visible_ids(session, user, [document_id]):
            raise WebError(404, f"No dispute {dispute_id} (or it concerns a provider you cannot see).")
        try:
            close_dispute(session, dispute_id, actor=user.login)
        except ValueError as exc:
            raise WebError(409, str(exc)) from None
