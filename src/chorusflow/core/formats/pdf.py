"""Open a PDF from bytes and hand out the XML files embedded in it.

Factur-X, ZUGFeRD and XRechnung-in-PDF all carry the invoice as an embedded file
(``factur-x.xml``, ``zugferd-invoice.xml``, ``xrechnung.xml``; ZUGFeRD 1.0 used
``ZUGFeRD-invoice.xml``). This module only finds and orders those candidates; the
XML itself is parsed by :mod:`xmlsafe`, never by a default lxml parser (the
``factur-x`` library's own extractor uses one, which is why it is not called here).
Any exception from the PDF library on hostile input is a damaged PDF to us.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader

from chorusflow.core.formats.errors import FormatError

__all__ = ["DEFAULT_MAX_PDF_BYTES", "INVOICE_XML_NAMES", "EmbeddedXml", "embedded_xml_files"]

#: Largest PDF accepted by default.
DEFAULT_MAX_PDF_BYTES = 100 * 1024 * 1024

#: Embedded file names that declare an invoice, in the order a reader should prefer them.
INVOICE_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


@dataclass(frozen=True, slots=True)
class EmbeddedXml:
    """An ``.xml`` file embedded in the PDF; ``declared`` when its name says invoice."""

    name: str
    content: bytes
    declared: bool


def _damaged(detail: str) -> FormatError:
    return FormatError(
        "PDF_DAMAGED",
        f"The PDF cannot be read: {detail}.",
        "Send the file again (it may have been cut short in transfer) or export it again "
        "from the billing software.",
    )


def _rank(item: EmbeddedXml) -> int:
    lowered = item.name.lower()
    return INVOICE_XML_NAMES.index(lowered) if lowered in INVOICE_XML_NAMES else len(INVOICE_XML_NAMES)


def embedded_xml_files(data: bytes) -> list[EmbeddedXml]:
    """The embedded ``.xml`` files of a PDF, invoice names first; errors for broken PDFs.

    A PDF must end with an ``%%EOF`` marker in its last kilobyte (readers such as
    Acrobat require it); its absence is the reliable sign of a truncated upload,
    which a lenient parser would otherwise half-read without complaint.
    """
    if b"%%EOF" not in data[-1024:]:
        raise _damaged("it ends before the PDF end-of-file marker, so it is truncated")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many types on hostile input
        raise _damaged(f"its structure is broken ({type(exc).__name__})") from None
    if encrypted:
        raise FormatError(
            "PDF_ENCRYPTED",
            "The PDF is encrypted or password-protected; Chorus Pro and PDF/A forbid encryption.",
            "Export the invoice again without a password or usage restrictions.",
        )
    try:
        if len(reader.pages) == 0:
            raise _damaged("it has no pages")
        found = [
            EmbeddedXml(name, content, name.lower() in INVOICE_XML_NAMES)
            for attachment in reader.attachment_list
            if (name := str(attachment.name or "")).lower().endswith(".xml")
            and (content := attachment.content)
        ]
    except FormatError:
        raise
    except Exception as exc:  # same reason as above
        raise _damaged(f"its structure is broken ({type(exc).__name__})") from None
    return sorted(found, key=_rank)
