"""REST API: a provider's preparation rules (submission criteria, recipients, services, bank, attachments)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from chorusflow.web.accounts import Role
from chorusflow.web.action_schemas import MoveIn, RuleOut, RulePreviewOut
from chorusflow.web.auth import Principal, allow
from chorusflow.web.operations import load_document
from chorusflow.web.routers.common import ERRORS, NOT_FOUND, DbIdPath, hub, user_of
from chorusflow.web.rules_admin import (
    RuleIn,
    create_rule,
    delete_rule,
    get_provider_or_404,
    move_rule,
    preview,
    rules_by_kind,
)

router = APIRouter(prefix="/api/v1/providers", tags=["rules"], responses={**ERRORS, **NOT_FOUND})
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN, "api"))]
RuleIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/{provider_id}/rules", response_model=list[RuleOut])
def rules(request: Request, provider_id: DbIdPath, principal: ChorusAdmin) -> list[dict[str, Any]]:
    """The provider's rules, by kind and in order (the first matching rule of a kind wins)."""
    with hub(request).sessions() as session:
        get_provider_or_404(session, provider_id)
        return [r for group in rules_by_kind(session, provider_id).values() for r in group]


@router.post("/{provider_id}/rules", response_model=RuleOut, status_code=201)
def add(request: Request, provider_id: DbIdPath, body: RuleIn, principal: ChorusAdmin) -> dict[str, Any]:
    """Append a rule at the end of its kind's list."""
    with hub(request).sessions() as session:
        rule = create_rule(session, provider_id, body)
        session.commit()
        return rule


@router.delete("/{provider_id}/rules/{rule_id}", status_code=204, response_class=Response)
def remove(request: Request, provider_id: DbIdPath, rule_id: RuleIdPath, principal: ChorusAdmin) -> Response:
    with hub(request).sessions() as session:
        delete_rule(session, provider_id, rule_id)
        session.commit()
    return Response(status_code=204)


@router.post("/{provider_id}/rules/{rule_id}/move", response_model=list[RuleOut])
def move(
    request: Request, provider_id: DbIdPath, rule_id: RuleIdPath, body: MoveIn, principal: ChorusAdmin
) -> list[dict[str, Any]]:
    """Move a rule one place up or down within its kind."""
    with hub(request).sessions() as session:
        rows = move_rule(session, provider_id, rule_id, body.direction)
        session.commit()
        return rows


@router.get("/{provider_id}/rules/preview", response_model=RulePreviewOut)
def rules_preview(
    request: Request,
    provider_id: DbIdPath,
    document_id: Annotated[int, Query(ge=1, le=2**63 - 1)],
    principal: ChorusAdmin,
) -> dict[str, Any]:
    """What the current rules would decide for one document (nothing is changed)."""
    with hub(request).sessions() as session:
        get_provider_or_404(session, provider_id)
        doc, _ = load_document(session, user_of(principal), document_id)
        return preview(session, provider_id, doc)
