"""Creating and editing providers from the configuration screen and the API.

Secrets are write-only: they arrive in clear, are sealed at once, and an
empty or missing secret on update keeps the stored one (the form never
holds the old value to send back).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chorusflow.core.provider import AuthMode, Environment, Provider, siret_ok
from chorusflow.providers.service import (
    ProviderError,
    ProviderSecrets,
    add_provider,
    get_provider,
    provider_view,
)
from chorusflow.security.secretbox import SecretBox
from chorusflow.web.operations import WebError
from chorusflow.web.schemas import ProviderIn, ProviderPatch

__all__ = ["create_provider", "provider_out", "update_provider"]

_SECRET_FIELDS = {"password", "client_secret"}


def provider_out(provider: Provider) -> dict[str, Any]:
    return {"id": provider.id, **provider_view(provider)}


def create_provider(session: Session, box: SecretBox, data: ProviderIn) -> Provider:
    fields = data.model_dump(exclude_none=True, exclude={"name", "siret", "login", *_SECRET_FIELDS})
    secrets = ProviderSecrets(password=data.password, client_secret=data.client_secret)
    try:
        return add_provider(
            session, box, name=data.name, siret=data.siret, login=data.login, secrets=secrets, **fields
        )
    except (ProviderError, ValueError) as exc:
        raise WebError(422, str(exc)) from None


def update_provider(session: Session, box: SecretBox, provider: Provider, data: ProviderPatch) -> Provider:
    changes = data.model_dump(exclude_none=True, exclude=_SECRET_FIELDS)
    if "siret" in changes and not siret_ok(changes["siret"]):
        raise WebError(
            422, f"SIRET {changes['siret']!r} is not valid (14 digits, Luhn checksum). Check the number."
        )
    if "name" in changes and changes["name"] != provider.name and get_provider(session, changes["name"]):
        raise WebError(422, f"A provider named {changes['name']!r} already exists. Pick another name.")
    for key, value in changes.items():
        setattr(provider, key, value.value if hasattr(value, "value") else value)
    if data.password:
        provider.password_token = box.seal(data.password)
    if data.client_secret:
        provider.client_secret_token = box.seal(data.client_secret)
    if provider.auth_mode == AuthMode.OAUTH and (not provider.client_id or not provider.client_secret_token):
        raise WebError(422, "OAuth mode needs a client id and a client secret (PISTE application).")
    if provider.environment == Environment.SANDBOX and not provider.api_url:
        raise WebError(422, "The sandbox environment needs an API URL (e.g. http://127.0.0.1:8090).")
    session.flush()
    return provider
