"""Moves a prepared flow through Validation, Signature and Distribution.

``advance_flow`` is what the queue runs for a flow id. It looks only at the
flow's stage and state in the database, so running it twice, late, or after
a crash is harmless: a stage already done is not done again, and a flow
waiting for a person or for the next submission run is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.context import HubContext
from chorusflow.core.entities import Flow
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import FlowState, Stage
from chorusflow.core.transitions import transition
from chorusflow.pipeline.distribution import open_submissions
from chorusflow.pipeline.preparation_rules import apply_preparation_rules
from chorusflow.pipeline.signature_stage import run_signature
from chorusflow.pipeline.validation_stage import run_validation
from chorusflow.providers.directory import CachedDirectory
from chorusflow.providers.service import client_for, get_provider, list_providers
from chorusflow.storage import schema

__all__ = ["advance_flow", "flows_to_advance", "resolve_provider"]

log = logging.getLogger(__name__)
ACTOR = "pipeline"


def resolve_provider(session: Session, flow: Flow) -> Provider | None:
    """The flow's provider: named at intake, else the one whose SIRET issued its invoices,
    else the only provider configured."""
    if flow.provider:
        return get_provider(session, flow.provider)
    providers: Sequence[Provider] = list_providers(session)
    sirets = {d.supplier_siret for d in flow.documents if d.supplier_siret}
    matching = [p for p in providers if p.siret in sirets]
    chosen = matching[0] if len(matching) == 1 else (providers[0] if len(providers) == 1 else None)
    if chosen is not None:
        flow.provider = chosen.name
    return chosen


def advance_flow(
    ctx: HubContext, flow_id: int, *, client_factory: Callable[[Provider], ChorusClient] | None = None
) -> tuple[str, str] | None:
    """Run every stage that is due for this flow; returns where it stopped."""
    make_client = client_factory or (
        lambda p: client_for(p, ctx.secrets, timeout_s=ctx.settings.chorus_timeout_seconds)
    )
    with ctx.sessions() as session:
        flow = session.get(Flow, flow_id)
        if flow is None:
            return None
        provider = resolve_provider(session, flow)
        for _ in range(6):  # at most one pass per stage
            position = (flow.stage, flow.state)
            if position in ((Stage.PREPARATION, FlowState.DONE), (Stage.VALIDATION, FlowState.RUNNING)):
                if provider is not None and position[0] is Stage.PREPARATION:
                    apply_preparation_rules(ctx, session, flow, provider)
                directory = (
                    CachedDirectory(session, provider.id or 0, lambda p=provider: make_client(p))
                    if provider is not None
                    else None
                )
                try:
                    run_validation(ctx, session, flow, provider=provider, directory=directory)
                finally:
                    if directory is not None:
                        directory.close()
            elif position == (Stage.SIGNATURE, FlowState.RUNNING):
                run_signature(ctx, session, flow, provider)
            elif position == (Stage.DISTRIBUTION, FlowState.RUNNING):
                if provider is None:
                    _no_provider(flow)
                else:
                    open_submissions(session, flow, provider)
            else:
                break
            session.commit()
        session.commit()
        return flow.stage.value, flow.state.value


def _no_provider(flow: Flow) -> None:
    flow.error_stage, flow.error_type = Stage.DISTRIBUTION.value, "NO_PROVIDER"
    flow.error_message = "No provider (supplier establishment) is configured for this flow's invoices."
    flow.error_resolution = (
        "Add the provider with `chorusflow provider add` (or in Configuration > Providers), "
        "then retry the flow."
    )
    transition(flow, (Stage.DISTRIBUTION, FlowState.IN_ERROR), actor=ACTOR, comment="NO_PROVIDER")


def flows_to_advance(session: Session, limit: int = 500) -> list[int]:
    """Flows a worker should pick up: the reconciler's safety net for lost queue tasks."""
    f = schema.flows
    due = (
        ((f.c.stage == Stage.PREPARATION.value) & (f.c.state == FlowState.DONE.value))
        | ((f.c.stage == Stage.VALIDATION.value) & (f.c.state == FlowState.RUNNING.value))
        | ((f.c.stage == Stage.SIGNATURE.value) & (f.c.state == FlowState.RUNNING.value))
        | ((f.c.stage == Stage.DISTRIBUTION.value) & (f.c.state == FlowState.RUNNING.value))
    )
    return list(session.scalars(select(f.c.id).where(due).order_by(f.c.id).limit(limit)))
