"""explain/get: the lookups the CLI and the flow details call."""

from __future__ import annotations

import dataclasses

import pytest

from chorusflow.core import catalogue
from chorusflow.core.catalogue import Explanation


def test_explain_returns_message_fix_and_field_in_the_asked_language():
    message, fix, field = catalogue.explain("BR-CO-15", "fr")
    assert field == "BT-112"
    assert "TTC" in message and "BT-112" in fix
    message_en, _, field_en = catalogue.explain("BR-CO-15")
    assert field_en == "BT-112" and message_en != message and "VAT" in message_en


@pytest.mark.parametrize("lang", ["fr", "FR", "fr-FR", "fr_CA", " fr "])
def test_explain_accepts_french_locales(lang):
    assert catalogue.explain("BR-02", lang) == catalogue.explain("BR-02", "fr")


@pytest.mark.parametrize("lang", ["de", "", "xx-YY", "english"])
def test_explain_falls_back_to_english_for_other_languages(lang):
    assert catalogue.explain("BR-02", lang) == catalogue.explain("BR-02", "en")


@pytest.mark.parametrize("rule", ["NOPE-1", "", "   ", "BR-999", "FX-SCH-A-000123", "CPRO-NEW-RULE", "?"])
def test_explain_on_an_unknown_id_falls_back_without_raising(rule):
    for lang in ("en", "fr"):
        message, fix, field = catalogue.explain(rule, lang)
        assert message.strip() and fix.strip()
        assert field is None


def test_fallback_depends_on_the_rule_family():
    chorus, _, _ = catalogue.explain("CPRO-INTEGRATION-SOMETHING-NEW")
    assert "Chorus Pro rejected" in chorus and "CPRO-INTEGRATION-SOMETHING-NEW" in chorus
    en16931, _, _ = catalogue.explain("BR-999")
    assert "EN 16931" in en16931
    facturx, _, _ = catalogue.explain("FX-SCH-A-000123", "fr")
    assert "Factur-X" in facturx


def test_explain_never_raises_on_odd_input():
    assert catalogue.explain(None)[0]  # type: ignore[arg-type]
    assert catalogue.explain(42, 7)[0]  # type: ignore[arg-type]
    assert catalogue.get(None) is None  # type: ignore[arg-type]


def test_get_ignores_case_surrounding_space_and_zero_padding():
    # The CII stylesheet's id is CII-SR-04 while its message says [CII-SR-004].
    assert catalogue.get("CII-SR-004") is catalogue.get("CII-SR-04")
    assert catalogue.get(" br-co-10 ") is catalogue.get("BR-CO-10")
    assert catalogue.get("BR-1") is catalogue.get("BR-01")
    assert catalogue.get("NOT-A-RULE") is None


def test_an_entry_is_a_frozen_explanation():
    entry = catalogue.get("CPRO-SERVICE-CODE-REQUIRED")
    assert isinstance(entry, Explanation)
    assert entry.rule == "CPRO-SERVICE-CODE-REQUIRED"
    assert entry.field == "BT-10"
    assert entry.field_label["en"] == "BT-10 Buyer reference (Chorus Pro service code)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.field = "BT-1"  # type: ignore[misc]


def test_entries_without_a_business_term_say_what_part_is_at_fault():
    entry = catalogue.get("EMPTY_FILE")
    assert entry.field is None and entry.field_label["fr"]
    unused = catalogue.get("UBL-CR-001")
    assert "UBLExtensions" in unused.explanation["en"] and "UBLExtensions" in unused.explanation["fr"]
    assert "UBLExtensions" in unused.field_label["en"]


def test_syntax_rules_name_the_element_and_say_how_bad_it_is():
    warning = catalogue.get("CII-SR-001").explanation["en"]
    fatal = catalogue.get("CII-DT-001").explanation["en"]
    assert "SpecifiedTransactionID" in warning and "warning" in warning
    assert "schemeName" in fatal and "rejected" in fatal


def test_loading_is_cached():
    assert catalogue.all_rules() is catalogue.all_rules()
    assert catalogue.get("BR-01") is catalogue.get("BR-01")
