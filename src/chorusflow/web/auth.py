"""Who is calling, and may they: the access rule every route declares.

Each route depends on exactly one :class:`Access` (``Depends(allow(Role.X))``
or ``Depends(PUBLIC)``); the authorization test walks the app's route table
and fails on a route without one, so a new route cannot ship unguarded.

Browsers authenticate with a server-side session cookie (HttpOnly,
SameSite=Lax) and must send the session's CSRF token on every unsafe
request; machines send ``Authorization: Bearer <token>``, which no browser
attaches on its own, so token requests need no CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from fastapi import Request

from chorusflow.context import HubContext
from chorusflow.web import accounts
from chorusflow.web.accounts import Role, User
from chorusflow.web.csrf import check_csrf

__all__ = [
    "PUBLIC",
    "SESSION_COOKIE",
    "Access",
    "AccessDenied",
    "LoginRequired",
    "Principal",
    "allow",
    "principal_of",
]

SESSION_COOKIE = "chorusflow_session"
Kind = Literal["page", "api"]


@dataclass(frozen=True)
class Principal:
    user: User
    via: Literal["session", "token"]
    csrf_token: str | None = None
    session_token: str | None = None


class LoginRequired(Exception):
    """No valid credentials: pages redirect to the login form, the API answers 401."""

    def __init__(self, kind: Kind, next_url: str = "/") -> None:
        self.kind, self.next_url = kind, next_url


class AccessDenied(Exception):
    """Authenticated but not allowed (role too low, or CSRF token missing): 403."""

    def __init__(self, kind: Kind, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def hub_of(request: Request) -> HubContext:
    return request.app.state.hub  # type: ignore[no-any-return]


def principal_of(request: Request) -> Principal | None:
    """Resolve (once per request) the caller from a bearer token or the session cookie."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    principal: Principal | None = None
    header = request.headers.get("authorization", "")
    with hub_of(request).engine.begin() as conn:
        if header.lower().startswith("bearer "):
            user = accounts.resolve_api_token(conn, header[7:].strip())
            principal = Principal(user, "token") if user else None
        elif cookie := request.cookies.get(SESSION_COOKIE):
            info = accounts.resolve_session(conn, cookie)
            if info is not None:
                principal = Principal(info.user, "session", info.csrf_token, cookie)
    request.state.principal = principal
    return principal


class Access:
    """A route's rule: the lowest role allowed (None: public) and how to refuse."""

    def __init__(self, minimum: Role | None, kind: Kind) -> None:
        self.minimum, self.kind = minimum, kind

    def __repr__(self) -> str:
        return f"Access({self.minimum.value if self.minimum else 'public'}, {self.kind})"

    async def __call__(self, request: Request) -> Principal | None:
        principal = principal_of(request)
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if self.minimum is None:
            if unsafe and principal is not None and principal.via == "session":
                await check_csrf(request, principal.csrf_token, self.kind)
            return principal
        if principal is None:
            raise LoginRequired(self.kind, _next_url(request))
        if not principal.user.role.at_least(self.minimum):
            raise AccessDenied(self.kind, f"This needs the {self.minimum.value} role or higher.")
        if unsafe and principal.via == "session":
            await check_csrf(request, principal.csrf_token, self.kind)
        return principal


def _next_url(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return quote(path, safe="/?=&")


_RULES: dict[tuple[Role | None, Kind], Access] = {}


def allow(minimum: Role, kind: Kind = "page") -> Access:
    """The shared :class:`Access` for ``minimum`` (one instance per rule, for the route table test)."""
    return _RULES.setdefault((minimum, kind), Access(minimum, kind))


PUBLIC = Access(None, "page")
