"""What a validation run says about one document.

A finding keeps the artefact's own rule id and English text untouched, so a
user can look the rule up in the official documentation and we can prove,
rule by rule, that we say what the official CEN/TC 434 validators say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = [
    "FATAL",
    "WARNING",
    "Finding",
    "Report",
    "Severity",
    "Source",
    "Syntax",
]

Severity = Literal["fatal", "warning"]
Source = Literal["xsd", "en16931", "facturx-profile", "chorus"]
Syntax = Literal["cii", "ubl"]

FATAL: Final = "fatal"
WARNING: Final = "warning"

# Factur-X profile stylesheets name most rules FX-SCH-A-nnnnnn and put the
# EN 16931 rule in front of the text, as in "[BR-45]-Each VAT breakdown ...".
_BRACKETED_RULE = re.compile(r"^\s*\[([A-Za-z0-9][A-Za-z0-9._-]*)\]")


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed rule, as the artefact that checked it reported it."""

    rule: str
    severity: Severity
    message: str
    location: str | None
    source: Source

    @property
    def business_rule(self) -> str:
        """The EN 16931 rule behind this finding, for grouping and user help.

        Factur-X profile findings carry the EN rule only in their text; every
        other finding's rule id already is the one to show.
        """
        match = _BRACKETED_RULE.match(self.message)
        return match.group(1) if match else self.rule


@dataclass(slots=True)
class Report:
    """All findings for one document, with the context they were found in."""

    syntax: Syntax
    profile: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """A document is acceptable when no check reported a fatal finding."""
        return not any(f.severity == FATAL for f in self.findings)

    @property
    def fatal_rules(self) -> set[str]:
        return {f.rule for f in self.findings if f.severity == FATAL}

    @property
    def warning_rules(self) -> set[str]:
        return {f.rule for f in self.findings if f.severity == WARNING}

    def from_source(self, source: Source) -> list[Finding]:
        """The findings of one layer (XSD, EN 16931 schematron, profile, Chorus)."""
        return [f for f in self.findings if f.source == source]

    def fatal_rules_from(self, source: Source) -> set[str]:
        return {f.rule for f in self.findings if f.source == source and f.severity == FATAL}
