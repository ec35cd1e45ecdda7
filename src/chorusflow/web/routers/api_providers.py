"""REST API: providers (seed 001); secrets are accepted, never returned."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from chorusflow.core.provider import Provider
from chorusflow.providers.service import list_providers
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.operations import WebError
from chorusflow.web.provider_admin import create_provider, provider_out, update_provider
from chorusflow.web.routers.common import ERRORS, NOT_FOUND, DbIdPath, hub
from chorusflow.web.schemas import ProviderIn, ProviderOut, ProviderPatch

router = APIRouter(prefix="/api/v1/providers", tags=["providers"], responses=ERRORS)
Admin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN, "api"))]


@router.get("", response_model=list[ProviderOut])
def providers(request: Request, principal: Admin) -> list[dict[str, Any]]:
    """Every provider with its settings; secrets only as "set / not set"."""
    with hub(request).sessions() as session:
        return [provider_out(p) for p in list_providers(session)]


@router.post("", response_model=ProviderOut, status_code=201)
def create(request: Request, body: ProviderIn, principal: Admin) -> dict[str, Any]:
    """Add a provider (a supplier establishment filing on Chorus Pro)."""
    ctx = hub(request)
    with ctx.sessions() as session:
        provider = create_provider(session, ctx.secrets, body)
        session.commit()
        return provider_out(provider)


def _get(session: Any, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise WebError(404, f"No provider {provider_id}.")
    return provider


@router.get("/{provider_id}", response_model=ProviderOut, responses=NOT_FOUND)
def show(request: Request, provider_id: DbIdPath, principal: Admin) -> dict[str, Any]:
    with hub(request).sessions() as session:
        return provider_out(_get(session, provider_id))


@router.patch("/{provider_id}", response_model=ProviderOut, responses=NOT_FOUND)
def patch(request: Request, provider_id: DbIdPath, body: ProviderPatch, principal: Admin) -> dict[str, Any]:
    """Change settings; a secret left out keeps its stored value."""
    ctx = hub(request)
    with ctx.sessions() as session:
        provider = update_provider(session, ctx.secrets, _get(session, provider_id), body)
        session.commit()
        return provider_out(provider)
