"""Attachment limits: 10 MB each, 120 MB with the invoice, names of 50 characters, allowed extensions.

Embedded BG-24 documents are read from real UBL invoices; files sent beside
the invoice come in as ``extra_attachments`` (name, size).
"""

from __future__ import annotations

import pytest

from chorusflow.core.formats import FormatError
from chorusflow.core.invoice import Attachment, Invoice
from chorusflow.core.preflight import PreflightInput, run_preflight
from chorusflow.core.preflight.rules import ALLOWED_ATTACHMENT_EXTENSIONS
from chorusflow.core.validation import Finding
from tests.preflight.conftest import LiveDirectory
from tests.preflight.documents import SUPPLIER, invoice, parse, recipient, with_attachments
from tests.sandbox.invoices import ubl

MB = 1024 * 1024


def check(
    directory: LiveDirectory,
    doc: Invoice,
    extra: list[tuple[str, int]] | None = None,
    file_size: int = 0,
) -> list[Finding]:
    data = PreflightInput(
        invoice=doc,
        format="ubl_invoice",
        profile=None,
        provider_siret=SUPPLIER,
        file_size=file_size,
        extra_attachments=extra or [],
    )
    return run_preflight(data, directory)


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def embedded(files: list[tuple[str, bytes]]) -> tuple[Invoice, int]:
    xml = with_attachments(ubl("F-PJ", SUPPLIER, recipient(0)), files)
    return parse(xml), len(xml)


def test_embedded_attachments_within_limits(directory: LiveDirectory) -> None:
    doc, size = embedded([("bon-de-livraison.pdf", b"%PDF-1.7 " * 1000), ("photo.JPG", b"\xff\xd8" * 500)])
    assert [(a.filename, a.size) for a in doc.attachments] == [
        ("bon-de-livraison.pdf", 9000),
        ("photo.JPG", 1000),
    ]
    assert check(directory, doc, file_size=size) == []


def test_a_seven_megabyte_embedded_attachment_is_read_and_accepted(directory: LiveDirectory) -> None:
    doc, size = embedded([("plans.pdf", b"\x00" * (7 * MB))])
    assert doc.attachments[0].size == 7 * MB
    assert check(directory, doc, file_size=size) == []


def test_embedded_attachment_over_10_mb(directory: LiveDirectory) -> None:
    """The XML reader refuses a base64 text over 10 MB first; a decoded one over 10 MB is this rule's."""
    with pytest.raises(FormatError) as refused:
        embedded([("big.pdf", b"\x00" * (10 * MB + 1))])
    assert refused.value.code == "FILE_TOO_LARGE"
    doc = invoice()
    doc.attachments.append(Attachment(id="PJ-1", filename="big.pdf", content=b"\x00" * (10 * MB + 1)))
    found = check(directory, doc)
    assert rules(found) == ["CPRO-ATTACHMENT-TOO-LARGE"]
    assert "big.pdf" in found[0].message and found[0].location == "BG-24"


@pytest.mark.parametrize(
    ("size", "expected"), [(10 * MB - 1, []), (10 * MB + 1, ["CPRO-ATTACHMENT-TOO-LARGE"])]
)
def test_extra_attachment_size(directory: LiveDirectory, size: int, expected: list[str]) -> None:
    assert rules(check(directory, invoice(), [("annexe.pdf", size)])) == expected


def test_one_finding_per_attachment_at_fault(directory: LiveDirectory) -> None:
    found = check(directory, invoice(), [("a.pdf", 11 * MB), ("b.pdf", 1), ("c.pdf", 12 * MB)])
    assert rules(found) == ["CPRO-ATTACHMENT-TOO-LARGE"] * 2
    assert "a.pdf" in found[0].message and "c.pdf" in found[1].message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x" * 46 + ".pdf", []),  # 50 characters with the extension
        ("x" * 47 + ".pdf", ["CPRO-ATTACHMENT-NAME-TOO-LONG"]),
        ("x" * 60 + ".exe", ["CPRO-ATTACHMENT-EXTENSION", "CPRO-ATTACHMENT-NAME-TOO-LONG"]),
    ],
)
def test_attachment_name_length(directory: LiveDirectory, name: str, expected: list[str]) -> None:
    assert rules(check(directory, invoice(), [(name, 100)])) == expected


