"""From intake to Chorus Pro (the local sandbox over HTTP): validation, deposit, exactly once."""

from __future__ import annotations

import httpx

from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline import submissions as ledger
from chorusflow.pipeline.runner import advance_flow
from chorusflow.storage.flow_queries import get_flow
from chorusflow.tasks.jobs import submit_now
from tests.pipeline.conftest import INACTIVE, PLAIN_TOWN, SERVICE_REQUIRED, SUPPLIER, Wired
from tests.sandbox import invoices


def tick(wired: Wired, seconds: int = 600) -> None:
    base = wired.sandbox.base_url
    httpx.post(
        f"{base}/sandbox/admin/clock/advance", json={"seconds": seconds}, timeout=30
    ).raise_for_status()


def chorus_count(wired: Wired, number: str) -> int:
    with wired.client() as client:
        return len(client.factures.find_supplier_invoices(number))


def test_invoices_go_from_intake_to_chorus_and_bad_ones_stop_in_validation(wired: Wired) -> None:
    files = [
        ("ubl.xml", invoices.ubl("E2E-UBL-1", SUPPLIER, PLAIN_TOWN, service="SERV-FIN")),
        ("cii.xml", invoices.cii("E2E-CII-1", SUPPLIER, PLAIN_TOWN)),
        ("fx.pdf", invoices.facturx("E2E-FX-1", SUPPLIER, PLAIN_TOWN)),
        ("noservice.xml", invoices.ubl("E2E-BAD-1", SUPPLIER, SERVICE_REQUIRED)),
        ("inactive.xml", invoices.ubl("E2E-BAD-2", SUPPLIER, INACTIVE)),
    ]
    result = import_items(wired.hub, from_bytes(files), submitter="alice")
    assert result.documents == 5
    where = advance_flow(wired.hub, result.flow_id)
    assert where == (Stage.DISTRIBUTION.value, FlowState.WAITING.value)
    with wired.hub.sessions() as session:
        flow = get_flow(session, result.flow_id)
        assert flow is not None and flow.provider == "acme" and flow.to_check
        by_number = {d.number: d for d in flow.documents}
        bad = by_number["E2E-BAD-1"]
        assert bad.distribution_status is DistributionStatus.REJECTED_IN_VALIDATION
        assert bad.comment and bad.comment.startswith("CPRO-SERVICE-CODE-REQUIRED")
        assert bad.validation and bad.validation["errors"][0]["fix"]
        assert by_number["E2E-BAD-2"].validation["errors"][0]["rule"] == "CPRO-RECIPIENT-INACTIVE"
        for number in ("E2E-UBL-1", "E2E-CII-1", "E2E-FX-1"):
            assert by_number[number].distribution_status is DistributionStatus.IN_DISTRIBUTION
    report = submit_now(wired.hub, "acme")
    assert report["acme"]["outcomes"] == {"sent": 3}
    with wired.hub.sessions() as session:
        flow = get_flow(session, result.flow_id)
        assert flow is not None
        assert (flow.stage, flow.state) == (Stage.DISTRIBUTION, FlowState.DONE)
        sent = [d for d in flow.documents if d.distribution_status is DistributionStatus.DISTRIBUTED]
        assert len(sent) == 3 and all(d.chorus_status is ChorusStatus.DEPOSITED for d in sent)
        rows = [ledger.submission_for(session, d.id or 0) for d in sent]
        assert all(r is not None and r.state == "deposited" and r.flux_number for r in rows)
        routes = {r.route for r in rows if r is not None}
        assert routes == {"IN_DP_E1_UBL_INVOICE", "IN_DP_E1_CII_16B", "IN_DP_E2_CII_FACTURX"}
    tick(wired)
    for number in ("E2E-UBL-1", "E2E-CII-1", "E2E-FX-1"):
        assert chorus_count(wired, number) == 1
    # running the submission again sends nothing
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {}


def test_validation_marks_directory_checks_not_verified_when_chorus_is_down(wired: Wired) -> None:
    wired.sandbox.stop()
    result = import_items(
        wired.hub, from_bytes([("a.xml", invoices.ubl("DOWN-1", SUPPLIER, PLAIN_TOWN))]), submitter="a"
    )
    advance_flow(wired.hub, result.flow_id)
    with wired.hub.sessions() as session:
        flow = get_flow(session, result.flow_id)
        assert flow is not None
        (doc,) = flow.documents
        assert doc.validation is not None and doc.validation["not_verified"] is True
        assert [w["rule"] for w in doc.validation["warnings"]] == ["CPRO-NOT-VERIFIED"]
        assert doc.distribution_status is DistributionStatus.IN_DISTRIBUTION  # not failed for that
