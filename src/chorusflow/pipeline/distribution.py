"""The Distribution stage: accepted documents reach Chorus Pro, each exactly once.

``open_submissions`` registers accepted documents in the ledger (idempotency
key); ``submit_pending`` then works through one provider's due submissions:
take the lease, ask Chorus first whenever an earlier attempt may have landed,
send, record. Network calls happen outside any database transaction, and
every outcome is written back under the lease (see ``pipeline.submissions``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusAuthError, ChorusError, ChorusTransientError
from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import transition
from chorusflow.pipeline import submissions as ledger
from chorusflow.pipeline.chorus_routes import (
    PDF_ROUTE,
    Sent,
    deposit_batch,
    deposit_flow,
    deposit_name,
    route_for,
    submit_pdf,
)

__all__ = ["SubmitReport", "finish_flows", "open_submissions", "submit_pending", "worker_id"]

log = logging.getLogger(__name__)
ACTOR = "distribution"
#: Invoices per ZIP deposit when a provider batches (Chorus accepts up to 500 per E1 flow).
BATCH_SIZE = 100
D = DistributionStatus


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class SubmitReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    flows: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, object]:
        return {"outcomes": dict(self.outcomes), "flows": sorted(self.flows)}


def open_submissions(session: Session, flow: Flow, provider: Provider) -> int:
    """Put the flow's accepted documents in the ledger and wait for the submission run."""
    opened = 0
    for document in flow.documents:
        if document.distribution_status not in (D.ACCEPTED_IN_VALIDATION, D.IN_DISTRIBUTION):
            continue
        if document.distribution_channel == "none":  # a submission criterion keeps it out of Chorus
            continue
        if ledger.submission_for(session, document.id or 0) is not None:
            continue
        if ledger.create_submission(session, document, provider.id or 0):
            opened += 1
            if document.distribution_status is D.ACCEPTED_IN_VALIDATION:
                transition(document, D.IN_DISTRIBUTION, actor=ACTOR)
        else:
            transition(
                document,
                D.IN_ERROR,
                actor=ACTOR,
                comment="Another document with the same supplier, number and type is already submitted.",
            )
    if flow.state is FlowState.RUNNING:
        transition(flow, (Stage.DISTRIBUTION, FlowState.WAITING), actor=ACTOR)
    return opened


def _find_in_chorus(client: ChorusClient, document: Document) -> Sent | None:
    """The invoice if Chorus already has it (the check before any second send)."""
    for found in client.factures.find_supplier_invoices(document.number or ""):
        return Sent("found", flux_number=found.numeroFluxDepot, chorus_invoice_id=found.identifiantFactureCPP)
    return None


