"""The allowed-transitions tables and the one transition function."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import (
    CHORUS_TRANSITIONS,
    DISTRIBUTION_TRANSITIONS,
    FLOW_TRANSITIONS,
    IllegalTransition,
    set_history,
    transition,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_flow() -> Flow:
    return Flow(submitter="alice", imported_at=T0)


def test_flow_walks_every_stage_and_records_each_move() -> None:
    flow = new_flow()
    path = [
        (Stage.PREPARATION, FlowState.RUNNING),
        (Stage.VALIDATION, FlowState.RUNNING),
        (Stage.VALIDATION, FlowState.WAITING),
        (Stage.VALIDATION, FlowState.RUNNING),
        (Stage.SIGNATURE, FlowState.RUNNING),
        (Stage.DISTRIBUTION, FlowState.RUNNING),
        (Stage.DISTRIBUTION, FlowState.DONE),
    ]
    for i, to in enumerate(path):
        transition(flow, to, actor="worker", at=T0.replace(minute=i + 1))
    assert (flow.stage, flow.state) == (Stage.DISTRIBUTION, FlowState.DONE)
    assert [e.to_value for e in flow.events] == [f"{s.value}:{st.value}" for s, st in path]
    assert flow.events[0].from_value == "import:running"
    assert all(e.entity == "flow" and e.actor == "worker" for e in flow.events)
    # end time of each stage, as the tracking screen shows them
    assert flow.stage_ended_at["import"] == T0.replace(minute=1).isoformat()
    assert flow.stage_ended_at["preparation"] == T0.replace(minute=2).isoformat()
    assert flow.stage_ended_at["distribution"] == T0.replace(minute=7).isoformat()


def test_optional_stage_can_be_skipped_but_never_gone_back_to_while_running() -> None:
    flow = new_flow()
    transition(flow, (Stage.DISTRIBUTION, FlowState.RUNNING), actor="w")  # signature off
    with pytest.raises(IllegalTransition):
        transition(flow, (Stage.VALIDATION, FlowState.RUNNING), actor="w")
    assert flow.stage is Stage.DISTRIBUTION and len(flow.events) == 1


def test_error_is_retried_from_same_or_earlier_stage() -> None:
    flow = new_flow()
    transition(flow, (Stage.PREPARATION, FlowState.RUNNING), actor="w")
    transition(flow, (Stage.PREPARATION, FlowState.IN_ERROR), actor="w", comment="XML_MALFORMED")
    assert flow.to_check
    transition(flow, (Stage.IMPORT, FlowState.RUNNING), actor="admin")
    assert not flow.to_check
    assert flow.events[1].comment == "XML_MALFORMED"


def test_same_value_is_refused() -> None:
    flow = new_flow()
    with pytest.raises(IllegalTransition):
        transition(flow, (Stage.IMPORT, FlowState.RUNNING), actor="w")
    doc = Document()
    transition(doc, DistributionStatus.PENDING_VALIDATION, actor="w")
    with pytest.raises(IllegalTransition):
        transition(doc, DistributionStatus.PENDING_VALIDATION, actor="w")


def test_document_generic_path_and_rejection() -> None:
    doc = Document(number="F1")
    for status in (
        DistributionStatus.PENDING_VALIDATION,
        DistributionStatus.ACCEPTED_IN_VALIDATION,
        DistributionStatus.SIGNING,
        DistributionStatus.IN_DISTRIBUTION,
        DistributionStatus.DISTRIBUTED,
    ):
        transition(doc, status, actor="w", at=T0)
    assert doc.distribution_status is DistributionStatus.DISTRIBUTED
    assert doc.status_updated_at == T0
    assert [e.from_value for e in doc.events][:2] == [None, "pending_validation"]
    other = Document(number="F2")
    transition(other, DistributionStatus.REJECTED_IN_VALIDATION, actor="w", comment="BR-CO-10")
    assert other.comment == "BR-CO-10"
    with pytest.raises(IllegalTransition):
        transition(other, DistributionStatus.DISTRIBUTED, actor="w")


def test_rejected_document_puts_flow_under_to_check() -> None:
    flow = new_flow()
    doc = Document(number="F1")
    flow.documents.append(doc)
    assert not flow.to_check
    transition(doc, DistributionStatus.REJECTED_IN_VALIDATION, actor="w")
    assert flow.to_check


def test_file_in_error_puts_flow_under_to_check_but_duplicate_does_not() -> None:
    flow = new_flow()
    flow.files.append(StoredFile("a.xml", 1, "x" * 64, "application/xml", "cii"))
    dup = StoredFile("b.xml", 1, "y" * 64, "application/xml", "unsupported")
    dup.error_type, dup.duplicate_of_flow_id = "DUPLICATE_FILE", 3
    flow.files.append(dup)
    assert not flow.to_check
    flow.files[0].error_type = "XML_MALFORMED"
    assert flow.to_check


def test_chorus_statuses_follow_the_platform() -> None:
    doc = Document(number="F1")
    for status in (
        ChorusStatus.DEPOSITED,
        ChorusStatus.MADE_AVAILABLE,
        ChorusStatus.SUSPENDED,
        ChorusStatus.COMPLETED,
        ChorusStatus.PAYMENT_ORDERED,  # optional steps skipped
        ChorusStatus.PAYMENT_ISSUED,
    ):
        transition(doc, status, actor="sync")
    assert doc.chorus_status is ChorusStatus.PAYMENT_ISSUED
    with pytest.raises(IllegalTransition):  # final
        transition(doc, ChorusStatus.REJECTED, actor="sync")
    rejected = Document(number="F2")
    transition(rejected, ChorusStatus.REJECTED_BY_CHORUS, actor="sync")
    with pytest.raises(IllegalTransition):
        transition(rejected, ChorusStatus.DEPOSITED, actor="sync")


def test_tables_cover_every_value() -> None:
    assert set(FLOW_TRANSITIONS) == {(s, st) for s in Stage for st in FlowState}
    assert set(DISTRIBUTION_TRANSITIONS) == {None, *DistributionStatus}
    assert set(CHORUS_TRANSITIONS) == {None, *ChorusStatus}
    assert len(DistributionStatus) == 7 and len(ChorusStatus) == 12


def test_history_is_logged_and_reversible() -> None:
    flow = new_flow()
    set_history(flow, True, actor="bob")
    assert flow.in_history and flow.events[-1].attribute == "history"
    with pytest.raises(IllegalTransition):
        set_history(flow, True, actor="bob")
    set_history(flow, False, actor="bob")
    assert not flow.in_history and len(flow.events) == 2


def test_wrong_target_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        transition(new_flow(), DistributionStatus.SIGNING, actor="w")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        transition(Document(), (Stage.IMPORT, FlowState.DONE), actor="w")  # type: ignore[arg-type]
