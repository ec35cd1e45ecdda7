"""Tell what a received file is from its bytes, never from its name.

Suppliers rename files freely (a PNG called ``facture.pdf``, a UBL called ``.txt``),
so the content decides; the file name only makes messages clearer. Every file ends
as a known format or a :class:`FormatError` whose code intake can store and show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from chorusflow.core.formats.cii import CII_NS
from chorusflow.core.formats.errors import FormatError
from chorusflow.core.formats.pdf import DEFAULT_MAX_PDF_BYTES, embedded_xml_files
from chorusflow.core.formats.ubl import UBL_CREDIT_NOTE_NS, UBL_INVOICE_NS, UBL_NS
from chorusflow.core.formats.xmlsafe import DEFAULT_MAX_XML_BYTES, parse_xml_safely

__all__ = [
    "DEFAULT_MAX_ARCHIVE_BYTES",
    "Detected",
    "FileFormat",
    "classify_root",
    "detect",
    "detect_tree",
    "facturx_profile",
]

#: Largest archive accepted by default (a Chorus Pro E1 flow may reach 1 GB).
DEFAULT_MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024

_CII_ROOT = f"{{{CII_NS['rsm']}}}CrossIndustryInvoice"
_UBL_INVOICE_ROOT = f"{{{UBL_INVOICE_NS}}}Invoice"
_UBL_CREDIT_NOTE_ROOT = f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote"
_FATTURAPA_ROOT = "FatturaElettronica"
# XMP extension-schema namespaces of Factur-X, ZUGFeRD 2.x and ZUGFeRD 1.0 (kept uncompressed).
_FACTURX_XMP = re.compile(rb"urn:(?:factur-x|zugferd|ferd):pdfa:CrossIndustryDocument")
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


class FileFormat(StrEnum):
    """What a received file is. ``ZIP`` covers archives (zip, or tar.gz: see media_type)."""

    FACTURX = "facturx"
    CII = "cii"
    UBL_INVOICE = "ubl_invoice"
    UBL_CREDIT_NOTE = "ubl_credit_note"
    PDF = "pdf"
    ZIP = "zip"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Detected:
    """The outcome of :func:`detect`; ``xml`` is the invoice XML exactly as received."""

    format: FileFormat
    media_type: str
    xml: bytes | None
    profile: str | None
    guideline_id: str | None


def facturx_profile(guideline_id: str | None) -> str | None:
    """The Factur-X / ZUGFeRD profile name a BT-24 value denotes (raw value if unknown)."""
    if guideline_id is None:
        return None
    lowered = guideline_id.lower()
    for marker, profile in (
        ("xrechnung", "XRECHNUNG"),
        ("extended", "EXTENDED"),
        ("basicwl", "BASIC WL"),
        ("basic-wl", "BASIC WL"),
        ("minimum", "MINIMUM"),
        ("basic", "BASIC"),
    ):
        if marker in lowered:
            return profile
    if lowered.startswith("urn:cen.eu:en16931:2017"):
        return "EN 16931"
    return guideline_id


def _unsupported(what: str, filename: str) -> FormatError:
    named = f" {filename}" if filename else ""
    return FormatError(
        "UNSUPPORTED_FORMAT",
        f"The file{named} is {what}; this hub does not read that format.",
        "Send the invoice as Factur-X (PDF with embedded CII), UBL 2.1 XML or CII D16B XML.",
    )


def classify_root(root: etree._Element, filename: str = "") -> FileFormat:
    """The XML invoice syntax of a parsed root element, or the error explaining why not."""
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == _CII_ROOT:
        return FileFormat.CII
    if tag == _UBL_INVOICE_ROOT:
        return FileFormat.UBL_INVOICE
    if tag == _UBL_CREDIT_NOTE_ROOT:
        return FileFormat.UBL_CREDIT_NOTE
    qname = etree.QName(tag) if tag else None
    local = qname.localname if qname else ""
    namespace = (qname.namespace if qname else None) or "no namespace"
    if local == "CrossIndustryDocument":
        raise FormatError(
            "ZUGFERD1_NOT_SUPPORTED",
            "This is a ZUGFeRD 1.0 invoice, whose XML predates EN 16931 and is not accepted.",
            "Ask the supplier for a ZUGFeRD 2.x / Factur-X (EN 16931 profile or above) invoice.",
        )
    if local in ("Invoice", "CreditNote", "CrossIndustryInvoice"):
        expected = {"Invoice": UBL_INVOICE_NS, "CreditNote": UBL_CREDIT_NOTE_NS}.get(local, CII_NS["rsm"])
        raise FormatError(
            "XML_WRONG_NAMESPACE",
            f"The root element {local} is in the namespace {namespace!r}, not {expected!r}.",
            f'Declare the root as <{local} xmlns="{expected}"> (the software that wrote it '
            "uses a wrong or outdated namespace).",
        )
    if local == "SCRDMCCBDACIOMessageStructure":
        raise _unsupported("an Order-X purchase order, not an invoice", filename)
    if local == _FATTURAPA_ROOT:
        raise _unsupported("an Italian FatturaPA invoice", filename)
    raise _unsupported(f"an XML document whose root element is {local or tag!r}", filename)


def _guideline_id(root: etree._Element, file_format: FileFormat) -> str | None:
    if file_format is FileFormat.CII:
        path = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
        found = root.find(path, CII_NS)
    else:
        found = root.find("cbc:CustomizationID", UBL_NS)
    return None if found is None or not (found.text or "").strip() else found.text.strip()


def _limit(data: bytes, max_bytes: int, what: str) -> None:
    if len(data) > max_bytes:
        raise FormatError(
            "FILE_TOO_LARGE",
            f"The {what} is {len(data):,} bytes, above the {max_bytes:,}-byte limit.",
            "Send a smaller file: split the delivery or move large attachments out of the invoice.",
        )


def _looks_like_xml(data: bytes) -> bool:
    head = data[:64]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        return True
    return head.lstrip(b" \t\r\n").startswith(b"<")


def _from_pdf(data: bytes, max_bytes: int) -> tuple[Detected, etree._Element | None]:
    zugferd1 = None
    first_error = None
    for embedded in embedded_xml_files(data):
        try:
            root = parse_xml_safely(embedded.content, max_bytes=max_bytes)
            file_format = classify_root(root)
        except FormatError as exc:
            if exc.code == "ZUGFERD1_NOT_SUPPORTED":
                zugferd1 = zugferd1 or exc
            elif embedded.declared and first_error is None:
                first_error = exc
            continue
        guideline = _guideline_id(root, file_format)
        profile = facturx_profile(guideline)
        return Detected(FileFormat.FACTURX, "application/pdf", embedded.content, profile, guideline), root
    # A PDF with both a ZUGFeRD 1.0 and a valid Factur-X XML was handled above (Factur-X wins).
    if zugferd1 is not None:
        raise zugferd1
    if first_error is not None:
        # The PDF declares an invoice XML that is broken: say so rather than call it a plain PDF.
        raise first_error
    if _FACTURX_XMP.search(data):
        # Its metadata says Factur-X/ZUGFeRD but no invoice XML came out: a damaged hybrid,
        # which must not silently become a plain PDF sent to manual entry.
        raise FormatError(
            "PDF_DAMAGED",
            "The PDF declares itself Factur-X/ZUGFeRD in its metadata, but its embedded invoice "
            "XML cannot be found or read.",
            "Export the Factur-X again from the billing software, or send the invoice XML itself.",
        )
    return Detected(FileFormat.PDF, "application/pdf", None, None, None), None


def detect_tree(
    data: bytes, filename: str = "", *, max_bytes: int | None = None
) -> tuple[Detected, etree._Element | None]:
    """:func:`detect`, also returning the parsed invoice root so callers parse only once."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("detect() takes the file content as bytes")
    data = bytes(data)
    blank = b" \t\r\n\x00"
    if not data or (not data[:4096].strip(blank) and not data.strip(blank)):
        raise FormatError(
            "EMPTY_FILE",
            f"The file{f' {filename}' if filename else ''} is empty.",
            "Send the file again; nothing was received.",
        )
    if b"%PDF-" in data[:1024]:
        _limit(data, max_bytes or DEFAULT_MAX_PDF_BYTES, "PDF")
        return _from_pdf(data, max_bytes or DEFAULT_MAX_XML_BYTES)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _limit(data, max_bytes or DEFAULT_MAX_ARCHIVE_BYTES, "archive")
        return Detected(FileFormat.ZIP, "application/zip", None, None, None), None
    if data.startswith(b"\x1f\x8b"):
        _limit(data, max_bytes or DEFAULT_MAX_ARCHIVE_BYTES, "archive")
        return Detected(FileFormat.ZIP, "application/gzip", None, None, None), None
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            named = f" {filename}" if filename else ""
            raise FormatError(
                "IMAGE_NOT_PDF",
                f"The file{named} is a {kind} image, not a PDF or an XML invoice.",
                "Send the invoice as a PDF (ideally Factur-X) or as UBL/CII XML; a photo or scan "
                "must be converted to PDF first.",
            )
    if _looks_like_xml(data):
        root = parse_xml_safely(data, max_bytes=max_bytes or DEFAULT_MAX_XML_BYTES)
        file_format = classify_root(root, filename)
        guideline = _guideline_id(root, file_format)
        return Detected(file_format, "application/xml", data, guideline, guideline), root
    raise _unsupported("not a PDF, an XML invoice or an archive", filename)


def detect(data: bytes, filename: str = "", *, max_bytes: int | None = None) -> Detected:
    """What ``data`` is; raises :class:`FormatError` for anything unusable.

    ``max_bytes`` overrides the per-kind defaults (50 MB XML, 100 MB PDF, 1 GB archive).
    """
    return detect_tree(data, filename, max_bytes=max_bytes)[0]
