"""The texts are written for a supplier's accountant: real French, not the official wording."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from chorusflow.core import catalogue

_FRENCH = (
    "le la les des du une un est pas dans pour avec sur au aux ou et de facture votre vos aucun aucune"
    " sont doit qui chaque seul seule par ne plusieurs son sa ses leur en à hors tva"
)
_ENGLISH = "the is are and shall must should with your has have of"
_ENGLISH_SMALL = "a an to in or no each every for on its"
FRENCH_WORDS = frozenset(_FRENCH.split())
ENGLISH_WORDS = frozenset(_ENGLISH.split())
ENGLISH_FUNCTION_WORDS = ENGLISH_WORDS | frozenset(_ENGLISH_SMALL.split())
FRENCH_ARTICLES = {"le", "la", "les", "des", "une"}
WORD = re.compile(r"[a-zà-ÿœæ']+")


def _words(text: str) -> set[str]:
    # Names in quotes are XML element names, not prose: leave them out.
    prose = re.sub(r"«[^»]*»|“[^”]*”|\([^)]*\)", " ", text.lower())
    return {w.strip("'").split("'")[-1] for w in WORD.findall(prose)}


def _french(text: str) -> bool:
    words = _words(text)
    has_accent = bool(re.search(r"[àâçéèêëîïôûùüÿœ]", text.lower()))
    return len(words & FRENCH_WORDS) >= 2 or (has_accent and len(words & FRENCH_WORDS) >= 1)


def test_french_texts_are_french():
    not_french = []
    for rule in sorted(catalogue.all_rules()):
        entry = catalogue.get(rule)
        for part in ("explanation", "fix"):
            text = getattr(entry, part)["fr"]
            if not _french(text) or _words(text) & ENGLISH_WORDS:
                not_french.append(f"{rule} {part}: {text}")
    assert not not_french, "\n".join(not_french[:20])


def test_french_and_english_differ():
    same = [
        rule
        for rule in catalogue.all_rules()
        for part in ("explanation", "fix")
        if getattr(catalogue.get(rule), part)["fr"] == getattr(catalogue.get(rule), part)["en"]
    ]
    assert not same, same[:20]


def test_english_texts_are_english():
    for rule in sorted(catalogue.all_rules()):
        entry = catalogue.get(rule)
        for part in ("explanation", "fix"):
            words = _words(getattr(entry, part)["en"])
            assert words & ENGLISH_FUNCTION_WORDS and not words & FRENCH_ARTICLES, (rule, part)


def test_no_entry_copies_the_official_english_message(official):
    copied = []
    for syntax in ("ubl", "cii"):
        for rule, message in official[syntax].items():
            entry = catalogue.get(rule)
            for text in (entry.explanation["en"], entry.fix["en"]):
                ratio = SequenceMatcher(None, text.lower(), message.lower()).ratio()
                if ratio > 0.8:
                    copied.append(f"{rule} ({ratio:.2f}): {text}")
    assert not copied, "\n".join(copied[:20])


def test_texts_are_sentences_of_reasonable_length():
    for rule in catalogue.all_rules():
        entry = catalogue.get(rule)
        for part in ("explanation", "fix"):
            for lang in ("fr", "en"):
                text = getattr(entry, part)[lang]
                assert 15 <= len(text) <= 600, (rule, part, lang, len(text))
                assert text[0].isupper() or text[0] in "«“", (rule, part, lang, text)
                assert text.rstrip()[-1] in ".!)…", (rule, part, lang, text)
