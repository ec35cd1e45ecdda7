"""Integration follow-up: from a deposit's flow number to each invoice's fate.

``deposer/flux`` only answers a flow number; Chorus integrates it later. This
polls ``consulterCRDetaille`` until the flow is final, then, per invoice of
the deposit: rejected ones become "Rejected by Chorus Pro" with Chorus's
message, the catalogue's explanation and a fix, and their flow goes to To
check; integrated ones get their ``identifiantFactureCPP`` from
``rechercher/fournisseur`` (every page: other connectors lost invoices past
the tenth) and are handed to the status sync. A deposit that never becomes
final is polled ``max_report_polls`` times, then left for a person to decide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusError
from chorusflow.chorus.models.factures import SupplierInvoice, SupplierInvoiceSearchRequest
from chorusflow.chorus.models.transverses import DetailedFlowReport
from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import DISTRIBUTION_TRANSITIONS, FLOW_TRANSITIONS, transition
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.integration_rules import Explained, explain_rejection
from chorusflow.lifecycle.tables import chorus_invoices, flux_followups, integration_results
from chorusflow.lifecycle.timeline import ACTOR
from chorusflow.storage import schema

__all__ = ["FINAL_FLOW_STATES", "FollowUpReport", "flag_flow", "follow_deposits"]

FINAL_FLOW_STATES = frozenset({"IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE", "IN_INCIDENTE"})
REJECTED_TYPE = "CHORUS_REJECTED"
STUCK_TYPE = "CHORUS_FLOW_STUCK"


@dataclass
class FollowUpReport:
    checked: int = 0
    integrated: list[int] = field(default_factory=list)  # document ids
    rejected: list[int] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # flux numbers still being integrated
    needs_decision: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "flows_checked": self.checked,
            "integrated": self.integrated,
            "rejected": self.rejected,
            "pending": self.pending,
            "needs_decision": self.needs_decision,
            "errors": self.errors,
        }


def flag_flow(flow: Flow, *, error_type: str, message: str, resolution: str, at: datetime) -> None:
    """Put a flow in error at the Distribution stage, so it shows under To check."""
    flow.error_stage = Stage.DISTRIBUTION.value
    flow.error_type = error_type
    flow.error_message = message[:4000]
    flow.error_resolution = resolution[:4000]
    flow.error_at = at
    target = (Stage.DISTRIBUTION, FlowState.IN_ERROR)
    if (flow.stage, flow.state) == target:
        return
    if target not in FLOW_TRANSITIONS[(flow.stage, flow.state)]:
        running = (Stage.DISTRIBUTION, FlowState.RUNNING)
        if running not in FLOW_TRANSITIONS[(flow.stage, flow.state)]:
            return  # already in error at another stage: it is under To check, with this error shown
        transition(flow, running, actor=ACTOR, at=at)
    transition(flow, target, actor=ACTOR, comment=message[:500], at=at)


def _pending_submissions(session: Session, provider_id: int) -> list[dict[str, Any]]:
    s = schema.submissions
    rows = session.execute(
        select(s).where(s.c.provider_id == provider_id, s.c.state == "deposited").order_by(s.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _track(session: Session, provider: Provider, doc: Document, invoice_id: int, now: datetime) -> None:
    s = schema.submissions
    session.execute(
        update(s)
        .where(s.c.document_id == doc.id)
        .values(state="integrated", chorus_invoice_id=invoice_id, updated_at=now)
    )
    known = session.scalar(select(chorus_invoices.c.id).where(chorus_invoices.c.document_id == doc.id))
    if known is None:
        session.execute(
            insert(chorus_invoices).values(
                document_id=doc.id,
                provider_id=provider.id,
                chorus_invoice_id=invoice_id,
                number=doc.number,
                final=False,
            )
        )


def _reject(
    session: Session, doc: Document, flux: str, state: str, explained: Explained, now: datetime
) -> None:
    label = ChorusStatus.REJECTED_BY_CHORUS.label
    if doc.chorus_status is not ChorusStatus.REJECTED_BY_CHORUS:
        event = transition(
            doc, ChorusStatus.REJECTED_BY_CHORUS, actor=ACTOR, comment=explained.message, at=now
        )
        event.comment = f"{label}: {explained.message}"
    if DistributionStatus.IN_ERROR in DISTRIBUTION_TRANSITIONS[doc.distribution_status]:
        transition(doc, DistributionStatus.IN_ERROR, actor=ACTOR, comment=explained.message, at=now)
    s = schema.submissions
    session.execute(
        update(s)
        .where(s.c.document_id == doc.id)
        .values(state="rejected", last_error=explained.message[:4000], updated_at=now)
    )
    session.execute(
        insert(integration_results).values(
            document_id=doc.id,
            flux_number=flux,
            flow_state=state,
            outcome="rejected",
            message=explained.message,
            rule=explained.rule,
            explanation=explained.explanation,
            resolution=explained.resolution,
            at=now,
        )
    )


def _rejection_for(doc: Document, report: DetailedFlowReport, lang: str) -> Explained | None:
    for error in report.listeErreurDP:
        if error.numeroDP and error.numeroDP == doc.number:
            return explain_rejection(error.libelleErreurDP, lang=lang)
    if report.etatCourantDepotFlux in ("IN_REJETE", "IN_INCIDENTE"):
        technical = report.listeErreurTechnique[0] if report.listeErreurTechnique else None
        if technical is not None:
            return explain_rejection(technical.libelleErreur, technical.codeErreur, lang=lang)
        if report.listeErreurDP and len(report.listeErreurDP) == 1:
            return explain_rejection(report.listeErreurDP[0].libelleErreurDP, lang=lang)
        message = (
            "Chorus Pro did not process the deposit (IN_INCIDENTE)"
            if report.etatCourantDepotFlux == "IN_INCIDENTE"
            else "Chorus Pro rejected the deposit without a per-invoice message"
        )
        return explain_rejection(message, lang=lang)
    return None


def _invoices_of_flux(client: ChorusClient, flux: str, page_size: int) -> dict[str, SupplierInvoice]:
    found = client.factures.iter_supplier_invoices(
        SupplierInvoiceSearchRequest(numeroFluxDepot=flux), page_size=page_size
    )
    return {inv.numeroFacture: inv for inv in found if inv.numeroFacture}


def _settle_flux(
    session: Session,
    client: ChorusClient,
    provider: Provider,
    flux: str,
    docs: list[Document],
    report: DetailedFlowReport,
    settings: LifecycleSettings,
    result: FollowUpReport,
    now: datetime,
) -> bool:
    """Apply a final report; False when some integrated invoice cannot be found yet."""
    state = report.etatCourantDepotFlux or ""
    rejected: list[tuple[Document, Explained]] = []
    to_link: list[Document] = []
    for doc in docs:
        explained = _rejection_for(doc, report, settings.language)
        if explained is not None:
            rejected.append((doc, explained))
        else:
            to_link.append(doc)
    complete = True
    if to_link:
        by_number = _invoices_of_flux(client, flux, settings.page_size)
        for doc in to_link:
            invoice = by_number.get(doc.number or "")
            if invoice is None and doc.number:
                matches = client.factures.find_supplier_invoices(doc.number)
                invoice = matches[0] if len(matches) == 1 else None
            if invoice is None:
                complete = False
                continue
            _track(session, provider, doc, invoice.identifiantFactureCPP, now)
            session.execute(
                insert(integration_results).values(
                    document_id=doc.id,
                    flux_number=flux,
                    flow_state=state,
                    outcome="integrated",
                    chorus_invoice_id=invoice.identifiantFactureCPP,
                    at=now,
                )
            )
            result.integrated.append(doc.id)  # type: ignore[arg-type]
    flows: dict[int, list[tuple[Document, Explained]]] = defaultdict(list)
    for doc, explained in rejected:
        _reject(session, doc, flux, state, explained, now)
        flows[doc.flow_id].append((doc, explained))  # type: ignore[index]
        result.rejected.append(doc.id)  # type: ignore[arg-type]
    for flow_id, items in flows.items():
        flow = session.get(Flow, flow_id)
        if flow is None:
            continue
        lines = [f"{d.number}: {e.message}" for d, e in items]
        fixes = sorted({e.resolution for _, e in items})
        flag_flow(
            flow,
            error_type=REJECTED_TYPE,
            message=f"{len(items)} invoice(s) rejected by Chorus Pro at integration (flow {flux}): "
            + " | ".join(lines),
            resolution=" ".join(fixes),
            at=now,
        )
    return complete


def follow_deposits(
    ctx: HubContext,
    provider: Provider,
    client: ChorusClient,
    settings: LifecycleSettings,
    *,
    now: datetime | None = None,
) -> FollowUpReport:
    """Check every deposit of this provider still waiting for Chorus's integration verdict."""
    now = now or datetime.now(UTC)
    result = FollowUpReport()
    with ctx.sessions.begin() as session:
        pending = _pending_submissions(session, provider.id)  # type: ignore[arg-type]
        by_flux: dict[str, list[int]] = defaultdict(list)
        for sub in pending:
            if sub["chorus_invoice_id"] is not None:  # soumettre: the id came with the answer
                doc = session.get(Document, sub["document_id"])
                if doc is not None:
                    _track(session, provider, doc, int(sub["chorus_invoice_id"]), now)
                    result.integrated.append(doc.id)  # type: ignore[arg-type]
            elif sub["flux_number"]:
                by_flux[sub["flux_number"]].append(sub["document_id"])
    for flux, doc_ids in by_flux.items():
        with ctx.sessions.begin() as session:
            _follow_one(session, client, provider, flux, doc_ids, settings, result, now)
    return result


