"""Tracking queries as the web sees them: the caller's scope, tabs, tiles and search.

Scope first: a user sees the flows of the providers they may file for
(administrators see all, and only they see flows with no provider), and a
user with a label sees only the documents whose intake metadata ``label``
equals it (and the flows holding at least one). Every list, count and detail
goes through :func:`flow_scope` / :func:`document_scope`, so a page and the
API cannot disagree on what a user may see.

Search criteria on documents are combined in one subquery on documents, so
"number X and amount over Y" means one document matching both, not two
documents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, and_, exists, false, func, select, true
from sqlalchemy.orm import Session, selectinload

from chorusflow.core.entities import Document, Flow
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.storage import schema
from chorusflow.storage.flow_queries import Tab, to_check_clause
from chorusflow.web.accounts import User

__all__ = [
    "AMOUNT_PATTERN",
    "FlowQuery",
    "document_scope",
    "document_visible",
    "flow_scope",
    "flow_visible",
    "search_flows",
    "tab_counts",
    "tile_counts",
]

AMOUNT_PATTERN = r"^-?\d{1,15}(\.\d{1,2})?$"
SIRET = re.compile(r"\d{14}")
F, D = schema.flows, schema.documents
Text100 = Annotated[str, Field(min_length=1, max_length=100)]


class Channel(StrEnum):
    CHORUS_PRO = "chorus_pro"


class FlowQuery(BaseModel):
    """Tab, tiles, advanced search and page: the query string of the list (page and API)."""

    model_config = ConfigDict(extra="forbid")

    tab: Tab = Tab.ACTIVE
    stage: Stage | None = Field(None, description="Step tile")
    state: FlowState | None = Field(None, description="Status tile")
    number: Text100 | None = Field(None, description="Document number (prefix)")
    date_from: date | None = Field(None, description="Document date, from (inclusive)")
    date_to: date | None = Field(None, description="Document date, to (inclusive)")
    customer_code: Text100 | None = None
    recipient: Text100 | None = Field(None, description="Recipient name (contains) or SIRET (exact)")
    amount_min: str | None = Field(None, pattern=AMOUNT_PATTERN, description="Total with VAT, minimum")
    amount_max: str | None = Field(None, pattern=AMOUNT_PATTERN, description="Total with VAT, maximum")
    status: DistributionStatus | None = Field(None, description="Distribution status of a document")
    chorus_status: ChorusStatus | None = None
    channel: Channel | None = Field(None, description="Distribution channel")
    provider: Text100 | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        """An empty field of the search form means "any"."""
        return None if isinstance(value, str) and value.strip() == "" else value

    def document_criteria(self) -> list[ColumnElement[bool]]:
        c: list[ColumnElement[bool]] = []
        if self.number:
            # The range makes the prefix search an index range scan on both databases
            # (SQLite never uses an index for LIKE on a default-collation column);
            # LIKE stays for the exact prefix meaning.
            c.append(D.c.number >= self.number)
            c.append(D.c.number < self.number + "\U0010ffff")
            c.append(D.c.number.startswith(self.number, autoescape=True))
        if self.date_from:
            c.append(D.c.issue_date >= self.date_from)
        if self.date_to:
            c.append(D.c.issue_date <= self.date_to)
        if self.customer_code:
            c.append(D.c.customer_code == self.customer_code)
        if self.recipient:
            if SIRET.fullmatch(self.recipient):  # a SIRET: the index, not a scan of every name
                c.append(D.c.recipient_siret == self.recipient)
            else:
                c.append(
                    (D.c.recipient_siret == self.recipient)
                    | D.c.recipient_name.icontains(self.recipient, autoescape=True)
                )
        if self.amount_min:
            c.append(D.c.total_with_vat >= Decimal(self.amount_min))
        if self.amount_max:
            c.append(D.c.total_with_vat <= Decimal(self.amount_max))
        if self.status:
            c.append(D.c.distribution_status == self.status.value)
        if self.chorus_status:
            c.append(D.c.chorus_status == self.chorus_status.value)
        if self.channel:
            c.append(D.c.distribution_channel == self.channel.value)
        return c

    def is_advanced(self) -> bool:
        return bool(self.document_criteria()) or self.provider is not None


def _label_clause(user: User) -> ColumnElement[bool]:
    return D.c.intake_metadata["label"].as_string() == user.label


def flow_scope(user: User) -> ColumnElement[bool]:
    """Flows ``user`` may see, as a WHERE clause on ``flows``."""
    clause: ColumnElement[bool] = true()
    if not user.sees_all_providers:
        clause = F.c.provider.in_(user.providers) if user.providers else false()
    if user.label:
        clause = and_(clause, exists().where(and_(D.c.flow_id == F.c.id, _label_clause(user))))
    return clause


def document_scope(user: User) -> ColumnElement[bool]:
    """Documents ``user`` may see within a visible flow (the label filter)."""
    return _label_clause(user) if user.label else true()


def flow_visible(user: User, flow: Flow) -> bool:
    if not user.sees_all_providers and flow.provider not in user.providers:
        return False
    return not user.label or any(document_visible(user, d) for d in flow.documents)


def document_visible(user: User, doc: Document) -> bool:
    return not user.label or (doc.intake_metadata or {}).get("label") == user.label


def _tab_clause(tab: Tab) -> ColumnElement[bool]:
    if tab is Tab.HISTORY:
        return F.c.in_history.is_(True)
    if tab is Tab.TO_CHECK:
        return and_(F.c.in_history.is_(False), to_check_clause())
    return F.c.in_history.is_(False)


def _search_clause(user: User, q: FlowQuery, *, tiles: bool = True) -> ColumnElement[bool]:
    parts = [flow_scope(user), _tab_clause(q.tab)]
    if tiles and q.stage:
        parts.append(F.c.stage == q.stage.value)
    if tiles and q.state:
        parts.append(F.c.state == q.state.value)
    if q.provider:
        parts.append(F.c.provider == q.provider)
    criteria = q.document_criteria()
    if criteria:
        # Uncorrelated IN: the matching documents are found once through their own
        # index, instead of probing every flow's documents (which grew with the table).
        parts.append(F.c.id.in_(select(D.c.flow_id).where(document_scope(user), *criteria)))
    return and_(*parts)


def search_flows(session: Session, user: User, q: FlowQuery) -> tuple[Sequence[Flow], int]:
    """One page of flows (newest first) and the total matching."""
    where = _search_clause(user, q)
    total = session.scalar(select(func.count()).select_from(F).where(where)) or 0
    stmt = (
        select(Flow)
        .where(where)
        .order_by(F.c.imported_at.desc(), F.c.id.desc())
        .limit(q.limit)
        .offset(q.offset)
        .options(selectinload(Flow.files), selectinload(Flow.documents))  # type: ignore[arg-type]
    )
    return session.scalars(stmt).all(), total


def tab_counts(session: Session, user: User) -> dict[str, int]:
    """Flows per tab; ``to-check`` is the badge."""
    scope = flow_scope(user)
    return {
        tab.value: session.scalar(select(func.count()).select_from(F).where(and_(scope, _tab_clause(tab))))
        or 0
        for tab in Tab
    }


def tile_counts(session: Session, user: User, q: FlowQuery) -> dict[str, dict[str, int]]:
    """Flows per step and per status within the tab and search, ignoring the tiles themselves."""
    where = _search_clause(user, q, tiles=False)
    out: dict[str, dict[str, int]] = {
        "stage": {s.value: 0 for s in Stage},
        "state": {s.value: 0 for s in FlowState},
    }
    for column, key in ((F.c.stage, "stage"), (F.c.state, "state")):
        for value, count in session.execute(select(column, func.count()).where(where).group_by(column)):
            out[key][value] = count
    return out
