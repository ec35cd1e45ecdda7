"""Configuration screen of a provider's preparation rules, for Chorus administrators.

One page per provider with the five kinds (submission criteria, recipients,
service labels, bank details, attachment linking), each an ordered list with
add, remove and move up/down, and a preview of what the rules decide for a
chosen document.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from chorusflow.providers.service import list_providers
from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.operations import WebError, load_document
from chorusflow.web.rendering import render
from chorusflow.web.routers.common import DbIdPath, hub, user_of
from chorusflow.web.rules_admin import (
    KIND_HELP,
    RuleIn,
    create_rule,
    delete_rule,
    get_provider_or_404,
    move_rule,
    preview,
    recent_documents,
    rules_by_kind,
)

router = APIRouter(include_in_schema=False)
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN))]
RuleIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
FIELDS = ("customer_code", "recipient_name", "recipient_siret", "number", "service_code", "file_name")


def _page(
    request: Request,
    principal: Principal | None,
    provider_id: int | None,
    document_id: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    ctx = hub(request)
    with ctx.sessions() as session:
        providers = [(p.id, p.name) for p in list_providers(session)]
        if provider_id is None and providers:
            provider_id = providers[0][0]
        context: dict[str, Any] = {"providers": providers, "provider": None, "error": error}
        if provider_id is not None:
            provider = get_provider_or_404(session, provider_id)
            context["provider"] = {"id": provider.id, "name": provider.name}
            context["rules"] = rules_by_kind(session, provider_id)
            context["documents"] = recent_documents(session, provider)
            if document_id is not None:
                doc, _ = load_document(session, user_of(principal), document_id)
                context["preview"] = preview(session, provider_id, doc)
    return render(
        request,
        "rules.html",
        status_code=status,
        kinds=KIND_HELP,
        fields=FIELDS,
        document=document_id,
        **context,
    )


@router.get("/admin/rules", response_class=HTMLResponse)
def rules_page(
    request: Request,
    principal: ChorusAdmin,
    provider: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    document: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    return _page(request, principal, provider, document)


def _form_rule(form: Any) -> dict[str, Any]:
    """The add form as :class:`RuleIn` input: blanks are "not given", the metadata key completes the field."""
    data: dict[str, Any] = {}
    for key in ("kind", "field", "pattern", "siret", "service_code", "bank_account_id", "max"):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            data[key] = value.strip()
    if data.get("field") == "metadata":
        key = form.get("metadata_key")
        data["field"] = f"metadata.{key.strip()}" if isinstance(key, str) and key.strip() else "metadata."
    send = form.get("send")
    if send in ("yes", "no"):
        data["send"] = send == "yes"
    return data


@router.post("/admin/rules/{provider_id}")
async def add_rule(request: Request, provider_id: DbIdPath, principal: ChorusAdmin) -> Response:
    form = await request.form()
    try:
        body = RuleIn.model_validate(_form_rule(form))
        with hub(request).sessions() as session:
            create_rule(session, provider_id, body)
            session.commit()
    except ValidationError as exc:
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _page(request, principal, provider_id, error=message, status=422)
    except WebError as exc:
        if exc.status == 404:
            raise
        return _page(request, principal, provider_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/rules?provider={provider_id}", status_code=303)


@router.post("/admin/rules/{provider_id}/{rule_id}/delete")
def remove_rule(
    request: Request, provider_id: DbIdPath, rule_id: RuleIdPath, principal: ChorusAdmin
) -> Response:
    with hub(request).sessions() as session:
        delete_rule(session, provider_id, rule_id)
        session.commit()
    return RedirectResponse(f"/admin/rules?provider={provider_id}", status_code=303)


@router.post("/admin/rules/{provider_id}/{rule_id}/move")
def move(
    request: Request,
    provider_id: DbIdPath,
    rule_id: RuleIdPath,
    principal: ChorusAdmin,
    direction: Annotated[str, Form(pattern="^(up|down)$")],
) -> Response:
    with hub(request).sessions() as session:
        move_rule(session, provider_id, rule_id, direction)
        session.commit()
    return RedirectResponse(f"/admin/rules?provider={provider_id}", status_code=303)
