"""Requests and answers of the ``factures`` API: deposits, submission, follow-up, download."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chorusflow.chorus.models.common import ChorusResponse, PageInfo, PageRequest, WireRequest

__all__ = [
    "BillingFrame",
    "CompleteInvoiceRequest",
    "CompleteInvoiceResponse",
    "DepositFlowRequest",
    "DepositFlowResponse",
    "DepositPdfRequest",
    "DepositPdfResponse",
    "DownloadInvoicesRequest",
    "DownloadInvoicesResponse",
    "InvoiceDetails",
    "InvoiceHistory",
    "InvoiceHistoryRequest",
    "InvoiceRecipient",
    "InvoiceReferences",
    "InvoiceSupplier",
    "InvoiceTotals",
    "LineItem",
    "MainAttachment",
    "RecycleInvoiceRequest",
    "RecycleInvoiceResponse",
    "StatusChange",
    "SubmitInvoiceRequest",
    "SubmitInvoiceResponse",
    "SupplementaryAttachment",
    "SupplierInvoice",
    "SupplierInvoiceDetails",
    "SupplierInvoiceRequest",
    "SupplierInvoiceSearchRequest",
    "SupplierInvoiceSearchResponse",
    "VatLine",
]


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- deposits ------------------------------------------------------------------------------------


class DepositFlowRequest(WireRequest):
    """``deposer/flux``: one file (XML, Factur-X, or an archive of several) and its syntax."""

    fichierFlux: str
    nomFichier: str = Field(max_length=200)
    syntaxeFlux: str
    avecSignature: bool = False
    idUtilisateurCourant: int | None = None

    @classmethod
    def from_bytes(cls, name: str, data: bytes, syntax: str, *, signed: bool = False) -> DepositFlowRequest:
        return cls(fichierFlux=_b64(data), nomFichier=name, syntaxeFlux=syntax, avecSignature=signed)


class DepositFlowResponse(ChorusResponse):
    """No invoice id here: integration is asynchronous, follow ``numeroFluxDepot``."""

    numeroFluxDepot: str | None = None
    dateDepot: str | None = None
    syntaxeFlux: str | None = None


class DepositPdfRequest(WireRequest):
    """``deposer/pdf``: a plain PDF (≤ 10 MB) that Chorus reads by OCR, to be completed by ``soumettre``."""

    fichierFacture: str
    formatDepot: Literal["PDF_NON_SIGNE", "PDF_SIGNE_PADES", "PDF_SIGNE_XADES"] = "PDF_NON_SIGNE"
    nomFichier: str = Field(max_length=200)
    idUtilisateurCourant: int | None = None

    @classmethod
    def from_bytes(cls, name: str, data: bytes, *, signature: str = "PDF_NON_SIGNE") -> DepositPdfRequest:
        return cls(fichierFacture=_b64(data), nomFichier=name, formatDepot=signature)  # type: ignore[arg-type]


class DepositPdfResponse(ChorusResponse):
    pieceJointeId: int | None = None
    numeroFacture: str | None = None
    dateFacture: str | None = None
    codeDestinataire: str | None = None
    codeServiceExecutant: str | None = None
    codeFournisseur: str | None = None
    codeDeviseFacture: str | None = None
    typeFacture: str | None = None
    typeTva: str | None = None
    numeroBonCommande: str | None = None
    montantTtcAvantRemiseGlobalTTC: Decimal | None = None
    montantAPayer: Decimal | None = None
    montantHtTotal: Decimal | None = None
    montantTVA: Decimal | None = None


# -- soumettre -----------------------------------------------------------------------------------


class InvoiceRecipient(WireRequest):
    codeDestinataire: str
    codeServiceExecutant: str | None = Field(default=None, max_length=100)


class InvoiceSupplier(WireRequest):
    idFournisseur: int
    idServiceFournisseur: int | None = None
    codeCoordonneesBancairesFournisseur: int | None = None


class BillingFrame(WireRequest):
    codeCadreFacturation: str = "A1_FACTURE_FOURNISSEUR"
    codeStructureValideur: str | None = None
    codeServiceValideur: str | None = None


class InvoiceReferences(WireRequest):
    deviseFacture: str = "EUR"
    typeFacture: Literal["FACTURE", "AVOIR"] = "FACTURE"
    typeTva: Literal["TVA_SUR_DEBIT", "TVA_SUR_ENCAISSEMENT", "EXONERATION", "SANS_TVA"]
    motifExonerationTva: str | None = None
    numeroMarche: str | None = None
    numeroBonCommande: str | None = Field(default=None, max_length=50)
    numeroFactureOrigine: str | None = None
    modePaiement: str | None = None


class LineItem(WireRequest):
    lignePosteNumero: int
    lignePosteReference: str | None = None
    lignePosteDenomination: str
    lignePosteQuantite: Decimal
    lignePosteUnite: str
    lignePosteMontantUnitaireHT: Decimal
    lignePosteMontantRemiseHT: Decimal | None = None
    lignePosteTauxTva: str | None = None
    lignePosteTauxTvaManuel: Decimal | None = None


class VatLine(WireRequest):
    ligneTvaTaux: str | None = None
    ligneTvaTauxManuel: Decimal | None = None
    ligneTvaMontantBaseHtParTaux: Decimal
    ligneTvaMontantTvaParTaux: Decimal


class InvoiceTotals(WireRequest):
    montantHtTotal: Decimal
    montantTVA: Decimal
    montantTtcTotal: Decimal
    montantRemiseGlobaleTTC: Decimal | None = None
    motifRemiseGlobaleTTC: str | None = None
    montantAPayer: Decimal


class MainAttachment(WireRequest):
    pieceJointePrincipaleDesignation: str | None = None
    pieceJointePrincipaleId: int


class SupplementaryAttachment(WireRequest):
    pieceJointeComplementaireDesignation: str | None = Field(default=None, max_length=100)
    pieceJointeComplementaireType: str | None = Field(default=None, max_length=30)
    pieceJointeComplementaireNumeroLigneFacture: int | None = None
    pieceJointeComplementaireId: int
    pieceJointeComplementaireIdLiaison: int | None = None


class SubmitInvoiceRequest(WireRequest):
    """``soumettre``: the invoice as JSON (``SAISIE_API``) or completing a deposited PDF (DEPOT_PDF_API)."""

    modeDepot: Literal["SAISIE_API", "DEPOT_PDF_API", "DEPOT_PDF_SIGNE_API"]
    numeroFactureSaisi: str | None = Field(default=None, max_length=20, pattern=r"^[A-Za-z0-9\-_/+]+$")
    dateFacture: date
    idUtilisateurCourant: int | None = None
    destinataire: InvoiceRecipient
    fournisseur: InvoiceSupplier
    cadreDeFacturation: BillingFrame = Field(default_factory=BillingFrame)
    references: InvoiceReferences
    lignePoste: list[LineItem] = Field(default_factory=list)
    ligneTva: list[VatLine] = Field(default_factory=list)
    montantTotal: InvoiceTotals
    pieceJointePrincipale: list[MainAttachment] | None = None
    pieceJointeComplementaire: list[SupplementaryAttachment] | None = None
    commentaire: str | None = Field(default=None, max_length=2000)


class SubmitInvoiceResponse(ChorusResponse):
    identifiantFactureCPP: int | None = None
    numeroFacture: str | None = None
    identifiantStructure: str | None = None
    dateDepot: str | None = None
    statutFacture: str | None = None
    empreinteCertificatDepot: str | None = None


class CompleteInvoiceRequest(WireRequest):
    """``completer``: answer a SUSPENDUE invoice with documents and/or a comment."""

    identifiantFactureCPP: int
    pieceJointeComplementaire: list[SupplementaryAttachment] | None = None
    commentaire: str | None = Field(default=None, max_length=2000)
    idUtilisateurCourant: int | None = None


class CompleteInvoiceResponse(ChorusResponse):
    identifiantFactureCPP: int | None = None
    numeroFacture: str | None = None
    dateTraitement: str | None = None


class RecycleInvoiceRequest(WireRequest):
    """``recycler``: re-route an A_RECYCLER invoice (same number) to a corrected recipient/service."""

    identifiantFactureCPP: int
    destinataire: InvoiceRecipient
    commentaire: str | None = Field(default=None, max_length=2000)
    idUtilisateurCourant: int | None = None


class RecycleInvoiceResponse(ChorusResponse):
    identifiantFactureCPP: int | None = None
    numeroFacture: str | None = None
    statutFacture: str | None = None
    dateDepot: str | None = None


# -- follow-up -----------------------------------------------------------------------------------


class SupplierInvoiceSearchRequest(WireRequest):
    """``rechercher/fournisseur`` filters; pagination goes under ``rechercheFactureParFournisseur``."""

    numeroFluxDepot: str | None = None
    numeroFacture: str | None = None
    numeroFactureOrigine: str | None = None
    numeroBonCommande: str | None = None
    numeroMarche: str | None = None
    typeFacture: str | None = None
    statutCourant: list[str] | None = None
    cadreFacturation: str | None = None
    modeDepot: str | None = None
    idFournisseur: int | None = None
    idServiceFournisseur: int | None = None
    idUtilisateurCourant: int | None = None
    periodeDateDepotDu: date | None = None
    periodeDateDepotAu: date | None = None
    periodeDateFactureDu: date | None = None
    periodeDateFactureAu: date | None = None
    periodeDateHeureEtatCourantDu: date | None = None
    periodeDateHeureEtatCourantAu: date | None = None
    rejetTraite: bool | None = None
    rechercheFactureParFournisseur: PageRequest | None = None


class SupplierInvoice(_Item):
    identifiantFactureCPP: int
    numeroFacture: str | None = None
    statut: str | None = None
    numeroFluxDepot: str | None = None
    modeDepot: str | None = None
    typeFacture: str | None = None
    dateFacture: str | None = None
    dateDepot: str | None = None
    dateHeureEtatCourant: str | None = None
    commentaireEtatCourant: str | None = None
    montantHT: Decimal | None = None
    montantTTC: Decimal | None = None
    montantAPayer: Decimal | None = None
    devise: str | None = None
    codeFournisseur: str | None = None
    codeDestinataire: str | None = None
    codeServiceExecutant: str | None = None
    rejetTraite: bool | None = None


class SupplierInvoiceSearchResponse(ChorusResponse):
    listeFactures: list[SupplierInvoice] = Field(default_factory=list)
    parametresRetour: PageInfo | None = None


class SupplierInvoiceRequest(WireRequest):
    """``consulter/fournisseur``; the three sub-list paginations are passed through as dicts."""

    identifiantFactureCPP: int
    codeLangue: Literal["FR", "EN"] | None = None
    idUtilisateurCourant: int | None = None
    pLignesPoste: dict | None = None
    pListePiecesJointes: dict | None = None
    pLigneRecapTva: dict | None = None


class InvoiceDetails(_Item):
    identifiantFactureCPP: int | None = None
    numeroFacture: str | None = None
    statutFacture: str | None = None
    modeDepot: str | None = None
    commentaire: str | None = None


class SupplierInvoiceDetails(ChorusResponse):
    facture: InvoiceDetails | None = None


class InvoiceHistoryRequest(WireRequest):
    """``consulter/historique``: ``idFacture`` is the supplier's ``identifiantFactureCPP``."""

    idFacture: int
    idEspace: int | None = None
    nbResultatsMaximum: int | None = None
    idUtilisateurCourant: int | None = None
    paramRechercheHistoStatuts: dict | None = None
    paramRechercheHistoActionsUtilisateurs: dict | None = None
    paramRechercheHistoEvenementsComplementaires: dict | None = None


