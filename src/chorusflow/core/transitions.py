"""The one place where a flow or document changes status.

Every change goes through :func:`transition`, which refuses a move the tables
below do not allow and appends an :class:`~chorusflow.core.entities.Event`:
the history is then complete by construction, and a bug that would skip a
stage shows up as an :class:`IllegalTransition` instead of a silent jump.

The tables are data, not code, so ``docs/architecture.md`` and the tests can
read them directly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chorusflow.core.entities import Document, Event, Flow
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage

__all__ = [
    "CHORUS_TRANSITIONS",
    "DISTRIBUTION_TRANSITIONS",
    "FLOW_TRANSITIONS",
    "IllegalTransition",
    "set_history",
    "transition",
]

S, F = Stage, FlowState
FlowPosition = tuple[Stage, FlowState]


class IllegalTransition(ValueError):
    """A status change the allowed-transitions table does not contain."""


def _flow_table() -> dict[FlowPosition, frozenset[FlowPosition]]:
    """Forward moves between stages, waits, errors and retries.

    A running stage may end in error, wait (approval, scheduled submission),
    hand over to any later stage (optional stages are skipped) or finish the
    flow. An error or a wait resumes the same stage; an error may also be
    retried from an earlier stage (re-run preparation after fixing mappings).
    """
    table: dict[FlowPosition, set[FlowPosition]] = {}
    stages = list(Stage)
    for i, stage in enumerate(stages):
        later = {(s, F.RUNNING) for s in stages[i + 1 :]}
        table[(stage, F.RUNNING)] = {(stage, F.IN_ERROR), (stage, F.WAITING), (stage, F.DONE), *later}
        table[(stage, F.WAITING)] = {(stage, F.RUNNING), (stage, F.IN_ERROR), (stage, F.DONE)}
        earlier = {(s, F.RUNNING) for s in stages[:i]}
        table[(stage, F.IN_ERROR)] = {(stage, F.RUNNING), (stage, F.DONE), *earlier}
        # A finished stage hands over to a later one; a finished flow re-opens
        # when a document is retried or re-routed.
        table[(stage, F.DONE)] = {(stage, F.RUNNING), *later}
    return {k: frozenset(v) for k, v in table.items()}


FLOW_TRANSITIONS = _flow_table()

D = DistributionStatus
#: Generic document statuses; ``None`` is a document not yet validated.
DISTRIBUTION_TRANSITIONS: dict[DistributionStatus | None, frozenset[DistributionStatus]] = {
    None: frozenset({D.PENDING_VALIDATION, D.ACCEPTED_IN_VALIDATION, D.REJECTED_IN_VALIDATION, D.IN_ERROR}),
    D.PENDING_VALIDATION: frozenset({D.ACCEPTED_IN_VALIDATION, D.REJECTED_IN_VALIDATION, D.IN_ERROR}),
    D.ACCEPTED_IN_VALIDATION: frozenset({D.SIGNING, D.IN_DISTRIBUTION, D.IN_ERROR}),
    D.SIGNING: frozenset({D.IN_DISTRIBUTION, D.IN_ERROR}),
    D.IN_DISTRIBUTION: frozenset({D.DISTRIBUTED, D.IN_ERROR}),
    # Re-routing (recycler) or completing sends a distributed document again.
    D.DISTRIBUTED: frozenset({D.IN_DISTRIBUTION, D.IN_ERROR}),
    # A rejected document may be re-validated once its data is fixed.
    D.REJECTED_IN_VALIDATION: frozenset({D.PENDING_VALIDATION, D.ACCEPTED_IN_VALIDATION}),
    D.IN_ERROR: frozenset(
        {D.PENDING_VALIDATION, D.ACCEPTED_IN_VALIDATION, D.REJECTED_IN_VALIDATION, D.IN_DISTRIBUTION}
    ),
}


def _chorus_table() -> dict[ChorusStatus | None, frozenset[ChorusStatus]]:
    """Chorus Pro statuses as the supplier sees them.

    Recipients may skip optional steps and a sync may miss intermediate
    statuses, so any forward move along the processing path is allowed; the
    side branches (suspension, re-routing, rejection) open from any
    non-final status. ``MISE_EN_PAIEMENT``, ``REJETEE`` and ``IN_REJETE`` end it.
    """
    c = ChorusStatus
    path = [
        c.DEPOSITED,
        c.MADE_AVAILABLE,
        c.TAKEN_INTO_ACCOUNT,
        c.PAYMENT_ORDERED,
        c.SENT_TO_ACCOUNTANT,
        c.ACCOUNTED,
        c.PAYMENT_ISSUED,
    ]
    branches = {c.SUSPENDED, c.TO_RECYCLE, c.REJECTED}
    table: dict[ChorusStatus | None, set[ChorusStatus]] = {None: {c.DEPOSITED, c.REJECTED_BY_CHORUS}}
    table[None] |= set(path[1:])  # a document imported already deposited elsewhere
    for i, status in enumerate(path[:-1]):
        table[status] = set(path[i + 1 :]) | branches
    table[c.DEPOSITED].add(c.REJECTED_BY_CHORUS)
    table[c.SUSPENDED] = {c.COMPLETED, c.REJECTED, c.TO_RECYCLE}
    table[c.COMPLETED] = set(path[1:]) | branches
    # Re-routed with the same number: Chorus deposits it again.
    table[c.TO_RECYCLE] = {c.DEPOSITED, c.MADE_AVAILABLE, c.REJECTED}
    for final in (c.PAYMENT_ISSUED, c.REJECTED, c.REJECTED_BY_CHORUS):
        table[final] = set()
    return {k: frozenset(v) for k, v in table.items()}


CHORUS_TRANSITIONS = _chorus_table()


def _now() -> datetime:
    return datetime.now(UTC)


def transition(
    entity: Flow | Document,
    to: FlowPosition | DistributionStatus | ChorusStatus,
    *,
    actor: str,
    comment: str | None = None,
    at: datetime | None = None,
) -> Event:
    """Move a flow (to a ``(stage, state)``) or a document (to a status), and log it.

    Raises :class:`IllegalTransition` when the table does not allow the move;
    a move to the current value is refused too, because it would write an
    event for nothing and usually means a task ran twice.
    """
    at = at or _now()
    if isinstance(entity, Flow):
        if not isinstance(to, tuple):
            raise TypeError("a flow moves to a (Stage, FlowState) pair")
        current = (entity.stage, entity.state)
        if to not in FLOW_TRANSITIONS[current]:
            raise IllegalTransition(f"flow {entity.id}: {_pos(current)} -> {_pos(to)} is not allowed")
        stage, state = to
        ended = dict(entity.stage_ended_at)  # a new dict, so the ORM sees the change
        if stage is not entity.stage:
            ended[entity.stage.value] = at.isoformat()
        if state is FlowState.DONE:
            ended[stage.value] = at.isoformat()
        entity.stage_ended_at = ended
        entity._stage, entity._state = stage.value, state.value
        event = Event("flow", "stage_state", _pos(current), _pos(to), actor, at, comment)
        entity.events.append(event)
        return event
    if isinstance(to, DistributionStatus):
        old = entity.distribution_status
        if to not in DISTRIBUTION_TRANSITIONS[old]:
            raise IllegalTransition(f"document {entity.id}: {old} -> {to.value} is not allowed")
        entity._distribution_status = to.value
        attribute = "distribution_status"
    elif isinstance(to, ChorusStatus):
        old = entity.chorus_status
        if to not in CHORUS_TRANSITIONS[old]:
            raise IllegalTransition(f"document {entity.id}: {old} -> {to.value} is not allowed")
        entity._chorus_status = to.value
        attribute = "chorus_status"
    else:
        raise TypeError("a document moves to a DistributionStatus or a ChorusStatus")
    if comment is not None:
        entity.comment = comment
    entity.status_updated_at = at
    event = Event("document", attribute, old.value if old else None, to.value, actor, at, comment)
    entity.events.append(event)
    return event


def set_history(flow: Flow, in_history: bool, *, actor: str, at: datetime | None = None) -> Event:
    """Move a flow to the History tab or back; logged like a status change."""
    if flow.in_history == in_history:
        raise IllegalTransition(f"flow {flow.id} is already {'in' if in_history else 'out of'} history")
    flow.in_history = in_history
    event = Event(
        "flow", "history", str(not in_history).lower(), str(in_history).lower(), actor, at or _now()
    )
    flow.events.append(event)
    return event


def _pos(position: FlowPosition) -> str:
    return f"{position[0].value}:{position[1].value}"
