"""Screens of what happens after the deposit: credential health, notifications, receivables.

Receivables read what the sync stored, never Chorus Pro, so they keep working
when Chorus is unreachable; each list has a CSV export (semicolon-separated,
as French spreadsheets expect) with the same rows as the page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chorusflow.receivables.reports import DUNNING_COLUMNS, STATEMENT_COLUMNS, to_csv
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.lifecycle_views import (
    close_dispute_for,
    disputes_for,
    dunning_for,
    health_of_all,
    mark_read_for,
    notifications_for,
    statement_for,
)
from chorusflow.web.rendering import render
from chorusflow.web.routers.common import hub, user_of

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING))]
Filer = Annotated[Principal | None, Depends(allow(Role.CHORUS_USER))]
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN))]
Format = Annotated[Literal["html", "csv"], Query()]
DISPUTE_COLUMNS = [
    "dispute_id",
    "document_id",
    "number",
    "customer_code",
    "recipient_name",
    "amount",
    "currency",
    "chorus_status",
    "comment",
    "opened_at",
    "closed_at",
    "closed_by",
]


def _csv(rows: list[dict[str, Any]], columns: list[str], name: str) -> Response:
    return Response(
        to_csv(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{date.today():%Y%m%d}.csv"'},
    )


@router.get("/admin/credentials", response_class=HTMLResponse)
async def credentials(request: Request, principal: ChorusAdmin) -> Response:
    """Credential health of every provider, checked now against Chorus Pro."""
    rows = await run_in_threadpool(health_of_all, hub(request))
    return render(request, "credentials.html", rows=rows)


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, principal: Reader, show: Annotated[Literal["unread", "all"], Query()] = "unread"
) -> Response:
    rows = notifications_for(hub(request), user_of(principal), unread_only=show == "unread")
    return render(request, "notifications.html", rows=rows, show=show)


@router.post("/notifications/read")
def read(
    request: Request,
    principal: Reader,
    notification_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (read, never mutated)
) -> Response:
    ids = [i for i in notification_ids if 1 <= i <= 2**63 - 1]
    if ids:
        mark_read_for(hub(request), user_of(principal), ids)
    return RedirectResponse("/notifications", status_code=303)


@router.get("/receivables", response_class=HTMLResponse)
def statement_page(
    request: Request,
    principal: Filer,
    customer_code: Annotated[str, Query(max_length=100)] = "",
    format: Format = "html",
) -> Response:
    """Account statement per customer code (or recipient SIRET), with totals."""
    entries = statement_for(hub(request), user_of(principal), customer_code.strip() or None, date.today())
    if format == "csv":
        return _csv([r for e in entries for r in e["invoices"]], STATEMENT_COLUMNS, "statement")
    return render(request, "receivables.html", tab="statement", entries=entries, customer_code=customer_code)


@router.get("/receivables/disputes", response_class=HTMLResponse)
def disputes_page(
    request: Request,
    principal: Filer,
    include_closed: Annotated[bool, Query()] = False,
    format: Format = "html",
) -> Response:
    rows = disputes_for(hub(request), user_of(principal), include_closed=include_closed)
    if format == "csv":
        return _csv(rows, DISPUTE_COLUMNS, "disputes")
    return render(request, "receivables.html", tab="disputes", rows=rows, include_closed=include_closed)


@router.post("/receivables/disputes/{dispute_id}/close")
def close_dispute(
    request: Request, dispute_id: Annotated[int, Path(ge=1, le=2**63 - 1)], principal: Filer
) -> Response:
    close_dispute_for(hub(request), user_of(principal), dispute_id)
    return RedirectResponse("/receivables/disputes", status_code=303)


@router.get("/receivables/dunning", response_class=HTMLResponse)
def dunning_page(request: Request, principal: Filer, format: Format = "html") -> Response:
    """Overdue invoices not paid, not in dispute and not excluded: the reminders to send."""
    rows = dunning_for(hub(request), user_of(principal), date.today())
    if format == "csv":
        return _csv(rows, DUNNING_COLUMNS, "dunning")
    return render(request, "receivables.html", tab="dunning", rows=rows)
