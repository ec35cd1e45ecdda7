"""Provider rules and intake metadata (seed 001 "Preparation"), then deposit in the sandbox.

Metadata wins over the document; rules map labels to the directory; a structured
invoice whose routing data changed is deposited as an enriched copy (the
original untouched); criteria keep documents out of Chorus; batches and
attachments travel as Chorus expects.
"""

from __future__ import annotations

import io
import json

import pikepdf

from chorusflow.chorus.models.factures import SupplierInvoiceRequest
from chorusflow.core.formats import read_document
from chorusflow.core.statuses import DistributionStatus
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline import submissions as ledger
from chorusflow.pipeline.runner import advance_flow
from chorusflow.providers.rules import add_rule
from chorusflow.providers.service import get_provider
from chorusflow.storage.flow_queries import get_flow
from chorusflow.tasks.jobs import submit_now
from tests.pipeline.conftest import PLAIN_TOWN, SERVICE_REQUIRED, SUPPLIER, Wired
from tests.sandbox import invoices

UNKNOWN_TOWN = "11111111111111"


def rule(wired: Wired, kind: str, field: str, pattern: str, value: dict) -> None:
    with wired.hub.sessions() as session:
        add_rule(session, wired.provider.id or 0, kind=kind, field=field, pattern=pattern, value=value)
        session.commit()


def docs(wired: Wired, flow_id: int) -> dict:
    with wired.hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        return {d.number: d for d in flow.documents}


def test_label_mapping_enriches_the_xml_and_metadata_wins(wired: Wired) -> None:
    # the ERP writes "Mairie de Valmont" without SIRET: a recipient rule maps the label to the directory
    rule(
        wired,
        "recipient",
        "recipient_name",
        "mairie de valmont*",
        {"siret": SERVICE_REQUIRED, "service_code": "SERV-FIN"},
    )
    rule(wired, "bank", "metadata.bank", "main", {"bank_account_id": 4000001})
    ubl = invoices.ubl("MAP-1", SUPPLIER, UNKNOWN_TOWN).replace(b"COMMUNE", b"Mairie de Valmont - Finances")
    cii = invoices.cii("MAP-2", SUPPLIER, UNKNOWN_TOWN).replace(b"COMMUNE", b"MAIRIE DE VALMONT")
    sidecar = json.dumps({"engagement_number": "EJ-77", "bank": "main", "label": "north"}).encode()
    files = [("a.xml", ubl), ("b.xml", cii), ("b.xml.meta.json", sidecar)]
    flow_id = import_items(wired.hub, from_bytes(files), submitter="a").flow_id
    advance_flow(wired.hub, flow_id)
    by_number = docs(wired, flow_id)
    for number in ("MAP-1", "MAP-2"):
        doc = by_number[number]
        assert doc.recipient_siret == SERVICE_REQUIRED and doc.service_code == "SERV-FIN", doc.validation
        assert doc.distribution_status is DistributionStatus.IN_DISTRIBUTION, doc.validation
        assert doc.deposit_sha256 is not None
        _, enriched = read_document(wired.hub.blobs.get(doc.deposit_sha256), "x.xml")
        assert enriched is not None and enriched.buyer.siret == SERVICE_REQUIRED
        assert enriched.buyer_reference == "SERV-FIN"
    cii_doc = by_number["MAP-2"]
    assert cii_doc.engagement_number == "EJ-77"  # from the sidecar: metadata wins
    assert (
        cii_doc.intake_metadata["label"] == "north" and cii_doc.intake_metadata["bank_account_id"] == 4000001
    )
    with wired.hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        originals = {f.name: f for f in flow.files}
        assert originals["b.xml.meta.json"].format == "metadata"
        assert wired.hub.blobs.get(originals["a.xml"].sha256) == ubl  # the original is untouched
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 2}


