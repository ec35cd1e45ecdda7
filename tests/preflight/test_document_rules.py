"""Rules on the document itself: supplier SIRET, invoice number, credit note, IBAN, syntax and profile."""

from __future__ import annotations

import pytest

from chorusflow.core.invoice import Invoice
from chorusflow.core.preflight import PreflightInput, run_preflight
from chorusflow.core.preflight.rules import iban_ok
from chorusflow.core.provider import luhn_ok, siret_ok
from chorusflow.core.validation import Finding
from chorusflow.sandbox.seed import make_siret
from tests.preflight.conftest import LiveDirectory
from tests.preflight.documents import (
    GOOD_IBAN,
    OTHER_SUPPLIER,
    SUPPLIER,
    invoice,
    la_poste_siret,
    parse,
    recipient,
    with_billing_reference,
    with_iban,
)
from tests.sandbox.invoices import cii, ubl


def preflight(
    doc: Invoice | None,
    directory: LiveDirectory,
    *,
    fmt: str = "ubl_invoice",
    profile: str | None = None,
    provider_siret: str | None = SUPPLIER,
    **extra: object,
) -> list[Finding]:
    data = PreflightInput(invoice=doc, format=fmt, profile=profile, provider_siret=provider_siret, **extra)  # type: ignore[arg-type]
    return run_preflight(data, directory)


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def test_a_clean_invoice_has_no_finding_and_every_finding_is_a_chorus_one(directory: LiveDirectory) -> None:
    assert preflight(invoice(), directory) == []
    found = preflight(invoice(seller=OTHER_SUPPLIER, number="F 1"), directory)
    assert found and all(f.source == "chorus" and f.rule.startswith("CPRO-") for f in found)


# -- supplier ---------------------------------------------------------------------------------------


def test_supplier_siret_must_be_the_providers(directory: LiveDirectory) -> None:
    found = preflight(invoice(seller=OTHER_SUPPLIER), directory)
    assert rules(found) == ["CPRO-SUPPLIER-SIRET-MISMATCH"]
    assert found[0].severity == "fatal" and found[0].location == "BT-29"
    assert OTHER_SUPPLIER in found[0].message and SUPPLIER in found[0].message


def test_no_provider_siret_means_no_mismatch_check(directory: LiveDirectory) -> None:
    assert preflight(invoice(seller=OTHER_SUPPLIER), directory, provider_siret=None) == []


def test_supplier_siret_must_pass_luhn(directory: LiveDirectory) -> None:
    good = make_siret(50)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert luhn_ok(good) and not luhn_ok(bad)
    found = preflight(invoice(seller=bad), directory, provider_siret=bad)
    assert rules(found) == ["CPRO-SUPPLIER-SIRET-INVALID"]
    assert found[0].location == "BT-29"


@pytest.mark.parametrize("siret", ["1234567890123", "123456789012345", "2139595050060A"])
def test_supplier_siret_must_have_14_digits(directory: LiveDirectory, siret: str) -> None:
    found = preflight(invoice(seller=siret), directory, provider_siret=siret)
    assert rules(found) == ["CPRO-SUPPLIER-SIRET-INVALID"]


def test_la_poste_sirets_follow_the_digit_sum_rule(directory: LiveDirectory) -> None:
    accepted, refused = la_poste_siret(valid=True), la_poste_siret(valid=False)
    assert not luhn_ok(accepted) and siret_ok(accepted)
    assert luhn_ok(refused) and not siret_ok(refused)
    assert preflight(invoice(seller=accepted), directory, provider_siret=accepted) == []
    assert rules(preflight(invoice(seller=refused), directory, provider_siret=refused)) == [
        "CPRO-SUPPLIER-SIRET-INVALID"
    ]


# -- invoice number -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["A" * 20, "F2024/001-a_B+7", "1"])
def test_invoice_numbers_chorus_accepts(directory: LiveDirectory, number: str) -> None:
    assert preflight(invoice(number=number), directory) == []


def test_invoice_number_over_20_characters(directory: LiveDirectory) -> None:
    found = preflight(invoice(number="F" * 21), directory)
    assert rules(found) == ["CPRO-INVOICE-NUMBER-TOO-LONG"]
    assert found[0].location == "BT-1" and "21" in found[0].message


@pytest.mark.parametrize("number", ["F 2024", "F2024.001", "FAC#1", "FACTURE-É1", "F:1", "F,1"])
def test_invoice_number_charset(directory: LiveDirectory, number: str) -> None:
    """Letters, digits and ``- _ / +`` only, as the sandbox and Chorus's annex say."""
    found = preflight(invoice(number=number), directory)
    assert rules(found) == ["CPRO-INVOICE-NUMBER-CHARSET"]


def test_invoice_number_with_a_trailing_newline(directory: LiveDirectory) -> None:
    doc = invoice()
    doc.number = "F2024-001\n"
    assert rules(preflight(doc, directory)) == ["CPRO-INVOICE-NUMBER-CHARSET"]


