"""The sandbox application: a local Chorus Pro behind a PISTE-like gateway.

:func:`create_app` wires the pieces: the SQLite store in ``data_dir``, the
directory (seed file, or the built-in one on first start), the scenario, the
faults, the clock, and the API families under ``/cpro/<family>/v1``. It is a
separate application from the hub and imports nothing of it but the pure core.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from chorusflow.sandbox import (
    admin,
    factures_deposit,
    factures_recipient,
    factures_supplier,
    flow_reports,
    gateway,
    history,
    structures,
    transverses,
)
from chorusflow.sandbox.clock import SandboxClock
from chorusflow.sandbox.envelope import ApiError, CproJSON
from chorusflow.sandbox.faults import FaultMiddleware, load_faults
from chorusflow.sandbox.gateway import MAX_REQUEST_BYTES, GatewayError
from chorusflow.sandbox.runtime import Sandbox
from chorusflow.sandbox.scenario import Scenario
from chorusflow.sandbox.seed import apply_seed, builtin_seed, load_seed_file
from chorusflow.sandbox.store import Store

__all__ = ["create_app"]


class GatewayChecks:
    """What PISTE refuses before Chorus Pro sees the call: wrong content type (415), huge bodies (413)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/cpro/") and scope["method"] == "POST":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            length = headers.get("content-length", "0")
            if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
                await CproJSON({"codeRetour": 413, "libelle": "Request Entity Too Large"}, status_code=413)(
                    scope, receive, send
                )
                return
            content_type = headers.get("content-type", "").lower()
            if "application/json" not in content_type:
                await CproJSON(
                    {
                        "codeRetour": 415,
                        "libelle": "Unsupported Media Type: send "
                        "Content-Type: application/json;charset=utf-8",
                    },
                    status_code=415,
                )(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _initial_scenario(store: Store, seed: dict | None) -> Scenario:
    if seed and isinstance(seed.get("scenario"), dict):
        scenario = Scenario.from_dict(seed["scenario"])
        store.set_meta("scenario", json.dumps(scenario.to_dict()))
        return scenario
    saved = store.get_meta("scenario")
    return Scenario.from_dict(json.loads(saved)) if saved else Scenario()


def create_app(
    data_dir: Path,
    seed_file: Path | None = None,
    faults_file: Path | None = None,
    *,
    time_factor: float = 1.0,
    rng_seed: int = 0,
) -> FastAPI:
    """Build the sandbox app; raises SeedError / FaultError / ScenarioError on bad input files."""
    store = Store(Path(data_dir))
    seed = load_seed_file(Path(seed_file)) if seed_file else None
    if seed is not None:
        apply_seed(store, seed)
    elif store.scalar("SELECT COUNT(*) FROM structures") == 0:
        apply_seed(store, builtin_seed())
    sandbox = Sandbox(
        store=store,
        clock=SandboxClock(store, time_factor),
        scenario=_initial_scenario(store, seed),
        rng_seed=rng_seed,
        faults=load_faults(Path(faults_file)) if faults_file else {},
        fault_rng=random.Random(rng_seed),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        sandbox.clock.persist()

    app = FastAPI(
        title="Chorus Pro sandbox",
        docs_url="/sandbox/docs",
        openapi_url="/sandbox/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    for module in (
        gateway,
        transverses,
        flow_reports,
        structures,
        factures_deposit,
        factures_supplier,
        factures_recipient,
        history,
        admin,
    ):
        app.include_router(module.router)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return exc.response()

    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> Response:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        label = "API non trouvée" if exc.status_code == 404 else str(exc.detail)
        return CproJSON({"codeRetour": exc.status_code, "libelle": label}, status_code=exc.status_code)

    app.add_middleware(GatewayChecks)
    app.add_middleware(FaultMiddleware, sandbox=sandbox)
    return app