def test_submission_criteria_keep_documents_out_of_chorus(wired: Wired) -> None:
    rule(wired, "submission", "customer_code", "PRIV-*", {"send": False})
    sidecar = b"file;customer_code\nb.xml;PRIV-42\n"
    files = [
        ("a.xml", invoices.ubl("CRIT-1", SUPPLIER, PLAIN_TOWN)),
        ("b.xml", invoices.ubl("CRIT-2", SUPPLIER, PLAIN_TOWN)),
        ("metadata.csv", sidecar),
    ]
    flow_id = import_items(wired.hub, from_bytes(files), submitter="a").flow_id
    advance_flow(wired.hub, flow_id)
    by_number = docs(wired, flow_id)
    assert by_number["CRIT-2"].customer_code == "PRIV-42"
    assert by_number["CRIT-2"].distribution_channel == "none"
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 1}
    with wired.hub.sessions() as session:
        assert ledger.submission_for(session, by_number["CRIT-2"].id or 0) is None
        flow = get_flow(session, flow_id)
        assert flow is not None and flow.state.value == "done"


def test_batch_deposit_puts_several_invoices_in_one_flow(wired: Wired) -> None:
    with wired.hub.sessions() as session:
        provider = get_provider(session, "acme")
        assert provider is not None
        provider.batch_deposits = True
        session.commit()
    files = [(f"{n}.xml", invoices.ubl(n, SUPPLIER, PLAIN_TOWN)) for n in ("BAT-1", "BAT-2", "BAT-3")]
    files.append(("c.xml", invoices.cii("BAT-4", SUPPLIER, PLAIN_TOWN)))
    flow_id = import_items(wired.hub, from_bytes(files), submitter="a").flow_id
    advance_flow(wired.hub, flow_id)
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 4}
    with wired.hub.sessions() as session:
        rows = [ledger.submission_for(session, d.id or 0) for d in docs(wired, flow_id).values()]
    fluxes = {r.route: set() for r in rows if r}
    for r in rows:
        assert r is not None
        fluxes[r.route].add(r.flux_number)
    assert {route: len(numbers) for route, numbers in fluxes.items()} == {
        "IN_DP_E1_UBL_INVOICE": 1,  # three UBL invoices, one deposit
        "IN_DP_E1_CII_16B": 1,
    }


def _pdf(text: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = text
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_plain_pdf_with_metadata_and_a_linked_attachment_goes_through_soumettre(wired: Wired) -> None:
    rule(wired, "attachment", "file_name", "*annexe*.pdf", {})
    meta = {
        "number": "PDF-9",
        "issue_date": "2024-05-02",
        "supplier_siret": SUPPLIER,
        "recipient_siret": PLAIN_TOWN,
        "total_without_vat": "100.00",
        "total_vat": "20.00",
        "total_with_vat": "120.00",
        "currency": "EUR",
    }
    files = [
        ("scan.pdf", _pdf("invoice")),
        ("scan.pdf.meta.json", json.dumps(meta).encode()),
        ("PDF-9_annexe.pdf", _pdf("annex")),
    ]
    flow_id = import_items(wired.hub, from_bytes(files), submitter="a").flow_id
    advance_flow(wired.hub, flow_id)
    assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 1}
    by_number = docs(wired, flow_id)
    doc = by_number["PDF-9"]
    assert doc.distribution_status is DistributionStatus.DISTRIBUTED
    assert [a["name"] for a in doc.intake_metadata["attachments"]] == ["PDF-9_annexe.pdf"]
    with wired.hub.sessions() as session:
        row = ledger.submission_for(session, doc.id or 0)
        assert row is not None and row.state == "integrated" and row.chorus_invoice_id
    with wired.client() as client:
        (found,) = client.factures.find_supplier_invoices("PDF-9")
        details = client.factures.get_supplier_invoice(
            SupplierInvoiceRequest(identifiantFactureCPP=found.identifiantFactureCPP)
        )
        assert "PDF-9_annexe" in json.dumps(details.model_dump(), default=str)
