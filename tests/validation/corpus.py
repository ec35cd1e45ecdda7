"""Access to the shared sample corpus and its recorded official verdicts.

The corpus is data outside the repository (/work/shared/corpus); without it
the parity proof cannot run, so a missing corpus is an error, never a skip.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import facturx
from lxml import etree

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

CEN_ANCHORS = {"CEN-UBL-1.3.16": "ubl", "CEN-CII-1.3.16": "cii"}
CEN_ON_PDF = "CEN-CII-1.3.16 on embedded XML"
PDF_XSD = "factur-x get_xml_from_pdf + xml_check_xsd"
_FX_ANCHOR = re.compile(r"^Factur-X 1\.09\.x (\w+) profile XSLT$")
# The anchor harness names a Factur-X finding after the EN rule in its text
# when that text starts with "[BR-...]", and after the stylesheet's id otherwise.
_BRACKETED_BR = re.compile(r"^\s*\[(BR-[A-Za-z0-9-]+)\]")


def require_corpus() -> Path:
    if not (CORPUS / "anchor_observed.csv").is_file():
        raise FileNotFoundError(
            f"The shared validation corpus is missing at {CORPUS}: the parity tests need "
            "shared/corpus (expected.csv, anchor_observed.csv and the sample files) beside the repository."
        )
    return CORPUS


@dataclass(frozen=True, slots=True)
class Verdict:
    """One official validator's verdict on one corpus file."""

    file: str
    anchor: str
    result: str
    fatal: frozenset[str]
    warnings: frozenset[str]

    @property
    def profile(self) -> str | None:
        match = _FX_ANCHOR.match(self.anchor)
        return match.group(1) if match else None


def _rules(cell: str) -> frozenset[str]:
    return frozenset(rule for rule in cell.split(";") if rule)


@cache
def verdicts() -> dict[str, dict[str, Verdict]]:
    """Anchor verdicts by file, then by anchor name."""
    by_file: dict[str, dict[str, Verdict]] = defaultdict(dict)
    with (require_corpus() / "anchor_observed.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_file[row["file"]][row["anchor"]] = Verdict(
                row["file"],
                row["anchor"],
                row["result"],
                _rules(row["fatal_rules"]),
                _rules(row["warning_rules"]),
            )
    return dict(by_file)


@cache
def expectations() -> list[dict[str, str]]:
    with (require_corpus() / "expected.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read(file: str) -> bytes:
    return (CORPUS / file).read_bytes()


def embedded_xml(file: str) -> tuple[bytes | None, str | None]:
    """The XML inside a corpus PDF and the Factur-X level it declares, as the anchor read them."""
    _name, xml = facturx.get_xml_from_pdf(read(file), check_xsd=False)
    if not xml:
        return None, None
    try:
        level = facturx.get_level(etree.fromstring(xml))
    except ValueError:
        level = None
    return xml, level


def anchor_rule(finding) -> str:
    """A Factur-X profile finding named the way the anchor harness named it."""
    match = _BRACKETED_BR.match(finding.message)
    return match.group(1) if match else finding.rule
