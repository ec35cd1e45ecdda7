"""The configuration screens' side of a provider's preparation rules (seed 001).

Submission criteria, recipients, service labels, bank details and attachment
linking are all provider rules (:mod:`chorusflow.core.mapping_rules`): an
ordered list per kind where the first match wins. This module turns the
screens' plain fields into a rule's ``value``, reorders rules (the order is
the meaning) and previews what the rules decide for one document, with the
same pure :func:`~chorusflow.core.mapping_rules.decide` the pipeline uses.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.mapping_rules import KINDS, attachment_names, decide
from chorusflow.core.provider import Provider, siret_ok
from chorusflow.providers.rules import add_rule, list_rules, remove_rule, rule_view
from chorusflow.storage import schema
from chorusflow.web.operations import WebError

__all__ = [
    "KIND_HELP",
    "RuleIn",
    "create_rule",
    "delete_rule",
    "get_provider_or_404",
    "move_rule",
    "preview",
    "rules_by_kind",
]

KIND_HELP = {
    "submission": (
        "Submission criteria",
        "Which documents go to Chorus Pro. The first matching rule decides; "
        "no rule matching means the document is sent.",
    ),
    "recipient": (
        "Recipients",
        "An invoice label (e.g. the recipient's name, or a metadata value) → the directory SIRET "
        "and service code to address the invoice to.",
    ),
    "service": (
        "Service labels",
        "A service label → the Chorus Pro service code (overrides the recipient's service).",
    ),
    "bank": (
        "Bank details",
        "A metadata value → the Chorus Pro bank account id (idCoordonneeBancaire). "
        "A rule with pattern * is the default account: keep it last.",
    ),
    "attachment": (
        "Attachment linking",
        "A file of the same upload whose name matches the pattern and contains the invoice number "
        "becomes an attachment of that invoice.",
    ),
}


class RuleIn(BaseModel):
    """One rule as the screens and the API give it; ``value`` is built from the kind's fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["submission", "recipient", "service", "bank", "attachment"]
    field: str = Field(
        "file_name",
        min_length=1,
        max_length=100,
        pattern=r"^(customer_code|recipient_name|recipient_siret|number|service_code|file_name|metadata\.[\w.-]{1,80})$",
        description="customer_code, recipient_name, recipient_siret, number, service_code, "
        "file_name or metadata.<key>",
    )
    pattern: str = Field(min_length=1, max_length=200, description="Shell-style pattern, case-blind")
    send: bool | None = Field(None, description="submission: send the matching documents?")
    siret: str | None = Field(None, pattern=r"^\d{14}$", description="recipient: the directory SIRET")
    service_code: str | None = Field(None, min_length=1, max_length=100)
    bank_account_id: int | None = Field(None, ge=1, le=2**31 - 1, description="bank: idCoordonneeBancaire")
    max: int | None = Field(None, ge=1, le=100, description="attachment: at most this many files")


def rule_value(data: RuleIn) -> dict[str, Any]:
    """The stored ``value`` of a rule; a missing field says which one the kind needs."""
    if data.kind == "submission":
        if data.send is None:
            raise WebError(422, "A submission rule says whether to send: choose Send or Do not send.")
        return {"send": data.send}
    if data.kind == "recipient":
        if not data.siret:
            raise WebError(422, "A recipient rule needs the recipient's SIRET (14 digits).")
        if not siret_ok(data.siret):
            raise WebError(422, f"SIRET {data.siret} fails its checksum: check the number.")
        return (
            {"siret": data.siret, "service_code": data.service_code}
            if data.service_code
            else {"siret": data.siret}
        )
    if data.kind == "service":
        if not data.service_code:
            raise WebError(422, "A service rule needs the Chorus Pro service code.")
        return {"service_code": data.service_code}
    if data.kind == "bank":
        if data.bank_account_id is None:
            raise WebError(422, "A bank rule needs the Chorus Pro bank account id (idCoordonneeBancaire).")
        return {"bank_account_id": data.bank_account_id}
    return {"max": data.max} if data.max else {}


def get_provider_or_404(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise WebError(404, f"No provider {provider_id}.")
    return provider


def create_rule(session: Session, provider_id: int, data: RuleIn) -> dict[str, Any]:
    get_provider_or_404(session, provider_id)
    field = "file_name" if data.kind == "attachment" else data.field
    try:
        rule = add_rule(
            session, provider_id, kind=data.kind, field=field, pattern=data.pattern, value=rule_value(data)
        )
    except ValueError as exc:
        raise WebError(422, str(exc)) from None
    return rule_view(rule)


def delete_rule(session: Session, provider_id: int, rule_id: int) -> None:
    get_provider_or_404(session, provider_id)
    if not remove_rule(session, provider_id, rule_id):
        raise WebError(404, f"No rule {rule_id} for provider {provider_id}.")


def move_rule(session: Session, provider_id: int, rule_id: int, direction: str) -> list[dict[str, Any]]:
    """Swap a rule with its neighbour of the same kind (first match wins, so order matters)."""
    get_provider_or_404(session, provider_id)
    rules = list_rules(session, provider_id)
    rule = next((r for r in rules if r.id == rule_id), None)
    if rule is None:
        raise WebError(404, f"No rule {rule_id} for provider {provider_id}.")
    same = [r for r in rules if r.kind == rule.kind]
    index = same.index(rule)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(same):
        # Renumber the kind's list so equal or sparse positions cannot make a swap a no-op.
        order = [r.id for r in same]
        order[index], order[other] = order[other], order[index]
        table = schema.provider_rules
        for position, rid in enumerate(order, start=1):
            session.execute(update(table).where(table.c.id == rid).values(position=position))
    return [rule_view(r) for r in list_rules(session, provider_id)]


def rules_by_kind(session: Session, provider_id: int) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for rule in list_rules(session, provider_id):
        grouped[rule.kind].append(rule_view(rule))
    return grouped


def preview(session: Session, provider_id: int, document: Document) -> dict[str, Any]:
    """What the provider's current rules decide for ``document`` (nothing is changed)."""
    rules = list_rules(session, provider_id)
    stored = session.get(StoredFile, document.file_id) if document.file_id else None
    file_name = stored.name if stored else ""
    decisions = decide(rules, document, file_name)
    flow = session.get(Flow, document.flow_id) if document.flow_id else None
    names = [f.name for f in flow.files] if flow else []
    linked = [n for n in attachment_names(rules, document.number, names) if n != file_name]
    return {
        "document_id": document.id,
        "number": document.number,
        "file_name": file_name,
        "send": decisions.send,
        "send_rule": decisions.send_rule,
        "recipient_siret": decisions.recipient_siret,
        "service_code": decisions.service_code,
        "bank_account_id": decisions.bank_account_id,
        "attachments": linked,
        "applied_rules": [i for i in decisions.applied if i],
    }


def recent_documents(session: Session, provider: Provider, limit: int = 30) -> list[tuple[int, str]]:
    """Documents of the provider's latest flows, to pick one for the preview."""
    d, f = schema.documents, schema.flows
    rows = session.execute(
        select(d.c.id, d.c.number)
        .join(f, f.c.id == d.c.flow_id)
        .where(f.c.provider == provider.name)
        .order_by(d.c.id.desc())
        .limit(limit)
    )
    return [(r.id, r.number or f"#{r.id}") for r in rows]
