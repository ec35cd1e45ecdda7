"""Queries behind the tracking tabs (Active, To check, History) and flow details."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from chorusflow.core.entities import Document, Event, Flow, StoredFile
from chorusflow.core.statuses import DistributionStatus, FlowState
from chorusflow.storage import schema

__all__ = ["Tab", "count_tab", "find_original", "flow_events", "get_flow", "list_flows", "to_check_clause"]


class Tab(StrEnum):
    ACTIVE = "active"
    TO_CHECK = "to-check"
    HISTORY = "history"


def to_check_clause() -> ColumnElement[bool]:
    """SQL form of :attr:`Flow.to_check`, so the badge is one indexed query.

    Uncorrelated ``IN`` subqueries rather than ``EXISTS``: each is computed
    once from a small index (rejected documents, files in error) instead of
    probing documents and files for every active flow, which made the badge
    grow with the whole table (see docs/benchmarks.md, Tracking queries).
    """
    f, d, fl = schema.flows, schema.documents, schema.files
    rejected = select(d.c.flow_id).where(
        d.c.distribution_status == DistributionStatus.REJECTED_IN_VALIDATION.value
    )
    file_error = select(fl.c.flow_id).where(fl.c.error_type.is_not(None), fl.c.duplicate_of_flow_id.is_(None))
    return or_(f.c.state == FlowState.IN_ERROR.value, f.c.id.in_(rejected), f.c.id.in_(file_error))


def _tab_clause(tab: Tab) -> ColumnElement[bool]:
    f = schema.flows
    if tab is Tab.HISTORY:
        return f.c.in_history.is_(True)
    if tab is Tab.TO_CHECK:
        return and_(f.c.in_history.is_(False), to_check_clause())
    return f.c.in_history == false()


def list_flows(
    session: Session, tab: Tab = Tab.ACTIVE, *, limit: int = 100, offset: int = 0
) -> Sequence[Flow]:
    stmt = (
        select(Flow)
        .where(_tab_clause(tab))
        .order_by(schema.flows.c.imported_at.desc(), schema.flows.c.id.desc())
        .limit(limit)
        .offset(offset)
        .options(selectinload(Flow.files), selectinload(Flow.documents))  # type: ignore[arg-type]
    )
    return session.scalars(stmt).all()


def count_tab(session: Session, tab: Tab) -> int:
    return session.scalar(select(func.count()).select_from(schema.flows).where(_tab_clause(tab))) or 0


def get_flow(session: Session, flow_id: int) -> Flow | None:
    return session.get(Flow, flow_id)


def find_original(session: Session, sha256: str) -> StoredFile | None:
    """The first non-duplicate file with this content, if one was imported before."""
    stmt = (
        select(StoredFile)
        .where(schema.files.c.sha256 == sha256, schema.files.c.duplicate_of_flow_id.is_(None))
        .order_by(schema.files.c.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def flow_events(session: Session, flow: Flow) -> Sequence[Event]:
    """The flow's own events and those of its documents, oldest first."""
    doc_ids = select(schema.documents.c.id).where(schema.documents.c.flow_id == flow.id)
    stmt = (
        select(Event)
        .where(or_(schema.events.c.flow_id == flow.id, schema.events.c.document_id.in_(doc_ids)))
        .order_by(schema.events.c.id)
    )
    return session.scalars(stmt).all()


def get_document(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)
