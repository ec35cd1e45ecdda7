"""REST API: intake (multipart upload), History, validation decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from chorusflow.core.entities import Flow
from chorusflow.tracking.views import flow_summary
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.operations import decide, parse_metadata, toggle_history, upload
from chorusflow.web.routers.common import CONFLICT, ERRORS, NOT_FOUND, DbIdPath, after_intake_of, hub, user_of
from chorusflow.web.schemas import DecisionIn, DecisionOut, FlowSummary, HistoryIn, IntakeOut

router = APIRouter(prefix="/api/v1", responses=ERRORS)
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING, "api"))]
Filer = Annotated[Principal | None, Depends(allow(Role.CHORUS_USER, "api"))]
Name = Annotated[str | None, Form(max_length=200)]


@router.post(
    "/intake",
    response_model=IntakeOut,
    status_code=201,
    tags=["intake"],
    responses={413: {"description": "A file is over the size limit"}},
)
async def intake(
    request: Request,
    principal: Filer,
    files: Annotated[list[UploadFile], File(description="Invoice files (XML, PDF, ZIP)")],
    provider: Name = None,
    label: Name = None,
    metadata: Annotated[
        str | None,
        Form(
            max_length=100_000,
            description='JSON: {"<file name>" or "#<invoice number>": {"key": "value"}}, or one object '
            "for every file. Known keys (customer_code, service_code, engagement_number...) win over "
            "the invoice's data; every key is kept for the provider's rules (metadata.<key>).",
        ),
    ] = None,
) -> dict[str, Any]:
    """Upload files as one flow (Import and Preparation run before the answer).

    Sidecar files sent with the invoices work too: ``<file>.meta.json`` (one object) and
    ``metadata.csv`` (a ``file`` or ``number`` column, one row per invoice).
    """
    user = user_of(principal)
    items = [(f.filename or f"upload-{i}", await f.read()) for i, f in enumerate(files, start=1)]
    given = parse_metadata(metadata, [name for name, _ in items])
    ctx = hub(request)
    result = await run_in_threadpool(
        lambda: upload(
            ctx,
            user,
            items,
            provider=provider,
            label=label,
            source="api",
            after_intake=after_intake_of(request),
            metadata=given,
        )
    )
    with ctx.sessions() as session:  # the caller's own new flow: no scope check needed
        summary = flow_summary(session.get_one(Flow, result.flow_id))
    return {
        "flow_id": result.flow_id,
        "files": result.files,
        "documents": result.documents,
        "errors": result.errors,
        "duplicates": result.duplicates,
        "flow": summary,
    }


@router.post(
    "/flows/{flow_id}/history",
    response_model=FlowSummary,
    tags=["tracking"],
    responses={**NOT_FOUND, **CONFLICT},
)
def move_history(request: Request, flow_id: DbIdPath, body: HistoryIn, principal: Reader) -> dict[str, Any]:
    """Move a flow to the History tab (``in_history: true``) or back to Active / To check."""
    return toggle_history(hub(request), user_of(principal), flow_id, body.in_history)


@router.post(
    "/validation/decisions",
    response_model=DecisionOut,
    tags=["validation"],
    responses={**NOT_FOUND, **CONFLICT},
)
def decisions(request: Request, body: DecisionIn, principal: Filer) -> dict[str, Any]:
    """Approve or reject documents pending validation, all or nothing; a rejection needs a comment."""
    decided = decide(hub(request), user_of(principal), body.action, list(body.document_ids), body.comment)
    status = "accepted_in_validation" if body.action == "approve" else "rejected_in_validation"
    return {"decided": decided, "status": status}
