"""What the tasks do, as plain functions (testable without a queue)."""

from __future__ import annotations

import logging
from datetime import timedelta

from chorusflow.context import HubContext
from chorusflow.pipeline import submissions as ledger
from chorusflow.pipeline.distribution import SubmitReport, submit_pending
from chorusflow.pipeline.runner import advance_flow, flows_to_advance
from chorusflow.providers.service import client_for, get_provider, list_providers

__all__ = ["advance", "reconcile", "submit_due", "submit_now"]

log = logging.getLogger(__name__)


def advance(ctx: HubContext, flow_id: int) -> None:
    where = advance_flow(ctx, flow_id)
    log.info("flow %s now at %s", flow_id, where)


def submit_now(
    ctx: HubContext, provider_name: str | None = None, *, only_auto: bool = False
) -> dict[str, dict]:
    """Submit due documents of one provider or all (``only_auto``: those with automatic submission on)."""
    results: dict[str, dict] = {}
    with ctx.sessions() as session:
        if provider_name:
            provider = get_provider(session, provider_name)
            if provider is None:
                raise LookupError(f"No provider named {provider_name!r} (see `chorusflow provider list`).")
            providers = [provider]
        else:
            providers = list(list_providers(session))
        for provider in providers:
            if only_auto and not provider.auto_submit:
                continue
            report: SubmitReport = submit_pending(
                ctx,
                session,
                provider,
                lambda p=provider: client_for(p, ctx.secrets, timeout_s=ctx.settings.chorus_timeout_seconds),
            )
            results[provider.name] = report.as_dict()
    return results


def submit_due(ctx: HubContext) -> None:
    log.info("automatic submission: %s", submit_now(ctx, only_auto=True))


def reconcile(ctx: HubContext) -> list[int]:
    """Expire dead leases; return flows a lost task left behind, to queue them again."""
    with ctx.sessions() as session:
        expired = ledger.expire_leases(
            session, uncertain_grace=timedelta(seconds=ctx.settings.submit_uncertain_grace_seconds)
        )
        session.commit()
        if expired:
            log.warning(
                "reconciler: %d submission lease(s) expired; they will be checked before resending", expired
            )
        return flows_to_advance(session)
