"""What the pages and the API do, once, with the caller's scope applied.

Each function takes the acting :class:`User` and raises :class:`WebError`
with an HTTP status and a message that says what to do; the routers only
translate requests and render. A flow or document outside the caller's
scope is "not found" (404), so ids of other providers do not leak.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.transitions import IllegalTransition, set_history
from chorusflow.intake.service import IntakeResult, import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline.approval import ApprovalError, approve_documents, reject_documents
from chorusflow.providers.service import get_provider
from chorusflow.storage.flow_queries import flow_events
from chorusflow.tracking.views import document_view, event_view, file_view, flow_summary
from chorusflow.web.accounts import Role, User
from chorusflow.web.search import document_visible, flow_visible

__all__ = [
    "AfterIntake",
    "WebError",
    "decide",
    "flow_detail_for",
    "load_document",
    "load_flow",
    "original_of",
    "parse_metadata",
    "toggle_history",
    "upload",
]

AfterIntake = Callable[[int], None]


@dataclass
class WebError(Exception):
    status: int
    message: str

    def __str__(self) -> str:
        return self.message


def load_flow(session: Session, user: User, flow_id: int) -> Flow:
    flow = session.get(Flow, flow_id)
    if flow is None or not flow_visible(user, flow):
        raise WebError(404, f"No flow {flow_id} (or it belongs to a provider you cannot see).")
    return flow


def load_document(session: Session, user: User, document_id: int) -> tuple[Document, Flow]:
    doc = session.get(Document, document_id)
    flow = session.get(Flow, doc.flow_id) if doc is not None else None
    if doc is None or flow is None or not flow_visible(user, flow) or not document_visible(user, doc):
        raise WebError(404, f"No document {document_id} (or it belongs to a provider you cannot see).")
    return doc, flow


def flow_detail_for(session: Session, user: User, flow: Flow) -> dict[str, Any]:
    """The flow's detail limited to what ``user`` may see (label filter on documents)."""
    docs = [d for d in flow.documents if document_visible(user, d)]
    files = flow.files
    if user.label:
        shown = {d.file_id for d in docs}
        files = [f for f in files if f.id in shown]
    doc_ids = {d.id for d in docs}
    events = [e for e in flow_events(session, flow) if e.document_id is None or e.document_id in doc_ids]
    detail = flow_summary(flow)
    detail["document_count"] = len(docs)
    detail["file_count"] = len(files)
    detail["files"] = [file_view(f) for f in files]
    detail["documents"] = [document_view(d) for d in docs]
    detail["events"] = [event_view(e) for e in events]
    return detail


def original_of(ctx: HubContext, session: Session, doc: Document) -> tuple[StoredFile, bytes]:
    stored = session.get(StoredFile, doc.file_id) if doc.file_id else None
    if stored is None or not stored.sha256:
        raise WebError(404, "This document has no stored original file.")
    return stored, ctx.blobs.get(stored.sha256)


def _upload_provider(session: Session, user: User, provider: str | None) -> str | None:
    if provider:
        if get_provider(session, provider) is None:
            raise WebError(422, f"No provider named {provider!r}. Pick one from the list.")
        if not user.sees_all_providers and provider not in user.providers:
            raise WebError(403, f"You may not file for provider {provider!r}; ask an administrator.")
        return provider
    if user.sees_all_providers:
        return None
    if len(user.providers) == 1:
        return user.providers[0]
    raise WebError(
        422,
        "Choose the provider this upload is for."
        if user.providers
        else "You may not file for any provider yet; ask an administrator to add one to your account.",
    )


def parse_metadata(text: str | None, names: list[str]) -> dict[str, dict[str, Any]] | None:
    """The upload's metadata field: ``{file name or "#number": {...}}``, or one object for every file."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WebError(422, f"Metadata is not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    if not isinstance(value, dict):
        raise WebError(422, 'Metadata must be a JSON object, e.g. {"invoice.pdf": {"label": "north"}}.')
    if value and all(isinstance(v, dict) for v in value.values()):
        unknown = [k for k in value if not k.startswith("#") and k not in names]
        if unknown and not any(n.lower().endswith(".zip") for n in names):  # members are not listed
            raise WebError(
                422,
                f"Metadata names {', '.join(map(repr, unknown))}, which is not an uploaded file: "
                'use the file name, or "#<invoice number>".',
            )
        return value
    if any(isinstance(v, (dict, list)) for v in value.values()):
        raise WebError(422, "Metadata values must be text or numbers (one object per file, or one for all).")
    return {name: dict(value) for name in names}


def upload(
    ctx: HubContext,
    user: User,
    files: list[tuple[str, bytes]],
    *,
    provider: str | None,
    label: str | None,
    source: str,
    after_intake: AfterIntake | None,
    metadata: dict[str, dict[str, Any]] | None = None,
) -> IntakeResult:
    """One intake from uploaded files; a labelled user's documents get their label."""
    if not files:
        raise WebError(422, "Choose at least one file to upload.")
    if not user.role.at_least(Role.CHORUS_USER):
        raise WebError(403, "Uploading needs the chorus_user role or higher.")
    limit = ctx.settings.max_file_bytes
    for name, data in files:
        if len(data) > limit:
            raise WebError(
                413, f"{name} is over the {limit // (1024 * 1024)} MB limit (CHORUSFLOW_MAX_FILE_BYTES)."
            )
    if user.label:
        label = user.label
    with ctx.sessions() as session:
        provider = _upload_provider(session, user, provider)
    result = import_items(
        ctx, from_bytes(files), submitter=user.login, source=source, provider=provider, metadata=metadata
    )
    if label:
        with ctx.sessions() as session:
            flow = session.get(Flow, result.flow_id)
            assert flow is not None
            for doc in flow.documents:
                doc.intake_metadata = {**(doc.intake_metadata or {}), "label": label}
            session.commit()
    if after_intake is not None:
        after_intake(result.flow_id)
    return result


def toggle_history(ctx: HubContext, user: User, flow_id: int, in_history: bool) -> dict[str, Any]:
    with ctx.sessions() as session:
        flow = load_flow(session, user, flow_id)
        try:
            set_history(flow, in_history, actor=user.login)
        except IllegalTransition as exc:
            raise WebError(409, str(exc)) from None
        session.commit()
        return flow_summary(flow)


def decide(
    ctx: HubContext, user: User, action: str, document_ids: list[int], comment: str | None
) -> list[int]:
    """Approve or reject documents pending validation (all or nothing)."""
    if not document_ids:
        raise WebError(422, "Select at least one document.")
    with ctx.sessions() as session:
        for doc_id in document_ids:
            load_document(session, user, doc_id)
        decide_fn = approve_documents if action == "approve" else reject_documents
        try:
            decisions = decide_fn(session, document_ids, actor=user.login, comment=comment or None)
        except ApprovalError as exc:
            raise WebError(409 if exc.document_ids else 422, str(exc)) from None
        session.commit()
        return [d.document_id for d in decisions]
