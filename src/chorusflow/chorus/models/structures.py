"""Requests and answers of the ``structures`` API (official Swagger "Structures 1.0.0")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chorusflow.chorus.models.common import ChorusResponse, PageInfo, PageRequest, WireRequest

__all__ = [
    "ServiceDetails",
    "ServiceRequest",
    "StructureCriteria",
    "StructureDetails",
    "StructureRequest",
    "StructureSearchRequest",
    "StructureSearchResponse",
    "StructureService",
    "StructureServicesRequest",
    "StructureServicesResponse",
    "StructureSettings",
    "StructureSummary",
]

#: The public-to-public service that a private supplier must never invoice.
PUBLIC_INVOICES_SERVICE = "FACTURES_PUBLIQUES"


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")


class StructureCriteria(WireRequest):
    identifiantStructure: str | None = None
    typeIdentifiantStructure: str | None = None
    raisonSocialeStructure: str | None = None
    libelleStructure: str | None = None
    nomStructure: str | None = None
    prenomStructure: str | None = None
    adresseCodePostal: str | None = None
    adresseVille: str | None = None
    adresseCodePays: str | None = None
    typeStructure: Literal["PRIVEE", "PUBLIQUE"] | None = None
    statutStructure: Literal["ACTIF", "INACTIF"] | None = None
    estMOA: bool | None = None
    estMOAUniquement: bool | None = None


class StructureSearchRequest(WireRequest):
    structure: StructureCriteria = Field(default_factory=StructureCriteria)
    parametres: PageRequest | None = None
    restreindreStructuresPrivees: bool | None = None

    @classmethod
    def by_siret(cls, siret: str) -> StructureSearchRequest:
        return cls(structure=StructureCriteria(identifiantStructure=siret, typeIdentifiantStructure="SIRET"))


class StructureSummary(_Item):
    idStructureCPP: int
    identifiantStructure: str | None = None
    typeIdentifiantStructure: str | None = None
    designationStructure: str | None = None
    statut: str | None = None


class StructureSearchResponse(ChorusResponse):
    listeStructures: list[StructureSummary] = Field(default_factory=list)
    parametresRetour: PageInfo | None = None


class StructureRequest(WireRequest):
    idStructureCPP: int
    codeLangue: Literal["FR", "EN"] | None = None


class StructureSettings(_Item):
    """The structure's requirement flags: what an invoice to it must carry."""

    codeServiceDoitEtreRenseigne: bool | None = None
    numeroEJDoitEtreRenseigne: bool | None = None
    gestionNumeroEJOuCodeService: bool | None = None
    statutMiseEnPaiementNestPasRemonte: bool | None = None
    connexionEDI: bool | None = None
    recevoirDonneesViaEDI: bool | None = None
    estMoaUniquement: bool | None = None
    getaMoa: bool | None = None
    estValideurDelegue: bool | None = None
    nonDiffusibleInsee: bool | None = None


class StructureGeneralInfo(_Item):
    idStructureCPP: int | None = None
    identifiantStructure: str | None = None
    typeIdentifiantStructure: str | None = None
    libelleStructure: str | None = None
    raisonSocialeStructure: str | None = None
    numeroTVA: str | None = None
    structurePriveePublique: str | None = None
    dateExpirationMotPasseCompteTech: str | None = None


class StructureDetails(ChorusResponse):
    """``structures/consulter``."""

    informationGenerales: StructureGeneralInfo | None = None
    adressePostaleDuSiege: dict | None = None
    parametres: StructureSettings | None = None


class StructureServicesRequest(WireRequest):
    idStructure: int
    parametresRechercherServicesStructure: PageRequest | None = None
    idUtilisateurCourant: int | None = None


class StructureService(_Item):
    idService: int
    codeService: str | None = None
    libelleService: str | None = None
    estActif: bool | None = None
    statutService: str | None = None
    dateDbtService: str | None = None
    dateFinService: str | None = None


class StructureServicesResponse(ChorusResponse):
    listeServices: list[StructureService] = Field(default_factory=list)
    parametresRetour: PageInfo | None = None


class ServiceRequest(WireRequest):
    idStructure: int
    idService: int
    codeLangue: Literal["FR", "EN"] | None = None


class ServiceGeneralInfo(_Item):
    codeService: str | None = None
    nomService: str | None = None
    descriptionService: str | None = None


class ServiceSettings(_Item):
    """``numeroEngagement`` is the service-level "commitment number required" flag."""

    dateCreation: str | None = None
    dateDebutValidite: str | None = None
    dateFinValidite: str | None = None
    dateModification: str | None = None
    miseEnPaiement: bool | None = None
    numeroEngagement: bool | None = None


class ServiceDetails(ChorusResponse):
    """``structures/consulter/service``."""

    informationsGenerales: ServiceGeneralInfo | None = None
    adressePostale: dict | None = None
    parametres: ServiceSettings | None = None
