"""One document's Chorus Pro lifecycle, as screens show it: live in remote mode, stored in local mode.

Seed 001: in *remote* mode the status comes from Chorus Pro when a user opens
the document; in *local* mode screens show what the nightly run retrieved and
say when, and keep working while Chorus is unreachable. Here remote mode
refreshes the one invoice (one ``consulter/historique`` call) and falls back
to the stored data, marked stale, when Chorus does not answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusError
from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow
from chorusflow.core.provider import Provider, UploadMode
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.status_map import reform_code
from chorusflow.lifecycle.sync import PaymentFlags, SyncReport, get_sync_state, track_invoice_changes
from chorusflow.lifecycle.tables import chorus_invoices, integration_results
from chorusflow.lifecycle.timeline import timeline_of
from chorusflow.providers.service import client_for
from chorusflow.storage import schema
from chorusflow.tracking.views import document_view

__all__ = ["document_lifecycle", "provider_of_document", "refresh_document"]


def provider_of_document(session: Session, document: Document) -> Provider | None:
    sub = session.execute(
        select(schema.submissions.c.provider_id).where(schema.submissions.c.document_id == document.id)
    ).scalar()
    if sub is not None:
        return session.get(Provider, sub)
    flow = session.get(Flow, document.flow_id) if document.flow_id else None
    if flow is None or not flow.provider:
        return None
    return session.scalars(select(Provider).where(schema.providers.c.name == flow.provider)).first()


def document_lifecycle(session: Session, document_id: int) -> dict[str, Any]:
    """Status, timeline, integration result and "last retrieved at" of one document."""
    document = session.get(Document, document_id)
    if document is None:
        raise LookupError(f"No document {document_id}. Find its id with `chorusflow flow FLOW_ID`.")
    tracked = (
        session.execute(select(chorus_invoices).where(chorus_invoices.c.document_id == document_id))
        .mappings()
        .first()
    )
    integration = (
        session.execute(
            select(integration_results)
            .where(integration_results.c.document_id == document_id)
            .order_by(integration_results.c.id.desc())
        )
        .mappings()
        .first()
    )
    provider = provider_of_document(session, document)
    state = get_sync_state(session, provider.id) if provider is not None and provider.id else None
    return {
        "document": document_view(document),
        "chorus_invoice_id": tracked["chorus_invoice_id"] if tracked else None,
        "remote_status": tracked["remote_status"] if tracked else None,
        "reform_code": reform_code(tracked["remote_status"]) if tracked else None,
        "final": bool(tracked["final"]) if tracked else None,
        "anomaly": tracked["anomaly"] if tracked else None,
        "last_retrieved_at": tracked["retrieved_at"].isoformat()
        if tracked and tracked["retrieved_at"]
        else None,
        "provider_last_sync_at": state["last_success_at"].isoformat()
        if state and state["last_success_at"]
        else None,
        "upload_mode": provider.upload_mode if provider else None,
        "integration": None
        if integration is None
        else {
            "flux_number": integration["flux_number"],
            "flow_state": integration["flow_state"],
            "outcome": integration["outcome"],
            "message": integration["message"],
            "rule": integration["rule"],
            "explanation": integration["explanation"],
            "resolution": integration["resolution"],
        },
        "timeline": timeline_of(session, document_id),
    }


def refresh_document(
    ctx: HubContext,
    document_id: int,
    *,
    client: ChorusClient | None = None,
    settings: LifecycleSettings | None = None,
) -> dict[str, Any]:
    """The document's lifecycle, refreshed from Chorus first when its provider is in remote mode."""
    settings = settings or LifecycleSettings()
    live, error = False, None
    with ctx.sessions() as session:
        document = session.get(Document, document_id)
        provider = provider_of_document(session, document) if document else None
        tracked = (
            session.execute(select(chorus_invoices).where(chorus_invoices.c.document_id == document_id))
            .mappings()
            .first()
        )
        if provider is not None:
            session.expunge(provider)
    if provider is not None and tracked is not None and provider.upload_mode == UploadMode.REMOTE.value:
        own = client is None
        client = client or client_for(provider, ctx.secrets)
        try:
            with ctx.sessions.begin() as session:
                report = SyncReport(provider=provider.name, mode=provider.upload_mode)
                track_invoice_changes(
                    session,
                    client,
                    dict(tracked),
                    None,
                    PaymentFlags(client),
                    report,
                    settings,
                    datetime.now(UTC),
                )
            live = True
        except ChorusError as exc:
            error = f"{type(exc).__name__}: {exc.message}"
        finally:
            if own:
                client.close()
    with ctx.sessions() as session:
        view = document_lifecycle(session, document_id)
    view["live"] = live
    view["stale"] = error is not None
    view["error"] = error
    return view
