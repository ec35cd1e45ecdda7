"""REST API: actions on documents and flows (retry, submit now, answer, re-route, fetch statuses)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from chorusflow.web.accounts import Role
from chorusflow.web.action_schemas import ActionOut, DocumentPanelOut, RerouteIn, SubmitOut
from chorusflow.web.auth import Principal, allow
from chorusflow.web.document_actions import (
    answer_suspension,
    document_panel,
    reroute,
    retry_document_action,
    retry_flow_action,
    submit_document_now,
    sync_document,
)
from chorusflow.web.operations import load_document
from chorusflow.web.routers.common import (
    CONFLICT,
    ERRORS,
    NOT_FOUND,
    DbIdPath,
    after_intake_of,
    hub,
    submit_hook_of,
    user_of,
)
from chorusflow.web.schemas import DocumentOut, FlowSummary

router = APIRouter(prefix="/api/v1", tags=["actions"], responses={**ERRORS, **NOT_FOUND, **CONFLICT})
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING, "api"))]
Filer = Annotated[Principal | None, Depends(allow(Role.CHORUS_USER, "api"))]
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN, "api"))]


@router.get("/documents/{document_id}/lifecycle", response_model=DocumentPanelOut)
def lifecycle(request: Request, document_id: DbIdPath, principal: Reader) -> dict[str, Any]:
    """Chorus Pro status, timeline with recipients' comments, "last retrieved at", errors with
    their resolution, supplier actions, and which actions apply to the caller."""
    user = user_of(principal)
    ctx = hub(request)
    with ctx.sessions() as session:
        doc, flow = load_document(session, user, document_id)
        return document_panel(session, ctx, user, doc, flow)


@router.post("/flows/{flow_id}/retry", response_model=FlowSummary)
def retry_flow(request: Request, flow_id: DbIdPath, principal: Filer) -> dict[str, Any]:
    """Run a flow's failed stage again after the cause was fixed (409 when not in error)."""
    return retry_flow_action(hub(request), user_of(principal), flow_id, after_intake_of(request))


@router.post("/documents/{document_id}/retry", response_model=DocumentOut)
def retry_document(request: Request, document_id: DbIdPath, principal: Filer) -> dict[str, Any]:
    """Send a document whose submission failed again (409 when not in error)."""
    return retry_document_action(hub(request), user_of(principal), document_id, after_intake_of(request))


@router.post("/documents/{document_id}/submit", response_model=SubmitOut)
async def submit(request: Request, document_id: DbIdPath, principal: ChorusAdmin) -> dict[str, Any]:
    """Submit the provider's due documents now, this one included (queued when a worker runs)."""
    return await run_in_threadpool(
        submit_document_now, hub(request), user_of(principal), document_id, submit_hook_of(request)
    )


@router.post("/documents/{document_id}/complete", response_model=ActionOut)
async def complete(
    request: Request,
    document_id: DbIdPath,
    principal: Filer,
    comment: Annotated[str, Form(max_length=2000)] = "",
    files: Annotated[list[UploadFile], File(description="Supporting documents")] = [],  # noqa: B006
    decide: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    """Answer a suspended (SUSPENDUE) invoice with a comment and supporting documents."""
    attachments = [(f.filename or f"piece-{i}.pdf", await f.read()) for i, f in enumerate(files, 1)]
    return await run_in_threadpool(
        lambda: answer_suspension(
            hub(request),
            user_of(principal),
            document_id,
            comment=comment.strip(),
            attachments=attachments,
            decide=decide,
        )
    )


@router.post("/documents/{document_id}/reroute", response_model=ActionOut)
async def reroute_document(
    request: Request, document_id: DbIdPath, body: RerouteIn, principal: Filer
) -> dict[str, Any]:
    """Re-route an A_RECYCLER invoice (same number): recipient SIRET, service code, engagement."""
    return await run_in_threadpool(
        lambda: reroute(
            hub(request),
            user_of(principal),
            document_id,
            recipient_siret=body.recipient_siret,
            service_code=body.service_code,
            engagement_number=body.engagement_number,
            comment=body.comment,
            decide=body.decide,
        )
    )


@router.post("/documents/{document_id}/sync", response_model=dict[str, Any])
async def sync(request: Request, document_id: DbIdPath, principal: Filer) -> dict[str, Any]:
    """Fetch the statuses of the document's provider from Chorus Pro now; returns its lifecycle."""
    return await run_in_threadpool(sync_document, hub(request), user_of(principal), document_id)
