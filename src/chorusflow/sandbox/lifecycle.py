"""The invoice state machine: which status may follow which, and who may move it.

Three actors move invoices: the platform (deposit and routing), the recipient
(processing statuses through ``traiter/recue`` or the simulator) and the
supplier (``soumettre``, ``recycler``, ``completer``). The reference notes the
real platform does not enforce an order among the recipient's processing
statuses, so neither does the sandbox; what it does enforce is who acts when:
a recipient cannot touch an invoice that is not yet available to it or that
waits for the supplier, and nothing leaves MISE_EN_PAIEMENT or REJETEE.
Every move is written to ``history`` for ``consulter/historique``.
"""

from __future__ import annotations

from typing import Any

from chorusflow.sandbox.store import Store

__all__ = [
    "MOTIF_REQUIRED",
    "RECIPIENT_VISIBLE",
    "TERMINAL",
    "LifecycleError",
    "move",
    "recipient_targets",
    "record_action",
    "start",
]

PLATFORM, RECIPIENT, SUPPLIER = "platform", "recipient", "supplier"
INVOICE_ID_BASE = 1_000_001

#: Statuses from which the recipient may process the invoice.
RECIPIENT_ACTIONABLE = frozenset(
    {
        "MISE_A_DISPOSITION",
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "SERVICE_FAIT",
        "MANDATEE",
        "MISE_A_DISPOSITION_COMPTABLE",
        "COMPTABILISEE",
        "COMPLETEE",
    }
)

#: The targets AIFE's own example lists from MISE_A_DISPOSITION, in its order, then the
#: two processing statuses other sources add.
_TARGETS = [
    "MISE_A_DISPOSITION",
    "SUSPENDUE",
    "REJETEE",
    "MANDATEE",
    "MISE_EN_PAIEMENT",
    "COMPTABILISEE",
    "MISE_A_DISPOSITION_COMPTABLE",
    "A_RECYCLER",
    "PRISE_EN_COMPTE_DESTINATAIRE",
    "SERVICE_FAIT",
]

TERMINAL = frozenset({"MISE_EN_PAIEMENT", "REJETEE", "SUPPRIMEE", "ABANDONNEE"})
MOTIF_REQUIRED = frozenset({"REJETEE", "SUSPENDUE"})

#: Statuses in which an invoice shows up on the recipient side.
RECIPIENT_VISIBLE = frozenset(
    RECIPIENT_ACTIONABLE | {"MISE_EN_PAIEMENT", "A_RECYCLER", "SUSPENDUE", "REJETEE"}
)

#: Moves reserved to the platform and the supplier: (from, to) → actor.
_FIXED_MOVES = {
    ("INTERPRETEE_OCR", "DEPOSEE"): SUPPLIER,
    ("DEPOSEE", "EN_COURS_ACHEMINEMENT"): PLATFORM,
    ("EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION"): PLATFORM,
    ("A_RECYCLER", "DEPOSEE"): SUPPLIER,
    ("SUSPENDUE", "COMPLETEE"): SUPPLIER,
}


class LifecycleError(Exception):
    """A move that the actor may not make from the current status."""


def recipient_targets(current: str) -> list[str]:
    """What ``recuperer/etats/traitement`` offers a recipient from ``current``."""
    return list(_TARGETS) if current in RECIPIENT_ACTIONABLE else []


def check(current: str, new: str, actor: str) -> None:
    if actor == RECIPIENT:
        if new not in recipient_targets(current):
            raise LifecycleError(
                f"a recipient may not move an invoice from {current} to {new}"
                + (
                    ""
                    if current in RECIPIENT_ACTIONABLE
                    else f" ({current} is not for the recipient to act on)"
                )
            )
        return
    owner = _FIXED_MOVES.get((current, new))
    if owner != actor:
        raise LifecycleError(f"the {actor} may not move an invoice from {current} to {new}")


def move(
    store: Store,
    invoice: dict[str, Any],
    new: str,
    actor: str,
    at: float,
    comment: str | None = None,
    actor_name: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Check and apply one status change, record it, and return the updated row."""
    check(invoice["status"], new, actor)
    values = {"status": new, "status_at": at, "status_comment": comment, **fields}
    store.update("invoices", invoice["id"], values)
    store.insert(
        "history",
        {
            "invoice_id": invoice["id"],
            "status": new,
            "at": at,
            "comment": comment,
            "actor": actor_name or actor,
        },
    )
    return {**invoice, **values}


def record_action(store: Store, invoice_id: int, code: str, at: float, actor: str) -> None:
    """User actions (downloads, acknowledgements) shown in historiquesDesActionsUtilisateurs."""
    store.insert("actions", {"invoice_id": invoice_id, "code": code, "at": at, "actor": actor})


def start(store: Store, values: dict[str, Any], at: float, actor: str) -> int:
    """Create an invoice in its first status (DEPOSEE or INTERPRETEE_OCR) and record it."""
    invoice_id = store.next_counter("invoice", INVOICE_ID_BASE)
    store.insert("invoices", {"id": invoice_id, **values, "status_at": at, "deposited_at": at})
    store.insert(
        "history",
        {"invoice_id": invoice_id, "status": values["status"], "at": at, "comment": None, "actor": actor},
    )
    return invoice_id