def _follow_one(
    session: Session,
    client: ChorusClient,
    provider: Provider,
    flux: str,
    doc_ids: list[int],
    settings: LifecycleSettings,
    result: FollowUpReport,
    now: datetime,
) -> None:
    row = (
        session.execute(select(flux_followups).where(flux_followups.c.flux_number == flux)).mappings().first()
    )
    if row is None:
        session.execute(
            insert(flux_followups).values(
                provider_id=provider.id, flux_number=flux, polls=0, final=False, needs_decision=False
            )
        )
        row = (
            session.execute(select(flux_followups).where(flux_followups.c.flux_number == flux))
            .mappings()
            .one()
        )
    if row["needs_decision"]:
        result.needs_decision.append(flux)
        return
    result.checked += 1
    polls = row["polls"] + 1
    values: dict[str, Any] = {"polls": polls, "last_polled_at": now}
    docs = [d for d in (session.get(Document, i) for i in doc_ids) if d is not None]
    try:
        report = client.transverses.get_detailed_flow_report(flux)
        values.update(
            flow_state=report.etatCourantDepotFlux, state_at=report.dateHeureEtatCourantFlux, last_error=None
        )
        final = report.etatCourantDepotFlux in FINAL_FLOW_STATES
        if final:
            with session.begin_nested():  # a failed lookup half-way leaves nothing half-written
                final = _settle_flux(session, client, provider, flux, docs, report, settings, result, now)
    except ChorusError as exc:
        final = False
        values["last_error"] = f"{type(exc).__name__}: {exc.message}"[:4000]
        result.errors.append(f"{flux}: {values['last_error']}")
    values["final"] = final
    if not final:
        if polls >= settings.max_report_polls:
            values["needs_decision"] = True
            result.needs_decision.append(flux)
            for flow_id in sorted({d.flow_id for d in docs if d.flow_id is not None}):
                flow = session.get(Flow, flow_id)
                if flow is not None:
                    flag_flow(
                        flow,
                        error_type=STUCK_TYPE,
                        message=f"Chorus Pro has not finished integrating deposit {flux} "
                        f"after {polls} checks "
                        f"(last state: {values.get('flow_state') or 'unknown'}).",
                        resolution="Look the deposit up on the Chorus Pro portal; if it is stuck "
                        "(IN_EN_ATTENTE_RETRAITEMENT_CPP), contact Chorus Pro support, or deposit the "
                        "invoices again once you are sure they were not integrated.",
                        at=now,
                    )
        else:
            result.pending.append(flux)
    session.execute(update(flux_followups).where(flux_followups.c.id == row["id"]).values(**values))
