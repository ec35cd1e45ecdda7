"""Behaviour of the public validation API beyond corpus parity."""

from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from chorusflow.core.validation import (
    NOT_FOR_CHORUS_RULE,
    Finding,
    normalize_profile,
    profile_from_guideline,
    validate_xml,
)

from .corpus import embedded_xml, read

pytestmark = pytest.mark.usefixtures("validators")

VALID_CII = "cen/cii-examples/CII_business_example_01.xml"
VALID_UBL = "cen/ubl-examples/guide-example1.xml"
UNIT_BR_11 = "cen/unit-ubl-invoice/BR-11__t02__error.xml"
MINIMUM_PDF = "zugferd-corpus/v2-correct/FNFE-factur-x-examples__Facture_FR_MINIMUM.pdf"
BASICWL_PDF = "zugferd-corpus/v2-correct/symtrax__Beispiele__BASIC_WL__zugferd_2p1_BASIC-WL_Einfach.pdf"
EN16931_PDF = "zugferd-corpus/v2-correct/Mustangproject__MustangGnuaccountingBeispielRE-20201121_508.pdf"
BASIC_UE_PDF = "zugferd-corpus/v2-fail/FNFE-factur-x-examples__Facture_UE_BASIC.pdf"


def test_valid_invoices_have_no_findings() -> None:
    for file, syntax in ((VALID_CII, "cii"), (VALID_UBL, "ubl")):
        report = validate_xml(read(file), syntax)
        assert report.valid, report.findings
        assert report.fatal_rules == set()
        assert report.syntax == syntax
        assert report.profile is None


def test_a_failed_rule_is_reported_with_the_artefact_text_and_location() -> None:
    report = validate_xml(read(UNIT_BR_11), "ubl")

    assert not report.valid
    (br11,) = [f for f in report.findings if f.rule == "BR-11"]
    assert br11.severity == "fatal"
    assert br11.source == "en16931"
    assert br11.message.startswith("[BR-11]-")
    assert "Buyer postal address" in br11.message
    assert br11.location and br11.location.startswith("/")
    with pytest.raises(dataclasses.FrozenInstanceError):
        br11.rule = "X"  # type: ignore[misc]


def test_schema_errors_are_reported_with_their_line() -> None:
    xml = read(VALID_UBL).replace(b"<cbc:IssueDate>", b"<cbc:Bogus>1</cbc:Bogus><cbc:IssueDate>", 1)
    report = validate_xml(xml, "ubl")

    schema = report.from_source("xsd")
    assert schema and {f.rule for f in schema} == {"XSD"}
    assert "Bogus" in schema[0].message
    assert schema[0].location and schema[0].location.startswith("line ")
    assert not report.valid


def test_wrong_syntax_is_explained() -> None:
    report = validate_xml(read(VALID_UBL), "cii")

    (root,) = report.from_source("xsd")
    assert "validate it with syntax 'ubl'" in root.message
    assert not report.valid


def test_not_well_formed_xml_is_a_finding_not_a_crash() -> None:
    report = validate_xml(b"<Invoice><unclosed></Invoice>", "ubl")

    assert [(f.rule, f.source, f.severity) for f in report.findings] == [("XML", "xsd", "fatal")]
    assert "not well-formed" in report.findings[0].message


