"""Shapes shared by every operation: the ``codeRetour`` envelope and pagination.

Field names are the wire names (French, camelCase) because these classes *are*
the wire contract; the client's method names carry the English vocabulary.
Requests forbid unknown fields so a typo in the hub fails in tests, not at
Chorus; responses keep unknown fields, since Chorus adds fields over time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ChorusResponse",
    "PageInfo",
    "PageRequest",
    "WireRequest",
    "to_json_value",
]

SortDirection = Literal["Ascendant", "Descendant"]


def to_json_value(value: Any) -> Any:
    """``json.dumps`` fallback: amounts as JSON numbers (Chorus wants numbers), dates as ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to Chorus Pro as JSON")


class WireRequest(BaseModel):
    """Base of request bodies; ``to_wire`` drops unset fields, as Chorus treats null and absent alike."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="python", exclude_none=True, by_alias=True)


class ChorusResponse(BaseModel):
    """Every answer carries ``codeRetour`` (0 = success) and ``libelle`` (a message code)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    codeRetour: int = 0
    libelle: str | None = None


class PageRequest(WireRequest):
    """Pagination block of a search; its key in the body differs per operation (see ``pagination``)."""

    pageResultatDemandee: int = 1
    nbResultatsParPage: int = 100
    triSens: SortDirection | None = None
    triColonne: str | None = None


class PageInfo(BaseModel):
    """``parametresRetour`` (or the same four fields at the top level of some answers)."""

    model_config = ConfigDict(extra="allow")

    pageCourante: int | None = None
    pages: int | None = None
    nbResultatsParPage: int | None = None
    total: int | None = None
