"""The supplier's answers to a recipient: complete a suspension, re-route, or start over.

SUSPENDUE is answered with ``completer`` (documents uploaded first with
``ajouter/fichier``, and a comment); A_RECYCLER with ``recycler`` (another
recipient, service or commitment number, the same invoice number); REJETEE
cannot be answered: the invoice must be cancelled by a credit note and
invoiced again under a new number, which :func:`rejected_guidance` spells out.

Each action is a row in ``supplier_actions`` with its attempts. A failure
that may go away leaves it ``failed`` and may be tried again, up to
``max_action_attempts`` in all; then, or at once when Chorus refused the
request itself or may have processed it, the action waits in
``needs_decision`` and is refused until a person runs it with ``decide``.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusError, ChorusTransientError
from chorusflow.chorus.models.factures import (
    CompleteInvoiceRequest,
    InvoiceRecipient,
    RecycleInvoiceRequest,
    SupplementaryAttachment,
)
from chorusflow.chorus.models.transverses import UploadAttachmentRequest
from chorusflow.context import HubContext
from chorusflow.core.entities import Document
from chorusflow.core.statuses import ChorusStatus, DistributionStatus
from chorusflow.core.transitions import DISTRIBUTION_TRANSITIONS, transition
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.refresh import provider_of_document
from chorusflow.lifecycle.sync import PaymentFlags, SyncReport, track_invoice_changes
from chorusflow.lifecycle.tables import chorus_invoices, supplier_actions
from chorusflow.providers.service import client_for

__all__ = ["ActionError", "ActionResult", "action_states", "complete", "recycle", "rejected_guidance"]

MAX_ATTACHMENT_NAME = 50


class ActionError(ValueError):
    """The action cannot be run as asked; the message says what to do instead."""


@dataclass
class ActionResult:
    action_id: int
    state: str  # done, failed, needs_decision
    attempts: int
    chorus_status: str | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "state": self.state,
            "attempts": self.attempts,
            "chorus_status": self.chorus_status,
            "error": self.error,
        }


def rejected_guidance(document: Document) -> dict[str, Any]:
    """What to do with a REJETEE invoice: it cannot be corrected in Chorus Pro."""
    return {
        "document_id": document.id,
        "number": document.number,
        "steps": [
            f"Issue a credit note (type code 381) that references invoice {document.number} (BT-25) "
            "and cancels it in full.",
            "Issue a new invoice with a NEW number that fixes what the recipient objected to "
            f"({document.comment or 'see the rejection comment'}).",
            "Import both into chorusflow; they are validated and sent like any other document.",
        ],
        "reason": document.comment,
    }


def _tracked(ctx: HubContext, document_id: int, expected: ChorusStatus) -> tuple[dict[str, Any], Any]:
    with ctx.sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise ActionError(f"No document {document_id}. Find its id with `chorusflow flow FLOW_ID`.")
        if document.chorus_status is ChorusStatus.REJECTED:
            raise ActionError(
                f"Invoice {document.number} was rejected by its recipient: it cannot be answered. "
                + " ".join(rejected_guidance(document)["steps"])
            )
        if document.chorus_status is not expected:
            shown = document.chorus_status.label if document.chorus_status else "not in Chorus Pro"
            raise ActionError(
                f"Invoice {document.number} is {shown!r}, not {expected.label!r}; "
                "run `chorusflow sync` first if Chorus may have changed it."
            )
        tracked = (
            session.execute(select(chorus_invoices).where(chorus_invoices.c.document_id == document_id))
            .mappings()
            .first()
        )
        provider = provider_of_document(session, document)
        if tracked is None or provider is None:
            raise ActionError(
                f"Document {document_id} has no Chorus Pro invoice id yet: run `chorusflow sync`."
            )
        session.expunge(provider)
        return dict(tracked), provider


def _start(
    ctx: HubContext, document_id: int, kind: str, request: dict[str, Any], actor: str, decide: bool
) -> dict[str, Any]:
    """The action row; attempts add up until the limit, then only an explicit decision resets them."""
    now = datetime.now(UTC)
    with ctx.sessions.begin() as session:
        row = (
            session.execute(
                select(supplier_actions).where(
                    supplier_actions.c.document_id == document_id,
                    supplier_actions.c.kind == kind,
                    supplier_actions.c.state != "done",
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            action_id = session.execute(
                insert(supplier_actions).values(
                    document_id=document_id,
                    kind=kind,
                    state="pending",
                    attempts=0,
                    request=request,
                    actor=actor,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
        else:
            action_id = row["id"]
            if row["state"] == "needs_decision" and not decide:
                raise ActionError(
                    f"This {kind} already failed {row['attempts']} time(s) ({row['last_error']}); it waits "
                    "for a decision. Check the invoice on Chorus Pro, then run it again with --decide."
                )
            session.execute(
                update(supplier_actions)
                .where(supplier_actions.c.id == action_id)
                .values(
                    state="pending",
                    attempts=0 if decide else row["attempts"],
                    request=request,
                    actor=actor,
                    updated_at=now,
                )
            )
        return dict(
            session.execute(select(supplier_actions).where(supplier_actions.c.id == action_id))
            .mappings()
            .one()
        )


def _run(
    ctx: HubContext,
    action: dict[str, Any],
    client: ChorusClient,
    send: Any,
    settings: LifecycleSettings,
    tracked: dict[str, Any],
) -> ActionResult:
    attempts = action["attempts"] + 1
    error, state = None, "done"
    try:
        send(client)
    except ChorusTransientError as exc:
        error = f"{type(exc).__name__}: {exc.message}"
        state = (
            "needs_decision" if attempts >= settings.max_action_attempts or exc.maybe_processed else "failed"
        )
    except ChorusError as exc:
        error = f"{type(exc).__name__}: {exc.message}"
        state = "needs_decision"  # Chorus refused the request itself: sending it again cannot help
    status = None
    with ctx.sessions.begin() as session:
        if state == "done":
            report = SyncReport(provider="", mode="")
            with contextlib.suppress(ChorusError):  # if this fails, the next sync picks the status up
                track_invoice_changes(
                    session, client, tracked, None, PaymentFlags(client), report, settings, datetime.now(UTC)
                )
        document = session.get(Document, action["document_id"])
        status = document.chorus_status.value if document and document.chorus_status else None
        session.execute(
            update(supplier_actions)
            .where(supplier_actions.c.id == action["id"])
            .values(state=state, attempts=attempts, last_error=error, updated_at=datetime.now(UTC))
        )
    return ActionResult(action["id"], state, attempts, status, error)


def complete(
    ctx: HubContext,
    document_id: int,
    *,
    comment: str,
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    actor: str,
    decide: bool = False,
    client: ChorusClient | None = None,
    settings: LifecycleSettings | None = None,
) -> ActionResult:
    """Answer a suspended invoice (``completer``) with documents and a comment."""
    settings = settings or LifecycleSettings()
    if not comment.strip() and not attachments:
        raise ActionError("Give a comment (--comment) or at least one document (--attach) to answer with.")
    if len(comment) > 2000:
        raise ActionError("The comment is longer than the 2000 characters Chorus Pro accepts.")
    for name, _data in attachments:
        if len(name) > MAX_ATTACHMENT_NAME or "." not in name:
            raise ActionError(
                f"Attachment name {name!r}: Chorus Pro needs at most 50 characters and an extension."
            )
    tracked, provider = _tracked(ctx, document_id, ChorusStatus.SUSPENDED)
    request = {
        "comment": comment,
        "attachments": [{"name": n, "sha256": hashlib.sha256(d).hexdigest()} for n, d in attachments],
    }
    action = _start(ctx, document_id, "complete", request, actor, decide)

    def send(c: ChorusClient) -> None:
        pieces = []
        for name, data in attachments:
            uploaded = c.transverses.upload_attachment(UploadAttachmentRequest.from_bytes(name, data))
            pieces.append(
                SupplementaryAttachment(
                    pieceJointeComplementaireId=int(uploaded.pieceJointeId or 0),
                    pieceJointeComplementaireDesignation=name[:100],
                    pieceJointeComplementaireType="DIVERS",
                )
            )
        c.factures.complete_invoice(
            CompleteInvoiceRequest(
                identifiantFactureCPP=int(tracked["chorus_invoice_id"]),
                pieceJointeComplementaire=pieces or None,
                commentaire=comment or None,
            )
        )

    return _with_client(ctx, provider, client, lambda c: _run(ctx, action, c, send, settings, tracked))


def recycle(
    ctx: HubContext,
    document_id: int,
    *,
    actor: str,
    recipient_siret: str | None = None,
    service_code: str | None = None,
    engagement_number: str | None = None,
    comment: str | None = None,
    decide: bool = False,
    client: ChorusClient | None = None,
    settings: LifecycleSettings | None = None,
) -> ActionResult:
    """Re-route an A_RECYCLER invoice (``recycler``): same number, corrected routing data."""
    settings = settings or LifecycleSettings()
    if not (recipient_siret or service_code or engagement_number):
        raise ActionError("Say what changes: --recipient SIRET, --service CODE or --engagement NUMBER.")
    tracked, provider = _tracked(ctx, document_id, ChorusStatus.TO_RECYCLE)
    with ctx.sessions.begin() as session:
        document = session.get(Document, document_id)
        assert document is not None
        siret = recipient_siret or document.recipient_siret
        if not siret:
            raise ActionError("The invoice has no recipient SIRET: give one with --recipient.")
        service = service_code or document.service_code
        engagement = engagement_number or document.engagement_number
        document.recipient_siret, document.service_code, document.engagement_number = (
            siret,
            service,
            engagement,
        )
        if DistributionStatus.IN_DISTRIBUTION in DISTRIBUTION_TRANSITIONS[document.distribution_status]:
            transition(
                document, DistributionStatus.IN_DISTRIBUTION, actor=actor, comment="re-routed (recycler)"
            )
    request = {
        "recipient_siret": siret,
        "service_code": service,
        "engagement_number": engagement,
        "comment": comment,
    }
    action = _start(ctx, document_id, "recycle", request, actor, decide)

    def send(c: ChorusClient) -> None:
        body = RecycleInvoiceRequest(
            identifiantFactureCPP=int(tracked["chorus_invoice_id"]),
            destinataire=InvoiceRecipient(codeDestinataire=siret, codeServiceExecutant=service),
            commentaire=comment,
        ).to_wire()
        if engagement:
            body["references"] = {"numeroBonCommande": engagement}
        c.transport.call("factures", "recycler", body, idempotent=False)

    return _with_client(ctx, provider, client, lambda c: _run(ctx, action, c, send, settings, tracked))


def _with_client(ctx: HubContext, provider: Any, client: ChorusClient | None, run: Any) -> ActionResult:
    if client is not None:
        return run(client)
    with client_for(provider, ctx.secrets) as own:
        return run(own)


def action_states(ctx: HubContext, document_id: int) -> list[dict[str, Any]]:
    """The supplier actions of a document, with their attempts and whether a person must decide."""
    with ctx.sessions() as session:
        rows = session.execute(
            select(supplier_actions)
            .where(supplier_actions.c.document_id == document_id)
            .order_by(supplier_actions.c.id)
        ).mappings()
        return [
            {
                "action_id": r["id"],
                "kind": r["kind"],
                "state": r["state"],
                "attempts": r["attempts"],
                "last_error": r["last_error"],
                "actor": r["actor"],
                "updated_at": r["updated_at"].isoformat(),
            }
            for r in rows
        ]
