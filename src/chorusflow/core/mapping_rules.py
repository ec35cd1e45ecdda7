"""Preparation rules of a provider (seed 001), and what they decide for one document.

Five kinds, each an ordered list where the first matching rule wins:

* ``submission``: does this document go to Chorus Pro (``{"send": true|false}``)?
  No rule matching means yes.
* ``recipient``: an invoice label → the directory SIRET (``{"siret": ..., "service_code": ...}``);
* ``service``: a service label → the Chorus service code (``{"service_code": ...}``);
* ``bank``: a metadata value → ``idCoordonneeBancaire`` (``{"bank_account_id": n}``); a
  rule with pattern ``*`` is the default account;
* ``attachment``: a file of the same intake whose name matches the pattern becomes an
  attachment of the document whose number it contains (``{"max": n}`` optional).

A rule looks at one field: ``customer_code``, ``recipient_name``, ``recipient_siret``,
``number``, ``file_name`` or ``metadata.<key>``; patterns are shell-style and case-blind.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chorusflow.core.entities import Document

__all__ = ["KINDS", "Decisions", "Rule", "decide", "field_value", "first_match"]

KINDS = ("submission", "recipient", "service", "bank", "attachment")
DOCUMENT_FIELDS = ("customer_code", "recipient_name", "recipient_siret", "number", "service_code")


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    field: str
    pattern: str
    value: Mapping[str, Any]
    position: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"rule kind {self.kind!r}: use one of {', '.join(KINDS)}")
        if not (self.field in (*DOCUMENT_FIELDS, "file_name") or self.field.startswith("metadata.")):
            raise ValueError(
                f"rule field {self.field!r}: use {', '.join(DOCUMENT_FIELDS)}, file_name or metadata.<key>"
            )


@dataclass
class Decisions:
    send: bool = True
    send_rule: int | None = None
    recipient_siret: str | None = None
    service_code: str | None = None
    bank_account_id: int | None = None
    applied: list[int] = field(default_factory=list)


def field_value(document: Document, file_name: str, name: str) -> str | None:
    if name == "file_name":
        return file_name
    if name.startswith("metadata."):
        value = (document.intake_metadata or {}).get(name.split(".", 1)[1])
        return None if value is None else str(value)
    value = getattr(document, name)
    return None if value is None else str(value)


def first_match(rules: Iterable[Rule], kind: str, document: Document, file_name: str) -> Rule | None:
    for rule in sorted((r for r in rules if r.kind == kind), key=lambda r: (r.position, r.id or 0)):
        value = field_value(document, file_name, rule.field)
        if value is not None and fnmatch.fnmatchcase(value.casefold(), rule.pattern.casefold()):
            return rule
    return None


def decide(rules: Sequence[Rule], document: Document, file_name: str) -> Decisions:
    """Everything the rules say about one document; pure, so the UI can preview it."""
    out = Decisions()
    if (rule := first_match(rules, "submission", document, file_name)) is not None:
        out.send, out.send_rule = bool(rule.value.get("send", True)), rule.id
        out.applied.append(rule.id or 0)
    if (rule := first_match(rules, "recipient", document, file_name)) is not None:
        out.recipient_siret = rule.value.get("siret")
        out.service_code = rule.value.get("service_code")
        out.applied.append(rule.id or 0)
    if (rule := first_match(rules, "service", document, file_name)) is not None:
        out.service_code = rule.value.get("service_code") or out.service_code
        out.applied.append(rule.id or 0)
    if (rule := first_match(rules, "bank", document, file_name)) is not None:
        account = rule.value.get("bank_account_id")
        out.bank_account_id = int(account) if account is not None else None
        out.applied.append(rule.id or 0)
    return out


def attachment_names(rules: Sequence[Rule], number: str | None, names: Iterable[str]) -> list[str]:
    """Files of the intake linked to the document ``number`` by an attachment rule."""
    if not number:
        return []
    linked = []
    for rule in (r for r in rules if r.kind == "attachment"):
        for name in names:
            if number.casefold() in name.casefold() and fnmatch.fnmatchcase(
                name.casefold(), rule.pattern.casefold()
            ):
                linked.append(name)
    return list(dict.fromkeys(linked))
