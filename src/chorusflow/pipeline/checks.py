"""One document's validation: EN 16931 (official artefacts) + Chorus Pro pre-flight.

Used by the pipeline's Validation stage and by ``chorusflow validate``, so a
file checked on the command line gets exactly the verdict it would get in a
flow. The report is a plain dict (stored on the document, printed as JSON):
each finding carries the artefact's rule id, the catalogue's plain
explanation and how to fix it, and the field concerned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chorusflow.core.catalogue import explain
from chorusflow.core.formats import Detected, FileFormat, FormatError, read_document
from chorusflow.core.invoice import Invoice
from chorusflow.core.preflight import Directory, PreflightInput, run_preflight
from chorusflow.core.validation import Finding, validate_xml

__all__ = ["CheckedDocument", "check_bytes", "check_invoice", "finding_view"]

_SYNTAX = {
    FileFormat.CII: "cii",
    FileFormat.FACTURX: "cii",
    FileFormat.UBL_INVOICE: "ubl",
    FileFormat.UBL_CREDIT_NOTE: "ubl",
}


@dataclass
class CheckedDocument:
    format: str
    profile: str | None
    invoice: Invoice | None
    report: dict[str, Any]

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])


def finding_view(finding: Finding, lang: str) -> dict[str, Any]:
    """A finding as users see it: the plain explanation first, the artefact's text kept."""
    rule = finding.business_rule if finding.rule.startswith("FX-SCH") else finding.rule
    message, fix, field = explain(rule, lang)
    return {
        "rule": finding.rule,
        "business_rule": rule,
        "severity": finding.severity,
        "source": finding.source,
        "message": message,
        "fix": fix,
        "field": field,
        "detail": finding.message,
        "location": finding.location,
    }


def _report(findings: list[Finding], fmt: str, profile: str | None, lang: str) -> dict[str, Any]:
    fatal = [finding_view(f, lang) for f in findings if f.severity == "fatal"]
    warnings = [finding_view(f, lang) for f in findings if f.severity != "fatal"]
    return {
        "format": fmt,
        "profile": profile,
        "valid": not fatal,
        "errors": fatal,
        "warnings": warnings,
        "not_verified": any(f.rule == "CPRO-NOT-VERIFIED" for f in findings),
    }


def check_invoice(
    detected: Detected,
    invoice: Invoice | None,
    *,
    provider_siret: str | None,
    directory: Directory | None,
    already_submitted: Callable[[str], bool] | None = None,
    file_size: int = 0,
    extra_attachments: list[tuple[str, int]] | None = None,
    lang: str = "en",
) -> CheckedDocument:
    """``extra_attachments``: (name, size) of files sent beside the invoice, held to Chorus's limits."""
    findings: list[Finding] = []
    syntax = _SYNTAX.get(detected.format)
    if syntax and detected.xml is not None:
        profile = detected.profile if detected.format is FileFormat.FACTURX else None
        findings += validate_xml(detected.xml, syntax, profile=profile).findings  # type: ignore[arg-type]
    findings += run_preflight(
        PreflightInput(
            invoice=invoice,
            format=detected.format.value,
            profile=detected.profile,
            provider_siret=provider_siret,
            file_size=file_size,
            extra_attachments=list(extra_attachments or []),
            already_submitted=already_submitted,
        ),
        directory,
    )
    report = _report(findings, detected.format.value, detected.profile, lang)
    return CheckedDocument(detected.format.value, detected.profile, invoice, report)


def check_bytes(
    data: bytes,
    filename: str,
    *,
    provider_siret: str | None = None,
    directory: Directory | None = None,
    already_submitted: Callable[[str], bool] | None = None,
    extra_attachments: list[tuple[str, int]] | None = None,
    lang: str = "en",
) -> CheckedDocument:
    """Detect, parse and check one file; a file that cannot be read is one fatal finding."""
    try:
        detected, invoice = read_document(data, filename)
    except FormatError as exc:
        message, fix, field = explain(exc.code, lang)
        error = {
            "rule": exc.code,
            "business_rule": exc.code,
            "severity": "fatal",
            "source": "format",
            "message": exc.message,
            "fix": exc.resolution or fix,
            "field": field,
            "detail": message,
            "location": None,
        }
        report = {"format": "unsupported", "profile": None, "valid": False, "errors": [error], "warnings": []}
        report["not_verified"] = False
        return CheckedDocument("unsupported", None, None, report)
    return check_invoice(
        detected,
        invoice,
        provider_siret=provider_siret,
        directory=directory,
        already_submitted=already_submitted,
        file_size=len(data),
        extra_attachments=extra_attachments,
        lang=lang,
    )
