"""The Signature stage: Factur-X PDFs are PAdES-sealed before deposit; off means untouched."""

from __future__ import annotations

import facturx

from chorusflow.core.statuses import DistributionStatus, FlowState, Stage
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline.runner import advance_flow
from chorusflow.providers.service import get_provider
from chorusflow.signing.verify import verify_pdf
from chorusflow.storage.flow_queries import flow_events, get_flow
from chorusflow.tasks.jobs import submit_now
from tests.pipeline.conftest import PLAIN_TOWN, SUPPLIER, Wired
from tests.sandbox import invoices
from tests.signing.pki import PASSWORD, ec_key, make_seal


def enable_signing(wired: Wired, p12: bytes, password: str) -> None:
    with wired.hub.sessions() as session:
        provider = get_provider(session, "acme")
        assert provider is not None
        provider.sign_pdf = True
        provider.pkcs12_token = wired.hub.secrets.seal(p12)
        provider.pkcs12_password_token = wired.hub.secrets.seal(password)
        session.commit()


def test_factur_x_is_sealed_and_deposited_xml_is_not(wired: Wired) -> None:
    seal = make_seal(ec_key())
    enable_signing(wired, seal.p12, PASSWORD.decode())
    pdf = invoices.facturx("SIG-1", SUPPLIER, PLAIN_TOWN)
    files = [("sig.pdf", pdf), ("x.xml", invoices.ubl("SIG-2", SUPPLIER, PLAIN_TOWN))]
    flow_id = import_items(wired.hub, from_bytes(files), submitter="a").flow_id
    assert advance_flow(wired.hub, flow_id) == (Stage.DISTRIBUTION.value, FlowState.WAITING.value)
    with wired.hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        assert "signature" in flow.stage_ended_at
        docs = {d.number: d for d in flow.documents}
        signed = wired.hub.blobs.get(docs["SIG-1"].deposit_sha256 or "")
        (report,) = verify_pdf(signed, trust_roots=[seal.cert_der])
        assert report.intact and report.valid and report.covers_entire_file
        assert (
            facturx.get_xml_from_pdf(signed, check_xsd=False)[1]
            == facturx.get_xml_from_pdf(pdf, check_xsd=False)[1]
        )
        assert docs["SIG-2"].deposit_sha256 is None  # XML: nothing to seal
        statuses = [e.to_value for e in flow_events(session, flow) if e.document_id == docs["SIG-1"].id]
        assert statuses[:3] == ["accepted_in_validation", "signing", "in_distribution"]
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 2}


def test_wrong_certificate_password_puts_the_flow_in_error_with_a_resolution(wired: Wired) -> None:
    enable_signing(wired, make_seal(ec_key()).p12, "not-the-password")
    flow_id = import_items(
        wired.hub, from_bytes([("a.pdf", invoices.facturx("SIG-3", SUPPLIER, PLAIN_TOWN))]), submitter="a"
    ).flow_id
    assert advance_flow(wired.hub, flow_id) == (Stage.SIGNATURE.value, FlowState.IN_ERROR.value)
    with wired.hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None and flow.error is not None
        assert flow.error.type == "PKCS12_WRONG_PASSWORD" and flow.error.resolution and flow.to_check
        assert flow.documents[0].distribution_status is DistributionStatus.ACCEPTED_IN_VALIDATION


def test_after_fixing_the_certificate_a_retry_signs_and_goes_on(wired: Wired) -> None:
    from chorusflow.pipeline.retry import RetryError, retry_flow

    seal = make_seal(ec_key())
    enable_signing(wired, seal.p12, "wrong")
    flow_id = import_items(
        wired.hub, from_bytes([("a.pdf", invoices.facturx("SIG-4", SUPPLIER, PLAIN_TOWN))]), submitter="a"
    ).flow_id
    advance_flow(wired.hub, flow_id)
    enable_signing(wired, seal.p12, PASSWORD.decode())
    with wired.hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        retry_flow(session, flow, actor="admin")
        session.commit()
        assert flow.error is None
        try:
            retry_flow(session, flow, actor="admin")
            raise AssertionError("a flow not in error cannot be retried")
        except RetryError:
            pass
    assert advance_flow(wired.hub, flow_id) == (Stage.DISTRIBUTION.value, FlowState.WAITING.value)
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 1}
