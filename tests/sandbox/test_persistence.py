"""Restart persistence: flows, invoices, history, tokens and the clock survive a restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import builtin_seed
from tests.sandbox import invoices
from tests.sandbox.cpro_client import Cpro, deposit, report, settle

PLAIN = builtin_seed()["structures"][0]["siret"]


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    with SandboxServer(tmp_path) as server:
        client = Cpro(server)
        seller = server.credentials["supplier_siret"]
        done = deposit(client, invoices.ubl("P-1", seller, PLAIN), "p1.xml", "IN_DP_E1_UBL_INVOICE")
        settle(client, done)
        pending = deposit(client, invoices.ubl("P-2", seller, PLAIN), "p2.xml", "IN_DP_E1_UBL_INVOICE")
        headers = client.headers
        before = httpx.get(f"{server.base_url}/sandbox/health").json()["now"]
        client.close()
    with SandboxServer(tmp_path) as server:
        client = Cpro(server)
        client.headers = headers  # the token issued before the restart is still valid
        assert report(client, done)["etatCourantDepotFlux"] == "IN_INTEGRE"
        assert report(client, pending)["etatCourantDepotFlux"] != "IN_INTEGRE"
        assert settle(client, pending)["etatCourantDepotFlux"] == "IN_INTEGRE"
        numbers = {
            r["numeroFacture"] for r in client.call("factures/v1/rechercher/fournisseur", {})["listeFactures"]
        }
        assert numbers == {"P-1", "P-2"}
        assert httpx.get(f"{server.base_url}/sandbox/health").json()["now"] >= before
        assert (
            client.call("structures/v1/rechercher", {"structure": {"typeStructure": "PUBLIQUE"}})[
                "parametresRetour"
            ]["total"]
            == 17
        )  # the built-in directory is not loaded twice
        client.close()
