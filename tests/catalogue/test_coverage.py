"""Every rule id that can fire has a French and English explanation and fix."""

from __future__ import annotations

import re

from chorusflow.core import catalogue
from chorusflow.core.formats.errors import ERROR_CODES
from chorusflow.core.statuses import ErrorType

HUB_RULES = {
    "CPRO-SUPPLIER-SIRET-MISMATCH",
    "CPRO-SUPPLIER-SIRET-INVALID",
    "CPRO-RECIPIENT-SIRET-MISSING",
    "CPRO-RECIPIENT-SIRET-INVALID",
    "CPRO-RECIPIENT-UNKNOWN",
    "CPRO-RECIPIENT-INACTIVE",
    "CPRO-SERVICE-CODE-REQUIRED",
    "CPRO-SERVICE-UNKNOWN",
    "CPRO-SERVICE-INACTIVE",
    "CPRO-ENGAGEMENT-REQUIRED",
    "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED",
    "CPRO-INVOICE-NUMBER-TOO-LONG",
    "CPRO-INVOICE-NUMBER-CHARSET",
    "CPRO-INVOICE-NUMBER-ALREADY-SUBMITTED",
    "CPRO-CREDIT-NOTE-NO-REFERENCE",
    "CPRO-IBAN-INVALID",
    "CPRO-ATTACHMENT-TOO-LARGE",
    "CPRO-ATTACHMENTS-TOTAL-TOO-LARGE",
    "CPRO-ATTACHMENT-NAME-TOO-LONG",
    "CPRO-ATTACHMENT-EXTENSION",
    "CPRO-SYNTAX-NOT-ACCEPTED",
    "CPRO-PROFILE-NOT-ACCEPTED",
    "CPRO-NOT-VERIFIED",
    "FX-PROFILE-NOT-FOR-CHORUS",
    "XSD",
    "FX-UNUSED-IN-PROFILE",
    "CPRO-INTEGRATION-RECIPIENT-UNKNOWN",
    "CPRO-INTEGRATION-RECIPIENT-INACTIVE",
    "CPRO-INTEGRATION-SERVICE-CODE-MISSING",
    "CPRO-INTEGRATION-SERVICE-UNKNOWN",
    "CPRO-INTEGRATION-SERVICE-INACTIVE",
    "CPRO-INTEGRATION-ENGAGEMENT-MISSING",
    "CPRO-INTEGRATION-DUPLICATE-INVOICE-NUMBER",
    "CPRO-INTEGRATION-SUPPLIER-MISMATCH",
    "CPRO-INTEGRATION-SYNTAX-ERROR",
    "CPRO-INTEGRATION-EN16931-ERROR",
}
INTAKE_CODES = {
    "EMPTY_FILE",
    "FILE_TOO_LARGE",
    "XML_MALFORMED",
    "XML_FORBIDDEN_DTD",
    "XML_ENTITY_BOMB",
    "XML_WRONG_NAMESPACE",
    "XML_INVALID_ENCODING",
    "PDF_ENCRYPTED",
    "PDF_DAMAGED",
    "IMAGE_NOT_PDF",
    "ZUGFERD1_NOT_SUPPORTED",
    "UNSUPPORTED_FORMAT",
    "ZIP_BOMB",
    "ZIP_PATH_TRAVERSAL",
    "ZIP_DAMAGED",
    "ZIP_ENCRYPTED",
    "DUPLICATE_FILE",
    "NO_DOCUMENT",
}
BUSINESS_TERM = re.compile(r"^B[TG]-\d+$")


def _complete(rule: str) -> list[str]:
    """What is missing from a rule's entry, as readable complaints (empty when complete)."""
    entry = catalogue.get(rule)
    if entry is None:
        return [f"{rule}: no entry"]
    problems = []
    for part in ("explanation", "fix", "field_label"):
        for lang in ("fr", "en"):
            if not getattr(entry, part).get(lang, "").strip():
                problems.append(f"{rule}: empty {part}[{lang}]")
    return problems


def test_the_stylesheets_hold_the_expected_rule_families(official):
    # Guards the extraction itself: a broken parse would make the coverage test pass vacuously.
    shared = official["ubl"].keys() & official["cii"].keys()
    assert len(shared) >= 220
    assert {"BR-01", "BR-CO-15", "BR-S-08", "BR-CL-25", "BR-DEC-23", "BR-AE-10"} <= shared
    assert len(official["ubl"]) > 900 and len(official["cii"]) > 600


def test_every_rule_of_both_cen_stylesheets_is_explained(official):
    rules = official["ubl"].keys() | official["cii"].keys()
    problems = [p for rule in sorted(rules) for p in _complete(rule)]
    assert not problems, "\n".join(problems[:40])


def test_every_business_rule_points_at_a_business_term(official):
    shared = official["ubl"].keys() & official["cii"].keys()
    wrong = {rule: catalogue.get(rule).field for rule in shared}
    wrong = {rule: field for rule, field in wrong.items() if not (field and BUSINESS_TERM.match(field))}
    assert not wrong, wrong


def test_field_labels_name_the_business_term(official):
    shared = official["ubl"].keys() & official["cii"].keys()
    for rule in shared:
        entry = catalogue.get(rule)
        for lang in ("fr", "en"):
            assert entry.field_label[lang].startswith(entry.field + " "), (rule, entry.field_label)


def test_every_hub_rule_is_explained():
    problems = [p for rule in sorted(HUB_RULES) for p in _complete(rule)]
    assert not problems, "\n".join(problems)


def test_every_intake_error_code_is_explained():
    known = INTAKE_CODES | set(ERROR_CODES) | {e.value for e in ErrorType}
    problems = [p for rule in sorted(known) for p in _complete(rule)]
    assert not problems, "\n".join(problems)


def test_chorus_rules_point_at_the_field_chorus_routes_on():
    assert catalogue.get("CPRO-SERVICE-CODE-REQUIRED").field == "BT-10"
    assert "service" in catalogue.get("CPRO-SERVICE-CODE-REQUIRED").field_label["en"].lower()
    assert catalogue.get("CPRO-ENGAGEMENT-REQUIRED").field == "BT-13"
    assert catalogue.get("CPRO-RECIPIENT-UNKNOWN").field == "BT-46"
    assert catalogue.get("CPRO-INVOICE-NUMBER-TOO-LONG").field == "BT-1"
    assert catalogue.get("CPRO-IBAN-INVALID").field == "BT-84"


def test_all_rules_lists_every_entry(official):
    rules = catalogue.all_rules()
    assert isinstance(rules, frozenset)
    assert (official["ubl"].keys() | official["cii"].keys() | HUB_RULES | INTAKE_CODES) <= rules
    assert all(catalogue.get(rule) is not None for rule in rules)
