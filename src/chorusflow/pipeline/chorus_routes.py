"""How each kind of document travels to Chorus Pro: the route and its request.

Factur-X goes as ``IN_DP_E2_CII_FACTURX``, UBL as ``IN_DP_E1_UBL_INVOICE``,
CII as ``IN_DP_E1_CII_16B`` through ``deposer/flux`` (asynchronous: Chorus
answers with a deposit number and integrates later); a plain PDF goes through
``deposer/pdf`` then ``soumettre`` with the data from its metadata
(synchronous: Chorus answers with its invoice id).
"""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.models.factures import (
    DepositFlowRequest,
    DepositPdfRequest,
    InvoiceRecipient,
    InvoiceReferences,
    InvoiceSupplier,
    InvoiceTotals,
    LineItem,
    MainAttachment,
    SubmitInvoiceRequest,
    SupplementaryAttachment,
    VatLine,
)
from chorusflow.chorus.models.transverses import UploadAttachmentRequest
from chorusflow.core.entities import Document

__all__ = ["FLOW_SYNTAX", "PDF_ROUTE", "Sent", "deposit_batch", "deposit_flow", "route_for", "submit_pdf"]

FLOW_SYNTAX = {
    "facturx": "IN_DP_E2_CII_FACTURX",
    "ubl_invoice": "IN_DP_E1_UBL_INVOICE",
    "ubl_credit_note": "IN_DP_E1_UBL_INVOICE",
    "cii": "IN_DP_E1_CII_16B",
}
PDF_ROUTE = "DEPOT_PDF_API"


@dataclass(frozen=True)
class Sent:
    route: str
    flux_number: str | None = None  # asynchronous deposits
    chorus_invoice_id: int | None = None  # synchronous submissions
    chorus_status: str | None = None


def route_for(file_format: str) -> str:
    if file_format == "pdf":
        return PDF_ROUTE
    try:
        return FLOW_SYNTAX[file_format]
    except KeyError:
        raise ValueError(f"format {file_format!r} cannot be sent to Chorus Pro") from None


def deposit_name(submission_id: int, document: Document, extension: str) -> str:
    """Deposit file names carry our submission id: a flow report can be tied back to it."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in (document.number or "invoice"))[:60]
    return f"cf{submission_id}_{safe}.{extension}"


def deposit_flow(client: ChorusClient, route: str, name: str, data: bytes) -> Sent:
    answer = client.factures.deposit_flow(
        DepositFlowRequest(
            fichierFlux=base64.b64encode(data).decode("ascii"), nomFichier=name, syntaxeFlux=route
        )
    )
    return Sent(route, flux_number=answer.numeroFluxDepot)


def deposit_batch(client: ChorusClient, route: str, name: str, files: list[tuple[str, bytes]]) -> Sent:
    """Several invoices of one syntax in one ZIP deposit (provider option)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files:
            archive.writestr(member, data)
    return deposit_flow(client, route, name, buf.getvalue())


def upload_attachment(client: ChorusClient, name: str, data: bytes) -> int:
    """``ajouter/fichier``: the id Chorus gives the file, to reference it in ``soumettre``."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "pdf"
    mime = {"pdf": "application/pdf", "xml": "application/xml", "png": "image/png", "jpg": "image/jpeg"}
    answer = client.transverses.upload_attachment(
        UploadAttachmentRequest(
            pieceJointeFichier=base64.b64encode(data).decode("ascii"),
            pieceJointeNom=name[:50],
            pieceJointeTypeMime=mime.get(extension, "application/octet-stream"),
            pieceJointeExtension=extension.upper(),
        )
    )
    return answer.pieceJointeId or 0


def _rate(document: Document) -> Decimal:
    base, vat = document.total_without_vat or Decimal(0), document.total_vat or Decimal(0)
    if not base:
        return Decimal(0)
    return (vat * 100 / base).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def submit_pdf(
    client: ChorusClient,
    document: Document,
    name: str,
    pdf: bytes,
    *,
    supplier_id: int,
    bank_account_id: int | None,
    signed: bool = False,
    attachments: list[tuple[str, bytes]] | None = None,
) -> Sent:
    """``deposer/pdf`` then ``soumettre`` with the document's data; extra files via ``ajouter/fichier``."""
    uploaded = client.factures.deposit_pdf(
        DepositPdfRequest(
            fichierFacture=base64.b64encode(pdf).decode("ascii"),
            nomFichier=name,
            formatDepot="PDF_SIGNE_PADES" if signed else "PDF_NON_SIGNE",
        )
    )
    assert document.issue_date is not None and document.recipient_siret
    base = document.total_without_vat or Decimal(0)
    vat = document.total_vat or Decimal(0)
    total = document.total_with_vat or base + vat
    request = SubmitInvoiceRequest(
        modeDepot="DEPOT_PDF_SIGNE_API" if signed else "DEPOT_PDF_API",
        numeroFactureSaisi=document.number,
        dateFacture=document.issue_date,
        destinataire=InvoiceRecipient(
            codeDestinataire=document.recipient_siret, codeServiceExecutant=document.service_code
        ),
        fournisseur=InvoiceSupplier(
            idFournisseur=supplier_id, codeCoordonneesBancairesFournisseur=bank_account_id
        ),
        references=InvoiceReferences(
            deviseFacture=document.currency or "EUR",
            typeFacture="AVOIR" if document.type == "credit_note" else "FACTURE",
            typeTva="TVA_SUR_DEBIT",
            numeroBonCommande=document.engagement_number,
        ),
        lignePoste=[
            LineItem(
                lignePosteNumero=1,
                lignePosteDenomination=f"Facture {document.number}",
                lignePosteQuantite=Decimal(1),
                lignePosteUnite="lot",
                lignePosteMontantUnitaireHT=base,
                lignePosteTauxTvaManuel=_rate(document),
            )
        ],
        ligneTva=[
            VatLine(
                ligneTvaTauxManuel=_rate(document),
                ligneTvaMontantBaseHtParTaux=base,
                ligneTvaMontantTvaParTaux=vat,
            )
        ],
        montantTotal=InvoiceTotals(
            montantHtTotal=base, montantTVA=vat, montantTtcTotal=total, montantAPayer=total
        ),
        pieceJointePrincipale=[MainAttachment(pieceJointePrincipaleId=uploaded.pieceJointeId or 0)],
    )
    if attachments:
        request.pieceJointeComplementaire = [
            SupplementaryAttachment(
                pieceJointeComplementaireDesignation=name[:100],
                pieceJointeComplementaireType="PIECE_JUSTIFICATIVE",
                pieceJointeComplementaireId=upload_attachment(client, name, data),
            )
            for name, data in attachments
        ]
    answer = client.factures.submit_invoice(request)
    return Sent(
        PDF_ROUTE,
        chorus_invoice_id=answer.identifiantFactureCPP,
        chorus_status=answer.statutFacture,
    )
