"""Storage of a provider's preparation rules: submission criteria, recipients, services, bank, attachments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from chorusflow.core.mapping_rules import Rule
from chorusflow.storage import schema

__all__ = ["add_rule", "list_rules", "remove_rule", "rule_view"]

T = schema.provider_rules


def add_rule(
    session: Session, provider_id: int, *, kind: str, field: str, pattern: str, value: dict[str, Any]
) -> Rule:
    """Append a rule at the end of its kind's list (first match wins, in that order)."""
    Rule(kind=kind, field=field, pattern=pattern, value=value)  # validates kind and field
    position = (
        session.scalar(select(func.max(T.c.position)).where(T.c.provider_id == provider_id, T.c.kind == kind))
        or 0
    ) + 1
    rule_id = session.execute(
        insert(T)
        .values(
            provider_id=provider_id, kind=kind, field=field, pattern=pattern, value=value, position=position
        )
        .returning(T.c.id)
    ).scalar_one()
    return Rule(kind, field, pattern, value, position, rule_id)


def list_rules(session: Session, provider_id: int) -> list[Rule]:
    rows = session.execute(
        select(T).where(T.c.provider_id == provider_id).order_by(T.c.kind, T.c.position, T.c.id)
    ).all()
    return [Rule(r.kind, r.field, r.pattern, dict(r.value), r.position, r.id) for r in rows]


def remove_rule(session: Session, provider_id: int, rule_id: int) -> bool:
    return session.execute(delete(T).where(T.c.provider_id == provider_id, T.c.id == rule_id)).rowcount == 1


def rule_view(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "kind": rule.kind,
        "field": rule.field,
        "pattern": rule.pattern,
        "value": dict(rule.value),
        "position": rule.position,
    }
