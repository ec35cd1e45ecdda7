"""Operations of the ``structures`` API: find a structure by SIRET, read its requirements and services."""

from __future__ import annotations

from collections.abc import Iterator

from chorusflow.chorus.models.structures import (
    PUBLIC_INVOICES_SERVICE,
    ServiceDetails,
    ServiceRequest,
    StructureDetails,
    StructureRequest,
    StructureSearchRequest,
    StructureSearchResponse,
    StructureService,
    StructureServicesRequest,
    StructureServicesResponse,
    StructureSummary,
)
from chorusflow.chorus.pagination import STRUCTURE_SERVICES, STRUCTURES, iter_items
from chorusflow.chorus.transport import Transport
from chorusflow.chorus.transverses import fetch_page

__all__ = ["StructuresApi"]


class StructuresApi:
    family = "structures"

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def search_structures(self, request: StructureSearchRequest) -> StructureSearchResponse:
        """``rechercher``: one page of structures."""
        data = fetch_page(self._t, self.family, "rechercher", request.to_wire(), STRUCTURES)
        return StructureSearchResponse.model_validate(data)

    def iter_structures(
        self, request: StructureSearchRequest, *, page_size: int = 100
    ) -> Iterator[StructureSummary]:
        filters = request.to_wire()
        filters.pop(STRUCTURES.request_key, None)

        def fetch(body: dict) -> dict:
            return fetch_page(self._t, self.family, "rechercher", body, STRUCTURES)

        for item in iter_items(fetch, STRUCTURES, filters, page_size=page_size):
            yield StructureSummary.model_validate(item)

    def find_by_siret(self, siret: str) -> StructureSummary | None:
        """The one structure with this SIRET, or None; several answers are refused as ambiguous."""
        found = list(self.iter_structures(StructureSearchRequest.by_siret(siret)))
        exact = [s for s in found if s.identifiantStructure in (None, siret)]
        if len(exact) > 1:
            raise LookupError(f"{len(exact)} Chorus Pro structures have SIRET {siret}: pick one by its id")
        return exact[0] if exact else None

    def get_structure(self, structure_id: int, language: str | None = None) -> StructureDetails:
        """``consulter`` (body key ``idStructureCPP``): details and requirement flags."""
        body = StructureRequest(idStructureCPP=structure_id, codeLangue=language).to_wire()  # type: ignore[arg-type]
        return StructureDetails.model_validate(self._t.call(self.family, "consulter", body))

    def search_services(
        self, structure_id: int, *, page: int = 1, page_size: int = 100
    ) -> StructureServicesResponse:
        """``rechercher/services``: one page of a structure's services."""
        body = StructureServicesRequest(idStructure=structure_id).to_wire()
        body[STRUCTURE_SERVICES.request_key] = {"pageResultatDemandee": page, "nbResultatsParPage": page_size}
        data = fetch_page(self._t, self.family, "rechercher/services", body, STRUCTURE_SERVICES)
        return StructureServicesResponse.model_validate(data)

    def iter_services(
        self, structure_id: int, *, page_size: int = 100, include_public_invoices: bool = False
    ) -> Iterator[StructureService]:
        """Every service of a structure, without ``FACTURES_PUBLIQUES`` (suppliers must not use it)."""

        def fetch(body: dict) -> dict:
            return fetch_page(self._t, self.family, "rechercher/services", body, STRUCTURE_SERVICES)

        filters = StructureServicesRequest(idStructure=structure_id).to_wire()
        for item in iter_items(fetch, STRUCTURE_SERVICES, filters, page_size=page_size):
            service = StructureService.model_validate(item)
            if service.codeService == PUBLIC_INVOICES_SERVICE and not include_public_invoices:
                continue
            yield service

    def get_service(self, structure_id: int, service_id: int, language: str | None = None) -> ServiceDetails:
        """``consulter/service``: a service's details, including whether it requires a commitment number."""
        body = ServiceRequest(idStructure=structure_id, idService=service_id, codeLangue=language).to_wire()  # type: ignore[arg-type]
        return ServiceDetails.model_validate(self._t.call(self.family, "consulter/service", body))
