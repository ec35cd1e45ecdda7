"""The web application factory: pages, REST API and static files on one FastAPI app.

``chorusflow serve`` mounts :func:`create_app` under uvicorn; tests run it
the same way on a loopback port, or in-process. Everything the app needs
comes from the :class:`HubContext` it is given: no global state, so two apps
on two data homes can run in one process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from chorusflow.context import HubContext
from chorusflow.web import accounts
from chorusflow.web.auth import AccessDenied, LoginRequired
from chorusflow.web.operations import AfterIntake, WebError
from chorusflow.web.rendering import render_error
from chorusflow.web.routers import (
    api_actions,
    api_documents,
    api_lifecycle,
    api_providers,
    api_rules,
    api_tracking,
    pages_actions,
    pages_admin,
    pages_auth,
    pages_documents,
    pages_lifecycle,
    pages_rules,
    pages_tracking,
)

#: Every router of the app, in mounting order (the access test walks the same list).
ROUTERS = (
    api_tracking,
    api_actions,
    api_documents,
    api_providers,
    api_rules,
    api_lifecycle,
    pages_auth,
    pages_tracking,
    pages_documents,
    pages_actions,
    pages_admin,
    pages_rules,
    pages_lifecycle,
)

__all__ = ["FIRST_ADMIN_HINT", "ROUTERS", "create_app"]

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
FIRST_ADMIN_HINT = (
    "No user exists yet. Create the first administrator with: chorusflow user add admin --role admin "
    "(the password is read from standard input)."
)
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; object-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


def create_app(
    ctx: HubContext,
    *,
    after_intake: AfterIntake | None = None,
    submit: Callable[[str], None] | None = None,
) -> FastAPI:
    """The hub's web app on ``ctx``.

    ``after_intake(flow_id)`` is called after each upload and retry (the queue's
    "advance this flow"); ``submit(provider_name)`` queues "submit now" (without
    it, "submit now" runs in the request).
    """
    app = FastAPI(
        title="chorusflow",
        version="1",
        summary="Invoice flows to Chorus Pro: tracking, validation, configuration.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.hub = ctx
    app.state.after_intake = after_intake
    app.state.submit = submit
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    _install_handlers(app)
    with ctx.engine.connect() as conn:
        if accounts.user_count(conn) == 0:
            log.warning(FIRST_ADMIN_HINT)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.url.path.startswith(("/api/", "/login")) or "text/html" in response.headers.get(
            "content-type", ""
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if exc.kind == "api" or _is_api(request):
            return JSONResponse(
                {"detail": "Authentication required: send Authorization: Bearer <token> or log in."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = f"/login?next={exc.next_url}"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, exc: AccessDenied) -> Response:
        if exc.kind == "api" or _is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return render_error(request, 403, exc.message)

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        return render_error(request, exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse({"detail": "The request body is not valid JSON."}, status_code=400)
        if _is_api(request):
            return JSONResponse({"detail": _jsonable(errors)}, status_code=422)
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return render_error(request, 422, f"{where}: {first.get('msg', 'invalid input')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render_error(request, exc.status_code, str(exc.detail))


def _jsonable(errors: object) -> object:
    """Validation errors may hold exceptions in ``ctx``; keep only JSON-safe parts."""
    if isinstance(errors, list):
        return [
            {k: v for k, v in e.items() if k in ("type", "loc", "msg")} if isinstance(e, dict) else str(e)
            for e in errors
        ]
    return str(errors)
