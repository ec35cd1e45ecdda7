"""Plain-language help for every rule id a validation can report, in French and English.

The official EN 16931 messages are written for implementers ("BR-CO-15 ...
shall ..."); a supplier's accountant needs to know what is wrong and which
field of the invoice to change. Each rule id (EN 16931 business and syntax
rules of the CEN artefacts 1.3.16, the hub's Chorus Pro pre-flight rules,
intake error codes, Chorus Pro integration rejections) maps to an
:class:`Explanation`. The texts live in JSON package data split by family, so
that translators and reviewers edit data rather than code; they are read once
per process and cached.

Lookups never fail: an id the catalogue does not know gets a generic text
chosen by its family prefix, so a newer artefact with new rules still shows
something useful.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

__all__ = ["LANGUAGES", "Explanation", "all_rules", "explain", "get"]

#: Languages every entry is written in; the first one is the default.
LANGUAGES: Final = ("en", "fr")

# Files holding rule entries, one per family. Each is {"rules": {id: entry}}.
_RULE_FILES: Final = (
    "en16931_core.json",
    "en16931_vat.json",
    "codelists.json",
    "syntax_ubl.json",
    "syntax_cii.json",
    "chorus.json",
    "intake.json",
)

_WHOLE_DOCUMENT: Final = {"en": "The invoice as a whole", "fr": "La facture dans son ensemble"}
_BUSINESS_TERM = re.compile(r"^B[TG]-\d+$")
# "CII-SR-004" and "CII-SR-04" are the same rule: the artefact's id and its
# message text disagree on zero padding, and callers may hold either.
_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<number>\d+)(?P<suffix>[a-z]?)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a rule means for the person who has to correct the invoice."""

    rule: str
    field: str | None  # business term or group, e.g. "BT-10"; None when the whole file is at fault
    field_label: dict[str, str]  # {"fr": ..., "en": ...}, e.g. "BT-10 Buyer reference"
    explanation: dict[str, str]  # {"fr": ..., "en": ...}
    fix: dict[str, str]  # {"fr": ..., "en": ...}


def explain(rule: str, lang: str = "en") -> tuple[str, str, str | None]:
    """(message, fix, field) for ``rule`` in ``lang``, with a generic text for an unknown id.

    ``lang`` may be a locale such as "fr-FR"; languages other than French and
    English get English. Never raises, so display code can call it on any id.
    """
    language = _language(lang)
    entry = get(rule)
    if entry is not None:
        return entry.explanation[language], entry.fix[language], entry.field
    text = str(rule).strip() if rule is not None else ""
    fallback = _fallback(text.upper())
    shown = text or "?"
    return (
        fallback["explanation"][language].replace("{rule}", shown),
        fallback["fix"][language].replace("{rule}", shown),
        None,
    )


def get(rule: str) -> Explanation | None:
    """The catalogue entry for ``rule`` (case and zero padding ignored), or None."""
    if not isinstance(rule, str):
        return None
    key = rule.strip().upper()
    entries = _entries()
    if key in entries:
        return entries[key]
    canonical = _aliases().get(_numeric_key(key))
    return entries[canonical] if canonical else None


@cache
def all_rules() -> frozenset[str]:
    """Every rule id the catalogue explains."""
    return frozenset(_entries())


def _language(lang: str) -> str:
    base = str(lang or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else LANGUAGES[0]


def _numeric_key(rule: str) -> tuple[str, int, str] | None:
    match = _NUMBERED.match(rule)
    if not match:
        return None
    return match["stem"], int(match["number"]), match["suffix"].lower()


@cache
def _load(name: str) -> Any:
    return json.loads(resources.files(__name__).joinpath("data", name).read_text(encoding="utf-8"))


@cache
def _entries() -> Mapping[str, Explanation]:
    fields = _load("fields.json")["fields"]
    syntax = _load("syntax_templates.json")
    entries: dict[str, Explanation] = {}
    for name in _RULE_FILES:
        for rule, raw in _load(name)["rules"].items():
            if rule in entries:
                raise ValueError(f"catalogue: rule {rule} is defined twice (second time in {name})")
            entries[rule] = _build(rule, raw, fields, syntax)
    return MappingProxyType(entries)


@cache
def _aliases() -> Mapping[tuple[str, int, str], str]:
    aliases: dict[tuple[str, int, str], str] = {}
    for rule in _entries():
        key = _numeric_key(rule)
        if key is not None:
            aliases.setdefault(key, rule)
    return MappingProxyType(aliases)


def _fallback(rule: str) -> dict[str, dict[str, str]]:
    # Fallbacks are listed most specific first and end with the empty prefix.
    for candidate in _load("fallbacks.json")["fallbacks"]:
        if rule.startswith(candidate["prefix"]):
            return candidate
    raise ValueError("catalogue: fallbacks.json needs an entry with an empty prefix")


def _build(rule: str, raw: dict[str, Any], fields: dict[str, Any], syntax: dict[str, Any]) -> Explanation:
    if "kind" in raw:
        raw = _expand_compact(raw, syntax)
    field = raw.get("field")
    if "field_label" in raw:
        label = dict(raw["field_label"])
    elif field is None:
        label = dict(_WHOLE_DOCUMENT)
    elif _BUSINESS_TERM.match(field) and field in fields:
        label = {lang: f"{field} {fields[field][lang]}" for lang in LANGUAGES}
    else:
        raise ValueError(f"catalogue: rule {rule} points at {field!r}, which has no label in fields.json")
    explanation, fix = dict(raw["explanation"]), dict(raw["fix"])
    for part in (label, explanation, fix):
        missing = [lang for lang in LANGUAGES if not str(part.get(lang, "")).strip()]
        if missing:
            raise ValueError(f"catalogue: rule {rule} has no {'/'.join(missing)} text")
    return Explanation(rule=rule, field=field, field_label=label, explanation=explanation, fix=fix)


def _expand_compact(raw: dict[str, Any], syntax: dict[str, Any]) -> dict[str, Any]:
    """Turn a {"kind", "what", "name"[, "attribute"]} entry into full texts from the syntax templates.

    Over a thousand syntax-binding rules say the same thing about a different
    XML element ("X should not be present"); writing each by hand would only
    multiply the chances of inconsistent wording.
    """
    template = syntax["templates"][raw["kind"]]
    what = raw["what"]
    names = {"name": raw["name"], "attribute": raw.get("attribute", "")}
    subjects = {lang: syntax["subjects"][what][lang].format(**names) for lang in LANGUAGES}

    def fill(text: str, lang: str) -> str:
        subject = subjects[lang]
        values = {"subject": subject, "Subject": subject[:1].upper() + subject[1:]}
        values |= {f"{key}_{lang}": value for key, value in values.items()}
        return text.format(**values)

    out: dict[str, Any] = {
        "field": raw.get("field"),
        "explanation": {lang: fill(template["explanation"][lang], lang) for lang in LANGUAGES},
        "fix": {lang: fill(template["fix"][lang], lang) for lang in LANGUAGES},
    }
    if out["field"] is None:
        out["field_label"] = {lang: syntax["labels"][what][lang].format(**names) for lang in LANGUAGES}
    return out
