"""Human approval in the Validation stage (per provider, seed 000 "Name of validator").

Documents wait in "Pending validation"; a person approves or rejects one or
many at once, with a comment. The validator's name is kept on the flow, and
once a flow has no document left pending it moves on by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chorusflow.core.entities import Document, Flow
from chorusflow.core.statuses import DistributionStatus
from chorusflow.core.transitions import transition
from chorusflow.pipeline.validation_stage import advance_after_validation
from chorusflow.providers.service import get_provider

__all__ = ["ApprovalError", "approve_documents", "reject_documents"]


class ApprovalError(ValueError):
    """A decision that cannot be taken; ``document_ids`` names the documents concerned."""

    def __init__(self, message: str, document_ids: Sequence[int]) -> None:
        super().__init__(message)
        self.document_ids = list(document_ids)


@dataclass(frozen=True)
class Decision:
    document_id: int
    flow_id: int
    status: str


def _pending(session: Session, document_ids: Iterable[int]) -> list[Document]:
    ids = list(dict.fromkeys(document_ids))
    docs = [session.get(Document, i) for i in ids]
    missing = [i for i, d in zip(ids, docs, strict=True) if d is None]
    if missing:
        raise ApprovalError(f"No document with id {', '.join(map(str, missing))}.", missing)
    not_pending = [
        d.id for d in docs if d and d.distribution_status is not DistributionStatus.PENDING_VALIDATION
    ]
    if not_pending:
        raise ApprovalError(
            f"Document(s) {', '.join(map(str, not_pending))} are not pending validation; nothing changed.",
            [i for i in not_pending if i is not None],
        )
    return [d for d in docs if d is not None]


def _decide(
    session: Session, document_ids: Iterable[int], status: DistributionStatus, actor: str, comment: str | None
) -> list[Decision]:
    docs = _pending(session, document_ids)  # all or nothing: checked before any change
    flows: dict[int, Flow] = {}
    for doc in docs:
        transition(doc, status, actor=actor, comment=comment)
        flow = session.get(Flow, doc.flow_id)
        assert flow is not None
        flow.validator_name = actor
        flows[flow.id or 0] = flow
    for flow in flows.values():
        provider = get_provider(session, flow.provider) if flow.provider else None
        advance_after_validation(flow, provider, actor=actor)
    return [Decision(d.id or 0, d.flow_id or 0, status.value) for d in docs]


def approve_documents(
    session: Session, document_ids: Iterable[int], *, actor: str, comment: str | None = None
) -> list[Decision]:
    """Accept pending documents; their flows continue when nothing is left pending."""
    return _decide(session, document_ids, DistributionStatus.ACCEPTED_IN_VALIDATION, actor, comment)


def reject_documents(
    session: Session, document_ids: Iterable[int], *, actor: str, comment: str | None = None
) -> list[Decision]:
    """Reject pending documents (their flows then show under To check)."""
    if not comment:
        raise ApprovalError("A rejection needs a comment saying why, for the supplier to fix it.", [])
    return _decide(session, document_ids, DistributionStatus.REJECTED_IN_VALIDATION, actor, comment)
