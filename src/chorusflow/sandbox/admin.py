"""Admin endpoints (``/sandbox/...``) for tests and demos: faults, clock, scenario.

They are not part of the Chorus Pro API and need no token: the sandbox is a
local test double, bound to loopback by default. Changing faults re-seeds
the fault generator when ``rng_seed`` is given, so a test can replay a run.
"""

from __future__ import annotations

import json
import random
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from chorusflow.sandbox.clock import fmt_iso
from chorusflow.sandbox.faults import FaultError, validate_faults
from chorusflow.sandbox.scenario import Scenario, ScenarioError

__all__ = ["default_credentials", "router"]

router = APIRouter(prefix="/sandbox")


def default_credentials(store: Any) -> dict[str, Any]:
    """The OAuth client and technical users a client can start with."""
    client = store.one("SELECT * FROM oauth_clients ORDER BY rowid LIMIT 1") or {}
    supplier = (
        store.one(
            "SELECT * FROM structures WHERE type_structure = 'PRIVEE' AND statut = 'ACTIF' "
            "AND tech_login IS NOT NULL ORDER BY id LIMIT 1"
        )
        or {}
    )
    recipient = (
        store.one(
            "SELECT * FROM structures WHERE type_structure = 'PUBLIQUE' AND statut = 'ACTIF' "
            "AND tech_login IS NOT NULL ORDER BY id LIMIT 1"
        )
        or {}
    )
    return {
        "client_id": client.get("client_id"),
        "client_secret": client.get("client_secret"),
        "login": supplier.get("tech_login"),
        "password": supplier.get("tech_password"),
        "supplier_siret": supplier.get("siret"),
        "supplier_id": supplier.get("id"),
        "recipient_login": recipient.get("tech_login"),
        "recipient_password": recipient.get("tech_password"),
        "recipient_siret": recipient.get("siret"),
        "recipient_id": recipient.get("id"),
    }


async def _json(request: Request) -> Any:
    raw = await request.body()

    try:
        return json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise FaultError(f"the body is not valid JSON: {exc}") from exc


def _error(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    return {"status": "ok", "now": fmt_iso(request.app.state.sandbox.clock.now())}


@router.get("/admin/credentials")
async def credentials(request: Request) -> dict[str, Any]:
    return default_credentials(request.app.state.sandbox.store)


@router.get("/admin/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    return request.app.state.sandbox.faults


@router.post("/admin/faults", response_model=None)
async def set_faults(request: Request) -> dict[str, Any] | JSONResponse:
    """Replace the faults; ``?rng_seed=N`` also restarts the fault generator from N."""
    sandbox = request.app.state.sandbox
    try:
        sandbox.faults = validate_faults(await _json(request))
    except FaultError as exc:
        return _error(str(exc))
    seed = request.query_params.get("rng_seed")
    if seed is not None:
        sandbox.fault_rng = random.Random(int(seed))
    return sandbox.faults


@router.get("/admin/scenario")
async def get_scenario(request: Request) -> dict[str, Any]:
    return request.app.state.sandbox.scenario.to_dict()


@router.post("/admin/scenario", response_model=None)
async def set_scenario(request: Request) -> dict[str, Any] | JSONResponse:
    sandbox = request.app.state.sandbox
    try:
        data = await _json(request)
        scenario = Scenario.from_dict({**sandbox.scenario.to_dict(), **data})
    except (ScenarioError, FaultError) as exc:
        return _error(str(exc))
    sandbox.scenario = scenario

    sandbox.store.set_meta("scenario", json.dumps(scenario.to_dict()))
    return scenario.to_dict()


@router.post("/admin/clock/advance", response_model=None)
async def advance(request: Request) -> dict[str, Any] | JSONResponse:
    """Move sandbox time forward by ``{"seconds": N}`` and run what became due."""
    data = await _json(request)
    seconds = data.get("seconds") if isinstance(data, dict) else None
    if not isinstance(seconds, int | float) or seconds < 0:
        return _error('send {"seconds": N} with N >= 0')
    sandbox = request.app.state.sandbox
    now = sandbox.clock.advance(float(seconds))
    steps = sandbox.tick()
    return {"now": fmt_iso(now), "steps": steps}


@router.post("/admin/tick")
async def tick(request: Request) -> dict[str, Any]:
    """Run every due platform and simulator step now."""
    sandbox = request.app.state.sandbox
    return {"now": fmt_iso(sandbox.clock.now()), "steps": sandbox.tick()}
