"""Read a received file into the EN 16931 model: detect its format, then parse it.

This is the only entry point other layers use. Everything here is pure (bytes in,
objects out); a problem with the file is always a :class:`FormatError` carrying a
stable code, a message for a person and what to do about it.
"""

from __future__ import annotations

from lxml import etree

from chorusflow.core.formats.cii import parse_cii
from chorusflow.core.formats.detect import Detected, FileFormat, classify_root, detect, detect_tree
from chorusflow.core.formats.errors import ERROR_CODES, FormatError
from chorusflow.core.formats.ubl import parse_ubl
from chorusflow.core.formats.xmlsafe import DEFAULT_MAX_XML_BYTES, parse_xml_safely
from chorusflow.core.invoice import Invoice

__all__ = [
    "ERROR_CODES",
    "Detected",
    "FileFormat",
    "FormatError",
    "detect",
    "parse_xml",
    "read_document",
]


def _parse_root(root: etree._Element, file_format: FileFormat) -> Invoice:
    if file_format is FileFormat.CII:
        return parse_cii(root)
    return parse_ubl(root)


def parse_xml(xml: bytes, *, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> Invoice:
    """The invoice in CII or UBL XML bytes (syntax chosen by the root element)."""
    root = parse_xml_safely(xml, max_bytes=max_bytes)
    return _parse_root(root, classify_root(root))


def read_document(
    data: bytes, filename: str = "", *, max_bytes: int | None = None
) -> tuple[Detected, Invoice | None]:
    """Detect and parse in one pass; the invoice is ``None`` for a plain PDF or an archive."""
    detected, root = detect_tree(data, filename, max_bytes=max_bytes)
    if root is None:
        return detected, None
    # A Factur-X carries CII; classify_root tells which syntax the embedded XML really is.
    return detected, _parse_root(root, classify_root(root))
