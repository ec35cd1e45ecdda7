"""What the platform keeps of a parsed invoice: the columns its searches and views show.

Amounts are stored as decimal strings, exactly as the XML carried them, and
answered as JSON numbers; Chorus Pro shows ``typeFacture`` FACTURE or AVOIR
(from the EN 16931 type code) and keeps the service code (BT-10), commitment
number (BT-13) and contract reference (BT-12) as routing data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chorusflow.core.invoice import Invoice

__all__ = ["amount", "invoice_values"]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def amount(value: str | None) -> float | None:
    """A stored decimal string as the JSON number the API answers."""
    return None if value is None else float(Decimal(value))


def invoice_values(invoice: Invoice) -> dict[str, Any]:
    totals = invoice.totals
    kind = str(getattr(invoice.kind, "value", invoice.kind))
    return {
        "number": invoice.number,
        "type_facture": "AVOIR" if kind == "credit_note" else "FACTURE",
        "invoice_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "currency": invoice.currency or "EUR",
        "amount_ht": _text(totals.without_vat),
        "amount_tva": _text(totals.vat),
        "amount_ttc": _text(totals.with_vat),
        "amount_due": _text(totals.due if totals.due is not None else totals.with_vat),
        "ej": invoice.order_reference,
        "marche": invoice.contract_reference,
        "origin_number": invoice.preceding_invoices[0].number if invoice.preceding_invoices else None,
        "comment": "\n".join(invoice.notes)[:2000] if invoice.notes else None,
    }