class _Run:
    def __init__(self, ctx: HubContext, session: Session, provider: Provider, client: ChorusClient) -> None:
        self.ctx, self.session, self.provider, self.client = ctx, session, provider, client
        self.report = SubmitReport()
        self.owner = worker_id()
        self._supplier_id: int | None = None
        s = ctx.settings
        self.lease = timedelta(seconds=s.submit_lease_seconds)
        self.grace = timedelta(seconds=s.submit_uncertain_grace_seconds)
        self.max_attempts = s.submit_max_attempts
        self.revisit: set[int] = set()  # put back to pending or uncertain during this run

    def supplier_id(self) -> int:
        if self._supplier_id is None:
            for structure in self.client.transverses.list_supplier_structures().listeStructures:
                if structure.identifiant == self.provider.siret:
                    self._supplier_id = structure.idStructureCPP
            if self._supplier_id is None:
                raise ValueError(
                    f"the technical account is not attached to supplier SIRET {self.provider.siret}; "
                    "check the provider's SIRET and account with `chorusflow provider test`"
                )
        return self._supplier_id

    def send(self, claim: ledger.Claim, document: Document) -> Sent:
        stored = self.session.get(StoredFile, document.file_id)
        assert stored is not None
        data = self.ctx.blobs.get(document.deposit_sha256 or stored.sha256)
        route = route_for(stored.format)
        if route == PDF_ROUTE:
            meta = document.intake_metadata or {}
            bank = meta.get("bank_account_id")
            extra = [(a["name"], self.ctx.blobs.get(a["sha256"])) for a in meta.get("attachments", [])]
            return submit_pdf(
                self.client,
                document,
                deposit_name(claim.submission_id, document, "pdf"),
                data,
                supplier_id=self.supplier_id(),
                bank_account_id=int(bank) if bank else None,
                signed=document.deposit_sha256 is not None,
                attachments=extra,
            )
        extension = "pdf" if stored.format == "facturx" else "xml"
        return deposit_flow(self.client, route, deposit_name(claim.submission_id, document, extension), data)

    def one(self, claim: ledger.Claim) -> bool:
        """Handle one claimed submission; False means stop this run (provider-level problem)."""
        document = self.session.get(Document, claim.document_id)
        assert document is not None
        self.report.flows.add(document.flow_id or 0)
        if document.distribution_status is not D.IN_DISTRIBUTION:  # a retried document
            transition(document, D.IN_DISTRIBUTION, actor=ACTOR)
            self.session.commit()
        try:
            sent = _find_in_chorus(self.client, document) if claim.was_uncertain else None
            if sent is None:
                sent = self.send(claim, document)
        except ChorusTransientError as exc:
            return self._transient(claim, document, exc)
        except ChorusAuthError as exc:
            ledger.mark(self.session, claim, ledger.PENDING, error=str(exc))
            self.session.commit()
            self.revisit.add(claim.submission_id)
            self.report.outcomes["auth_error"] += 1
            return False
        except (ChorusError, ValueError, httpx.HTTPError) as exc:
            self._failed(claim, document, f"Chorus Pro refused the invoice: {exc}")
            return True
        self._sent(claim, document, sent)
        return True

    def batch(self, claims: list[ledger.Claim]) -> bool:
        """Provider option: invoices of one syntax go together in one ZIP deposit."""
        groups: dict[str, list[tuple[ledger.Claim, Document, str, bytes]]] = {}
        for claim in claims:
            document = self.session.get(Document, claim.document_id)
            stored = self.session.get(StoredFile, document.file_id) if document else None
            assert document is not None and stored is not None
            route = route_for(stored.format)
            if claim.was_uncertain or route == PDF_ROUTE:
                if not self.one(claim):
                    return False
                continue
            self.report.flows.add(document.flow_id or 0)
            extension = "pdf" if stored.format == "facturx" else "xml"
            name = deposit_name(claim.submission_id, document, extension)
            data = self.ctx.blobs.get(document.deposit_sha256 or stored.sha256)
            groups.setdefault(route, []).append((claim, document, name, data))
        for route, members in groups.items():
            files = [(name, data) for _, _, name, data in members]
            try:
                sent = deposit_batch(self.client, route, f"cf-batch-{members[0][0].submission_id}.zip", files)
            except ChorusTransientError as exc:
                for claim, document, _, _ in members:
                    self._transient(claim, document, exc)
                continue
            except ChorusAuthError as exc:
                for claim, _, _, _ in members:
                    ledger.mark(self.session, claim, ledger.PENDING, error=str(exc))
                self.session.commit()
                return False
            except (ChorusError, ValueError, httpx.HTTPError) as exc:
                for claim, document, _, _ in members:
                    self._failed(claim, document, f"Chorus Pro refused the batch deposit: {exc}")
                continue
            for claim, document, _, _ in members:
                self._sent(claim, document, sent)
        return True

    def _sent(self, claim: ledger.Claim, document: Document, sent: Sent) -> None:
        state = ledger.INTEGRATED if sent.chorus_invoice_id else ledger.DEPOSITED
        ledger.mark(
            self.session,
            claim,
            state,
            flux_number=sent.flux_number,
            chorus_invoice_id=sent.chorus_invoice_id,
            route=sent.route,
        )
        transition(document, D.DISTRIBUTED, actor=ACTOR)
        if document.chorus_status is None:
            transition(document, ChorusStatus.DEPOSITED, actor=ACTOR)
        self.session.commit()
        self.report.outcomes["found_already_sent" if sent.route == "found" else "sent"] += 1

    def _transient(self, claim: ledger.Claim, document: Document, exc: ChorusTransientError) -> bool:
        self.revisit.add(claim.submission_id)
        if exc.maybe_processed:
            ledger.mark(self.session, claim, ledger.UNCERTAIN, error=str(exc), recheck_after=self.grace)
            self.report.outcomes["uncertain"] += 1
        elif claim.attempts >= self.max_attempts:
            self._failed(claim, document, f"Chorus Pro unreachable after {claim.attempts} attempts: {exc}")
            return True
        else:
            ledger.mark(self.session, claim, ledger.PENDING, error=str(exc))
            self.report.outcomes["retry_later"] += 1
        self.session.commit()
        return True

    def _failed(self, claim: ledger.Claim, document: Document, message: str) -> None:
        ledger.mark(self.session, claim, ledger.FAILED, error=message)
        transition(document, D.IN_ERROR, actor=ACTOR, comment=message[:2000])
        self.session.commit()
        self.report.outcomes["failed"] += 1


