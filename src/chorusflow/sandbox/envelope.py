"""The wire conventions every Chorus Pro operation shares.

``codeRetour``/``libelle`` on every answer, ``application/json;charset=utf-8``,
1-based pagination with a default of 10 per page under a key that differs per
operation. Keeping them here means each API family module only says what is
specific to it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

__all__ = [
    "OK_LIBELLE",
    "ApiError",
    "CproJSON",
    "ok",
    "paginate",
    "read_body",
]

OK_LIBELLE = "TRA_MSG_00.000"
DEFAULT_PAGE_SIZE = 10


class CproJSON(JSONResponse):
    """JSON with the exact content type PISTE uses (no space before charset)."""

    media_type = "application/json;charset=utf-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ApiError(Exception):
    """A functional error: answered as the envelope with a non-zero ``codeRetour``."""

    def __init__(self, code: int, libelle: str, message: str = "", http_status: int = 400) -> None:
        super().__init__(message or libelle)
        self.code = code
        self.libelle = libelle
        self.message = message
        self.http_status = http_status

    def response(self) -> CproJSON:
        body: dict[str, Any] = {"codeRetour": self.code, "libelle": self.libelle}
        if self.message:
            body["message"] = self.message
        return CproJSON(body, status_code=self.http_status)


def ok(libelle: str = OK_LIBELLE, **fields: Any) -> CproJSON:
    return CproJSON({"codeRetour": 0, "libelle": libelle, **fields})


async def read_body(request: Request) -> dict[str, Any]:
    """The JSON object of a POST; an empty body counts as ``{}`` like on PISTE."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "TRA_MSG_00.001", f"the request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "TRA_MSG_00.001", "the request body must be a JSON object")
    return body


def _int(value: Any, default: int) -> int:
    try:
        result = int(value)
    except (TypeError, ValueError):
        return default
    return result


def paginate(
    items: Sequence[Any],
    params: dict[str, Any] | None,
    sort_keys: dict[str, Callable[[Any], Any]] | None = None,
    default_column: str | None = None,
) -> tuple[list[Any], dict[str, int]]:
    """Slice one page out of ``items`` and build ``parametresRetour``.

    Pages are 1-based; a page size of 0 or less falls back to the default 10,
    as the platform does when the field is missing. Sorting defaults to
    descending (``triSens`` ``Descendant``) on the operation's default column.
    """
    params = params or {}
    per_page = _int(params.get("nbResultatsParPage"), DEFAULT_PAGE_SIZE)
    if per_page <= 0:
        per_page = DEFAULT_PAGE_SIZE
    page = max(1, _int(params.get("pageResultatDemandee"), 1))
    rows = list(items)
    maximum = _int(params.get("nbResultatsMaximum"), 0)
    if maximum > 0:
        rows = rows[:maximum]
    if sort_keys:
        column = params.get("triColonne") or default_column
        key = sort_keys.get(column) if column else None
        if key is not None:
            descending = params.get("triSens", "Descendant") != "Ascendant"
            rows.sort(key=key, reverse=descending)
    total = len(rows)
    pages = math.ceil(total / per_page) if total else 0
    start = (page - 1) * per_page
    retour = {"pageCourante": page, "pages": pages, "nbResultatsParPage": per_page, "total": total}
    return rows[start : start + per_page], retour
