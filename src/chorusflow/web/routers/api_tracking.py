"""REST API: tracking queries (tabs, badge, tiles, search), flow and document details."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from chorusflow.storage.flow_queries import Tab
from chorusflow.tracking.views import document_view, event_view, flow_summary
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.operations import flow_detail_for, load_document, load_flow, original_of
from chorusflow.web.routers.common import ERRORS, NOT_FOUND, DbIdPath, hub, user_of
from chorusflow.web.schemas import DocumentDetail, FlowDetail, FlowList, MeOut, TabsOut
from chorusflow.web.search import FlowQuery, search_flows, tab_counts, tile_counts

router = APIRouter(prefix="/api/v1", tags=["tracking"], responses=ERRORS)
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING, "api"))]


@router.get("/me", response_model=MeOut)
def me(principal: Reader) -> dict[str, Any]:
    """The caller's login, role, providers and invoice label."""
    user = user_of(principal)
    return {
        "login": user.login,
        "role": user.role.value,
        "providers": list(user.providers),
        "label": user.label,
    }


@router.get("/flows", response_model=FlowList)
def list_flows(request: Request, q: Annotated[FlowQuery, Query()], principal: Reader) -> dict[str, Any]:
    """One page of a tab (newest first), filtered by tiles and advanced search; with the badge count."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        flows, total = search_flows(session, user, q)
        badge = tab_counts(session, user)[Tab.TO_CHECK.value]
        return {
            "tab": q.tab.value,
            "total": total,
            "limit": q.limit,
            "offset": q.offset,
            "to_check_count": badge,
            "flows": [flow_summary(f) for f in flows],
        }


@router.get("/tabs", response_model=TabsOut)
def tabs(request: Request, q: Annotated[FlowQuery, Query()], principal: Reader) -> dict[str, Any]:
    """Flows per tab (``to_check`` is the badge) and per step/status tile for the query."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        counts = tab_counts(session, user)
        tiles = tile_counts(session, user, q)
    return {
        "active": counts[Tab.ACTIVE.value],
        "to_check": counts[Tab.TO_CHECK.value],
        "history": counts[Tab.HISTORY.value],
        "stages": tiles["stage"],
        "states": tiles["state"],
    }


@router.get("/flows/{flow_id}", response_model=FlowDetail, responses=NOT_FOUND)
def get_flow(request: Request, flow_id: DbIdPath, principal: Reader) -> dict[str, Any]:
    """A flow with its files, documents and history."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        return flow_detail_for(session, user, load_flow(session, user, flow_id))


@router.get("/documents/{document_id}", response_model=DocumentDetail, responses=NOT_FOUND)
def get_document(request: Request, document_id: DbIdPath, principal: Reader) -> dict[str, Any]:
    """A document: extracted data, parsed invoice, validation report (with explanations), events."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        doc, flow = load_document(session, user, document_id)
        view = document_view(doc, with_invoice=True)
        view.update(
            flow_id=flow.id,
            validation=doc.validation,
            intake_metadata=doc.intake_metadata,
            events=[event_view(e) for e in doc.events],
        )
        return view


@router.get(
    "/documents/{document_id}/original",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {"content": {"application/octet-stream": {}}, "description": "The original file"},
    },
)
def get_original(request: Request, document_id: DbIdPath, principal: Reader) -> Response:
    """The document's original file, byte for byte, from the blob store."""
    user = user_of(principal)
    ctx = hub(request)
    with ctx.sessions() as session:
        doc, _ = load_document(session, user, document_id)
        stored, data = original_of(ctx, session, doc)
    return Response(data, media_type=stored.media_type or "application/octet-stream")
