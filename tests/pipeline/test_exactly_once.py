"""Exactly once under faults: 5xx, 429, timeouts, lost answers after commit, and kill -9.

The sandbox's fault injection (seeded, replayable) breaks the deposits; the hub
retries, re-checks uncertain outcomes with Chorus before resending, and at the
end every invoice is in Chorus Pro exactly once and none is missing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from chorusflow.chorus.models.factures import SupplierInvoiceSearchRequest
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline.runner import advance_flow
from chorusflow.storage import schema
from chorusflow.tasks.jobs import submit_now
from tests.pipeline.conftest import PLAIN_TOWN, SUPPLIER, Wired, make_wired
from tests.sandbox import invoices

N = 30


def set_faults(wired: Wired, faults: dict, seed: int = 7) -> None:
    url = f"{wired.sandbox.base_url}/sandbox/admin/faults?rng_seed={seed}"
    httpx.post(url, json=faults, timeout=30).raise_for_status()


def tick(wired: Wired, seconds: int = 3600) -> None:
    httpx.post(f"{wired.sandbox.base_url}/sandbox/admin/clock/advance", json={"seconds": seconds}, timeout=30)


def import_batch(wired: Wired, prefix: str, n: int = N) -> list[str]:
    numbers = [f"{prefix}-{i:03d}" for i in range(n)]
    files = [(f"{num}.xml", invoices.ubl(num, SUPPLIER, PLAIN_TOWN)) for num in numbers]
    result = import_items(wired.hub, from_bytes(files), submitter="load")
    assert result.documents == n
    advance_flow(wired.hub, result.flow_id)
    return numbers


def states(wired: Wired) -> dict[str, int]:
    with wired.hub.engine.connect() as conn:
        rows = conn.execute(schema.submissions.select()).all()
    out: dict[str, int] = {}
    for row in rows:
        out[row.state] = out.get(row.state, 0) + 1
    return out


def drain(wired: Wired, rounds: int = 40) -> None:
    """Run submission passes (like the 10-minute task would) until nothing is left to send."""
    for _ in range(rounds):
        submit_now(wired.hub, "acme")
        tick(wired)
        current = states(wired)
        if set(current) <= {"deposited", "integrated"}:
            return
        time.sleep(0.05)
    raise AssertionError(f"submissions did not settle: {states(wired)}")


def assert_exactly_once(wired: Wired, numbers: list[str]) -> None:
    set_faults(wired, {})
    tick(wired)
    with wired.client() as client:
        found = {}
        for inv in client.factures.iter_supplier_invoices(SupplierInvoiceSearchRequest()):
            found[inv.numeroFacture] = found.get(inv.numeroFacture, 0) + 1
    for number in numbers:
        assert found.get(number) == 1, (number, found.get(number))


def test_every_invoice_once_despite_5xx_429_resets_and_lost_answers(wired: Wired) -> None:
    numbers = import_batch(wired, "FLT")
    set_faults(
        wired,
        {
            "factures/deposer/flux": {
                "error_rate": 0.2,
                "error_status": 503,
                "rate_limit_rate": 0.1,
                "retry_after_s": 0,
                "lost_response_rate": 0.2,
                "reset_rate": 0.05,
            },
            "factures/rechercher/*": {"error_rate": 0.2, "error_status": 500},
            "*": {"latency_ms": 5},
        },
    )
    drain(wired)
    assert_exactly_once(wired, numbers)


def test_a_worker_killed_mid_deposit_loses_nothing_and_duplicates_nothing(tmp_path: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    wired = make_wired(tmp_path, sandbox, submit_uncertain_grace_seconds=0, submit_lease_seconds=2)
    numbers = import_batch(wired, "KIL", n=12)
    # slow deposits: the worker is killed while a deposit is on the wire or just committed
    set_faults(wired, {"factures/deposer/flux": {"latency_ms": 700}})
    env = {
        **os.environ,
        "CHORUSFLOW_HOME": str(wired.hub.settings.resolved_home),
        "CHORUSFLOW_SUBMIT_LEASE_SECONDS": "2",
        "CHORUSFLOW_SUBMIT_UNCERTAIN_GRACE_SECONDS": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "chorusflow.cli.app", "submit", "--provider", "acme"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while time.time() < deadline and states(wired).get("deposited", 0) < 3:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    before = states(wired)
    assert before.get("in_flight") == 1, before  # the lease the dead worker held
    time.sleep(2.5)  # the lease expires
    set_faults(wired, {})
    drain(wired)
    assert_exactly_once(wired, numbers)
    wired.hub.close()


def test_timeouts_after_the_deposit_was_taken_do_not_duplicate(tmp_path: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    """The client gives up before Chorus answers; Chorus took the deposit anyway."""
    wired = make_wired(tmp_path, sandbox, submit_uncertain_grace_seconds=0, chorus_timeout_seconds=1.0)
    numbers = import_batch(wired, "TMO", n=6)
    set_faults(wired, {"factures/deposer/flux": {"latency_ms": 1500}})
    submit_now(wired.hub, "acme")
    assert states(wired).get("uncertain") == 6  # every answer timed out: nothing known, nothing resent yet
    set_faults(wired, {})
    drain(wired)
    assert_exactly_once(wired, numbers)
    wired.hub.close()