def test_long_number_with_bad_characters_reports_both(directory: LiveDirectory) -> None:
    found = preflight(invoice(number="FACTURE N° 2024 000001"), directory)
    assert rules(found) == ["CPRO-INVOICE-NUMBER-CHARSET", "CPRO-INVOICE-NUMBER-TOO-LONG"]


def test_invoice_number_already_submitted_by_this_supplier(directory: LiveDirectory) -> None:
    asked: list[str] = []
    submitted = {"F2024-001"}

    def already_submitted(number: str) -> bool:
        asked.append(number)
        return number in submitted

    found = preflight(invoice(number="F2024-001"), directory, already_submitted=already_submitted)
    assert rules(found) == ["CPRO-INVOICE-NUMBER-ALREADY-SUBMITTED"]
    assert preflight(invoice(number="F2024-002"), directory, already_submitted=already_submitted) == []
    assert asked == ["F2024-001", "F2024-002"]
    assert preflight(invoice(number="F2024-001"), directory, already_submitted=None) == []


# -- credit note ----------------------------------------------------------------------------------------


def test_credit_note_without_reference(directory: LiveDirectory) -> None:
    found = preflight(invoice(number="AV-1", type_code="381"), directory)
    assert rules(found) == ["CPRO-CREDIT-NOTE-NO-REFERENCE"]
    assert found[0].location == "BG-3"


def test_credit_note_with_reference_and_invoice_without(directory: LiveDirectory) -> None:
    note = parse(with_billing_reference(ubl("AV-2", SUPPLIER, recipient(0), type_code="381"), "F2024-001"))
    assert [p.number for p in note.preceding_invoices] == ["F2024-001"]
    assert preflight(note, directory) == []
    assert preflight(invoice(type_code="380"), directory) == []


def test_cii_credit_note_without_reference(directory: LiveDirectory) -> None:
    note = parse(cii("AV-3", SUPPLIER, recipient(0), type_code="381"))
    assert rules(preflight(note, directory, fmt="cii")) == ["CPRO-CREDIT-NOTE-NO-REFERENCE"]


# -- IBAN -------------------------------------------------------------------------------------------------


def test_iban_checksum() -> None:
    assert iban_ok(GOOD_IBAN) and iban_ok("fr76 3000 6000 0112 3456 7890 189")
    assert iban_ok("FR1420041010050500013M02606") and iban_ok("DE89370400440532013000")
    assert not iban_ok("FR7630006000011234567890188")  # one digit off
    assert not iban_ok("FR76")  # too short
    assert not iban_ok("1234567890123456")  # no country


def test_invalid_iban_on_a_credit_transfer(directory: LiveDirectory) -> None:
    bad = "FR7630006000011234567890188"
    found = preflight(parse(with_iban(ubl("F-IBAN", SUPPLIER, recipient(0)), bad)), directory)
    assert rules(found) == ["CPRO-IBAN-INVALID"]
    assert found[0].location == "BT-84" and bad in found[0].message


def test_invalid_iban_in_cii(directory: LiveDirectory) -> None:
    doc = parse(with_iban(cii("F-IBAN", SUPPLIER, recipient(0)), "FR00BADIBAN"))
    assert rules(preflight(doc, directory, fmt="cii")) == ["CPRO-IBAN-INVALID"]


def test_account_ids_of_other_payment_means_are_not_ibans(directory: LiveDirectory) -> None:
    doc = invoice()
    doc.payment_means[0].type_code = "49"  # direct debit: the account is a mandate reference
    doc.payment_means[0].account_id = "MANDATE-42"
    assert preflight(doc, directory) == []


# -- syntax and profile -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "profile"),
    [
        ("ubl_invoice", None),
        ("ubl_credit_note", None),
        ("cii", None),
        ("facturx", "EN 16931"),
        ("facturx", "BASIC"),
        ("facturx", "EXTENDED"),
    ],
)
def test_accepted_syntaxes_and_profiles(directory: LiveDirectory, fmt: str, profile: str | None) -> None:
    assert preflight(invoice(), directory, fmt=fmt, profile=profile) == []


@pytest.mark.parametrize("profile", ["MINIMUM", "BASIC WL", None])
def test_facturx_profiles_that_are_not_full_invoices(directory: LiveDirectory, profile: str | None) -> None:
    found = preflight(invoice(), directory, fmt="facturx", profile=profile)
    assert rules(found) == ["CPRO-PROFILE-NOT-ACCEPTED"]
    assert (profile or "unknown") in found[0].message


@pytest.mark.parametrize("fmt", ["zip", "unsupported"])
def test_syntaxes_chorus_refuses(directory: LiveDirectory, fmt: str) -> None:
    assert rules(preflight(None, directory, fmt=fmt)) == ["CPRO-SYNTAX-NOT-ACCEPTED"]


def test_plain_pdf_is_accepted_with_nothing_else_to_check(directory: LiveDirectory) -> None:
    assert preflight(None, directory, fmt="pdf") == []
