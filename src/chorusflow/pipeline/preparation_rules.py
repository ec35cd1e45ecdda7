"""Provider rules applied to a prepared flow, before validation (seed 001 "Preparation").

Runs once the flow's provider is known: submission criteria (which documents
go to Chorus Pro), recipient and service mappings, bank details, attachment
linking. Values given as intake metadata are never overridden by a rule.
When the routing data that Chorus reads from a structured invoice changes
(buyer SIRET, service code, engagement number), an enriched copy of the file
is made and becomes what is validated and deposited; the original is kept.
"""

from __future__ import annotations

from typing import Any

import facturx
from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.enrich import Routing, enrich_xml
from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.formats import detect
from chorusflow.core.mapping_rules import Rule, attachment_names, decide
from chorusflow.core.provider import Provider
from chorusflow.providers.rules import list_rules

__all__ = ["apply_preparation_rules"]

NOT_SENT = "none"


def _routing_changes(document: Document) -> Routing:
    """What differs between the document's fields and what its XML says."""
    invoice: dict[str, Any] = document.invoice or {}
    buyer = invoice.get("buyer") or {}
    xml_siret = next(
        (i.get("value") for i in buyer.get("identifiers", []) if i.get("scheme") == "0009"),
        (buyer.get("legal_id") or {}).get("value"),
    )
    return Routing(
        buyer_siret=document.recipient_siret if document.recipient_siret != xml_siret else None,
        service_code=document.service_code
        if document.service_code != invoice.get("buyer_reference")
        else None,
        engagement_number=(
            document.engagement_number
            if document.engagement_number != invoice.get("order_reference")
            else None
        ),
    )


def _enrich(ctx: HubContext, document: Document, stored: StoredFile) -> None:
    routing = _routing_changes(document)
    if not routing or document.needs_data:
        return
    original = ctx.blobs.get(stored.sha256)
    detected = detect(original, stored.name)
    if detected.xml is None:
        return
    xml = enrich_xml(detected.xml, routing)
    # A Factur-X carries its XML inside the PDF: the PDF is regenerated around the enriched XML.
    data = facturx.generate_from_binary(original, xml, check_xsd=False) if stored.format == "facturx" else xml
    document.deposit_sha256 = ctx.blobs.put(data)
    pairs = (
        ("recipient_siret", routing.buyer_siret),
        ("service_code", routing.service_code),
        ("engagement_number", routing.engagement_number),
    )
    changed = {key: value for key, value in pairs if value}
    document.intake_metadata = {**(document.intake_metadata or {}), "enriched": changed}


def _apply(document: Document, stored: StoredFile, rules: list[Rule], flow: Flow, provider: Provider) -> None:
    given = document.intake_metadata or {}
    decisions = decide(rules, document, stored.name)
    meta = dict(given)
    if not decisions.send:
        document.distribution_channel = NOT_SENT
        meta["not_sent_rule"] = decisions.send_rule
    if decisions.recipient_siret and "recipient_siret" not in given:
        document.recipient_siret = decisions.recipient_siret
    if decisions.service_code and "service_code" not in given:
        document.service_code = decisions.service_code
    if decisions.bank_account_id is not None and "bank_account_id" not in given:
        meta["bank_account_id"] = decisions.bank_account_id
    sends = str(given.get("send_attachments", provider.send_attachments)).lower() not in ("false", "0", "no")
    if sends:
        names = [
            f.name for f in flow.files if f.id != stored.id and f.error_type is None and f.format == "pdf"
        ]
        linked = attachment_names(rules, document.number, names)
        if linked:
            meta["attachments"] = [
                {"name": f.name, "sha256": f.sha256, "size": f.size} for f in flow.files if f.name in linked
            ]
    document.intake_metadata = meta or None


def apply_preparation_rules(ctx: HubContext, session: Session, flow: Flow, provider: Provider) -> None:
    rules = list_rules(session, provider.id or 0)
    attached: set[str] = set()
    for document in flow.documents:
        if document.distribution_status is not None:
            continue
        stored = session.get(StoredFile, document.file_id)
        if stored is None:
            continue
        _apply(document, stored, rules, flow, provider)
        attached |= {a["name"] for a in (document.intake_metadata or {}).get("attachments", [])}
        _enrich(ctx, document, stored)
    for document in flow.documents:  # a PDF linked as an attachment is not an invoice of its own
        stored = session.get(StoredFile, document.file_id)
        if stored is not None and stored.name in attached and document.needs_data:
            document.distribution_channel = NOT_SENT
            document.comment = "Attached to another invoice of this flow (attachment rule)."
