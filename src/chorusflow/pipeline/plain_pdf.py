"""Plain PDFs: invoices without embedded data, described by their metadata.

Chorus Pro takes them through ``deposer/pdf`` + ``soumettre``, which need the
invoice's key data as fields; here that data comes from the metadata given at
intake (sidecar, API, web form). The pre-flight rules then check it like any
parsed invoice, through an :class:`~chorusflow.core.invoice.Invoice` built from it.
"""

from __future__ import annotations

from chorusflow.core.entities import Document
from chorusflow.core.invoice import Identifier, Invoice, Party, Totals

__all__ = ["REQUIRED_PDF_FIELDS", "invoice_from_metadata", "missing_pdf_metadata"]

REQUIRED_PDF_FIELDS = (
    "number",
    "issue_date",
    "supplier_siret",
    "recipient_siret",
    "total_without_vat",
    "total_vat",
    "total_with_vat",
    "currency",
)


def missing_pdf_metadata(document: Document) -> list[str]:
    return [name for name in REQUIRED_PDF_FIELDS if getattr(document, name) in (None, "")]


def invoice_from_metadata(document: Document) -> Invoice:
    return Invoice(
        syntax="pdf",
        number=document.number,
        issue_date=document.issue_date,
        type_code="381" if document.type == "credit_note" else "380",
        currency=document.currency,
        buyer_reference=document.service_code,
        order_reference=document.engagement_number,
        seller=Party(identifiers=[Identifier(document.supplier_siret or "", "0009")]),
        buyer=Party(
            name=document.recipient_name, identifiers=[Identifier(document.recipient_siret or "", "0009")]
        ),
        totals=Totals(
            without_vat=document.total_without_vat,
            vat=document.total_vat,
            with_vat=document.total_with_vat,
            due=document.total_with_vat,
        ),
    )
