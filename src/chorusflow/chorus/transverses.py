"""Operations of the ``transverses`` API: flow reports, attachments, bank details, directories."""

from __future__ import annotations

from collections.abc import Iterator

from chorusflow.chorus.errors import ChorusFunctionalError
from chorusflow.chorus.models.transverses import (
    BankAccountsRequest,
    BankAccountsResponse,
    DetailedFlowReport,
    DetailedFlowReportRequest,
    ExecutingService,
    ExecutingServiceSearchRequest,
    ExecutingServiceSearchResponse,
    FlowReport,
    FlowReportRequest,
    HealthCheck,
    Recipient,
    RecipientSearchRequest,
    RecipientSearchResponse,
    SupplierStructuresResponse,
    UploadAttachmentRequest,
    UploadAttachmentResponse,
)
from chorusflow.chorus.pagination import EXECUTING_SERVICES, RECIPIENTS, PageSpec, iter_items
from chorusflow.chorus.transport import Transport

__all__ = ["NO_RESULT_LABELS", "TransversesApi", "fetch_page"]

#: ``libelle`` values by which a search says "nothing found" instead of returning an empty list.
NO_RESULT_LABELS = frozenset({"TRA_MSG_00.015", "GFT_MSG_01.075"})


def fetch_page(transport: Transport, family: str, operation: str, body: dict, spec: PageSpec) -> dict:
    """One page of a search; a "no result" refusal becomes an empty page."""
    try:
        return transport.call(family, operation, body)
    except ChorusFunctionalError as exc:
        if exc.libelle in NO_RESULT_LABELS:
            return {spec.list_key: []}
        raise


class TransversesApi:
    family = "transverses"

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _call(self, operation: str, body: dict | None = None, *, idempotent: bool = True) -> dict:
        return self._t.call(self.family, operation, body, idempotent=idempotent)

    def health_check(self) -> HealthCheck:
        """``GET health-check``: is the gateway up and does our token work."""
        return HealthCheck.model_validate(self._t.call(self.family, "health-check", method="GET"))

    def get_flow_report(self, flow_number: str | FlowReportRequest) -> FlowReport:
        """``consulterCR``: a deposit's state and its PDF report."""
        req = (
            flow_number
            if isinstance(flow_number, FlowReportRequest)
            else FlowReportRequest(numeroFluxDepot=flow_number)
        )
        return FlowReport.model_validate(self._call("consulterCR", req.to_wire()))

    def get_detailed_flow_report(self, flow_number: str, syntax: str | None = None) -> DetailedFlowReport:
        """``consulterCRDetaille``: a deposit's state with per-invoice errors (works for Factur-X)."""
        req = DetailedFlowReportRequest(numeroFluxDepot=flow_number, syntaxeFlux=syntax)
        return DetailedFlowReport.model_validate(self._call("consulterCRDetaille", req.to_wire()))

    def upload_attachment(self, request: UploadAttachmentRequest) -> UploadAttachmentResponse:
        """``ajouter/fichier``; repeating it only leaves an unused file, so it is retried like a read."""
        return UploadAttachmentResponse.model_validate(self._call("ajouter/fichier", request.to_wire()))

    def list_bank_accounts(self, structure_id: int) -> BankAccountsResponse:
        """``recuperer/coordbanc/valides``: the supplier's valid bank details (``idCoordonneeBancaire``)."""
        body = BankAccountsRequest(idStructure=structure_id).to_wire()
        return BankAccountsResponse.model_validate(self._call("recuperer/coordbanc/valides", body))

    def list_supplier_structures(self) -> SupplierStructuresResponse:
        """``recuperer/structures/actives/fournisseur``: where a supplier finds its ``idFournisseur``."""
        return SupplierStructuresResponse.model_validate(
            self._call("recuperer/structures/actives/fournisseur", {})
        )

    def search_recipients(self, request: RecipientSearchRequest) -> RecipientSearchResponse:
        """``rechercher/destinataire``: one page of public recipients."""
        data = fetch_page(self._t, self.family, "rechercher/destinataire", request.to_wire(), RECIPIENTS)
        return RecipientSearchResponse.model_validate(data)

    def iter_recipients(
        self, request: RecipientSearchRequest, *, page_size: int = 100
    ) -> Iterator[Recipient]:
        """Every recipient matching ``request``, across all pages."""
        filters = request.to_wire()
        filters.pop(RECIPIENTS.request_key, None)

        def fetch(body: dict) -> dict:
            return fetch_page(self._t, self.family, "rechercher/destinataire", body, RECIPIENTS)

        for item in iter_items(fetch, RECIPIENTS, filters, page_size=page_size):
            yield Recipient.model_validate(item)

    def search_executing_services(
        self, request: ExecutingServiceSearchRequest
    ) -> ExecutingServiceSearchResponse:
        """``rechercher/serviceexecutant``: one page of a recipient's services."""
        data = fetch_page(
            self._t, self.family, "rechercher/serviceexecutant", request.to_wire(), EXECUTING_SERVICES
        )
        return ExecutingServiceSearchResponse.model_validate(data)

    def iter_executing_services(
        self, request: ExecutingServiceSearchRequest, *, page_size: int = 100
    ) -> Iterator[ExecutingService]:
        filters = request.to_wire()
        filters.pop(EXECUTING_SERVICES.request_key, None)

        def fetch(body: dict) -> dict:
            return fetch_page(self._t, self.family, "rechercher/serviceexecutant", body, EXECUTING_SERVICES)

        for item in iter_items(fetch, EXECUTING_SERVICES, filters, page_size=page_size):
            yield ExecutingService.model_validate(item)