@pytest.mark.parametrize(
    "name", ["devis.PDF", "archive.tar.gz", "tableau.xlsx", "signature.p7s", "plan.tiff"]
)
def test_allowed_extensions(directory: LiveDirectory, name: str) -> None:
    assert check(directory, invoice(), [(name, 100)]) == []


@pytest.mark.parametrize("name", ["setup.exe", "script.js", "sans-extension", "note.", "photo.heic"])
def test_refused_extensions(directory: LiveDirectory, name: str) -> None:
    found = check(directory, invoice(), [(name, 100)])
    assert rules(found) == ["CPRO-ATTACHMENT-EXTENSION"]
    assert found[0].location == "BT-125"


def test_extension_list_is_the_chorus_one() -> None:
    chorus = (
        "BMP GIF FAX ODT PPT TIFF XLS BZ2 GZ JPEG P7S RTF TXT XML CSV GZIP JPG PDF SVG XHTML XLSX DOC HTM"
        " ODP PNG TGZ XLC ZIP DOCX HTML ODS PPS TIF XLM PPTX"
    )
    assert {e.lower() for e in chorus.split()} == ALLOWED_ATTACHMENT_EXTENSIONS


def test_embedded_attachment_name_and_extension(directory: LiveDirectory) -> None:
    doc, size = embedded([("y" * 51 + ".pdf", b"1"), ("macro.docm", b"2")])
    found = check(directory, doc, file_size=size)
    assert rules(found) == ["CPRO-ATTACHMENT-EXTENSION", "CPRO-ATTACHMENT-NAME-TOO-LONG"]


def test_referenced_attachment_without_content_is_not_sent(directory: LiveDirectory) -> None:
    doc = invoice()
    doc.attachments.append(Attachment(id="PJ-URL", uri="https://example.org/timesheet.aspx"))
    assert check(directory, doc) == []


def test_total_of_invoice_and_attachments(directory: LiveDirectory) -> None:
    ten = [(f"piece-{i}.pdf", 10 * MB) for i in range(11)]
    at_limit = check(directory, invoice(), [*ten, ("reste.pdf", 9 * MB)], file_size=1 * MB)
    assert at_limit == []  # exactly 120 MB
    over = check(directory, invoice(), [*ten, ("reste.pdf", 9 * MB)], file_size=1 * MB + 1)
    assert rules(over) == ["CPRO-ATTACHMENTS-TOTAL-TOO-LARGE"]
    assert over[0].location == "BG-24" and str(120 * MB + 1) in over[0].message


def test_embedded_attachments_count_once_in_the_total(directory: LiveDirectory) -> None:
    """An embedded attachment is already inside the invoice file; counting it twice refuses valid bundles."""
    doc, size = embedded([("plans.pdf", b"\x00" * MB)])
    assert size > MB
    room = 120 * MB - size
    extra = [(f"piece-{i}.pdf", 10 * MB) for i in range(room // (10 * MB))]
    extra.append(("reste.pdf", room - sum(s for _, s in extra)))
    assert size + sum(s for _, s in extra) == 120 * MB
    assert check(directory, doc, extra, file_size=size) == []
    extra[-1] = ("reste.pdf", extra[-1][1] + 1)
    assert rules(check(directory, doc, extra, file_size=size)) == ["CPRO-ATTACHMENTS-TOTAL-TOO-LARGE"]


def test_embedded_attachments_count_when_the_file_size_is_unknown(directory: LiveDirectory) -> None:
    doc = invoice()
    doc.attachments.append(Attachment(id="PJ-1", filename="a.pdf", content=b"\x00" * (10 * MB)))
    extra = [(f"piece-{i}.pdf", 10 * MB) for i in range(11)]
    assert check(directory, doc, extra) == []
    assert rules(check(directory, doc, [*extra, ("one-more.txt", 1)])) == ["CPRO-ATTACHMENTS-TOTAL-TOO-LARGE"]