def test_doctype_is_refused_so_no_entity_is_ever_resolved(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = read(VALID_UBL).replace(
        b"<Invoice ", f'<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file://{secret}">]><Invoice '.encode(), 1
    )
    report = validate_xml(xml, "ubl")

    assert [f.rule for f in report.findings] == ["XML"]
    assert "DOCTYPE" in report.findings[0].message
    assert all("TOP-SECRET" not in f.message for f in report.findings)


def test_encodings_and_byte_order_mark_do_not_change_the_verdict() -> None:
    base = validate_xml(read(UNIT_BR_11), "ubl")
    utf8 = read(UNIT_BR_11)
    text = utf8.decode("utf-8")
    with_bom = b"\xef\xbb\xbf" + utf8
    latin1 = re.sub(r"encoding=.UTF-8.", 'encoding="ISO-8859-1"', text, count=1).encode("iso-8859-1")
    utf16 = re.sub(r"encoding=.UTF-8.", 'encoding="UTF-16"', text, count=1).encode("utf-16")
    assert b"ISO-8859-1" in latin1

    for variant in (with_bom, latin1, utf16, bytearray(utf8)):
        assert validate_xml(variant, "ubl").findings == base.findings


@pytest.mark.parametrize("file", [MINIMUM_PDF, BASICWL_PDF])
def test_minimum_and_basic_wl_are_refused_for_chorus(file) -> None:
    xml, level = embedded_xml(file)
    report = validate_xml(xml, "cii", profile=level)

    (refusal,) = report.from_source("chorus")
    assert refusal.rule == NOT_FOR_CHORUS_RULE
    assert refusal.severity == "fatal"
    assert "not full invoices" in refusal.message
    assert "EN 16931 or EXTENDED" in refusal.message
    assert not report.valid


def test_full_profiles_are_not_refused() -> None:
    xml, level = embedded_xml(EN16931_PDF)
    report = validate_xml(xml, "cii", profile=level)

    assert level == "en16931"
    assert report.profile == "en16931"
    assert report.valid
    assert report.from_source("chorus") == []
    # The EN16931 profile stylesheet ran: it reports its one warning (empty elements).
    assert {f.rule for f in report.from_source("facturx-profile")} == {"PEPPOL-EN16931-R008"}


def test_profile_findings_keep_both_the_stylesheet_id_and_the_en_rule() -> None:
    xml, _level = embedded_xml(BASIC_UE_PDF)
    report = validate_xml(xml, "cii", profile="BASIC")

    by_rule = {f.rule: f for f in report.from_source("facturx-profile")}
    assert by_rule["FX-SCH-A-000144"].business_rule == "BR-IC-11"
    assert by_rule["FX-SCH-A-000144"].message.startswith("[BR-IC-11]")
    unused = by_rule["FX-UNUSED-IN-PROFILE"]
    assert "not used in the given context" in unused.message
    assert unused.location


def test_a_plain_finding_names_its_own_business_rule() -> None:
    finding = Finding("BR-CO-10", "fatal", "[BR-CO-10]-Sum of Invoice line net amount ...", "/x", "en16931")
    assert finding.business_rule == "BR-CO-10"
    assert Finding("XSD", "fatal", "Element 'x': ...", "line 3", "xsd").business_rule == "XSD"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("MINIMUM", "minimum"),
        ("basic-wl", "basicwl"),
        ("BASIC WL", "basicwl"),
        ("comfort", "en16931"),
        ("urn:cen.eu:en16931:2017", "en16931"),
        ("urn:factur-x.eu:1p0:basicwl", "basicwl"),
        ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", "basic"),
        ("urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic", "basic"),
        ("urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended", "extended"),
        ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", "en16931"),
    ],
)
def test_profile_names_and_guideline_urns(given, expected) -> None:
    assert normalize_profile(given) == expected


def test_unknown_guideline_declares_no_profile() -> None:
    assert profile_from_guideline("urn:example:something") is None


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(TypeError, match="bytes"):
        validate_xml(read(VALID_CII).decode(), "cii")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'cii' or 'ubl'"):
        validate_xml(read(VALID_CII), "pdf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one of minimum, basicwl"):
        validate_xml(read(VALID_CII), "cii", profile="gold")
    with pytest.raises(ValueError, match="CII invoices"):
        validate_xml(read(VALID_UBL), "ubl", profile="en16931")


def test_concurrent_validation_gives_the_sequential_results() -> None:
    jobs = [(VALID_CII, "cii"), (VALID_UBL, "ubl"), (UNIT_BR_11, "ubl")] * 8
    sequential = [validate_xml(read(f), s).findings for f, s in jobs]

    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda job: validate_xml(read(job[0]), job[1]).findings, jobs))

    assert concurrent == sequential