def submit_pending(
    ctx: HubContext,
    session: Session,
    provider: Provider,
    client_factory: Callable[[], ChorusClient],
    *,
    limit: int | None = None,
) -> SubmitReport:
    """Submit every due document of one provider (``chorusflow submit`` and the 10-minute task)."""
    client = client_factory()
    run = _Run(ctx, session, provider, client)
    claimed = 0
    size = BATCH_SIZE if provider.batch_deposits else 1
    try:
        while limit is None or claimed < limit:
            claims = _claim_some(run, session, provider, size)
            if not claims:
                break
            claimed += len(claims)
            going = run.batch(claims) if provider.batch_deposits else run.one(claims[0])
            if not going:
                break
    finally:
        client.close()
    finish_flows(session, run.report.flows)
    session.commit()
    return run.report


def _claim_some(run: _Run, session: Session, provider: Provider, size: int) -> list[ledger.Claim]:
    """Up to ``size`` leases on due submissions, leaving out those this run already put back.

    Only the few rows sent back to pending or uncertain are excluded (a row Chorus took is no
    longer due), so the exclusion list stays short however many invoices a run sends.
    """
    claims = []
    while len(claims) < size:
        claim = ledger.claim_next(
            session,
            provider_id=provider.id or 0,
            owner=run.owner,
            lease=run.lease,
            uncertain_grace=run.grace,
            exclude=sorted(run.revisit),
        )
        if claim is None:
            break
        claims.append(claim)
    return claims


def finish_flows(session: Session, flow_ids: set[int]) -> None:
    """A flow whose documents are all settled ends its Distribution stage (in error if one failed)."""
    for flow_id in flow_ids:
        flow = session.get(Flow, flow_id)
        if flow is None or flow.stage is not Stage.DISTRIBUTION or flow.state is FlowState.DONE:
            continue
        statuses = [d.distribution_status for d in flow.documents if d.distribution_channel != "none"]
        if any(s in (D.ACCEPTED_IN_VALIDATION, D.IN_DISTRIBUTION, D.SIGNING) for s in statuses):
            continue
        failed = [d for d in flow.documents if d.distribution_status is D.IN_ERROR]
        if failed and flow.state is not FlowState.IN_ERROR:
            flow.error_stage, flow.error_type = Stage.DISTRIBUTION.value, "DISTRIBUTION_FAILED"
            flow.error_message = f"{len(failed)} document(s) could not be submitted: {failed[0].comment}"
            flow.error_resolution = "Fix the cause shown on each document, then retry it (chorusflow retry)."
            transition(flow, (Stage.DISTRIBUTION, FlowState.IN_ERROR), actor=ACTOR)
        elif not failed:
            transition(flow, (Stage.DISTRIBUTION, FlowState.DONE), actor=ACTOR)
