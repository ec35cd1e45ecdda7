"""The client against the sandbox's injected faults: 5xx, resets, 429, lost responses, expiry."""

from __future__ import annotations

import time

import pytest

from chorusflow.chorus import ChorusTransientError, RetryPolicy
from chorusflow.chorus.models.factures import DepositFlowRequest, SupplierInvoiceSearchRequest

from .documents import json_invoice, ubl_invoice
from .helpers import FakeClock

FAST = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=2, max_total=120)


class FrozenClock(FakeClock):
    """Time that only moves when the client sleeps: the token cache never expires on its own."""

    def now(self) -> float:
        return self.offset


def test_reads_survive_server_errors_and_connection_resets(sb, number):
    client, _ = sb.client()
    c = sb.creds
    sent = {
        client.factures.submit_invoice(
            json_invoice(number(), c["recipient_siret"], c["supplier_id"])
        ).identifiantFactureCPP
        for _ in range(12)
    }
    sb.set_faults({"*": {"error_rate": 0.25, "error_status": 500, "reset_rate": 0.1}}, rng_seed=7)
    faulty, clock = sb.client(retry=FAST)
    seen = {
        inv.identifiantFactureCPP
        for inv in faulty.factures.iter_supplier_invoices(
            SupplierInvoiceSearchRequest(idFournisseur=c["supplier_id"]), page_size=3
        )
    }
    assert sent <= seen
    for _ in range(5):
        assert faulty.structures.find_by_siret(c["recipient_siret"]).idStructureCPP == c["recipient_id"]
    assert clock.sleeps, "with 25 % of 500 and 10 % of resets some call must have been retried"
    assert sum(faulty.calls.values()) > len(clock.sleeps)


def test_429_waits_for_retry_after_then_gives_up(sb):
    sb.set_faults({"structures/*": {"rate_limit_rate": 1.0, "retry_after_s": 3}})
    client, clock = sb.client(retry=RetryPolicy(max_attempts=3, base_delay=0.1, max_total=60))
    with pytest.raises(ChorusTransientError) as info:
        client.structures.get_structure(sb.creds["recipient_id"])
    assert info.value.status == 429 and info.value.attempts == 3
    assert len(clock.sleeps) == 2 and all(s >= 3 for s in clock.sleeps)
    sb.set_faults({"structures/*": {"rate_limit_rate": 0.5, "retry_after_s": 1}}, rng_seed=3)
    client, clock = sb.client(retry=FAST)
    for _ in range(4):
        assert client.structures.get_structure(sb.creds["recipient_id"]).informationGenerales
    assert clock.sleeps and all(s >= 1 for s in clock.sleeps)


def test_lost_response_on_a_submission_is_reported_then_found_once(sb, number):
    c = sb.creds
    num = number()
    sb.set_faults({"factures/soumettre": {"lost_response_rate": 1.0}})
    client, clock = sb.client()
    with pytest.raises(ChorusTransientError) as info:
        client.factures.submit_invoice(json_invoice(num, c["recipient_siret"], c["supplier_id"]))
    assert info.value.maybe_processed is True
    assert client.calls["factures/soumettre"] == 1 and clock.sleeps == []
    sb.set_faults({})
    # What the hub does before sending again: ask Chorus whether it arrived.
    assert len(client.factures.find_supplier_invoices(num, supplier_id=c["supplier_id"])) == 1


def test_a_500_on_a_deposit_is_not_resent(sb, number):
    c = sb.creds
    sb.set_faults({"factures/deposer/*": {"error_rate": 1.0, "error_status": 500}})
    client, _ = sb.client()
    num = number()
    xml = ubl_invoice(num, c["supplier_siret"], c["recipient_siret"])
    with pytest.raises(ChorusTransientError) as info:
        client.factures.deposit_flow(DepositFlowRequest.from_bytes(f"{num}.xml", xml, "IN_DP_E1_UBL_INVOICE"))
    assert info.value.maybe_processed is True and info.value.status == 500
    assert client.calls["factures/deposer/flux"] == 1


def test_a_503_on_a_deposit_is_retried(sb, number):
    c = sb.creds
    sb.set_faults({"factures/deposer/*": {"error_rate": 0.5, "error_status": 503}}, rng_seed=11)
    client, _ = sb.client(retry=FAST)
    for _ in range(4):
        num = number()
        xml = ubl_invoice(num, c["supplier_siret"], c["recipient_siret"])
        assert client.factures.deposit_flow(
            DepositFlowRequest.from_bytes(f"{num}.xml", xml, "IN_DP_E1_UBL_INVOICE")
        ).numeroFluxDepot
    assert client.calls["factures/deposer/flux"] > 4


def test_token_expired_on_the_server_is_renewed_on_401(sb):
    sb.set_faults({"*": {"token_ttl_s": 1}})
    client, _ = sb.client(clock=FrozenClock())
    client.transverses.list_supplier_structures()
    time.sleep(1.2)
    sb.advance(2)
    assert client.transverses.list_supplier_structures().listeStructures
    assert client.transport.token_fetches == 2


def test_latency_beyond_the_timeout_is_a_transient_error(sb):
    sb.set_faults({"transverses/recuperer/*": {"latency_ms": 1500}})
    client, clock = sb.client(retry=RetryPolicy(max_attempts=2, base_delay=0.1), timeout_s=0.4)
    with pytest.raises(ChorusTransientError) as info:
        client.transverses.list_supplier_structures()
    assert info.value.attempts == 2 and "Timeout" in str(info.value)
    assert len(clock.sleeps) == 1
