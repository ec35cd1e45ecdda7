"""Tables of the lifecycle after deposit: integration follow-up, tracked invoices, sync state.

Chorus Pro has more statuses than the twelve the hub shows, and the sync must
know the *raw* status and its date to tell a changed invoice from an
unchanged one without asking Chorus again; so the raw state lives here, next
to the mapped status on ``documents``. The timeline keeps every status Chorus
reported, with its date and comment, even those that map onto the status the
document already has (SERVICE_FAIT after PRISE_EN_COMPTE_DESTINATAIRE).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from chorusflow.storage.schema import Tz, metadata

__all__ = [
    "chorus_invoices",
    "chorus_timeline",
    "flux_followups",
    "integration_results",
    "supplier_actions",
    "sync_states",
]

flux_followups = Table(
    "flux_followups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("flux_number", String(60), nullable=False, unique=True),
    Column("flow_state", String(60)),  # etatCourantDepotFlux as last read
    Column("state_at", String(40)),  # dateHeureEtatCourantFlux as Chorus wrote it
    Column("polls", Integer, nullable=False, default=0),
    Column("final", Boolean, nullable=False, default=False),
    Column("needs_decision", Boolean, nullable=False, default=False),
    Column("last_polled_at", Tz),
    Column("last_error", Text),
)

integration_results = Table(
    "integration_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("flux_number", String(60), nullable=False, index=True),
    Column("flow_state", String(60), nullable=False),
    Column("outcome", String(20), nullable=False),  # integrated, rejected
    Column("chorus_invoice_id", BigInteger),
    Column("message", Text),  # Chorus's own libelleErreurDP / libelleErreur
    Column("rule", String(80)),  # CPRO-INTEGRATION-* catalogue id
    Column("explanation", Text),
    Column("resolution", Text),
    Column("at", Tz, nullable=False),
)

chorus_invoices = Table(
    "chorus_invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("chorus_invoice_id", BigInteger, nullable=False, unique=True),
    Column("number", String(100)),
    Column("remote_status", String(60)),  # the API's own code, e.g. SERVICE_FAIT
    Column("remote_status_at", String(40)),  # dateHeureEtatCourant, "YYYY-MM-DD HH:MM"
    Column("remote_comment", Text),
    Column("recipient_structure_id", BigInteger),
    Column("payment_not_reported", Boolean),  # recipient's statutMiseEnPaiementNestPasRemonte
    Column("last_history_id", BigInteger),  # highest histoStatutId already applied
    Column("final", Boolean, nullable=False, default=False),
    Column("anomaly", Text),  # a status sequence the hub could not follow
    Column("retrieved_at", Tz),
    Index("ix_chorus_invoices_open", "provider_id", "final"),
)

chorus_timeline = Table(
    "chorus_timeline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("history_id", BigInteger, nullable=False),  # histoStatutId
    Column("status", String(60), nullable=False),
    Column("mapped_status", String(40)),
    Column("at", Tz, nullable=False),
    Column("comment", Text),
    Column("author", String(300)),
    UniqueConstraint("document_id", "history_id", name="uq_chorus_timeline_document_history"),
)

sync_states = Table(
    "sync_states",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("watermark", String(40)),  # newest dateHeureEtatCourant seen, Chorus's clock
    Column("window_from", String(10)),  # periodeDateHeureEtatCourantDu of the last run
    Column("last_run_at", Tz),
    Column("last_success_at", Tz),
    Column("last_error", Text),
    Column("last_error_at", Tz),
    Column("last_calls", JSON),
    Column("last_changed", Integer),
    Column("consecutive_failures", Integer, nullable=False, default=0),
)

supplier_actions = Table(
    "supplier_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # complete, recycle
    Column("state", String(20), nullable=False),  # pending, done, failed, needs_decision
    Column("attempts", Integer, nullable=False, default=0),
    Column("request", JSON, nullable=False),
    Column("last_error", Text),
    Column("actor", String(200), nullable=False),
    Column("created_at", Tz, nullable=False),
    Column("updated_at", Tz, nullable=False),
)
