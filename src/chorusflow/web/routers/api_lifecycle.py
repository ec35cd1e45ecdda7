"""REST API: credential health, dashboard notifications, receivables (statement, disputes, dunning)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from chorusflow.core.provider import Provider
from chorusflow.web.accounts import Role
from chorusflow.web.action_schemas import HealthOut, NotificationOut, ReadIn
from chorusflow.web.auth import Principal, allow
from chorusflow.web.lifecycle_views import (
    close_dispute_for,
    disputes_for,
    dunning_for,
    health_of,
    mark_read_for,
    notifications_for,
    statement_for,
)
from chorusflow.web.operations import WebError
from chorusflow.web.routers.common import CONFLICT, ERRORS, NOT_FOUND, DbIdPath, hub, user_of

router = APIRouter(prefix="/api/v1", responses=ERRORS)
Reader = Annotated[Principal | None, Depends(allow(Role.TRACKING, "api"))]
Filer = Annotated[Principal | None, Depends(allow(Role.CHORUS_USER, "api"))]
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN, "api"))]
DisputeIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
CustomerCode = Annotated[str | None, Query(max_length=100)]


@router.get(
    "/providers/{provider_id}/health", response_model=HealthOut, tags=["providers"], responses=NOT_FOUND
)
async def health(request: Request, provider_id: DbIdPath, principal: ChorusAdmin) -> dict[str, Any]:
    """Can the hub get a token, when does the technical password expire, how is the sync doing."""
    ctx = hub(request)
    with ctx.sessions() as session:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise WebError(404, f"No provider {provider_id}.")
        session.expunge(provider)
    return await run_in_threadpool(health_of, ctx, provider)


@router.get("/notifications", response_model=list[NotificationOut], tags=["notifications"])
def notifications(
    request: Request, principal: Reader, unread_only: Annotated[bool, Query()] = True
) -> list[dict[str, Any]]:
    """The caller's dashboard notifications (newest first)."""
    return notifications_for(hub(request), user_of(principal), unread_only=unread_only)


@router.post("/notifications/read", response_model=dict[str, int], tags=["notifications"])
def read(request: Request, body: ReadIn, principal: Reader) -> dict[str, int]:
    """Mark notifications read (only the caller's own)."""
    return {"marked": mark_read_for(hub(request), user_of(principal), body.notification_ids)}


@router.get("/receivables/statement", response_model=list[dict[str, Any]], tags=["receivables"])
def account_statement(
    request: Request,
    principal: Filer,
    customer_code: CustomerCode = None,
    as_of: Annotated[date | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Account statement per customer code: invoices with Chorus status and comments, totals."""
    return statement_for(hub(request), user_of(principal), customer_code, as_of or date.today())


@router.get("/receivables/disputes", response_model=list[dict[str, Any]], tags=["receivables"])
def disputes(
    request: Request, principal: Filer, include_closed: Annotated[bool, Query()] = False
) -> list[dict[str, Any]]:
    """Invoices a recipient suspended, sent back for re-routing or rejected."""
    return disputes_for(hub(request), user_of(principal), include_closed=include_closed)


@router.post(
    "/receivables/disputes/{dispute_id}/close",
    status_code=204,
    tags=["receivables"],
    responses={**NOT_FOUND, **CONFLICT},
)
def close(request: Request, dispute_id: DisputeIdPath, principal: Filer) -> None:
    """Settle a dispute (e.g. the credit note for a rejected invoice was issued)."""
    close_dispute_for(hub(request), user_of(principal), dispute_id)


@router.get("/receivables/dunning", response_model=list[dict[str, Any]], tags=["receivables"])
def dunning(
    request: Request, principal: Filer, as_of: Annotated[date | None, Query()] = None
) -> list[dict[str, Any]]:
    """Overdue invoices to remind: not paid, not in dispute, not excluded."""
    return dunning_for(hub(request), user_of(principal), as_of or date.today())
