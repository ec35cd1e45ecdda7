"""The running sandbox: its database, clock, faults and scenario, and the call prologue.

Every operation starts with :func:`begin`: it lets the platform catch up with
sandbox time (flows integrate, invoices are routed, the simulated recipients
act), then authenticates the caller and reads the JSON body. Catching up on
each request instead of in a background thread keeps runs deterministic: what
a client sees depends only on sandbox time, never on thread scheduling.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from chorusflow.sandbox.clock import SandboxClock
from chorusflow.sandbox.envelope import read_body
from chorusflow.sandbox.gateway import Account, authenticate, require_role
from chorusflow.sandbox.scenario import Scenario
from chorusflow.sandbox.store import Store

__all__ = ["Call", "Sandbox", "begin"]


@dataclass
class Sandbox:
    store: Store
    clock: SandboxClock
    scenario: Scenario
    rng_seed: int = 0
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    fault_rng: random.Random = field(default_factory=random.Random)

    def tick(self) -> int:
        """Run every platform and recipient step that is due; returns how many ran."""
        from chorusflow.sandbox.engine import run_due

        return run_due(self)


@dataclass(frozen=True, slots=True)
class Call:
    sandbox: Sandbox
    account: Account
    body: dict[str, Any]

    @property
    def store(self) -> Store:
        return self.sandbox.store

    @property
    def now(self) -> float:
        return self.sandbox.clock.now()


async def begin(request: Request, operation: str, role: str | None = None) -> Call:
    """Catch up, authenticate, check the role and read the body of one API call."""
    sandbox: Sandbox = request.app.state.sandbox
    sandbox.tick()
    fault = request.scope.get("sandbox.fault") or {}
    account = authenticate(request, fault.get("token_ttl_s"))
    if role is not None:
        require_role(account, role, operation)
    body = await read_body(request)
    return Call(sandbox=sandbox, account=account, body=body)
