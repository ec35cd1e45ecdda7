"""Requests and answers of the ``transverses`` API: reports, attachments, directories."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import PurePath

from pydantic import BaseModel, ConfigDict, Field

from chorusflow.chorus.models.common import ChorusResponse, PageInfo, PageRequest, WireRequest

__all__ = [
    "FLOW_FINAL_STATES",
    "ActiveStructure",
    "BankAccount",
    "BankAccountsRequest",
    "BankAccountsResponse",
    "DetailedFlowReport",
    "DetailedFlowReportRequest",
    "ExecutingService",
    "ExecutingServiceSearchRequest",
    "ExecutingServiceSearchResponse",
    "FlowInvoiceError",
    "FlowReport",
    "FlowReportRequest",
    "FlowTechnicalError",
    "HealthCheck",
    "Recipient",
    "RecipientSearchRequest",
    "RecipientSearchResponse",
    "SupplierStructuresResponse",
    "UploadAttachmentRequest",
    "UploadAttachmentResponse",
]

#: Flow states after which a deposit's report no longer changes (``IN_INCIDENTE`` means: resend it).
FLOW_FINAL_STATES = frozenset({"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE", "IN_INCIDENTE"})


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")


class HealthCheck(BaseModel):
    """``GET health-check`` answers Spring-style, without the usual envelope."""

    model_config = ConfigDict(extra="allow")

    body: str | None = None
    statusCodeValue: int | None = None
    statusCode: str | None = None


class FlowReportRequest(WireRequest):
    numeroFluxDepot: str
    dateDepot: str | None = None
    syntaxeFlux: str | None = None


class FlowReport(ChorusResponse):
    """``consulterCR``: the deposit's state and its PDF report (``fichierCR``, base64)."""

    numeroFluxDepot: str | None = None
    nomFichierFlux: str | None = None
    codeInterfaceFlux: str | None = None
    codeAppliPartenaire: str | None = None
    designationPartenaire: str | None = None
    dateDepotFlux: str | None = None
    dateHeureEtatCourantFlux: str | None = None
    etatCourantFlux: str | None = None
    fichierCR: str | None = None


class DetailedFlowReportRequest(WireRequest):
    numeroFluxDepot: str
    syntaxeFlux: str | None = None


class FlowInvoiceError(_Item):
    numeroDP: str | None = None
    identifiantFournisseur: str | None = None
    identifiantDestinataire: str | None = None
    libelleErreurDP: str | None = None


class FlowTechnicalError(_Item):
    codeErreur: str | None = None
    libelleErreur: str | None = None
    natureErreur: str | None = None


class DetailedFlowReport(ChorusResponse):
    """``consulterCRDetaille``: the deposit's state plus per-invoice and technical errors."""

    nomFichier: str | None = None
    codeInterfaceDepotFlux: str | None = None
    dateDepotFlux: str | None = None
    dateHeureEtatCourantFlux: str | None = None
    etatCourantDepotFlux: str | None = None
    listeErreurDP: list[FlowInvoiceError] = Field(default_factory=list)
    listeErreurTechnique: list[FlowTechnicalError] = Field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return self.etatCourantDepotFlux in FLOW_FINAL_STATES


class UploadAttachmentRequest(WireRequest):
    """``ajouter/fichier``: one file (< 10 MB) stored for later use by ``soumettre``/``completer``."""

    pieceJointeFichier: str
    pieceJointeNom: str
    pieceJointeTypeMime: str
    pieceJointeExtension: str
    idUtilisateurCourant: int | None = None

    @classmethod
    def from_bytes(cls, name: str, data: bytes, mime_type: str | None = None) -> UploadAttachmentRequest:
        suffix = PurePath(name).suffix
        if not suffix:
            raise ValueError(f"attachment name {name!r} has no extension: Chorus Pro requires one")
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return cls(
            pieceJointeFichier=base64.b64encode(data).decode("ascii"),
            pieceJointeNom=name,
            pieceJointeTypeMime=mime,
            pieceJointeExtension=suffix.lstrip(".").upper(),
        )


class UploadAttachmentResponse(ChorusResponse):
    pieceJointeId: int | None = None


class BankAccountsRequest(WireRequest):
    idStructure: int


class BankAccount(_Item):
    idCoordonneeBancaire: int
    nomCoordonneeBancaire: str | None = None


class BankAccountsResponse(ChorusResponse):
    """``recuperer/coordbanc/valides``: pagination fields sit at the top level here."""

    listeCoordonneeBancaire: list[BankAccount] = Field(default_factory=list)
    pageCourante: int | None = None
    pages: int | None = None
    nbResultatsParPage: int | None = None
    total: int | None = None


class ActiveStructure(_Item):
    idStructureCPP: int
    identifiant: str | None = None
    designationStructure: str | None = None


class SupplierStructuresResponse(ChorusResponse):
    """``recuperer/structures/actives/fournisseur``: the structures the technical account may invoice for."""

    listeStructures: list[ActiveStructure] = Field(default_factory=list)


class RecipientSearchRequest(WireRequest):
    identifiant: str | None = None
    nomVilleCodePostal: str | None = None
    typeStructure: str | None = None
    parametresRecherche: PageRequest | None = None


class Recipient(_Item):
    idStructureCPP: int
    siret: str | None = None
    nomDestinataire: str | None = None
    adresseCodePostal: str | None = None
    adresseVille: str | None = None


class RecipientSearchResponse(ChorusResponse):
    listeDestinataires: list[Recipient] = Field(default_factory=list)
    parametresRetour: PageInfo | None = None


class ExecutingServiceSearchRequest(WireRequest):
    idDestinataireCPP: int | None = None
    codeServiceExecutant: str | None = None
    nomServiceExecutant: str | None = None
    actif: bool | None = None
    parametresRecherche: PageRequest | None = None


class ExecutingService(_Item):
    idServicesCPP: int | None = None
    codeServiceExecutant: str | None = None
    nomServiceExecutant: str | None = None


class ExecutingServiceSearchResponse(ChorusResponse):
    listeServices: list[ExecutingService] = Field(default_factory=list)
    parametresRetour: PageInfo | None = None
