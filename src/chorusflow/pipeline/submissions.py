"""The submission ledger: one row per document sent to Chorus Pro, guarding "never twice".

huey can lose a task (a killed worker takes it with it) and may run one twice,
so correctness lives here, in the database:

* an **idempotency key** (supplier SIRET, invoice number, type) is unique: a
  second document with the same key cannot get a submission at all;
* a **lease** is taken with a conditional UPDATE before any call to Chorus
  (only one worker wins it, on SQLite and PostgreSQL alike) and expires if
  its holder dies;
* an outcome that may or may not have reached Chorus (lost answer, killed
  worker) becomes **uncertain**: nothing is sent again before Chorus has been
  asked whether the invoice arrived, after a grace period long enough for an
  asynchronous deposit to be integrated and searchable.

States: pending → in_flight → deposited → integrated | rejected, with
in_flight → uncertain → (integrated | pending) and → failed after too many tries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chorusflow.core.entities import Document
from chorusflow.storage import schema

__all__ = [
    "Claim",
    "claim_next",
    "create_submission",
    "expire_leases",
    "idempotency_key",
    "mark",
]

T = schema.submissions
PENDING, IN_FLIGHT, UNCERTAIN = "pending", "in_flight", "uncertain"
DEPOSITED, INTEGRATED, REJECTED, FAILED = "deposited", "integrated", "rejected", "failed"
SENT_STATES = (DEPOSITED, INTEGRATED)


def now_utc() -> datetime:
    return datetime.now(UTC)


def idempotency_key(document: Document) -> str:
    return f"{document.supplier_siret or '-'}|{(document.number or '').strip()}|{document.type}"


@dataclass(frozen=True)
class Claim:
    """A lease won on one submission: only its holder may call Chorus for it."""

    submission_id: int
    document_id: int
    provider_id: int
    attempts: int
    was_uncertain: bool  # an earlier attempt may have reached Chorus: ask before sending
    owner: str


def create_submission(session: Session, document: Document, provider_id: int) -> bool:
    """Register a document for submission; False when its key is already taken."""
    at = now_utc()
    try:
        with session.begin_nested():
            session.execute(
                insert(T).values(
                    document_id=document.id,
                    provider_id=provider_id,
                    idempotency_key=idempotency_key(document),
                    state=PENDING,
                    attempts=0,
                    created_at=at,
                    updated_at=at,
                )
            )
    except IntegrityError:
        return False
    return True


def claim_next(
    session: Session,
    *,
    provider_id: int,
    owner: str,
    lease: timedelta,
    uncertain_grace: timedelta,
    exclude: Sequence[int] = (),
    at: datetime | None = None,
) -> Claim | None:
    """Take the lease on the next submission due for this provider, or None.

    Due: pending, or uncertain with its grace period over. In-flight rows whose
    lease expired (their worker died) are first made uncertain. The UPDATE
    re-checks the condition it selected on, so of two racing workers one wins.
    """
    at = at or now_utc()
    expire_leases(session, uncertain_grace=uncertain_grace, at=at)
    session.commit()
    due = or_(T.c.state == PENDING, and_(T.c.state == UNCERTAIN, T.c.lease_expires_at < at))
    for _ in range(5):
        row = session.execute(
            select(T.c.id, T.c.state, T.c.attempts, T.c.lease_expires_at)
            .where(T.c.provider_id == provider_id, due, T.c.id.not_in(list(exclude)))
            .order_by(T.c.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        won = session.execute(
            update(T)
            .where(T.c.id == row.id, T.c.state == row.state, T.c.attempts == row.attempts)
            .values(
                state=IN_FLIGHT,
                lease_owner=owner,
                lease_expires_at=at + lease,
                attempts=row.attempts + 1,
                updated_at=at,
            )
        ).rowcount
        session.commit()
        if won == 1:
            doc_id = session.scalar(select(T.c.document_id).where(T.c.id == row.id))
            return Claim(row.id, doc_id or 0, provider_id, row.attempts + 1, row.state != PENDING, owner)
    return None


def mark(
    session: Session,
    claim: Claim,
    state: str,
    *,
    error: str | None = None,
    flux_number: str | None = None,
    chorus_invoice_id: int | None = None,
    route: str | None = None,
    recheck_after: timedelta | None = None,
    at: datetime | None = None,
) -> bool:
    """Record an outcome; False when the lease was lost meanwhile and nothing was written.

    A success (deposited, integrated) is written even after the lease lapsed,
    so the next check finds it instead of sending again.
    """
    at = at or now_utc()
    values: dict[str, object] = {"state": state, "updated_at": at, "last_error": error}
    if state in SENT_STATES:
        values["deposited_at"] = at
    if flux_number is not None:
        values["flux_number"] = flux_number
    if chorus_invoice_id is not None:
        values["chorus_invoice_id"] = chorus_invoice_id
    if route is not None:
        values["route"] = route
    values["lease_expires_at"] = at + recheck_after if recheck_after is not None else None
    values["lease_owner"] = claim.owner if state == UNCERTAIN else None
    if state in SENT_STATES:
        # Chorus took it: that is the truth even if this worker's lease lapsed meanwhile.
        holder = T.c.state.in_((IN_FLIGHT, UNCERTAIN))
    else:
        holder = and_(T.c.lease_owner == claim.owner, T.c.state == IN_FLIGHT)
    result = session.execute(update(T).where(T.c.id == claim.submission_id, holder).values(**values))
    return result.rowcount == 1


def expire_leases(session: Session, *, uncertain_grace: timedelta, at: datetime | None = None) -> int:
    """Reconciler: in-flight rows whose holder vanished become uncertain (checked before resending)."""
    at = at or now_utc()
    result = session.execute(
        update(T)
        .where(T.c.state == IN_FLIGHT, T.c.lease_expires_at < at)
        .values(state=UNCERTAIN, lease_owner=None, lease_expires_at=at + uncertain_grace, updated_at=at)
    )
    return result.rowcount


def submission_for(session: Session, document_id: int) -> Row | None:
    return session.execute(select(T).where(T.c.document_id == document_id)).first()
