"""Import and Preparation: files, directories, ZIPs, duplicates and bad input."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
from lxml import etree

from chorusflow.context import HubContext
from chorusflow.core.statuses import FlowState, Stage
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes, from_paths
from chorusflow.storage.flow_queries import Tab, count_tab, flow_events, get_flow
from tests.intake.hostile import bad_files, zip_of

CII_EXAMPLE = "cen/cii-examples/CII_example1.xml"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def run(ctx: HubContext, paths: list[Path]) -> int:
    return import_items(ctx, from_paths(paths, max_bytes=10**8), submitter="alice").flow_id


def test_directory_of_invoices_becomes_one_flow_with_documents(hub: HubContext, corpus: Path) -> None:
    folder = corpus / "cen" / "cii-examples"
    flow_id = run(hub, [folder])
    with hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        files = sorted(p.name for p in folder.iterdir())
        assert sorted(f.name for f in flow.files) == files
        assert (flow.stage, flow.state) == (Stage.PREPARATION, FlowState.DONE)
        assert "import" in flow.stage_ended_at and "preparation" in flow.stage_ended_at
        assert flow.submitter == "alice"
        readable = [f for f in flow.files if f.error_type is None]
        assert len(flow.documents) == len(readable)
        assert all(f.format == "cii" for f in readable)
        # every original is in the blob store, byte for byte
        for stored in flow.files:
            assert hub.blobs.get(stored.sha256) == (folder / stored.name).read_bytes()
        # key terms copied from the XML
        xml = etree.parse(str(corpus / CII_EXAMPLE))
        number = xml.findtext(".//{*}ExchangedDocument/{*}ID")
        doc = next(d for d in flow.documents if d.number == number)
        grand = xml.findtext(f".//{{{RAM}}}GrandTotalAmount")
        assert doc.total_with_vat is not None and str(doc.total_with_vat) == f"{float(grand):.2f}"
        assert doc.recipient_name == xml.findtext(f".//{{{RAM}}}BuyerTradeParty/{{{RAM}}}Name")
        assert doc.invoice is not None and doc.invoice["number"] == number
        dates = sorted(d.issue_date for d in flow.documents if d.issue_date)
        assert (flow.first_invoice_date, flow.last_invoice_date) == (dates[0], dates[-1])
        events = flow_events(session, flow)
        assert [e.to_value for e in events] == ["preparation:running", "preparation:done"]


def test_zip_batch_is_unpacked_into_the_same_flow(hub: HubContext, corpus: Path) -> None:
    cii = (corpus / CII_EXAMPLE).read_bytes()
    ubl = next((corpus / "cen" / "ubl-examples").glob("*.xml")).read_bytes()
    batch = zip_of({"march/a.xml": cii, "march/b.xml": ubl, "../escape.xml": cii})
    result = import_items(hub, from_bytes([("batch.zip", batch)]), submitter="bob", source="upload")
    assert (result.files, result.documents, result.errors) == (4, 2, 1)
    with hub.sessions() as session:
        flow = get_flow(session, result.flow_id)
        assert flow is not None
        by_name = {f.name: f for f in flow.files}
        assert by_name["batch.zip"].format == "zip"
        assert by_name["march/a.xml"].parent_name == "batch.zip"
        assert by_name["../escape.xml"].error_type == "ZIP_PATH_TRAVERSAL"
        assert flow.source == "upload" and flow.to_check


def test_every_bad_input_is_an_error_with_a_resolution_and_the_rest_goes_on(
    hub: HubContext, corpus: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    drop = tmp_path / "drop"
    drop.mkdir()
    cases = bad_files(corpus, secret)
    for name, (data, _code) in cases.items():
        (drop / name).write_bytes(data)
    shutil.copy(corpus / CII_EXAMPLE, drop / "good.xml")
    flow_id = run(hub, [drop])
    with hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        by_name = {f.name: f for f in flow.files}
        for name, (data, code) in cases.items():
            stored = by_name[name]
            assert stored.error_type == code, name
            assert stored.error_message and stored.error_resolution, name
            assert hub.blobs.get(stored.sha256) == data  # the original is kept
        assert by_name["good.xml"].error_type is None
        assert len(flow.documents) == 1 and flow.state is FlowState.DONE
        assert flow.to_check
        assert count_tab(session, Tab.TO_CHECK) == 1
        dump = repr([d.invoice for d in flow.documents]) + repr([f.error_message for f in flow.files])
        assert "TOP-SECRET-MARKER" not in dump


def test_a_flow_with_no_readable_invoice_is_in_error_at_preparation(hub: HubContext, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<oops")
    flow_id = run(hub, [bad])
    with hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        assert (flow.stage, flow.state) == (Stage.PREPARATION, FlowState.IN_ERROR)
        error = flow.error
        assert error is not None and error.type == "XML_MALFORMED"
        assert "bad.xml" in error.message and error.resolution and error.at is not None


def test_same_file_twice_is_a_duplicate_not_processed_again(hub: HubContext, corpus: Path) -> None:
    path = corpus / CII_EXAMPLE
    first = run(hub, [path])
    second = import_items(hub, from_paths([path], max_bytes=10**8), submitter="alice")
    assert (second.duplicates, second.documents, second.errors) == (1, 0, 0)
    with hub.sessions() as session:
        flow = get_flow(session, second.flow_id)
        assert flow is not None
        assert flow.files[0].duplicate_of_flow_id == first
        assert flow.files[0].error_type == "DUPLICATE_FILE"
        assert not flow.to_check  # flagged, not an error


def test_oversized_file_is_refused_before_reading(hub: HubContext, tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<a>" + b" " * 2_000_000 + b"</a>")
    result = import_items(hub, from_paths([big], max_bytes=1_000_000), submitter="a")
    with hub.sessions() as session:
        flow = get_flow(session, result.flow_id)
        assert flow is not None and flow.files[0].error_type == "FILE_TOO_LARGE"
        assert flow.state is FlowState.IN_ERROR


def test_plain_pdf_is_kept_as_a_document_that_needs_its_data(hub: HubContext) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    result = import_items(hub, from_bytes([("scan.pdf", buf.getvalue())]), submitter="a")
    with hub.sessions() as session:
        flow = get_flow(session, result.flow_id)
        assert flow is not None
        assert flow.files[0].format == "pdf"
        assert flow.documents[0].needs_data and flow.documents[0].number is None
