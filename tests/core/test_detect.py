"""Format detection: content decides, names only decorate messages."""

from __future__ import annotations

import io
import pickle
import tarfile
import zipfile
from pathlib import Path

import pikepdf
import pytest

from chorusflow.core.formats import ERROR_CODES, Detected, FileFormat, FormatError, detect, read_document
from chorusflow.core.formats.detect import facturx_profile

CII_FILE = "cen/cii-examples/CII_example5.xml"
UBL_FILE = "cen/ubl-examples/ubl-tc434-example5.xml"
FACTURX_FILE = "zugferd-corpus/v2-correct/FNFE-factur-x-examples__Facture_FR_BASICWL.pdf"
MIXED_ZUGFERD_PDF = "mustang/validV2PDF.pdf"


def test_public_enum_values_are_stable() -> None:
    assert {f.name: f.value for f in FileFormat} == {
        "FACTURX": "facturx",
        "CII": "cii",
        "UBL_INVOICE": "ubl_invoice",
        "UBL_CREDIT_NOTE": "ubl_credit_note",
        "PDF": "pdf",
        "ZIP": "zip",
        "UNSUPPORTED": "unsupported",
    }


def test_format_error_carries_code_message_resolution_and_pickles() -> None:
    error = FormatError("EMPTY_FILE", "The file is empty.", "Send it again.")
    assert (error.code, error.message, error.resolution) == (
        "EMPTY_FILE",
        "The file is empty.",
        "Send it again.",
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.resolution) == (error.code, error.message, error.resolution)
    with pytest.raises(ValueError):
        FormatError("NOT_A_CODE", "x", "y")
    assert len(ERROR_CODES) == 12


def test_xml_syntaxes_are_detected_whatever_the_file_name(corpus_dir: Path) -> None:
    cii = (corpus_dir / CII_FILE).read_bytes()
    ubl = (corpus_dir / UBL_FILE).read_bytes()
    detected = detect(cii, "facture.pdf")
    assert detected == Detected(
        FileFormat.CII, "application/xml", cii, "urn:cen.eu:en16931:2017", "urn:cen.eu:en16931:2017"
    )
    assert detect(ubl, "invoice.txt").format is FileFormat.UBL_INVOICE
    credit_note = (corpus_dir / "cen/ubl-examples/ubl-tc434-creditnote1.xml").read_bytes()
    assert detect(credit_note).format is FileFormat.UBL_CREDIT_NOTE


def test_facturx_pdf_gives_its_embedded_xml_and_profile(corpus_dir: Path) -> None:
    data = (corpus_dir / FACTURX_FILE).read_bytes()
    detected = detect(data, "facture.pdf")
    assert detected.format is FileFormat.FACTURX and detected.media_type == "application/pdf"
    assert detected.profile == "BASIC WL" and detected.guideline_id == "urn:factur-x.eu:1p0:basicwl"
    assert detected.xml is not None and detected.xml.lstrip().startswith(b"<?xml")


def test_pdf_with_zugferd1_and_facturx_xml_uses_the_facturx_one(corpus_dir: Path) -> None:
    detected, invoice = read_document((corpus_dir / MIXED_ZUGFERD_PDF).read_bytes())
    assert detected.format is FileFormat.FACTURX
    assert detected.xml is not None and b"CrossIndustryInvoice" in detected.xml
    assert invoice is not None and invoice.number == "RE-20171118/506"


def _pdf_without_attachments(source: bytes, *, keep_metadata: bool) -> bytes:
    with pikepdf.open(io.BytesIO(source)) as pdf:
        names = pdf.Root.get("/Names")
        if names is not None and "/EmbeddedFiles" in names:
            del names["/EmbeddedFiles"]
        for key in ("/AF", *(() if keep_metadata else ("/Metadata",))):
            if key in pdf.Root:
                del pdf.Root[key]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def test_pdf_without_invoice_xml_is_a_plain_pdf(corpus_dir: Path) -> None:
    stripped = _pdf_without_attachments((corpus_dir / FACTURX_FILE).read_bytes(), keep_metadata=False)
    detected, invoice = read_document(stripped, "scan.pdf")
    assert detected == Detected(FileFormat.PDF, "application/pdf", None, None, None)
    assert invoice is None

    blank = pikepdf.new()
    blank.add_blank_page()
    out = io.BytesIO()
    blank.save(out)
    assert detect(out.getvalue()).format is FileFormat.PDF


def test_facturx_metadata_without_its_xml_is_a_damaged_pdf(corpus_dir: Path) -> None:
    """A hybrid whose XML was lost must not quietly become a plain PDF for manual entry."""
    stripped = _pdf_without_attachments((corpus_dir / FACTURX_FILE).read_bytes(), keep_metadata=True)
    with pytest.raises(FormatError) as caught:
        detect(stripped)
    assert caught.value.code == "PDF_DAMAGED" and "Factur-X" in caught.value.message


def test_pdf_with_an_unrelated_xml_attachment_is_a_plain_pdf() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["notes.xml"] = pikepdf.AttachedFileSpec(pdf, b"<notes><n>hello</n></notes>")
    out = io.BytesIO()
    pdf.save(out)
    assert detect(out.getvalue()).format is FileFormat.PDF


def test_archives_are_handed_to_intake_unopened() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", "<a/>")
    detected, invoice = read_document(buffer.getvalue(), "batch.zip")
    assert detected == Detected(FileFormat.ZIP, "application/zip", None, None, None)
    assert invoice is None

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("a.xml")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"<a/>"))
    assert detect(buffer.getvalue()) == Detected(FileFormat.ZIP, "application/gzip", None, None, None)


@pytest.mark.parametrize(
    ("guideline", "profile"),
    [
        ("urn:factur-x.eu:1p0:minimum", "MINIMUM"),
        ("urn:zugferd.de:2p0:minimum", "MINIMUM"),
        ("urn:factur-x.eu:1p0:basicwl", "BASIC WL"),
        ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "BASIC"),
        ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic", "BASIC"),
        ("urn:cen.eu:en16931:2017", "EN 16931"),
        ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", "EXTENDED"),
        ("urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr", "EXTENDED"),
        ("urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.1", "XRECHNUNG"),
        ("urn:something:else", "urn:something:else"),
        (None, None),
    ],
)
def test_facturx_profile_names(guideline: str | None, profile: str | None) -> None:
    assert facturx_profile(guideline) == profile


def test_byte_order_mark_and_other_encodings_are_read(corpus_dir: Path) -> None:
    text = (corpus_dir / CII_FILE).read_text(encoding="utf-8")
    body = text[text.index("?>") + 2 :]
    with_bom = b"\xef\xbb\xbf" + text.encode("utf-8")
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-16")  # with BOM
    latin1 = ('<?xml version="1.0" encoding="ISO-8859-1"?>' + body.replace("SellerCompany", "Sellér")).encode(
        "latin-1"
    )
    for data, seller in ((with_bom, "SellerCompany"), (utf16, "SellerCompany"), (latin1, "Sellér")):
        detected, invoice = read_document(data)
        assert detected.format is FileFormat.CII and detected.xml == data
        assert invoice is not None and invoice.number == "TOSL110" and invoice.seller.name == seller


def test_size_limit_is_a_keyword(corpus_dir: Path) -> None:
    data = (corpus_dir / UBL_FILE).read_bytes()
    with pytest.raises(FormatError) as caught:
        detect(data, max_bytes=1000)
    assert caught.value.code == "FILE_TOO_LARGE" and "1,000" in caught.value.message
    assert detect(data, max_bytes=len(data)).format is FileFormat.UBL_INVOICE
