"""Flows and documents as plain dicts, the one shape the CLI ``--json`` and the API share.

Field names are the contract scripts rely on (issue 2 item 7): snake_case,
amounts as strings (exact decimals), dates and times ISO 8601.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chorusflow.core.entities import Document, Event, Flow, StoredFile

__all__ = ["document_view", "event_view", "file_view", "flow_detail", "flow_summary"]


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _amount(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def flow_summary(flow: Flow) -> dict[str, Any]:
    """One row of the tracking list (seed 000: what each stage shows)."""
    error = flow.error
    return {
        "flow_id": flow.id,
        "stage": flow.stage.value,
        "state": flow.state.value,
        "imported_at": _iso(flow.imported_at),
        "submitter": flow.submitter,
        "source": flow.source,
        "provider": flow.provider,
        "file_count": flow.file_count,
        "document_count": flow.document_count,
        "invoice_interval": {
            "first_date": _iso(flow.first_invoice_date),
            "last_date": _iso(flow.last_invoice_date),
            "first_number": flow.first_invoice_number,
            "last_number": flow.last_invoice_number,
        },
        "validator_name": flow.validator_name,
        "stage_ended_at": dict(flow.stage_ended_at),
        "error": None
        if error is None
        else {
            "stage": error.stage.value,
            "type": error.type,
            "message": error.message,
            "resolution": error.resolution,
            "at": _iso(error.at),
        },
        "to_check": flow.to_check,
        "in_history": flow.in_history,
    }


def file_view(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.id,
        "name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256 or None,
        "media_type": stored.media_type,
        "format": stored.format,
        "profile": stored.profile,
        "parent": stored.parent_name,
        "duplicate_of_flow_id": stored.duplicate_of_flow_id,
        "error": None
        if stored.error_type is None
        else {
            "type": stored.error_type,
            "message": stored.error_message,
            "resolution": stored.error_resolution,
        },
    }


def document_view(doc: Document, *, with_invoice: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "document_id": doc.id,
        "file_id": doc.file_id,
        "number": doc.number,
        "issue_date": _iso(doc.issue_date),
        "type": doc.type,
        "type_code": doc.type_code,
        "customer_code": doc.customer_code,
        "recipient_name": doc.recipient_name,
        "recipient_siret": doc.recipient_siret,
        "service_code": doc.service_code,
        "engagement_number": doc.engagement_number,
        "supplier_siret": doc.supplier_siret,
        "total_without_vat": _amount(doc.total_without_vat),
        "total_vat": _amount(doc.total_vat),
        "total_with_vat": _amount(doc.total_with_vat),
        "currency": doc.currency,
        "distribution_channel": doc.distribution_channel,
        "distribution_status": doc.distribution_status.value if doc.distribution_status else None,
        "chorus_status": doc.chorus_status.value if doc.chorus_status else None,
        "status_updated_at": _iso(doc.status_updated_at),
        "comment": doc.comment,
        "needs_data": doc.needs_data,
    }
    if with_invoice:
        view["invoice"] = doc.invoice
    return view


def event_view(event: Event) -> dict[str, Any]:
    return {
        "entity": event.entity,
        "flow_id": event.flow_id,
        "document_id": event.document_id,
        "attribute": event.attribute,
        "from": event.from_value,
        "to": event.to_value,
        "actor": event.actor,
        "at": _iso(event.at),
        "comment": event.comment,
    }


def flow_detail(flow: Flow, events: Sequence[Event] = ()) -> dict[str, Any]:
    detail = flow_summary(flow)
    detail["files"] = [file_view(f) for f in flow.files]
    detail["documents"] = [{**document_view(d), "validation": d.validation} for d in flow.documents]
    detail["events"] = [event_view(e) for e in events]
    return detail
