"""Receivables that follow Chorus Pro (seed 004): payment advices, disputes, dunning.

The sync calls :func:`on_chorus_status` for every status change it applies,
inside the same transaction, so an advice or a dispute exists exactly when
the status that caused it is stored. MISE_EN_PAIEMENT creates the payment
advice (a pre-lettering entry) and takes the invoice out of dunning;
A_RECYCLER, SUSPENDUE and REJETEE open one dispute per invoice, which closes
when the invoice moves on. Every advice and dispute change is also queued as
a webhook for an ERP or a dunning tool.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chorusflow.core.entities import Document
from chorusflow.core.statuses import ChorusStatus
from chorusflow.receivables.tables import disputes, dunning_exclusions, payment_advices
from chorusflow.receivables.webhooks import enqueue

__all__ = [
    "DEFAULT_PAYMENT_DAYS",
    "close_dispute",
    "customer_of",
    "due_date",
    "exclude_from_dunning",
    "include_in_dunning",
    "on_chorus_status",
]

#: Legal payment period for the State and most local authorities (Code de la commande publique).
DEFAULT_PAYMENT_DAYS = 30
_DISPUTE = frozenset({ChorusStatus.TO_RECYCLE, ChorusStatus.SUSPENDED, ChorusStatus.REJECTED})
_TERMS_DAYS = re.compile(r"(\d{1,3})\s*(?:jours|days|j\b|d\b)", re.IGNORECASE)


def customer_of(document: Document) -> str | None:
    """The customer code of seed 000, or the recipient's SIRET when the invoice gives none."""
    return document.customer_code or document.recipient_siret


def due_date(document: Document) -> date | None:
    """BT-9 from the parsed invoice, else the payment terms' "N days", else the legal 30 days."""
    invoice = document.invoice or {}
    raw = invoice.get("due_date")
    if raw:
        return date.fromisoformat(str(raw)[:10])
    if document.issue_date is None:
        return None
    terms = invoice.get("payment_terms") or ""
    found = _TERMS_DAYS.search(str(terms))
    days = int(found.group(1)) if found else DEFAULT_PAYMENT_DAYS
    return document.issue_date + timedelta(days=days)


def _open_dispute(session: Session, document_id: int) -> dict[str, Any] | None:
    row = (
        session.execute(
            select(disputes).where(disputes.c.document_id == document_id, disputes.c.closed_at.is_(None))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _dispute_payload(document: Document, dispute_id: int, status: str, comment: str | None) -> dict[str, Any]:
    return {
        "dispute_id": dispute_id,
        "document_id": document.id,
        "invoice_number": document.number,
        "customer_code": customer_of(document),
        "chorus_status": status,
        "comment": comment,
    }


def on_chorus_status(
    session: Session, document: Document, status: ChorusStatus, comment: str | None, at: datetime
) -> None:
    """Create the advice, open, keep or close the dispute that this new status calls for."""
    assert document.id is not None
    current = _open_dispute(session, document.id)
    if status in _DISPUTE:
        if current is None:
            try:
                with session.begin_nested():
                    dispute_id = session.execute(
                        insert(disputes).values(
                            document_id=document.id,
                            customer_code=customer_of(document),
                            status=status.value,
                            comment=comment,
                            opened_at=at,
                        )
                    ).inserted_primary_key[0]
            except IntegrityError:  # another sync opened it a moment ago
                return
            enqueue(session, "dispute.opened", _dispute_payload(document, dispute_id, status.value, comment))
        else:
            session.execute(
                update(disputes)
                .where(disputes.c.id == current["id"])
                .values(status=status.value, comment=comment or current["comment"])
            )
        return
    if current is not None:
        session.execute(
            update(disputes)
            .where(disputes.c.id == current["id"])
            .values(closed_at=at, closed_by=status.value)
        )
        enqueue(session, "dispute.closed", _dispute_payload(document, current["id"], status.value, comment))
    if status is ChorusStatus.PAYMENT_ISSUED:
        _create_payment_advice(session, document, at)


def _create_payment_advice(session: Session, document: Document, at: datetime) -> None:
    exists = session.scalar(select(payment_advices.c.id).where(payment_advices.c.document_id == document.id))
    if exists is not None:
        return
    values = {
        "document_id": document.id,
        "customer_code": customer_of(document),
        "invoice_number": document.number,
        "amount": document.total_with_vat,
        "currency": document.currency,
        "chorus_status_at": at,
        "created_at": datetime.now(UTC),
    }
    advice_id = session.execute(insert(payment_advices).values(**values)).inserted_primary_key[0]
    enqueue(
        session,
        "payment_advice.created",
        {
            "payment_advice_id": advice_id,
            "document_id": document.id,
            "invoice_number": document.number,
            "customer_code": values["customer_code"],
            "amount": f"{document.total_with_vat:.2f}" if document.total_with_vat is not None else None,
            "currency": document.currency,
            "chorus_status": ChorusStatus.PAYMENT_ISSUED.value,
            "chorus_status_at": at.isoformat(),
        },
    )


def close_dispute(session: Session, dispute_id: int, *, actor: str, at: datetime | None = None) -> None:
    """A person settles a dispute (e.g. the credit note for a REJETEE invoice was issued)."""
    row = session.execute(select(disputes).where(disputes.c.id == dispute_id)).mappings().first()
    if row is None:
        raise LookupError(f"No dispute {dispute_id}. List them with `chorusflow receivables disputes`.")
    if row["closed_at"] is not None:
        raise ValueError(f"Dispute {dispute_id} is already closed.")
    session.execute(
        update(disputes)
        .where(disputes.c.id == dispute_id)
        .values(closed_at=at or datetime.now(UTC), closed_by=actor)
    )


def exclude_from_dunning(session: Session, document_id: int, *, reason: str, actor: str) -> None:
    """Keep an invoice out of dunning (a payment plan, a known delay) until included again."""
    if not reason.strip():
        raise ValueError("Give a reason for excluding the invoice from dunning.")
    session.execute(
        insert(dunning_exclusions).values(
            document_id=document_id, reason=reason, actor=actor, at=datetime.now(UTC)
        )
    )


def include_in_dunning(session: Session, document_id: int) -> None:
    session.execute(dunning_exclusions.delete().where(dunning_exclusions.c.document_id == document_id))
