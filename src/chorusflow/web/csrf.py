"""CSRF protection: a token bound to the session, sent back on every unsafe request.

Forms carry it in a hidden ``csrf_token`` field; HTMX and fetch() send it in
the ``X-CSRF-Token`` header (``hx-headers`` on ``<body>``). Before login
there is no session, so the login form uses a double-submit cookie instead:
a random value in a SameSite=Strict cookie that the form must repeat.
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from chorusflow.web.auth import Kind

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "LOGIN_CSRF_COOKIE", "check_csrf", "check_login_csrf", "new_token"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_CSRF_COOKIE = "chorusflow_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def _sent_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form()
        except Exception:  # a malformed body: the endpoint reports it; here it just has no token
            return ""
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, expected: str | None, kind: Kind) -> None:
    from chorusflow.web.auth import AccessDenied

    sent = await _sent_token(request)
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise AccessDenied(
            kind, "The form's security token is missing or stale: reload the page and try again."
        )


async def check_login_csrf(request: Request) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = await _sent_token(request)
    return bool(cookie) and bool(sent) and hmac.compare_digest(cookie, sent)
