"""Operations of the ``factures`` API: deposit, submit, answer the recipient, follow, download.

Writes (``deposer/*``, ``soumettre``, ``completer``, ``recycler``) are sent
with ``idempotent=False``: after an ambiguous failure they raise
``ChorusTransientError(maybe_processed=True)`` instead of being resent, and
the caller checks with ``find_supplier_invoices`` or the flow report first.
"""

from __future__ import annotations

from collections.abc import Iterator

from chorusflow.chorus.models.factures import (
    CompleteInvoiceRequest,
    CompleteInvoiceResponse,
    DepositFlowRequest,
    DepositFlowResponse,
    DepositPdfRequest,
    DepositPdfResponse,
    DownloadInvoicesRequest,
    DownloadInvoicesResponse,
    InvoiceHistory,
    InvoiceHistoryRequest,
    InvoiceRef,
    RecycleInvoiceRequest,
    RecycleInvoiceResponse,
    SubmitInvoiceRequest,
    SubmitInvoiceResponse,
    SupplierInvoice,
    SupplierInvoiceDetails,
    SupplierInvoiceRequest,
    SupplierInvoiceSearchRequest,
    SupplierInvoiceSearchResponse,
)
from chorusflow.chorus.pagination import SUPPLIER_INVOICES, iter_items
from chorusflow.chorus.transport import Transport
from chorusflow.chorus.transverses import fetch_page

__all__ = ["FacturesApi"]


class FacturesApi:
    family = "factures"

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _write(self, operation: str, body: dict) -> dict:
        return self._t.call(self.family, operation, body, idempotent=False)

    def _read(self, operation: str, body: dict) -> dict:
        return self._t.call(self.family, operation, body)

    # -- deposits and submission ---------------------------------------------------------------

    def deposit_flow(self, request: DepositFlowRequest) -> DepositFlowResponse:
        """``deposer/flux``: returns the ``numeroFluxDepot``; invoices appear after integration."""
        return DepositFlowResponse.model_validate(self._write("deposer/flux", request.to_wire()))

    def deposit_pdf(self, request: DepositPdfRequest) -> DepositPdfResponse:
        """``deposer/pdf``: returns ``pieceJointeId`` and OCR guesses, for ``soumettre`` (DEPOT_PDF_API)."""
        return DepositPdfResponse.model_validate(self._write("deposer/pdf", request.to_wire()))

    def submit_invoice(self, request: SubmitInvoiceRequest) -> SubmitInvoiceResponse:
        """``soumettre``: returns the ``identifiantFactureCPP`` at once."""
        return SubmitInvoiceResponse.model_validate(self._write("soumettre", request.to_wire()))

    def complete_invoice(self, request: CompleteInvoiceRequest) -> CompleteInvoiceResponse:
        """``completer``: answer a SUSPENDUE invoice."""
        return CompleteInvoiceResponse.model_validate(self._write("completer", request.to_wire()))

    def recycle_invoice(self, request: RecycleInvoiceRequest) -> RecycleInvoiceResponse:
        """``recycler``: re-route an A_RECYCLER invoice under the same number."""
        return RecycleInvoiceResponse.model_validate(self._write("recycler", request.to_wire()))

    # -- follow-up -----------------------------------------------------------------------------

    def search_supplier_invoices(
        self, request: SupplierInvoiceSearchRequest | None = None
    ) -> SupplierInvoiceSearchResponse:
        """``rechercher/fournisseur``: ONE page. Use ``iter_supplier_invoices`` to get them all."""
        body = (request or SupplierInvoiceSearchRequest()).to_wire()
        data = fetch_page(self._t, self.family, "rechercher/fournisseur", body, SUPPLIER_INVOICES)
        return SupplierInvoiceSearchResponse.model_validate(data)

    def iter_supplier_invoices(
        self,
        request: SupplierInvoiceSearchRequest | None = None,
        *,
        page_size: int = 100,
        sort_column: str | None = None,
        sort_direction: str | None = None,
    ) -> Iterator[SupplierInvoice]:
        """Every invoice matching ``request`` (e.g. all invoices of a flow), across all pages."""
        filters = (request or SupplierInvoiceSearchRequest()).to_wire()
        filters.pop(SUPPLIER_INVOICES.request_key, None)

        def fetch(body: dict) -> dict:
            return fetch_page(self._t, self.family, "rechercher/fournisseur", body, SUPPLIER_INVOICES)

        for item in iter_items(
            fetch,
            SUPPLIER_INVOICES,
            filters,
            page_size=page_size,
            sort_column=sort_column,
            sort_direction=sort_direction,
        ):
            yield SupplierInvoice.model_validate(item)

    def find_supplier_invoices(
        self, invoice_number: str, *, supplier_id: int | None = None
    ) -> list[SupplierInvoice]:
        """Invoices already in Chorus Pro with this number: the check before sending anything again."""
        request = SupplierInvoiceSearchRequest(numeroFacture=invoice_number, idFournisseur=supplier_id)
        return [
            inv for inv in self.iter_supplier_invoices(request) if inv.numeroFacture in (None, invoice_number)
        ]

    def get_supplier_invoice(self, request: int | SupplierInvoiceRequest) -> SupplierInvoiceDetails:
        """``consulter/fournisseur``: one invoice as the supplier sees it."""
        if isinstance(request, int):
            request = SupplierInvoiceRequest(identifiantFactureCPP=request)
        return SupplierInvoiceDetails.model_validate(self._read("consulter/fournisseur", request.to_wire()))

    def get_invoice_history(self, request: int | InvoiceHistoryRequest) -> InvoiceHistory:
        """``consulter/historique``: current status (``statutCourantCode``) and status history."""
        if isinstance(request, int):
            request = InvoiceHistoryRequest(idFacture=request)
        return InvoiceHistory.model_validate(self._read("consulter/historique", request.to_wire()))

    def download_invoices(
        self, invoice_ids: list[int] | DownloadInvoicesRequest, *, format: str = "PDF"
    ) -> DownloadInvoicesResponse:
        """``telecharger/groupe``: the invoices as PDF or PIVOT (one file, or a ZIP)."""
        if isinstance(invoice_ids, DownloadInvoicesRequest):
            request = invoice_ids
        else:
            request = DownloadInvoicesRequest(
                listeFacture=[InvoiceRef(idFacture=i) for i in invoice_ids],
                format=format,  # type: ignore[arg-type]
            )
        return DownloadInvoicesResponse.model_validate(self._read("telecharger/groupe", request.to_wire()))
