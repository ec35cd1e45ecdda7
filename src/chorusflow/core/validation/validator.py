"""One entry point that runs every validation layer on an invoice XML.

The layers are independent and all run, so a user gets every problem in one
pass: the Chorus Pro profile policy, the XML Schema, the EN 16931 rules (the
official CEN artefacts, whose verdict we must match exactly) and, for
Factur-X, the rules of the declared profile. Only XML that cannot be parsed
stops early. A document with an unexpected root element still goes through
the Schematron, as the official validators do (their verdict must stay ours),
and the schema layer reports the root element as a fatal finding, since the
Schematron may well report nothing at all on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from chorusflow.core.validation.en16931 import CEN_STYLESHEETS, en16931_findings
from chorusflow.core.validation.facturx_profile import (
    FACTURX_STYLESHEETS,
    chorus_profile_findings,
    normalize_profile,
    profile_findings,
)
from chorusflow.core.validation.findings import Finding, Report, Syntax
from chorusflow.core.validation.xsd import parse_document, schema_findings, warm_schemas
from chorusflow.core.validation.xslt_engine import compiled, parse_for_saxon

__all__ = ["validate_xml", "warm_up"]

_SYNTAXES = get_args(Syntax)


def validate_xml(xml: bytes, syntax: Syntax, *, profile: str | None = None) -> Report:
    """Validate an invoice XML (UBL 2.1 or CII D16B) for EN 16931 and Chorus Pro.

    ``profile`` is the Factur-X profile the document declares (a name such as
    ``"en16931"`` or its guideline URN), for CII only; ``None`` validates a plain
    EN 16931 CII or UBL invoice. For a PDF, extract the embedded XML first.
    """
    if isinstance(xml, bytearray | memoryview):
        xml = bytes(xml)
    if not isinstance(xml, bytes):
        raise TypeError(
            f"validate_xml takes the document as bytes, not {type(xml).__name__}: "
            "pass the file's raw content (for text, .encode() it with its declared encoding)."
        )
    if syntax not in _SYNTAXES:
        raise ValueError(f"Unknown syntax {syntax!r}: use 'cii' or 'ubl'.")
    level = None
    if profile is not None:
        if syntax != "cii":
            raise ValueError(
                "A Factur-X profile only applies to CII invoices; validate UBL with profile=None."
            )
        level = normalize_profile(profile)

    report = Report(syntax=syntax, profile=level)
    if level is not None:
        report.findings.extend(chorus_profile_findings(level))
    parsed = parse_document(xml)
    if isinstance(parsed, Finding):
        report.findings.append(parsed)
        return report
    report.findings.extend(schema_findings(parsed.tree, syntax, level))
    document = parse_for_saxon(parsed.text)
    report.findings.extend(en16931_findings(document, syntax))
    if level is not None:
        report.findings.extend(profile_findings(document, level))
    return report


def warm_up(syntaxes: Iterable[Syntax] = _SYNTAXES, profiles: Iterable[str] = ()) -> None:
    """Compile the stylesheets and schemas ahead of the first document (server start, tests).

    Compiling takes 0.3-2 s per stylesheet; doing it at start-up keeps that
    cost out of the first user's request.
    """
    syntaxes = list(syntaxes)
    levels = [normalize_profile(profile) for profile in profiles]
    for syntax in syntaxes:
        compiled(CEN_STYLESHEETS[syntax])
    for level in levels:
        compiled(FACTURX_STYLESHEETS[level])
    warm_schemas(syntaxes, levels)
