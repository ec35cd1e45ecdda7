"""The "OCR" of ``deposer/pdf``: the fields the platform would read off a PDF.

The sandbox cannot read a scanned page, but a Factur-X PDF carries its data,
so its embedded XML stands in for OCR; any other PDF yields empty guesses, as
a badly scanned invoice would. Either way the supplier completes the data
with ``soumettre``.
"""

from __future__ import annotations

from typing import Any

from chorusflow.sandbox.invoice_values import amount, invoice_values

__all__ = ["guess_from_pdf"]

_EMPTY = {
    "numeroFacture": None,
    "dateFacture": None,
    "codeDestinataire": None,
    "codeServiceExecutant": None,
    "codeFournisseur": None,
    "codeDeviseFacture": None,
    "typeFacture": None,
    "typeTva": None,
    "numeroBonCommande": None,
    "montantTtcAvantRemiseGlobalTTC": None,
    "montantAPayer": None,
    "montantHtTotal": None,
    "montantTVA": None,
}


def guess_from_pdf(data: bytes, name: str) -> dict[str, Any]:
    try:
        from chorusflow.core.formats import read_document

        _, invoice = read_document(data, name)
    except Exception:  # any unreadable PDF simply gives no guesses, like a failed OCR
        return dict(_EMPTY)
    if invoice is None:
        return dict(_EMPTY)
    v = invoice_values(invoice)
    return {
        "numeroFacture": v["number"],
        "dateFacture": v["invoice_date"],
        "codeDestinataire": invoice.buyer.siret,
        "codeServiceExecutant": invoice.buyer_reference,
        "codeFournisseur": invoice.seller.siret,
        "codeDeviseFacture": v["currency"],
        "typeFacture": v["type_facture"],
        "typeTva": "TVA_SUR_DEBIT",
        "numeroBonCommande": v["ej"],
        "montantTtcAvantRemiseGlobalTTC": amount(v["amount_ttc"]),
        "montantAPayer": amount(v["amount_due"]),
        "montantHtTotal": amount(v["amount_ht"]),
        "montantTVA": amount(v["amount_tva"]),
    }
