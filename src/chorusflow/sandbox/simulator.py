"""The simulated recipients: what a public body decides about an invoice, and when.

A real recipient processes invoices days later and sometimes sends them back.
The simulator plays that part for every recipient without a technical user
(recipients with one act through ``traiter/recue``; see the scenario's
``drive_api_recipients``). Each decision is drawn from a generator seeded with
``(rng_seed, invoice id, cycle)``, so it does not depend on the order in which
invoices happen to be processed, and a replayed run tells the same story.
"""

from __future__ import annotations

import random
from typing import Any

from chorusflow.sandbox.scenario import Scenario

__all__ = ["MOTIFS", "is_simulated", "next_status"]

MOTIFS = {
    "SUSPENDUE": "Pièce justificative manquante : joindre le bon de livraison signé",
    "A_RECYCLER": "Code service erroné : la facture doit être adressée au service gestionnaire",
    "REJETEE": "Montant facturé non conforme au bon de commande",
}


def is_simulated(scenario: Scenario, recipient: dict[str, Any] | None, invoice: dict[str, Any]) -> bool:
    if not scenario.recipients_enabled or recipient is None or invoice["manual"]:
        return False
    return scenario.drive_api_recipients or not recipient["tech_login"]


def first_decision(scenario: Scenario, rng_seed: int, invoice: dict[str, Any]) -> str:
    """The recipient's first move from MISE_A_DISPOSITION, drawn once per cycle."""
    if invoice["sim_cycle"] > 0:
        return scenario.paid_path[0]
    draw = random.Random(f"{rng_seed}:{invoice['id']}:{invoice['sim_cycle']}").random()
    edge = scenario.share_reject
    if draw < edge:
        return "REJETEE"
    edge += scenario.share_suspend
    if draw < edge:
        return "SUSPENDUE"
    edge += scenario.share_recycle
    if draw < edge:
        return "A_RECYCLER"
    return scenario.paid_path[0]


def next_status(
    scenario: Scenario, rng_seed: int, invoice: dict[str, Any], recipient: dict[str, Any]
) -> str | None:
    """The next status the simulated recipient sets, or None when it has nothing more to do."""
    path = [
        s for s in scenario.paid_path if not (s == "MISE_EN_PAIEMENT" and recipient["payment_not_reported"])
    ]
    status = invoice["status"]
    if status == "MISE_A_DISPOSITION":
        return first_decision(scenario, rng_seed, invoice)
    if status == "COMPLETEE":
        return path[0] if path else None
    if status in path:
        index = path.index(status)
        return path[index + 1] if index + 1 < len(path) else None
    return None
