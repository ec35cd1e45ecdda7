"""Document view, the original and its rendering, manual validation, and upload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, select

from chorusflow.core.entities import Document, StoredFile
from chorusflow.core.statuses import DistributionStatus
from chorusflow.providers.service import list_providers
from chorusflow.storage import schema
from chorusflow.tracking.views import document_view, event_view, flow_summary
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.document_actions import document_panel
from chorusflow.web.operations import (
    WebError,
    decide,
    flow_detail_for,
    load_document,
    load_flow,
    original_of,
    parse_metadata,
    upload,
)
from chorusflow.web.rendering import render
from chorusflow.web.routers.common import DbIdPath, after_intake_of, hub, user_of
from chorusflow.web.search import document_scope, flow_scope

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING))]
Filer = Annotated[Principal | None, Depends(allow(Role.CHORUS_USER))]


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document_id: DbIdPath,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    user = user_of(principal)
    ctx = hub(request)
    with ctx.sessions() as session:
        doc, flow = load_document(session, user, document_id)
        stored = session.get(StoredFile, doc.file_id) if doc.file_id else None
        view: dict[str, Any] = document_view(doc, with_invoice=True)
        is_pdf = bool(stored and stored.media_type == "application/pdf")
        context = {
            "doc": view,
            "flow": flow_summary(flow),
            "file": {"name": stored.name, "media_type": stored.media_type, "format": stored.format}
            if stored
            else None,
            "is_pdf": is_pdf,
            "validation": doc.validation or {},
            "metadata": doc.intake_metadata or {},
            "events": [event_view(e) for e in doc.events],
            "pending": doc.distribution_status is DistributionStatus.PENDING_VALIDATION,
            "can_decide": user.role.at_least(Role.CHORUS_USER),
            "panel": document_panel(session, ctx, user, doc, flow),
            "done": done,
        }
    return render(request, "document.html", **context)


@router.get("/documents/{document_id}/original")
def document_original(request: Request, document_id: DbIdPath, principal: Reader) -> Response:
    """The original bytes, shown inline (the PDF viewer of the document page)."""
    user = user_of(principal)
    ctx = hub(request)
    with ctx.sessions() as session:
        doc, _ = load_document(session, user, document_id)
        stored, data = original_of(ctx, session, doc)
    safe_name = "".join(c for c in stored.name.rsplit("/", 1)[-1] if c.isalnum() or c in "._-") or "original"
    media = stored.media_type if stored.media_type == "application/pdf" else "application/octet-stream"
    disposition = "inline" if media == "application/pdf" else "attachment"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="{safe_name}"'}
    )


@router.get("/documents/{document_id}/rendering", response_class=HTMLResponse)
def document_rendering(request: Request, document_id: DbIdPath, principal: Reader) -> Response:
    """A readable page of the invoice data, for invoices that came as XML only."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        doc, _ = load_document(session, user, document_id)
        view = document_view(doc, with_invoice=True)
    return render(request, "rendering.html", doc=view, inv=view.get("invoice") or {}, badge=0)


def _pending_documents(request: Request, principal: Principal | None) -> list[dict[str, Any]]:
    user = user_of(principal)
    d, f = schema.documents, schema.flows
    stmt = (
        select(Document)
        .join(f, f.c.id == d.c.flow_id)
        .where(
            and_(
                d.c.distribution_status == DistributionStatus.PENDING_VALIDATION.value,
                flow_scope(user),
                document_scope(user),
            )
        )
        .order_by(d.c.id)
        .limit(500)
    )
    with hub(request).sessions() as session:
        rows = []
        for doc in session.scalars(stmt):
            view = document_view(doc)
            view["flow_id"] = doc.flow_id
            view["warnings"] = len((doc.validation or {}).get("warnings", []))
            rows.append(view)
        return rows


@router.get("/validation", response_class=HTMLResponse)
def validation_page(
    request: Request, principal: Filer, done: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    """Manual validation: documents pending approval, approve or reject one or many with a comment."""
    return render(request, "validation.html", docs=_pending_documents(request, principal), done=done)


@router.post("/validation/decisions")
def decisions(
    request: Request,
    principal: Filer,
    action: Annotated[str, Form(pattern="^(approve|reject)$")],
    document_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    comment: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=200)] = "/validation",
) -> Response:
    if any(i < 1 or i > 2**63 - 1 for i in document_ids):
        raise WebError(422, "A document id is out of range.")
    decided = decide(hub(request), user_of(principal), action, document_ids, comment.strip() or None)
    target = back if back.startswith("/") and not back.startswith("//") else "/validation"
    sep = "&" if "?" in target else "?"
    verb = "approved" if action == "approve" else "rejected"
    return RedirectResponse(f"{target}{sep}done={verb}:{len(decided)}", status_code=303)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(
    request: Request, principal: Filer, flow: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None
) -> Response:
    user = user_of(principal)
    ctx = hub(request)
    with ctx.sessions() as session:
        providers = (
            [p.name for p in list_providers(session)] if user.sees_all_providers else list(user.providers)
        )
        created = None
        if flow is not None:
            created = flow_detail_for(session, user, load_flow(session, user, flow))
    return render(request, "upload.html", providers=providers, created=created)


@router.post("/upload")
async def upload_files(
    request: Request,
    principal: Filer,
    files: Annotated[list[UploadFile], File()],
    provider: Annotated[str, Form(max_length=200)] = "",
    metadata: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    user = user_of(principal)
    items = [
        (f.filename or f"upload-{i}", await f.read()) for i, f in enumerate(files, start=1) if f.filename
    ]
    given = parse_metadata(metadata, [name for name, _ in items])
    result = await run_in_threadpool(
        lambda: upload(
            hub(request),
            user,
            items,
            provider=provider or None,
            label=None,
            source="upload",
            after_intake=after_intake_of(request),
            metadata=given,
        )
    )
    return RedirectResponse(f"/upload?flow={result.flow_id}", status_code=303)
