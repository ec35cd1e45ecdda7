"""From a parsed EN 16931 invoice to the tracked document row.

The tracking columns (number, recipient SIRET, service code, totals ...) are
copied out of the invoice so the tracking screens can filter and sort on
them with indexes; the full parsed invoice is kept beside them as JSON.
"""

from __future__ import annotations

from chorusflow.core.entities import Document
from chorusflow.core.invoice import Invoice, Party
from chorusflow.core.invoice_json import invoice_to_dict

__all__ = ["customer_code", "document_from_invoice", "document_needing_data"]


def customer_code(buyer: Party) -> str | None:
    """The supplier's own code for its customer: a buyer identifier that is not a SIRET.

    EN 16931 carries it as a buyer identifier (BT-46) without a scheme; metadata
    association (issue 5) may override it.
    """
    for ident in buyer.identifiers:
        if ident.value and not ident.scheme:
            return ident.value
    return None


def document_from_invoice(invoice: Invoice) -> Document:
    totals = invoice.totals
    return Document(
        number=invoice.number,
        issue_date=invoice.issue_date,
        type=invoice.kind.value,
        type_code=invoice.type_code,
        customer_code=customer_code(invoice.buyer),
        recipient_name=invoice.buyer.name,
        recipient_siret=invoice.buyer.siret,
        service_code=invoice.buyer_reference,
        engagement_number=invoice.order_reference,
        supplier_siret=invoice.seller.siret,
        total_without_vat=totals.without_vat,
        total_vat=totals.vat,
        total_with_vat=totals.with_vat,
        currency=invoice.currency,
        invoice=invoice_to_dict(invoice),
    )


def document_needing_data(file_name: str) -> Document:
    """A plain PDF: tracked as a document whose data must come from metadata or OCR."""
    return Document(
        comment=f"{file_name}: plain PDF without invoice data; add its metadata before submission.",
        needs_data=True,
    )
