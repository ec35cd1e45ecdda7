"""Retrying after a person fixed the cause: a flow in error, or a document that failed to go.

Automatic retries stop after ``submit_max_attempts``; from there a person
decides. Retrying resets only what the fix concerns and goes through the
transition table like everything else, so the history shows who retried.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from chorusflow.core.entities import Document, Flow
from chorusflow.core.statuses import DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import transition
from chorusflow.pipeline import submissions as ledger
from chorusflow.storage import schema

__all__ = ["RetryError", "retry_document", "retry_flow"]


class RetryError(ValueError):
    pass


def _clear_error(flow: Flow) -> None:
    flow.error_stage = flow.error_type = flow.error_message = flow.error_resolution = None
    flow.error_at = None


def retry_flow(session: Session, flow: Flow, *, actor: str) -> None:
    """Run the stage that failed again (the caller then advances the flow)."""
    if flow.state is not FlowState.IN_ERROR:
        raise RetryError(f"Flow {flow.id} is not in error ({flow.stage.value}, {flow.state.value}).")
    stage = flow.stage
    if stage is Stage.PREPARATION:
        raise RetryError(
            "Nothing could be read from this flow's files: import corrected files as a new flow."
        )
    _clear_error(flow)
    if stage is Stage.DISTRIBUTION:
        for document in flow.documents:
            if document.distribution_status is DistributionStatus.IN_ERROR:
                retry_document(session, document, actor=actor, flow=flow)
        if flow.state is FlowState.IN_ERROR:
            transition(flow, (Stage.DISTRIBUTION, FlowState.RUNNING), actor=actor, comment="retry")
        return
    transition(flow, (stage, FlowState.RUNNING), actor=actor, comment="retry")


def retry_document(session: Session, document: Document, *, actor: str, flow: Flow | None = None) -> None:
    """Send a document that failed again: its submission goes back to pending."""
    if document.distribution_status is not DistributionStatus.IN_ERROR:
        raise RetryError(f"Document {document.id} is not in error.")
    row = ledger.submission_for(session, document.id or 0)
    if row is None:
        raise RetryError(f"Document {document.id} was never submitted; retry its flow instead.")
    session.execute(
        update(schema.submissions)
        .where(schema.submissions.c.id == row.id, schema.submissions.c.state == ledger.FAILED)
        .values(state=ledger.PENDING, attempts=0, last_error=None)
    )
    transition(document, DistributionStatus.IN_DISTRIBUTION, actor=actor, comment="retry")
    flow = flow or session.get(Flow, document.flow_id)
    if flow is not None and flow.stage is Stage.DISTRIBUTION and flow.state is not FlowState.WAITING:
        if flow.state is FlowState.IN_ERROR:
            _clear_error(flow)
        transition(flow, (Stage.DISTRIBUTION, FlowState.RUNNING), actor=actor, comment="retry")
        transition(flow, (Stage.DISTRIBUTION, FlowState.WAITING), actor=actor)
