"""The document view's action forms: retry, submit now, answer a suspension, re-route, fetch statuses.

Each form posts here and comes back to the document page with a notice
(``done=``) saying what happened, or an error page saying what to do.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from chorusflow.web.accounts import Role
from chorusflow.web.auth import Principal, allow
from chorusflow.web.document_actions import (
    answer_suspension,
    reroute,
    retry_document_action,
    retry_flow_action,
    submit_document_now,
    sync_document,
)
from chorusflow.web.routers.common import DbIdPath, after_intake_of, hub, submit_hook_of, user_of

router = APIRouter(include_in_schema=False)
Filer = Annotated[Principal | None, Depends(allow(Role.CHORUS_USER))]
ChorusAdmin = Annotated[Principal | None, Depends(allow(Role.CHORUS_ADMIN))]
Text = Annotated[str, Form(max_length=2000)]


def _back(document_id: int, notice: str) -> Response:
    return RedirectResponse(f"/documents/{document_id}?done={quote(notice)}", status_code=303)


def _action_notice(what: str, result: dict[str, object]) -> str:
    if result["state"] == "done":
        return f"{what}: done."
    return f"{what}: {result['state'].replace('_', ' ')} — {result['error']}"  # type: ignore[union-attr]


@router.post("/documents/{document_id}/retry")
def retry_document(request: Request, document_id: DbIdPath, principal: Filer) -> Response:
    retry_document_action(hub(request), user_of(principal), document_id, after_intake_of(request))
    return _back(document_id, "Sent back for submission.")


@router.post("/flows/{flow_id}/retry")
def retry_flow(
    request: Request,
    flow_id: DbIdPath,
    principal: Filer,
    back: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None,
) -> Response:
    """Retry a flow in error; back to the document it was retried from, or to Tracking."""
    retry_flow_action(hub(request), user_of(principal), flow_id, after_intake_of(request))
    if back is not None:
        return _back(back, f"Flow {flow_id} retried.")
    return RedirectResponse("/tracking", status_code=303)


@router.post("/documents/{document_id}/submit")
async def submit(request: Request, document_id: DbIdPath, principal: ChorusAdmin) -> Response:
    result = await run_in_threadpool(
        submit_document_now, hub(request), user_of(principal), document_id, submit_hook_of(request)
    )
    if result["queued"]:
        return _back(document_id, f"Submission of provider {result['provider']} queued.")
    outcomes = (result["report"] or {}).get("outcomes", {})
    summary = ", ".join(f"{v} {k}" for k, v in outcomes.items()) or "nothing due"
    return _back(document_id, f"Submitted now: {summary}.")


@router.post("/documents/{document_id}/complete")
async def complete(
    request: Request,
    document_id: DbIdPath,
    principal: Filer,
    comment: Text = "",
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (read, never mutated)
    decide: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    attachments = [(f.filename, await f.read()) for f in files if f.filename]
    result = await run_in_threadpool(
        lambda: answer_suspension(
            hub(request),
            user_of(principal),
            document_id,
            comment=comment.strip(),
            attachments=attachments,  # type: ignore[arg-type]
            decide=decide == "on",
        )
    )
    return _back(document_id, _action_notice("Suspension answered", result))


@router.post("/documents/{document_id}/reroute")
async def reroute_document(
    request: Request,
    document_id: DbIdPath,
    principal: Filer,
    recipient_siret: Annotated[str, Form(max_length=14, pattern=r"^(\d{14})?$")] = "",
    service_code: Annotated[str, Form(max_length=100)] = "",
    engagement_number: Annotated[str, Form(max_length=50)] = "",
    comment: Text = "",
    decide: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    result = await run_in_threadpool(
        lambda: reroute(
            hub(request),
            user_of(principal),
            document_id,
            recipient_siret=recipient_siret.strip() or None,
            service_code=service_code.strip() or None,
            engagement_number=engagement_number.strip() or None,
            comment=comment.strip() or None,
            decide=decide == "on",
        )
    )
    return _back(document_id, _action_notice("Re-routed", result))


@router.post("/documents/{document_id}/sync")
async def sync(request: Request, document_id: DbIdPath, principal: Filer) -> Response:
    view = await run_in_threadpool(sync_document, hub(request), user_of(principal), document_id)
    if view.get("sync_error"):
        return _back(
            document_id, f"Chorus Pro did not answer ({view['sync_error']}); showing the last statuses."
        )
    return _back(document_id, "Statuses fetched from Chorus Pro.")
