"""Pieces every router shares: the hub, the acting user, bounded ids, documented errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Request

from chorusflow.context import HubContext
from chorusflow.web.accounts import User
from chorusflow.web.auth import Principal
from chorusflow.web.operations import AfterIntake
from chorusflow.web.schemas import ErrorOut

__all__ = ["ERRORS", "DbIdPath", "after_intake_of", "hub", "submit_hook_of", "user_of"]

DbIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Malformed request body"},
    401: {"model": ErrorOut, "description": "No or invalid credentials (send Authorization: Bearer <token>)"},
    403: {"model": ErrorOut, "description": "Role too low, provider not yours, or CSRF token missing"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Not found or not visible to you"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "Not possible in the current state"}
}


def hub(request: Request) -> HubContext:
    return request.app.state.hub  # type: ignore[no-any-return]


def after_intake_of(request: Request) -> AfterIntake | None:
    return request.app.state.after_intake  # type: ignore[no-any-return]


def submit_hook_of(request: Request) -> Callable[[str], None] | None:
    """``submit(provider_name)``: queue a submission run (None: submit in the request)."""
    return request.app.state.submit  # type: ignore[no-any-return]


def user_of(principal: Principal | None) -> User:
    assert principal is not None  # guaranteed by a non-public Access rule
    return principal.user
