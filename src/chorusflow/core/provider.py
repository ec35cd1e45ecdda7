"""Providers: one per supplier establishment filing on Chorus Pro (seed 001).

A provider carries who files (SIRET), how to reach Chorus (environment, URLs,
authentication mode and the *encrypted* secrets) and how its invoices are
handled (automatic submission, attachments, approval, signature, batching,
status sync). Secrets are stored as tokens from
:class:`chorusflow.security.secretbox.SecretBox`; this class never holds a
clear secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["AuthMode", "Environment", "Provider", "UploadMode", "luhn_ok", "siret_ok"]


class AuthMode(StrEnum):
    OAUTH = "oauth"
    CERTIFICATE = "certificate"


class Environment(StrEnum):
    SANDBOX = "sandbox"
    QUALIFICATION = "qualification"
    PRODUCTION = "production"


class UploadMode(StrEnum):
    """How Chorus statuses come back: live incremental sync, or one nightly batch."""

    REMOTE = "remote"
    LOCAL = "local"


def luhn_ok(digits: str) -> bool:
    """Luhn checksum, as INSEE uses for SIREN and SIRET."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def siret_ok(siret: str | None) -> bool:
    """14 digits and Luhn-valid (La Poste establishments, SIREN 356000000, use a digit sum rule)."""
    if not siret or len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith("356000000"):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)


@dataclass(eq=False)
class Provider:
    name: str
    siret: str
    login: str
    password_token: str
    environment: str = Environment.SANDBOX.value
    api_url: str | None = None
    token_url: str | None = None
    auth_mode: str = AuthMode.OAUTH.value
    client_id: str | None = None
    client_secret_token: str | None = None
    pkcs12_token: str | None = None
    pkcs12_password_token: str | None = None
    auto_submit: bool = True
    send_attachments: bool = True
    require_approval: bool = False
    sign_pdf: bool = False
    batch_deposits: bool = False
    upload_mode: str = UploadMode.REMOTE.value
    sync_interval_minutes: int = 5
    nightly_sync_time: str = "02:00"
    notify_users: list[str] = field(default_factory=list)
    notify_groups: list[str] = field(default_factory=list)
    allowed_users: list[str] = field(default_factory=list)
    allowed_groups: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    id: int | None = None

    def __repr__(self) -> str:
        return f"Provider(id={self.id}, name={self.name!r}, siret={self.siret!r}, env={self.environment!r})"
