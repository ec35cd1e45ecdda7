"""From Chorus Pro's integration message to a catalogue rule, an explanation and a fix.

Chorus reports a rejected invoice with free French text (``libelleErreurDP``)
and no code; a supplier needs to know *what to change*. The patterns below
recognise the rejections the platform documents (and the sandbox
reproduces) and name the ``CPRO-INTEGRATION-*`` rule of the message catalogue,
whose explanation and fix are written for people. Chorus's own message is
always kept next to them: a pattern can miss, the platform's words cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chorusflow.core.catalogue import explain, get

__all__ = ["Explained", "classify", "explain_rejection"]

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (rule, re.compile(pattern, re.IGNORECASE))
    for rule, pattern in [
        ("CPRO-INTEGRATION-SERVICE-OR-ENGAGEMENT-MISSING", r"engagement ou le code service est obligatoire"),
        ("CPRO-INTEGRATION-ENGAGEMENT-MISSING", r"num[ée]ro d.engagement est obligatoire"),
        ("CPRO-INTEGRATION-SERVICE-CODE-MISSING", r"code service est obligatoire"),
        ("CPRO-INTEGRATION-SERVICE-UNKNOWN", r"code service .* n.existe pas|FACTURES_PUBLIQUES"),
        ("CPRO-INTEGRATION-SERVICE-INACTIVE", r"\bservice\b .* n.est pas actif"),
        ("CPRO-INTEGRATION-RECIPIENT-MISSING", r"destinataire (est )?absent|SIRET\) du destinataire"),
        ("CPRO-INTEGRATION-RECIPIENT-UNKNOWN", r"n.est pas r[ée]f[ée]renc[ée]|destinataire .* inconnu"),
        ("CPRO-INTEGRATION-RECIPIENT-INACTIVE", r"destinataire .* n.est pas actif"),
        ("CPRO-INTEGRATION-DUPLICATE-INVOICE-NUMBER", r"d[ée]j[àa] [ée]t[ée] utilis[ée]|doublon"),
        ("CPRO-INTEGRATION-INVOICE-NUMBER-FORMAT", r"num[ée]ro de facture"),
        (
            "CPRO-INTEGRATION-SUPPLIER-MISMATCH",
            r"fournisseur .* ne correspond pas|identifiant du fournisseur|AccountingSupplierParty|"
            r"SellerTradeParty",
        ),
        ("CPRO-INTEGRATION-EN16931-ERROR", r"EN ?16931|\[BR-|\bBR-[A-Z0-9-]+"),
        (
            "CPRO-INTEGRATION-SYNTAX-ERROR",
            r"illisible|syntaxe|sch[ée]ma|est obligatoire|ne contient aucune facture|XML",
        ),
    ]
]

_TECHNICAL_CODES = {
    "ARCHIVE_ILLISIBLE": "CPRO-INTEGRATION-SYNTAX-ERROR",
    "FLUX_VIDE": "CPRO-INTEGRATION-SYNTAX-ERROR",
    "SYNTAXE_NON_EMULEE": "CPRO-INTEGRATION-SYNTAX-ERROR",
}

_GENERIC = {
    "en": (
        "Chorus Pro rejected the invoice when integrating the deposit; its message above says why.",
        "Correct the invoice as Chorus's message asks, then send it again (the number may be kept: "
        "an invoice rejected at integration never existed in Chorus Pro).",
    ),
    "fr": (
        "Chorus Pro a rejeté la facture à l'intégration du dépôt ; son message ci-dessus en donne la raison.",
        "Corrigez la facture comme le demande le message de Chorus, puis renvoyez-la (le numéro peut être "
        "conservé : une facture rejetée à l'intégration n'a jamais existé dans Chorus Pro).",
    ),
}


@dataclass(frozen=True, slots=True)
class Explained:
    rule: str | None
    message: str
    explanation: str
    resolution: str


def classify(message: str | None, technical_code: str | None = None) -> str | None:
    """The catalogue rule for an integration message, or None when no pattern recognises it."""
    if technical_code and technical_code in _TECHNICAL_CODES:
        return _TECHNICAL_CODES[technical_code]
    text = message or ""
    for rule, pattern in _PATTERNS:
        if pattern.search(text):
            return rule
    return None


def _catalogue_entry(rule: str, lang: str) -> tuple[str, str] | None:
    """Explanation and fix from the message catalogue, None when it has no entry for ``rule``."""
    if get(rule) is None:
        return None
    explanation, fix, _field = explain(rule, lang)
    return explanation, fix


def explain_rejection(message: str | None, technical_code: str | None = None, lang: str = "en") -> Explained:
    """Chorus's message with the catalogue's explanation and resolution path."""
    rule = classify(message, technical_code)
    entry = _catalogue_entry(rule, lang) if rule else None
    explanation, resolution = entry or _GENERIC[lang]
    return Explained(rule, message or "", explanation, resolution)
