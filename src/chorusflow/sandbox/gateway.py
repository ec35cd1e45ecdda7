"""PISTE, the State's API gateway: OAuth2 tokens and the per-call account check.

A client written for the real platform first gets a token from
``/api/oauth/token`` (client credentials in the form body), then sends
``Authorization: Bearer`` plus ``cpro-account`` (base64 of the technical
user's ``login:password``) on every call. The answers mimic PISTE's: 400
``invalid_client`` on the token endpoint, 401 with a ``WWW-Authenticate``
header on a bad token or account, 403 when the account may not use an
operation (a supplier's account on recipient operations and the reverse).
Token lifetimes use wall-clock time, not the accelerated sandbox clock, so a
client's token cache behaves as it would against PISTE.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox.envelope import CproJSON

__all__ = [
    "TOKEN_LIFETIME_S",
    "Account",
    "GatewayError",
    "authenticate",
    "require_role",
    "router",
]

TOKEN_LIFETIME_S = 3600
#: Largest request body the gateway accepts (a 30 MB archive is ~40 MB once base64-encoded).
MAX_REQUEST_BYTES = 64 * 1024 * 1024

router = APIRouter()


class GatewayError(Exception):
    """An answer produced by the gateway itself rather than by Chorus Pro."""

    def __init__(self, status: int, error: str, description: str, www_error: str | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.www_error = www_error

    def response(self) -> Response:
        headers = {}
        if self.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer realm="PISTE",error="{self.www_error or self.error}",'
                f'error_description="{self.description}"'
            )
        body = {"error": self.error, "error_description": self.description}
        return CproJSON(body, status_code=self.status, headers=headers)


@dataclass(frozen=True, slots=True)
class Account:
    """The technical user behind ``cpro-account`` and the structure it acts for."""

    login: str
    structure: dict[str, Any]

    @property
    def structure_id(self) -> int:
        return int(self.structure["id"])

    @property
    def role(self) -> str:
        """``supplier`` for a private structure, ``recipient`` for a public body."""
        return "recipient" if self.structure["type_structure"] == "PUBLIQUE" else "supplier"


@router.post("/api/oauth/token")
async def token(request: Request) -> Response:
    sandbox = request.app.state.sandbox
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" not in content_type and "multipart/form-data" not in content_type:
        return _oauth_error(
            400,
            "invalid_request",
            "send the client credentials as application/x-www-form-urlencoded form fields",
        )
    form = await request.form()
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    row = sandbox.store.one("SELECT client_secret FROM oauth_clients WHERE client_id = ?", client_id)
    if not client_id or not secret or row is None or not secrets.compare_digest(row["client_secret"], secret):
        return _oauth_error(400, "invalid_client", "Bad client credentials")
    access_token = secrets.token_urlsafe(32)
    with sandbox.store.tx():
        sandbox.store.execute(
            "INSERT INTO tokens (token, client_id, issued_at) VALUES (?, ?, ?)",
            access_token,
            client_id,
            time.time(),
        )
    scope = form.get("scope") or "openid"
    return CproJSON(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
            "scope": scope,
        }
    )


def _oauth_error(status: int, error: str, description: str) -> Response:
    return CproJSON({"error": error, "error_description": description}, status_code=status)


def authenticate(request: Request, token_ttl_s: float | None = None) -> Account:
    """Check the bearer token and the ``cpro-account`` header; raise :class:`GatewayError`."""
    store = request.app.state.sandbox.store
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise GatewayError(401, "invalid_token", "missing Bearer access token")
    row = store.one("SELECT issued_at FROM tokens WHERE token = ?", value.strip())
    if row is None:
        raise GatewayError(401, "invalid_token", "unknown access token")
    lifetime = TOKEN_LIFETIME_S if token_ttl_s is None else min(TOKEN_LIFETIME_S, token_ttl_s)
    if time.time() - row["issued_at"] > lifetime:
        raise GatewayError(401, "invalid_token", "access token expired")
    raw = request.headers.get("cpro-account")
    if not raw:
        raise GatewayError(401, "Unauthorized", "login or password incorrects")
    try:
        decoded = base64.b64decode(raw.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise GatewayError(401, "Unauthorized", "login or password incorrects") from exc
    login, sep, password = decoded.partition(":")
    structure = store.one("SELECT * FROM structures WHERE tech_login = ?", login) if sep else None
    if structure is None or not secrets.compare_digest(structure["tech_password"] or "", password):
        raise GatewayError(401, "Unauthorized", "login or password incorrects")
    return Account(login=login, structure=structure)


def require_role(account: Account, role: str, operation: str) -> None:
    if account.role != role:
        who = "a supplier (PRIVEE)" if role == "supplier" else "a public recipient (PUBLIQUE)"
        raise GatewayError(
            403,
            "access_denied",
            f"{operation} is reserved to the technical user of {who} structure",
        )
