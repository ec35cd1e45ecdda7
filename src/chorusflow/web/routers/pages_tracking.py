"""The tracking module (seed 000): tabs, tiles, search, flow rows, unrolled details, History."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.providers.service import list_providers
from chorusflow.storage.flow_queries import Tab
from chorusflow.tracking.views import flow_summary
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.lifecycle_views import notifications_for
from chorusflow.web.operations import flow_detail_for, load_flow, toggle_history
from chorusflow.web.rendering import render
from chorusflow.web.routers.common import DbIdPath, hub, user_of
from chorusflow.web.search import FlowQuery, search_flows, tab_counts, tile_counts

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING))]


def _query_string(q: FlowQuery, **changes: object) -> str:
    """The list's query string with some fields changed (tile links keep the search)."""
    from urllib.parse import urlencode

    data = q.model_dump(exclude_none=True, mode="json") | changes
    data = {k: v for k, v in data.items() if v not in (None, "") and not (k == "offset" and v == 0)}
    data.pop("limit", None) if data.get("limit") == 50 else None
    return urlencode(data)


@router.get("/tracking", response_class=HTMLResponse)
def tracking(request: Request, q: Annotated[FlowQuery, Query()], principal: Reader) -> Response:
    user = user_of(principal)
    with hub(request).sessions() as session:
        flows, total = search_flows(session, user, q)
        counts = tab_counts(session, user)
        tiles = tile_counts(session, user, q)
        rows = [flow_summary(f) for f in flows]
        providers = (
            [p.name for p in list_providers(session)] if user.sees_all_providers else list(user.providers)
        )
    context = {
        "q": q,
        "rows": rows,
        "total": total,
        "counts": counts,
        "tiles": tiles,
        "qs": lambda **changes: _query_string(q, **changes),
        "providers": providers,
        "stages": list(Stage),
        "states": list(FlowState),
        "statuses": list(DistributionStatus),
        "chorus_statuses": list(ChorusStatus),
        "badge": counts[Tab.TO_CHECK.value],
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "flow-list":
        return render(request, "_flow_list.html", **context)
    context["notes"] = notifications_for(hub(request), user)
    return render(request, "tracking.html", **context)


@router.get("/tracking/tabs", response_class=HTMLResponse)
def tabs_bar(request: Request, principal: Reader, tab: Annotated[Tab, Query()] = Tab.ACTIVE) -> Response:
    """The tab bar alone (refreshed after a flow moves to or from History)."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        counts = tab_counts(session, user)
    return render(
        request, "_tabs.html", counts=counts, q=FlowQuery(tab=tab), badge=counts[Tab.TO_CHECK.value]
    )


@router.get("/tracking/flows/{flow_id}/documents", response_class=HTMLResponse)
def flow_documents(request: Request, flow_id: DbIdPath, principal: Reader) -> Response:
    """The unrolled flow, document view: documents, stage end times, error details."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        detail = flow_detail_for(session, user, load_flow(session, user, flow_id))
    return render(request, "_flow_detail.html", flow=detail, view="documents", badge=0)


@router.get("/tracking/flows/{flow_id}/files", response_class=HTMLResponse)
def flow_files(request: Request, flow_id: DbIdPath, principal: Reader) -> Response:
    """The unrolled flow, file view: file names and sizes, files in error."""
    user = user_of(principal)
    with hub(request).sessions() as session:
        detail = flow_detail_for(session, user, load_flow(session, user, flow_id))
    return render(request, "_flow_detail.html", flow=detail, view="files", badge=0)


@router.post("/tracking/flows/{flow_id}/history")
def history(
    request: Request,
    flow_id: DbIdPath,
    principal: Reader,
    in_history: Annotated[bool, Form()],
) -> Response:
    """The 👁 action: to History, or back to Active / To check."""
    toggle_history(hub(request), user_of(principal), flow_id, in_history)
    if request.headers.get("hx-request"):
        return Response("", headers={"HX-Trigger": "flows-changed"})
    back = "/tracking?tab=history" if not in_history else "/tracking"
    return RedirectResponse(back, status_code=303)
