"""Fault injection over real sockets: latency, 5xx, 429, resets, token expiry, lost responses."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chorusflow.sandbox.faults import FaultError, effective_fault, validate_faults
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import builtin_seed
from tests.sandbox import invoices
from tests.sandbox.cpro_client import Cpro, b64

PLAIN = builtin_seed()["structures"][0]["siret"]
LIST_OP = "transverses/v1/recuperer/modedepot"


@pytest.fixture
def faults(server: SandboxServer) -> Iterator[callable]:
    def set_faults(config: dict, rng_seed: int | None = None) -> None:
        params = {"rng_seed": rng_seed} if rng_seed is not None else {}
        response = httpx.post(f"{server.base_url}/sandbox/admin/faults", json=config, params=params)
        assert response.status_code == 200, response.text

    yield set_faults
    set_faults({})


def test_patterns_merge_from_general_to_specific() -> None:
    config = validate_faults(
        {
            "*": {"latency_ms": 5, "error_rate": 0.1},
            "factures/deposer/*": {"error_rate": 0.5, "error_status": 503},
        }
    )
    assert effective_fault(config, "factures/deposer/flux") == {
        "latency_ms": 5,
        "error_rate": 0.5,
        "error_status": 503,
    }
    assert effective_fault(config, "structures/rechercher") == {"latency_ms": 5, "error_rate": 0.1}
    with pytest.raises(FaultError, match="rate"):
        validate_faults({"*": {"error_rate": 2}})


def test_latency(supplier: Cpro, faults) -> None:
    faults({"transverses/recuperer/modedepot": {"latency_ms": 300}})
    start = time.monotonic()
    supplier.call(LIST_OP, {})
    assert time.monotonic() - start >= 0.3


@pytest.mark.parametrize("status", [500, 503])
def test_error_status(supplier: Cpro, faults, status: int) -> None:
    faults({"transverses/*": {"error_rate": 1, "error_status": status}})
    assert supplier.raw(LIST_OP, {}).status_code == status


def test_rate_limit_with_retry_after(supplier: Cpro, faults) -> None:
    faults({"transverses/*": {"rate_limit_rate": 1, "retry_after_s": 7}})
    response = supplier.raw(LIST_OP, {})
    assert response.status_code == 429 and response.headers["retry-after"] == "7"


def test_connection_reset(supplier: Cpro, faults) -> None:
    faults({"transverses/*": {"reset_rate": 1}})
    with pytest.raises(httpx.TransportError):
        supplier.raw(LIST_OP, {})
    faults({})
    assert supplier.raw(LIST_OP, {}).status_code == 200


def test_token_expiry(supplier: Cpro, faults) -> None:
    faults({"transverses/*": {"token_ttl_s": 0}})
    response = supplier.raw(LIST_OP, {})
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["www-authenticate"]
    assert supplier.raw("structures/v1/rechercher", {}).status_code == 200  # other operations unaffected


def test_lost_response_commits_the_deposit(server: SandboxServer, supplier: Cpro, faults) -> None:
    seller = server.credentials["supplier_siret"]
    faults({"factures/deposer/*": {"lost_response_rate": 1}})
    with pytest.raises(httpx.TransportError):
        supplier.raw(
            "factures/v1/deposer/flux",
            {
                "fichierFlux": b64(invoices.ubl("LOST-1", seller, PLAIN)),
                "nomFichier": "lost.xml",
                "syntaxeFlux": "IN_DP_E1_UBL_INVOICE",
            },
        )
    faults({})
    supplier.advance(60)
    rows = supplier.call("factures/v1/rechercher/fournisseur", {"numeroFacture": "LOST-1"})["listeFactures"]
    assert len(rows) == 1 and rows[0]["numeroFluxDepot"].startswith("CPP")


def test_faults_replay_with_the_same_seed(supplier: Cpro, faults) -> None:
    def run() -> list[int]:
        faults({"transverses/*": {"error_rate": 0.5}}, rng_seed=3)
        return [supplier.raw(LIST_OP, {}).status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert {200, 500} == set(first)


def test_faults_file_at_start(tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_text(json.dumps({"oauth/token": {"error_rate": 1, "error_status": 503}}))
    with SandboxServer(tmp_path / "data", faults_file=path) as server:
        assert httpx.post(server.token_url, data={"grant_type": "client_credentials"}).status_code == 503
