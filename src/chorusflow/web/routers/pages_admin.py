"""Configuration screens: providers (seed 001, for Chorus administrators) and users (administrators).

Other configuration screens (submission criteria, metadata association,
recipients, bank details, notifications, credential health, receivables)
plug in as their own router plus one :data:`chorusflow.web.rendering.NAV` entry.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chorusflow.core.provider import AuthMode, Environment, Provider, UploadMode
from chorusflow.providers.service import list_providers
from chorusflow.web import accounts
from chorusflow.web.accounts import AccountError, Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.operations import WebError
from chorusflow.web.provider_admin import create_provider, provider_out, update_provider
from chorusflow.web.rendering import render
from chorusflow.web.routers.common import DbIdPath, hub
from chorusflow.web.schemas import ProviderIn, ProviderPatch

router = APIRouter(include_in_schema=False)
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN))]
Admin = Annotated[Principal | None, Depends(allow(Role.ADMIN))]
_BOOLS = ("auto_submit", "send_attachments", "require_approval", "sign_pdf", "batch_deposits")
_LISTS = ("notify_users", "notify_groups", "allowed_users", "allowed_groups")
_TEXTS = (
    "name",
    "siret",
    "login",
    "password",
    "client_secret",
    "environment",
    "api_url",
    "token_url",
    "auth_mode",
    "client_id",
    "upload_mode",
    "nightly_sync_time",
    "sync_interval_minutes",
)


async def _provider_form(request: Request) -> dict[str, Any]:
    """The provider form as a dict for the pydantic models (blank = not given, lists comma-separated)."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in _TEXTS:
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            data[key] = value.strip()
    for key in _BOOLS:
        data[key] = form.get(key) == "on"
    for key in _LISTS:
        value = form.get(key)
        data[key] = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else []
    return data


def _form_page(
    request: Request, provider: dict[str, Any] | None, error: str | None = None, status: int = 200
) -> Response:
    return render(
        request,
        "provider_form.html",
        status_code=status,
        provider=provider,
        error=error,
        environments=list(Environment),
        auth_modes=list(AuthMode),
        upload_modes=list(UploadMode),
    )


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


@router.get("/admin/providers", response_class=HTMLResponse)
def providers_page(request: Request, principal: ChorusAdmin) -> Response:
    with hub(request).sessions() as session:
        rows = [provider_out(p) for p in list_providers(session)]
    return render(request, "providers.html", providers=rows)


@router.get("/admin/providers/new", response_class=HTMLResponse)
def new_provider(request: Request, principal: ChorusAdmin) -> Response:
    return _form_page(request, None)


@router.post("/admin/providers")
async def create(request: Request, principal: ChorusAdmin) -> Response:
    data = await _provider_form(request)
    ctx = hub(request)
    try:
        body = ProviderIn.model_validate(data)
        with ctx.sessions() as session:
            provider = create_provider(session, ctx.secrets, body)
            session.commit()
            provider_id = provider.id
    except ValidationError as exc:
        return _form_page(request, _echo(data), _validation_message(exc), 422)
    except WebError as exc:
        return _form_page(request, _echo(data), exc.message, exc.status)
    return RedirectResponse(f"/admin/providers/{provider_id}?saved=1", status_code=303)


def _echo(data: dict[str, Any]) -> dict[str, Any]:
    """Re-show what was typed, never the secrets."""
    return {k: v for k, v in data.items() if k not in ("password", "client_secret")} | {"secrets": {}}


@router.get("/admin/providers/{provider_id}", response_class=HTMLResponse)
def edit_provider(request: Request, provider_id: DbIdPath, principal: ChorusAdmin) -> Response:
    with hub(request).sessions() as session:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise WebError(404, f"No provider {provider_id}.")
        return _form_page(request, provider_out(provider))


@router.post("/admin/providers/{provider_id}")
async def update(request: Request, provider_id: DbIdPath, principal: ChorusAdmin) -> Response:
    data = await _provider_form(request)
    ctx = hub(request)
    with ctx.sessions() as session:
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise WebError(404, f"No provider {provider_id}.")
        try:
            update_provider(session, ctx.secrets, provider, ProviderPatch.model_validate(data))
            session.commit()
        except ValidationError as exc:
            session.rollback()
            return _form_page(request, provider_out(provider) | _echo(data), _validation_message(exc), 422)
        except WebError as exc:
            session.rollback()
            return _form_page(request, provider_out(provider), exc.message, exc.status)
    return RedirectResponse(f"/admin/providers/{provider_id}?saved=1", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, principal: Admin) -> Response:
    return _users_page(request)


def _users_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    ctx = hub(request)
    with ctx.engine.connect() as conn:
        users = accounts.list_users(conn)
    with ctx.sessions() as session:
        provider_names = [p.name for p in list_providers(session)]
    return render(
        request,
        "users.html",
        status_code=status,
        users=users,
        roles=list(Role),
        provider_names=provider_names,
        error=error,
    )


@router.post("/admin/users")
async def create_user(request: Request, principal: Admin) -> Response:
    form = await request.form()
    text = {k: v.strip() if isinstance(v, str) else "" for k, v in form.items()}
    try:
        with hub(request).engine.begin() as conn:
            accounts.create_user(
                conn,
                text.get("login", ""),
                text.get("password", ""),
                text.get("role", ""),
                providers=[str(v) for v in form.getlist("providers")],
                label=text.get("label") or None,
            )
    except AccountError as exc:
        return _users_page(request, str(exc), 422)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}")
async def update_user(request: Request, user_id: DbIdPath, principal: Admin) -> Response:
    form = await request.form()
    role = form.get("role")
    try:
        with hub(request).engine.begin() as conn:
            if accounts.get_user(conn, user_id=user_id) is None:
                raise WebError(404, f"No user {user_id}.")
            accounts.update_user(
                conn,
                user_id,
                role=Role(role) if isinstance(role, str) and role in Role.__members__.values() else None,
                providers=[str(v) for v in form.getlist("providers")],
                label=str(form.get("label") or ""),
                active=form.get("active") == "on",
                password=str(form.get("password") or "") or None,
            )
    except AccountError as exc:
        return _users_page(request, str(exc), 422)
    return RedirectResponse("/admin/users", status_code=303)
