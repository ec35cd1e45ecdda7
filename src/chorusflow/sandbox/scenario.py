"""How fast the simulated platform and recipients move, and what recipients decide.

Delays are in sandbox seconds (see :mod:`chorusflow.sandbox.clock`); shares
are probabilities drawn from a generator seeded per invoice, so the same seed
and the same deposits always give the same story. A scenario comes from the
seed file's optional ``scenario`` object or from the admin endpoint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Scenario", "ScenarioError"]

PAID_PATH = ["PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"]


class ScenarioError(ValueError):
    """A scenario field has the wrong type or value; the message names it."""


@dataclass
class Scenario:
    #: Delays between the flow states (pending states then the final verdict).
    flow_steps_s: list[float] = field(default_factory=lambda: [5.0, 5.0, 10.0, 10.0])
    #: DEPOSEE → EN_COURS_ACHEMINEMENT → MISE_A_DISPOSITION.
    routing_steps_s: list[float] = field(default_factory=lambda: [10.0, 20.0])
    #: Whether simulated recipients act at all.
    recipients_enabled: bool = True
    #: Also act for recipients that have a technical user (normally they act through traiter/recue).
    drive_api_recipients: bool = False
    #: Delay from MISE_A_DISPOSITION (or COMPLETEE) to the recipient's first decision.
    first_decision_s: float = 120.0
    #: Delay between the statuses of the payment path.
    step_s: float = 120.0
    #: Shares of the recipient's first decision; whatever is left goes to "paid".
    share_recycle: float = 0.1
    share_suspend: float = 0.1
    share_reject: float = 0.05
    #: Statuses the paid path goes through (MISE_EN_PAIEMENT is skipped for structures
    #: with statutMiseEnPaiementNestPasRemonte).
    paid_path: list[str] = field(default_factory=lambda: list(PAID_PATH))

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Scenario:
        scenario = cls()
        if not data:
            return scenario
        if not isinstance(data, dict):
            raise ScenarioError("the scenario must be a JSON object")
        known = {f.name for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                continue
            setattr(scenario, key, value)
        scenario.check()
        return scenario

    def check(self) -> None:
        for name in ("flow_steps_s", "routing_steps_s"):
            value = getattr(self, name)
            expected = 4 if name == "flow_steps_s" else 2
            if (
                not isinstance(value, list)
                or len(value) != expected
                or any(not isinstance(v, int | float) or v < 0 for v in value)
            ):
                raise ScenarioError(f"scenario.{name} must be a list of {expected} delays >= 0 (seconds)")
        for name in ("first_decision_s", "step_s"):
            if not isinstance(getattr(self, name), int | float) or getattr(self, name) < 0:
                raise ScenarioError(f"scenario.{name} must be a number of seconds >= 0")
        shares = [self.share_recycle, self.share_suspend, self.share_reject]
        if any(not isinstance(s, int | float) or not 0 <= s <= 1 for s in shares) or sum(shares) > 1:
            raise ScenarioError("scenario shares must be between 0 and 1 and add up to at most 1")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