class StatusChange(_Item):
    histoStatutId: int | None = None
    histoStatutCode: str | None = None
    histoStatutDatePassage: str | None = None
    histoStatutCommentaire: str | None = None


class StatusHistory(_Item):
    histoStatut: list[StatusChange] = Field(default_factory=list)


class InvoiceHistory(ChorusResponse):
    idFacture: int | None = None
    numeroFacture: str | None = None
    modeDepot: str | None = None
    statutCourantCode: str | None = None
    historiquesDesStatuts: StatusHistory | None = None
    historiquesDesActionsUtilisateurs: dict | None = None
    historiquesDesEvenementsComplementaires: dict | None = None
    derniereAction: dict | None = None


class InvoiceRef(WireRequest):
    idFacture: int


class DownloadInvoicesRequest(WireRequest):
    """``telecharger/groupe``: PDF or PIVOT of up to 120 MB of invoices."""

    listeFacture: list[InvoiceRef]
    format: Literal["PDF", "PIVOT"] = "PDF"
    avecPiecesJointesComplementaires: Literal["OUI", "NON"] | None = None
    idEspace: int | None = None
    idUtilisateurCourant: int | None = None


class DownloadInvoicesResponse(ChorusResponse):
    fichierResultat: str | None = None

    def content(self) -> bytes:
        """The decoded file: one PDF, one PIVOT XML, or a ZIP of several."""
        return base64.b64decode(self.fichierResultat or "")
