"""Notifications of seed 001 (and seed 000's error alert), derived from the events table.

Four things are worth telling a provider's users and groups: a document is
waiting for submission, a document was submitted to Chorus Pro, its Chorus
status changed, a flow went into error. Every one of them is already an
event, written by :func:`~chorusflow.core.transitions.transition`; so
:func:`collect` reads new events past a cursor and writes one dashboard
notification per recipient, in the transaction that moves the cursor. No
stage has to remember to notify, and none can notify twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from chorusflow.core.entities import Event
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.notifications.smtp import SmtpSender
from chorusflow.notifications.tables import notification_cursor, notifications
from chorusflow.storage import schema

__all__ = ["EMAIL_RESOLVER", "collect", "dashboard", "kind_of", "mark_read", "send_pending_emails"]

WAITING = "waiting_submission"
SUBMITTED = "submitted"
STATUS_CHANGE = "status_change"
FLOW_ERROR = "flow_error"


def kind_of(event: Event) -> str | None:
    """Which notification an event calls for, if any."""
    if event.entity == "flow" and event.attribute == "stage_state":
        if event.to_value.endswith(f":{FlowState.IN_ERROR.value}"):
            return FLOW_ERROR
        if event.to_value == f"{Stage.DISTRIBUTION.value}:{FlowState.WAITING.value}":
            return WAITING
        return None
    if event.entity != "document":
        return None
    if (
        event.attribute == "distribution_status"
        and event.to_value == DistributionStatus.PENDING_VALIDATION.value
    ):
        return WAITING
    if event.attribute == "chorus_status":
        if event.to_value == ChorusStatus.DEPOSITED.value and event.from_value is None:
            return SUBMITTED
        return STATUS_CHANGE
    return None


def _cursor(session: Session) -> int:
    row = session.execute(select(notification_cursor)).mappings().first()
    if row is None:
        session.execute(
            insert(notification_cursor).values(id=1, last_event_id=0, updated_at=datetime.now(UTC))
        )
        return 0
    return int(row["last_event_id"])


def _context(session: Session, event: Event) -> tuple[int | None, int | None, dict[str, Any] | None]:
    """(flow id, document id, provider row) of an event."""
    d, f, p = schema.documents, schema.flows, schema.providers
    if event.document_id is not None:
        doc = session.execute(select(d.c.flow_id, d.c.number).where(d.c.id == event.document_id)).first()
        flow_id = doc.flow_id if doc else None
    else:
        flow_id = event.flow_id
    provider_name = session.scalar(select(f.c.provider).where(f.c.id == flow_id)) if flow_id else None
    provider = (
        session.execute(select(p).where(p.c.name == provider_name)).mappings().first()
        if provider_name
        else None
    )
    return flow_id, event.document_id, dict(provider) if provider else None


def _text(session: Session, kind: str, event: Event, flow_id: int | None) -> tuple[str, str]:
    d, f = schema.documents, schema.flows
    number = (
        session.scalar(select(d.c.number).where(d.c.id == event.document_id)) if event.document_id else None
    )
    what = f"Invoice {number}" if number else f"Flow {flow_id}"
    if kind == WAITING:
        return f"{what} is waiting for submission to Chorus Pro", f"{what} waits for approval or submission."
    if kind == SUBMITTED:
        return (
            f"{what} was submitted to Chorus Pro",
            f"{what} was deposited on Chorus Pro at {event.at:%Y-%m-%d %H:%M}.",
        )
    if kind == STATUS_CHANGE:
        try:
            label = ChorusStatus(event.to_value).label
        except ValueError:
            label = event.to_value
        body = f"{what}: Chorus Pro status is now {label!r} ({event.at:%Y-%m-%d %H:%M})."
        if event.comment:
            body += f"\nComment: {event.comment}"
        return f"{what}: {label}", body
    flow = session.execute(select(f.c.error_message, f.c.error_resolution).where(f.c.id == flow_id)).first()
    body = f"Flow {flow_id} is in error ({event.to_value})."
    if flow and flow.error_message:
        body += f"\n{flow.error_message}\nWhat to do: {flow.error_resolution or 'see the flow details'}"
    return f"Flow {flow_id} needs checking", body


def collect(session: Session, *, limit: int = 5000) -> int:
    """Turn the events past the cursor into notifications; returns how many were written."""
    last = _cursor(session)
    events = session.scalars(
        select(Event).where(schema.events.c.id > last).order_by(schema.events.c.id).limit(limit)
    ).all()
    written = 0
    for event in events:
        kind = kind_of(event)
        if kind is None:
            continue
        flow_id, document_id, provider = _context(session, event)
        if provider is None:
            continue
        recipients = [(u, "user") for u in provider["notify_users"] or []] + [
            (g, "group") for g in provider["notify_groups"] or []
        ]
        if not recipients:
            continue
        subject, body = _text(session, kind, event, flow_id)
        for name, recipient_kind in dict.fromkeys(recipients):
            session.execute(
                insert(notifications).values(
                    provider_id=provider["id"],
                    recipient=name,
                    recipient_kind=recipient_kind,
                    kind=kind,
                    event_id=event.id,
                    flow_id=flow_id,
                    document_id=document_id,
                    subject=subject[:300],
                    body=body,
                    created_at=datetime.now(UTC),
                )
            )
            written += 1
    if events:
        session.execute(
            update(notification_cursor)
            .where(notification_cursor.c.id == 1)
            .values(last_event_id=events[-1].id, updated_at=datetime.now(UTC))
        )
    return written


def dashboard(
    session: Session, recipients: Sequence[str], *, unread_only: bool = True
) -> list[dict[str, Any]]:
    """Notifications for a user: pass the user's name and the names of its groups."""
    stmt = select(notifications).where(notifications.c.recipient.in_(list(recipients)))
    if unread_only:
        stmt = stmt.where(notifications.c.read_at.is_(None))
    rows = session.execute(stmt.order_by(notifications.c.id.desc())).mappings()
    return [
        {
            "notification_id": r["id"],
            "kind": r["kind"],
            "recipient": r["recipient"],
            "flow_id": r["flow_id"],
            "document_id": r["document_id"],
            "subject": r["subject"],
            "body": r["body"],
            "created_at": r["created_at"].isoformat(),
            "read": r["read_at"] is not None,
        }
        for r in rows
    ]


