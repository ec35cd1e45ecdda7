"""Login, logout and the front door (which tells a new install how to create its administrator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chorusflow.web import accounts
from chorusflow.web.accounts import Role
from chorusflow.web.auth import PUBLIC, SESSION_COOKIE, Principal, allow
from chorusflow.web.csrf import LOGIN_CSRF_COOKIE, check_login_csrf, new_token
from chorusflow.web.rendering import render
from chorusflow.web.routers.common import hub

router = APIRouter(include_in_schema=False)
Public = Annotated[Principal | None, Depends(PUBLIC)]


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would turn the login page into a phishing relay."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/tracking"
    return target


@router.get("/")
def home(principal: Public) -> Response:
    return RedirectResponse("/tracking" if principal else "/login", status_code=303)


def _login_page(
    request: Request, *, error: str | None = None, status: int = 200, next_url: str = ""
) -> HTMLResponse:
    with hub(request).engine.connect() as conn:
        no_users = accounts.user_count(conn) == 0
    token = new_token()
    response = render(
        request,
        "login.html",
        status_code=status,
        login_csrf=token,
        badge=0,
        error=error,
        no_users=no_users,
        next_url=_safe_next(next_url or request.query_params.get("next")),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: Public) -> Response:
    if principal is not None and principal.via == "session":
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    principal: Public,
    login: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    if not await check_login_csrf(request):
        return _login_page(
            request, error="The login form expired: please try again.", status=403, next_url=next_url
        )
    ctx = hub(request)
    with ctx.engine.begin() as conn:
        user = accounts.authenticate(conn, login, password)
        if user is None:
            return _login_page(request, error="Wrong login or password.", status=401, next_url=next_url)
        token, _ = accounts.create_session(conn, user)
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, principal: Annotated[Principal | None, Depends(allow(Role.TRACKING))]
) -> Response:
    if principal is not None and principal.session_token:
        with hub(request).engine.begin() as conn:
            accounts.delete_session(conn, principal.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
