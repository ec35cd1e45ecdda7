"""Creating, reading and connecting providers; secrets sealed on the way in.

Secrets enter through :func:`add_provider` in clear and are sealed with the
data home's :class:`SecretBox` before the row exists; they are opened only to
build a :class:`~chorusflow.chorus.client.ChorusClient`, never to show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient, ChorusConfig
from chorusflow.core.provider import AuthMode, Environment, Provider, UploadMode, siret_ok
from chorusflow.security.secretbox import SecretBox
from chorusflow.storage import schema

__all__ = [
    "ProviderError",
    "ProviderSecrets",
    "add_provider",
    "client_for",
    "get_provider",
    "list_providers",
    "provider_view",
]


class ProviderError(ValueError):
    """A provider cannot be created or used as given; the message says what to change."""


@dataclass
class ProviderSecrets:
    password: str
    client_secret: str | None = None
    pkcs12: bytes | None = None
    pkcs12_password: str | None = None


def add_provider(
    session: Session,
    box: SecretBox,
    *,
    name: str,
    siret: str,
    login: str,
    secrets: ProviderSecrets,
    **options: Any,
) -> Provider:
    if not siret_ok(siret):
        raise ProviderError(f"SIRET {siret!r} is not valid (14 digits, Luhn checksum). Check the number.")
    if get_provider(session, name) is not None:
        raise ProviderError(f"A provider named {name!r} already exists. Pick another name.")
    auth_mode = AuthMode(options.pop("auth_mode", AuthMode.OAUTH))
    environment = Environment(options.pop("environment", Environment.SANDBOX))
    UploadMode(options.get("upload_mode", UploadMode.REMOTE))
    if auth_mode is AuthMode.OAUTH and (not options.get("client_id") or not secrets.client_secret):
        raise ProviderError("OAuth mode needs --client-id and a client secret (PISTE application).")
    if auth_mode is AuthMode.CERTIFICATE and not secrets.pkcs12:
        raise ProviderError("Certificate mode needs a PKCS#12 file (--pkcs12) and its password.")
    if environment is Environment.SANDBOX and not options.get("api_url"):
        raise ProviderError("The sandbox environment needs --api-url (e.g. http://127.0.0.1:8090).")
    provider = Provider(
        name=name,
        siret=siret,
        login=login,
        password_token=box.seal(secrets.password),
        client_secret_token=box.seal(secrets.client_secret) if secrets.client_secret else None,
        pkcs12_token=box.seal(secrets.pkcs12) if secrets.pkcs12 else None,
        pkcs12_password_token=box.seal(secrets.pkcs12_password) if secrets.pkcs12_password else None,
        auth_mode=auth_mode.value,
        environment=environment.value,
        created_at=datetime.now(UTC),
        **options,
    )
    session.add(provider)
    session.flush()
    return provider


def get_provider(session: Session, name: str) -> Provider | None:
    return session.scalars(select(Provider).where(schema.providers.c.name == name)).first()


def list_providers(session: Session) -> Sequence[Provider]:
    return session.scalars(select(Provider).order_by(schema.providers.c.name)).all()


def client_for(
    provider: Provider, box: SecretBox, *, timeout_s: float = 60.0, **client_options: Any
) -> ChorusClient:
    """A Chorus client for this provider; the only place its secrets are opened."""
    pkcs12 = box.open_bytes(provider.pkcs12_token).reveal() if provider.pkcs12_token else None
    config = ChorusConfig.create(
        login=provider.login,
        password=str(box.open(provider.password_token).reveal()),
        environment=provider.environment,
        auth_mode=provider.auth_mode,
        api_url=provider.api_url,
        token_url=provider.token_url,
        client_id=provider.client_id,
        client_secret=str(box.open(provider.client_secret_token).reveal())
        if provider.client_secret_token
        else None,
        pkcs12=pkcs12 if isinstance(pkcs12, bytes) else None,
        pkcs12_password=(
            str(box.open(provider.pkcs12_password_token).reveal()) if provider.pkcs12_password_token else None
        ),
        timeout_s=timeout_s,
    )
    return ChorusClient(config, **client_options)


def provider_view(provider: Provider) -> dict[str, Any]:
    """What may be shown of a provider: every setting, and for secrets only whether they are set."""
    return {
        "name": provider.name,
        "siret": provider.siret,
        "environment": provider.environment,
        "api_url": provider.api_url,
        "token_url": provider.token_url,
        "auth_mode": provider.auth_mode,
        "client_id": provider.client_id,
        "login": provider.login,
        "secrets": {
            "password": provider.password_token is not None,
            "client_secret": provider.client_secret_token is not None,
            "pkcs12": provider.pkcs12_token is not None,
            "pkcs12_password": provider.pkcs12_password_token is not None,
        },
        "auto_submit": provider.auto_submit,
        "send_attachments": provider.send_attachments,
        "require_approval": provider.require_approval,
        "sign_pdf": provider.sign_pdf,
        "batch_deposits": provider.batch_deposits,
        "upload_mode": provider.upload_mode,
        "sync_interval_minutes": provider.sync_interval_minutes,
        "nightly_sync_time": provider.nightly_sync_time,
        "notify_users": list(provider.notify_users),
        "notify_groups": list(provider.notify_groups),
        "allowed_users": list(provider.allowed_users),
        "allowed_groups": list(provider.allowed_groups),
    }
