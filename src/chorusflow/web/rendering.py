"""Jinja2 rendering with what every page needs: the user, the CSRF token, the badge.

Templates live in ``web/templates`` (autoescaped). The navigation is built
from :data:`NAV` so screens added later (submission criteria, recipients,
receivables...) appear by adding one entry and a router, and only to the
roles allowed to open them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from chorusflow.core.statuses import ChorusStatus
from chorusflow.storage.flow_queries import Tab
from chorusflow.web.accounts import Role
from chorusflow.web.auth import principal_of

__all__ = ["NAV", "NavEntry", "render", "render_error", "templates"]

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class NavEntry:
    label: str
    href: str
    minimum: Role


NAV: list[NavEntry] = [
    NavEntry("Tracking", "/tracking", Role.TRACKING),
    NavEntry("Validation", "/validation", Role.CHORUS_USER),
    NavEntry("Upload", "/upload", Role.CHORUS_USER),
    NavEntry("Receivables", "/receivables", Role.CHORUS_USER),
    NavEntry("Notifications", "/notifications", Role.TRACKING),
    NavEntry("Providers", "/admin/providers", Role.CHORUS_ADMIN),
    NavEntry("Rules", "/admin/rules", Role.CHORUS_ADMIN),
    NavEntry("Credentials", "/admin/credentials", Role.CHORUS_ADMIN),
    NavEntry("Users", "/admin/users", Role.ADMIN),
]

STAGE_LABELS = {
    "import": "Import",
    "preparation": "Preparation",
    "validation": "Validation",
    "signature": "Signature",
    "distribution": "Distribution",
}
STATE_LABELS = {"running": "In progress", "waiting": "Waiting", "in_error": "In error", "done": "Done"}
DISTRIBUTION_LABELS = {
    "pending_validation": "Pending validation",
    "accepted_in_validation": "Accepted in validation",
    "signing": "Signing",
    "in_distribution": "In distribution",
    "distributed": "Distributed",
    "rejected_in_validation": "Rejected in validation",
    "in_error": "In error",
}
CHORUS_LABELS = {s.value: s.label for s in ChorusStatus}
TAB_LABELS = {Tab.ACTIVE.value: "Active", Tab.TO_CHECK.value: "To check", Tab.HISTORY.value: "History"}


def _when(value: str | datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime(fmt if isinstance(value, datetime) else "%Y-%m-%d")


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


templates.env.filters["when"] = _when
templates.env.filters["size"] = _size
templates.env.globals.update(
    STAGE_LABELS=STAGE_LABELS,
    STATE_LABELS=STATE_LABELS,
    DISTRIBUTION_LABELS=DISTRIBUTION_LABELS,
    CHORUS_LABELS=CHORUS_LABELS,
    TAB_LABELS=TAB_LABELS,
)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    principal = principal_of(request)
    user = principal.user if principal else None
    nav = [e for e in NAV if user and user.role.at_least(e.minimum)]
    badge = context.pop("badge", None)
    if badge is None and user is not None and not request.headers.get("hx-request"):
        from chorusflow.web.search import tab_counts

        with request.app.state.hub.sessions() as session:
            badge = tab_counts(session, user)[Tab.TO_CHECK.value]
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "csrf_token": principal.csrf_token if principal else context.pop("login_csrf", ""),
            "nav": nav,
            "path": request.url.path,
            "badge": badge,
            **context,
        },
        status_code=status_code,
    )


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {
        403: "Not allowed",
        404: "Not found",
        409: "Not possible now",
        413: "Too large",
        422: "Check the form",
    }
    return render(
        request, "error.html", status_code=status, title=titles.get(status, "Error"), message=message
    )
