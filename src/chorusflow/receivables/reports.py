"""Views of receivables: customer account statements, open disputes, the dunning list, CSV.

They read what the sync stored, never Chorus Pro, so an accounts-receivable
team keeps working when Chorus is unreachable. Rows are plain dicts with
amounts as strings (exact decimals) and ISO dates, the same shape for
``--json``, CSV and the API.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chorusflow.core.entities import Document
from chorusflow.core.statuses import ChorusStatus
from chorusflow.receivables.service import customer_of, due_date
from chorusflow.receivables.tables import disputes, dunning_exclusions, payment_advices
from chorusflow.storage import schema

__all__ = ["DUNNING_COLUMNS", "STATEMENT_COLUMNS", "dispute_list", "dunning_list", "statement", "to_csv"]

STATEMENT_COLUMNS = [
    "customer_code",
    "document_id",
    "number",
    "type",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "chorus_status",
    "chorus_status_label",
    "status_updated_at",
    "comment",
    "in_dispute",
    "payment_advice_at",
    "overdue",
]
DUNNING_COLUMNS = [
    "customer_code",
    "document_id",
    "number",
    "issue_date",
    "due_date",
    "days_overdue",
    "amount",
    "currency",
    "chorus_status",
]
_NOT_RECEIVABLE = {ChorusStatus.REJECTED_BY_CHORUS.value, ChorusStatus.REJECTED.value}


def _amount(value: Decimal | None, negative: bool = False) -> str | None:
    if value is None:
        return None
    return f"{(-value if negative else value):.2f}"


def _sent_documents(session: Session, customer_code: str | None) -> Sequence[Document]:
    d = schema.documents
    stmt = select(Document).where(d.c.chorus_status.is_not(None)).order_by(d.c.issue_date, d.c.id)
    if customer_code:
        stmt = stmt.where((d.c.customer_code == customer_code) | (d.c.recipient_siret == customer_code))
    return session.scalars(stmt).all()


def _flags(session: Session, ids: list[int]) -> tuple[dict[int, Any], set[int], set[int]]:
    advices = {
        r.document_id: r.chorus_status_at
        for r in session.execute(
            select(payment_advices.c.document_id, payment_advices.c.chorus_status_at).where(
                payment_advices.c.document_id.in_(ids)
            )
        )
    }
    in_dispute = set(
        session.scalars(
            select(disputes.c.document_id).where(
                disputes.c.document_id.in_(ids), disputes.c.closed_at.is_(None)
            )
        )
    )
    excluded = set(
        session.scalars(
            select(dunning_exclusions.c.document_id).where(dunning_exclusions.c.document_id.in_(ids))
        )
    )
    return advices, in_dispute, excluded


def statement(session: Session, customer_code: str | None = None, *, as_of: date) -> list[dict[str, Any]]:
    """One entry per customer: its invoices with Chorus status and comments, and totals."""
    docs = _sent_documents(session, customer_code)
    advices, in_dispute, _ = _flags(session, [d.id for d in docs if d.id is not None])
    customers: dict[str, dict[str, Any]] = {}
    for doc in docs:
        code = customer_of(doc) or "(none)"
        entry = customers.setdefault(
            code,
            {"customer_code": code, "recipient_name": doc.recipient_name, "invoices": [], "_totals": {}},
        )
        credit = doc.type == "credit_note"
        due = due_date(doc)
        paid = doc.id in advices
        live = doc.chorus_status is not None and doc.chorus_status.value not in _NOT_RECEIVABLE
        row = {
            "customer_code": code,
            "document_id": doc.id,
            "number": doc.number,
            "type": doc.type,
            "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
            "due_date": due.isoformat() if due else None,
            "amount": _amount(doc.total_with_vat, credit),
            "currency": doc.currency,
            "chorus_status": doc.chorus_status.value if doc.chorus_status else None,
            "chorus_status_label": doc.chorus_status.label if doc.chorus_status else None,
            "status_updated_at": doc.status_updated_at.isoformat() if doc.status_updated_at else None,
            "comment": doc.comment,
            "in_dispute": doc.id in in_dispute,
            "payment_advice_at": advices[doc.id].isoformat() if paid else None,
            "overdue": bool(live and not paid and not credit and due is not None and due < as_of),
        }
        entry["invoices"].append(row)
        totals = entry["_totals"]
        value = (-(doc.total_with_vat or 0) if credit else (doc.total_with_vat or 0)) if live else 0
        totals["invoiced"] = totals.get("invoiced", Decimal(0)) + Decimal(value)
        totals["paid"] = totals.get("paid", Decimal(0)) + (Decimal(value) if paid else 0)
        totals["overdue"] = totals.get("overdue", Decimal(0)) + (Decimal(value) if row["overdue"] else 0)
        totals["in_dispute"] = totals.get("in_dispute", Decimal(0)) + (
            Decimal(doc.total_with_vat or 0) if row["in_dispute"] else 0
        )
    result = []
    for entry in customers.values():
        totals = entry.pop("_totals")
        entry["totals"] = {
            "invoiced": f"{totals['invoiced']:.2f}",
            "paid": f"{totals['paid']:.2f}",
            "open": f"{totals['invoiced'] - totals['paid']:.2f}",
            "overdue": f"{totals['overdue']:.2f}",
            "in_dispute": f"{totals['in_dispute']:.2f}",
        }
        result.append(entry)
    return result


def dispute_list(session: Session, *, include_closed: bool = False) -> list[dict[str, Any]]:
    d = schema.documents
    stmt = (
        select(disputes, d.c.number, d.c.total_with_vat, d.c.currency, d.c.recipient_name)
        .join(d, d.c.id == disputes.c.document_id)
        .order_by(disputes.c.opened_at, disputes.c.id)
    )
    if not include_closed:
        stmt = stmt.where(disputes.c.closed_at.is_(None))
    return [
        {
            "dispute_id": r["id"],
            "document_id": r["document_id"],
            "number": r["number"],
            "customer_code": r["customer_code"],
            "recipient_name": r["recipient_name"],
            "amount": _amount(r["total_with_vat"]),
            "currency": r["currency"],
            "chorus_status": r["status"],
            "comment": r["comment"],
            "opened_at": r["opened_at"].isoformat(),
            "closed_at": r["closed_at"].isoformat() if r["closed_at"] else None,
            "closed_by": r["closed_by"],
        }
        for r in session.execute(stmt).mappings()
    ]


def dunning_list(session: Session, *, as_of: date) -> list[dict[str, Any]]:
    """Invoices to remind: overdue, not paid (no advice), not excluded, not in dispute."""
    docs = [d for d in _sent_documents(session, None) if d.type != "credit_note"]
    docs = [d for d in docs if d.chorus_status is not None and d.chorus_status.value not in _NOT_RECEIVABLE]
    advices, in_dispute, excluded = _flags(session, [d.id for d in docs if d.id is not None])
    rows = []
    for doc in docs:
        due = due_date(doc)
        if due is None or due >= as_of or doc.id in advices or doc.id in in_dispute or doc.id in excluded:
            continue
        rows.append(
            {
                "customer_code": customer_of(doc),
                "document_id": doc.id,
                "number": doc.number,
                "issue_date": doc.issue_date.isoformat() if doc.issue_date else None,
                "due_date": due.isoformat(),
                "days_overdue": (as_of - due).days,
                "amount": _amount(doc.total_with_vat),
                "currency": doc.currency,
                "chorus_status": doc.chorus_status.value if doc.chorus_status else None,
            }
        )
    rows.sort(key=lambda r: (-r["days_overdue"], r["document_id"]))
    return rows


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Semicolon-separated, as French spreadsheet and accounting tools expect."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), delimiter=";", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return out.getvalue()
