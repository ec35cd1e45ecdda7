"""What a person can do to a document or a flow from the document view and the API.

Retry (a flow or a document in error), submit now, answer a suspension
(``completer``), re-route (``recycler``) and fetch the statuses from Chorus
Pro now. Each checks the caller's scope first (404 outside it) and the
document's state (409 with what to do instead), then calls the pipeline or
lifecycle function that owns the change; nothing here moves a status itself.

Chorus Pro calls made while a person waits use a short retry policy: the
page says at once that Chorus did not answer, and the background sync (which
keeps the long policy) catches up later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusConfigError
from chorusflow.chorus.transport import RetryPolicy
from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.lifecycle.actions import ActionError, action_states, complete, recycle, rejected_guidance
from chorusflow.lifecycle.refresh import document_lifecycle, provider_of_document
from chorusflow.lifecycle.sync import sync_provider
from chorusflow.pipeline import submissions as ledger
from chorusflow.pipeline.distribution import submit_pending
from chorusflow.pipeline.retry import RetryError, retry_document, retry_flow
from chorusflow.pipeline.runner import resolve_provider
from chorusflow.providers.service import client_for
from chorusflow.tracking.views import document_view, flow_summary
from chorusflow.web.accounts import Role, User
from chorusflow.web.operations import AfterIntake, WebError, load_document, load_flow

__all__ = [
    "INTERACTIVE_RETRY",
    "SubmitHook",
    "answer_suspension",
    "document_panel",
    "interactive_client",
    "reroute",
    "retry_document_action",
    "retry_flow_action",
    "submit_document_now",
    "sync_document",
]

#: A person is waiting: two attempts, ten seconds at most, then say Chorus did not answer.
INTERACTIVE_RETRY = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=2.0, max_total=10.0)
SubmitHook = Callable[[str], None]


def interactive_client(ctx: HubContext, provider: Provider) -> ChorusClient:
    try:
        client = client_for(provider, ctx.secrets, timeout_s=30.0)
    except ChorusConfigError as exc:
        raise WebError(
            409,
            f"Provider {provider.name} is not set up to reach Chorus Pro ({exc}): "
            "fix it in Configuration > Providers.",
        ) from None
    client.transport.retry = INTERACTIVE_RETRY
    return client


def _provider(session: Session, doc: Document, flow: Flow) -> Provider:
    provider = provider_of_document(session, doc) or resolve_provider(session, flow)
    if provider is None:
        raise WebError(
            409,
            "This document has no provider: add one in Configuration > Providers, then retry its flow.",
        )
    return provider


def retry_flow_action(ctx: HubContext, user: User, flow_id: int, after: AfterIntake | None) -> dict[str, Any]:
    """Run the failed stage of a flow again; ``after(flow_id)`` moves it on (the queue)."""
    with ctx.sessions() as session:
        flow = load_flow(session, user, flow_id)
        try:
            retry_flow(session, flow, actor=user.login)
        except RetryError as exc:
            raise WebError(409, str(exc)) from None
        session.commit()
        summary = flow_summary(flow)
    if after is not None:
        after(flow_id)
    return summary


def retry_document_action(
    ctx: HubContext, user: User, document_id: int, after: AfterIntake | None
) -> dict[str, Any]:
    """Send a document that failed to go again (its submission goes back to pending)."""
    with ctx.sessions() as session:
        doc, flow = load_document(session, user, document_id)
        try:
            retry_document(session, doc, actor=user.login)
        except RetryError as exc:
            raise WebError(409, str(exc)) from None
        session.commit()
        view = document_view(doc)
        flow_id = flow.id or 0
    if after is not None:
        after(flow_id)
    return view


def submit_document_now(
    ctx: HubContext, user: User, document_id: int, hook: SubmitHook | None
) -> dict[str, Any]:
    """Submit the provider's due documents now, this one included (queued under ``serve``)."""
    with ctx.sessions() as session:
        doc, flow = load_document(session, user, document_id)
        row = ledger.submission_for(session, document_id)
        if row is None:
            shown = doc.distribution_status.value if doc.distribution_status else "prepared"
            raise WebError(
                409,
                f"Document {document_id} is not waiting for submission ({shown}): "
                "it must pass validation (and approval) first.",
            )
        if row.state == ledger.FAILED:
            raise WebError(409, "Its last submission failed: retry the document first.")
        if row.state != ledger.PENDING:
            raise WebError(409, f"Document {document_id} is already {row.state}: nothing to submit.")
        provider = _provider(session, doc, flow)
        name = provider.name
        if hook is not None:
            hook(name)
            return {"provider": name, "queued": True, "report": None}
        report = submit_pending(ctx, session, provider, lambda: interactive_client(ctx, provider))
        return {"provider": name, "queued": False, "report": report.as_dict()}


