"""Catch the platform up with sandbox time: flow states, routing, recipient decisions.

Each flow and invoice carries ``due_at``, the sandbox time of its next
automatic step. :func:`run_due` replays every due step in time order and dates
each one at its own due time (not "now"), so the history is the same whether a
client polls every second or once a week of sandbox time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chorusflow.sandbox import lifecycle
from chorusflow.sandbox.simulator import MOTIFS, is_simulated, next_status

if TYPE_CHECKING:
    from chorusflow.sandbox.runtime import Sandbox

__all__ = ["FLOW_PENDING_STATES", "run_due", "schedule", "transition"]

#: The pending flow states, in order; the last step produces the verdict.
FLOW_PENDING_STATES = [
    "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP",
    "IN_TRAITE_SE_CPP",
    "IN_EN_ATTENTE_TRAITEMENT_CPP",
    "IN_EN_COURS_TRAITEMENT_CPP",
]

_MAX_STEPS = 100_000


def run_due(sandbox: Sandbox) -> int:
    store = sandbox.store
    now = sandbox.clock.now()
    done = 0
    with store.tx():
        while done < _MAX_STEPS:
            flow = store.one(
                "SELECT * FROM flows WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT 1",
                now,
            )
            invoice = store.one(
                "SELECT * FROM invoices WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT 1",
                now,
            )
            if flow is None and invoice is None:
                break
            if invoice is None or (flow is not None and flow["due_at"] <= invoice["due_at"]):
                _flow_step(sandbox, flow)
            else:
                _invoice_step(sandbox, invoice)
            done += 1
    return done


def _flow_step(sandbox: Sandbox, flow: dict[str, Any]) -> None:
    from chorusflow.sandbox.integration import integrate

    at = flow["due_at"]
    step = flow["step"] + 1
    if step < len(FLOW_PENDING_STATES):
        sandbox.store.update(
            "flows",
            flow["id"],
            {
                "state": FLOW_PENDING_STATES[step],
                "state_at": at,
                "step": step,
                "due_at": at + sandbox.scenario.flow_steps_s[step],
            },
        )
        return
    sandbox.store.update("flows", flow["id"], {"step": step, "due_at": None})
    integrate(sandbox, {**flow, "step": step}, at)


def _invoice_step(sandbox: Sandbox, invoice: dict[str, Any]) -> None:
    at = invoice["due_at"]
    status = invoice["status"]
    if status == "DEPOSEE":
        transition(sandbox, invoice, "EN_COURS_ACHEMINEMENT", lifecycle.PLATFORM, at)
        return
    if status == "EN_COURS_ACHEMINEMENT":
        transition(sandbox, invoice, "MISE_A_DISPOSITION", lifecycle.PLATFORM, at)
        return
    recipient = _recipient(sandbox, invoice)
    target = next_status(sandbox.scenario, sandbox.rng_seed, invoice, recipient) if recipient else None
    if target is None:
        sandbox.store.update("invoices", invoice["id"], {"due_at": None})
        return
    extra: dict[str, Any] = {}
    if target == "MANDATEE":
        extra["numero_dp_mandat"] = f"MDT{invoice['id']:09d}"
    transition(
        sandbox,
        invoice,
        target,
        lifecycle.RECIPIENT,
        at,
        comment=MOTIFS.get(target),
        actor_name=f"SIMULATEUR {recipient['designation']}",
        **extra,
    )


def _recipient(sandbox: Sandbox, invoice: dict[str, Any]) -> dict[str, Any] | None:
    if invoice["recipient_id"] is None:
        return None
    return sandbox.store.one("SELECT * FROM structures WHERE id = ?", invoice["recipient_id"])


def transition(
    sandbox: Sandbox,
    invoice: dict[str, Any],
    new: str,
    actor: str,
    at: float,
    comment: str | None = None,
    actor_name: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Move an invoice (checked by :mod:`lifecycle`) and schedule its next automatic step."""
    updated = lifecycle.move(sandbox.store, invoice, new, actor, at, comment, actor_name, **fields)
    due = schedule(sandbox, updated, at)
    sandbox.store.update("invoices", updated["id"], {"due_at": due})
    return {**updated, "due_at": due}


def schedule(sandbox: Sandbox, invoice: dict[str, Any], at: float) -> float | None:
    """When the invoice's next automatic step happens, or None if it waits for someone."""
    scenario = sandbox.scenario
    status = invoice["status"]
    if status == "DEPOSEE":
        return at + scenario.routing_steps_s[0]
    if status == "EN_COURS_ACHEMINEMENT":
        return at + scenario.routing_steps_s[1]
    if not is_simulated(scenario, _recipient(sandbox, invoice), invoice):
        return None
    if status in ("MISE_A_DISPOSITION", "COMPLETEE"):
        return at + scenario.first_decision_s
    if status in scenario.paid_path:
        return at + scenario.step_s
    return None
