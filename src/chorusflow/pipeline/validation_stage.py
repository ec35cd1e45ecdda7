"""The Validation stage: every document of a prepared flow is checked, then accepted,
rejected, or left pending a person's approval (per provider).

A document with a fatal finding becomes "Rejected in validation" with the
first finding's plain explanation as its comment, and its flow shows under
To check. The stage never fails the flow because Chorus Pro is unreachable:
the directory checks are then reported "not verified".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.formats import FormatError, read_document
from chorusflow.core.preflight import Directory
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import transition
from chorusflow.pipeline.checks import check_invoice
from chorusflow.pipeline.plain_pdf import invoice_from_metadata, missing_pdf_metadata
from chorusflow.storage import schema

__all__ = ["already_submitted_checker", "next_stage_after_validation", "run_validation"]

ACTOR = "validation"
D = DistributionStatus


def already_submitted_checker(
    session: Session, supplier_siret: str | None, document: Document
) -> Callable[[str], bool]:
    """True when another document of this supplier with the same number and type went to Chorus."""
    docs, subs = schema.documents, schema.submissions

    def check(number: str) -> bool:
        stmt = select(
            exists().where(
                and_(
                    docs.c.number == number,
                    docs.c.supplier_siret == supplier_siret,
                    docs.c.type == document.type,
                    docs.c.id != document.id,
                    subs.c.document_id == docs.c.id,
                    subs.c.state.in_(("in_flight", "deposited", "integrated")),
                )
            )
        )
        return bool(session.scalar(stmt))

    return check


def _validate_one(
    ctx: HubContext,
    session: Session,
    document: Document,
    provider: Provider | None,
    directory: Directory | None,
) -> dict[str, Any]:
    lang = ctx.settings.language
    stored = session.get(StoredFile, document.file_id) if document.file_id else None
    sha = document.deposit_sha256 or (stored.sha256 if stored else None)  # enriched copy when there is one
    data = ctx.blobs.get(sha) if sha else b""
    try:
        detected, parsed = read_document(data, stored.name if stored else "")  # one parse
    except FormatError as exc:  # the file changed kind since preparation: treat as unreadable
        return {"valid": False, "errors": [{"rule": exc.code, "message": exc.message, "fix": exc.resolution}]}
    if document.needs_data:
        missing = missing_pdf_metadata(document)
        if missing:
            return {
                "format": detected.format.value,
                "profile": None,
                "valid": False,
                "not_verified": False,
                "warnings": [],
                "errors": [
                    {
                        "rule": "CPRO-PDF-METADATA-MISSING",
                        "severity": "fatal",
                        "source": "chorus",
                        "message": "This PDF has no invoice data; Chorus Pro needs: "
                        + ", ".join(missing)
                        + ".",
                        "fix": "Add the missing values as metadata (sidecar JSON/CSV, API, web form).",
                        "field": None,
                    }
                ],
            }
        invoice = invoice_from_metadata(document)
    else:
        invoice = parsed
    checked = check_invoice(
        detected,
        invoice,
        provider_siret=provider.siret if provider else None,
        directory=directory,
        already_submitted=already_submitted_checker(session, document.supplier_siret, document),
        file_size=len(data),
        lang=lang,
        extra_attachments=[
            (a["name"], int(a["size"])) for a in (document.intake_metadata or {}).get("attachments", [])
        ],
    )
    return checked.report


def run_validation(
    ctx: HubContext,
    session: Session,
    flow: Flow,
    *,
    provider: Provider | None,
    directory: Directory | None,
) -> None:
    """Validate the flow's documents and move the flow on; the caller commits."""
    if (flow.stage, flow.state) != (Stage.VALIDATION, FlowState.RUNNING):
        transition(flow, (Stage.VALIDATION, FlowState.RUNNING), actor=ACTOR)
    for document in flow.documents:
        if document.distribution_status is not None:
            continue  # already decided (a re-run after an error)
        report = _validate_one(ctx, session, document, provider, directory)
        document.validation = report
        if not report["valid"]:
            first = report["errors"][0]
            comment = f"{first['rule']}: {first['message']}"
            transition(document, D.REJECTED_IN_VALIDATION, actor=ACTOR, comment=comment)
        elif provider is not None and provider.require_approval:
            transition(document, D.PENDING_VALIDATION, actor=ACTOR)
        else:
            transition(document, D.ACCEPTED_IN_VALIDATION, actor=ACTOR)
    advance_after_validation(flow, provider)


def next_stage_after_validation(provider: Provider | None) -> Stage:
    return Stage.SIGNATURE if provider is not None and provider.sign_pdf else Stage.DISTRIBUTION


def advance_after_validation(flow: Flow, provider: Provider | None, *, actor: str = ACTOR) -> None:
    """Wait for approvals, finish (nothing to send), or hand over to the next stage."""
    statuses: Sequence[DistributionStatus | None] = [d.distribution_status for d in flow.documents]
    if D.PENDING_VALIDATION in statuses:
        if flow.state is not FlowState.WAITING:
            transition(flow, (Stage.VALIDATION, FlowState.WAITING), actor=actor)
        return
    if flow.state is FlowState.WAITING:
        transition(flow, (Stage.VALIDATION, FlowState.RUNNING), actor=actor)
    if D.ACCEPTED_IN_VALIDATION in statuses:
        transition(flow, (next_stage_after_validation(provider), FlowState.RUNNING), actor=actor)
    else:
        transition(flow, (Stage.VALIDATION, FlowState.DONE), actor=actor)