def _chorus_document(
    ctx: HubContext, user: User, document_id: int, expected: ChorusStatus
) -> tuple[Provider, str]:
    with ctx.sessions() as session:
        doc, flow = load_document(session, user, document_id)
        if doc.chorus_status is not expected:
            shown = doc.chorus_status.label if doc.chorus_status else "not in Chorus Pro"
            raise WebError(
                409,
                f"Invoice {doc.number} is {shown!r}, not {expected.label!r}: "
                "fetch the statuses from Chorus Pro first if it may have changed.",
            )
        provider = _provider(session, doc, flow)
        session.expunge(provider)
        return provider, doc.number or str(document_id)


def answer_suspension(
    ctx: HubContext,
    user: User,
    document_id: int,
    *,
    comment: str,
    attachments: list[tuple[str, bytes]],
    decide: bool = False,
) -> dict[str, Any]:
    """Answer a SUSPENDUE invoice with a comment and supporting documents (``completer``)."""
    provider, _ = _chorus_document(ctx, user, document_id, ChorusStatus.SUSPENDED)
    limit = ctx.settings.max_file_bytes
    for name, data in attachments:
        if len(data) > limit:
            raise WebError(413, f"{name} is over the {limit // (1024 * 1024)} MB limit.")
    with interactive_client(ctx, provider) as client:
        try:
            result = complete(
                ctx,
                document_id,
                comment=comment,
                attachments=attachments,
                actor=user.login,
                decide=decide,
                client=client,
            )
        except ActionError as exc:
            raise WebError(422, str(exc)) from None
    return result.as_dict()


def reroute(
    ctx: HubContext,
    user: User,
    document_id: int,
    *,
    recipient_siret: str | None,
    service_code: str | None,
    engagement_number: str | None,
    comment: str | None,
    decide: bool = False,
) -> dict[str, Any]:
    """Re-route an A_RECYCLER invoice under the same number (``recycler``)."""
    provider, _ = _chorus_document(ctx, user, document_id, ChorusStatus.TO_RECYCLE)
    with interactive_client(ctx, provider) as client:
        try:
            result = recycle(
                ctx,
                document_id,
                actor=user.login,
                recipient_siret=recipient_siret or None,
                service_code=service_code or None,
                engagement_number=engagement_number or None,
                comment=comment or None,
                decide=decide,
                client=client,
            )
        except ActionError as exc:
            raise WebError(422, str(exc)) from None
    return result.as_dict()


def sync_document(ctx: HubContext, user: User, document_id: int) -> dict[str, Any]:
    """Fetch the statuses of the document's provider from Chorus Pro now, then its lifecycle."""
    with ctx.sessions() as session:
        doc, flow = load_document(session, user, document_id)
        row = ledger.submission_for(session, document_id)
        if doc.chorus_status is None and (row is None or row.state not in ledger.SENT_STATES):
            raise WebError(409, f"Document {document_id} is not in Chorus Pro yet: submit it first.")
        provider = _provider(session, doc, flow)
        session.expunge(provider)
    with interactive_client(ctx, provider) as client:
        report = sync_provider(ctx, provider, client=client)
    with ctx.sessions() as session:
        view = document_lifecycle(session, document_id)
    view["sync_error"] = report.error
    return view


def document_panel(
    session: Session, ctx: HubContext, user: User, doc: Document, flow: Flow
) -> dict[str, Any]:
    """The lifecycle, error details and the actions that apply, for the document page and API."""
    lifecycle = document_lifecycle(session, doc.id or 0)
    row = ledger.submission_for(session, doc.id or 0)
    status = doc.chorus_status
    filer = user.role.at_least(Role.CHORUS_USER)
    flow_error = None
    if flow.state is FlowState.IN_ERROR:
        flow_error = {
            "stage": flow.error_stage,
            "type": flow.error_type,
            "message": flow.error_message,
            "resolution": flow.error_resolution,
            "at": flow.error_at.isoformat() if flow.error_at else None,
        }
    return {
        "lifecycle": lifecycle,
        "supplier_actions": action_states(ctx, doc.id or 0),
        "submission": None
        if row is None
        else {
            "state": row.state,
            "attempts": row.attempts,
            "last_error": row.last_error,
            "flux_number": row.flux_number,
            "deposited_at": row.deposited_at.isoformat() if row.deposited_at else None,
        },
        "flow_error": flow_error,
        "rejected_guidance": rejected_guidance(doc) if status is ChorusStatus.REJECTED else None,
        "actions": {
            "retry_document": filer and doc.distribution_status is DistributionStatus.IN_ERROR,
            "retry_flow": filer and flow.state is FlowState.IN_ERROR and flow.stage is not Stage.PREPARATION,
            "submit_now": user.role.at_least(Role.CHORUS_ADMIN)
            and row is not None
            and row.state == ledger.PENDING,
            "answer_suspension": filer and status is ChorusStatus.SUSPENDED,
            "reroute": filer and status is ChorusStatus.TO_RECYCLE,
            "sync": filer and (status is not None or (row is not None and row.state in ledger.SENT_STATES)),
        },
    }