def mark_read(session: Session, notification_ids: Sequence[int]) -> None:
    session.execute(
        update(notifications)
        .where(notifications.c.id.in_(list(notification_ids)))
        .values(read_at=datetime.now(UTC))
    )


def _addresses(name: str, kind: str) -> list[str]:
    """A user or group name that is an address is mailed; other names are dashboard-only."""
    return [name] if "@" in name else []


#: How names become e-mail addresses; the web users' directory may replace it.
EMAIL_RESOLVER: Callable[[str, str], list[str]] = _addresses


def send_pending_emails(
    session: Session,
    sender: SmtpSender,
    *,
    resolve: Callable[[str, str], list[str]] | None = None,
    limit: int = 500,
) -> dict[str, int]:
    """E-mail every notification not mailed yet; one SMTP connection for the batch."""
    resolve = resolve or EMAIL_RESOLVER
    rows = (
        session.execute(
            select(notifications)
            .where(notifications.c.emailed_at.is_(None), notifications.c.email_error.is_(None))
            .order_by(notifications.c.id)
            .limit(limit)
        )
        .mappings()
        .all()
    )
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    outgoing = []
    for row in rows:
        to = resolve(row["recipient"], row["recipient_kind"])
        if not to:
            session.execute(
                update(notifications)
                .where(notifications.c.id == row["id"])
                .values(email_error="no e-mail address")
            )
            counts["skipped"] += 1
            continue
        outgoing.append((row["id"], to, row["subject"], row["body"]))
    for notification_id, error in sender.send_many(
        [(to, s, b) for _, to, s, b in outgoing], ids=[o[0] for o in outgoing]
    ):
        values = {"email_error": error[:1000]} if error else {"emailed_at": datetime.now(UTC)}
        session.execute(update(notifications).where(notifications.c.id == notification_id).values(**values))
        counts["failed" if error else "sent"] += 1
    return counts
