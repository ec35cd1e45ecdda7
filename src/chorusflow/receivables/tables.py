"""Tables of receivables follow-up (seed 004): payment advices, disputes, dunning exclusions, webhooks.

A payment advice is the pre-lettering entry an accounts-receivable tool needs
when Chorus says MISE_EN_PAIEMENT; a dispute follows an invoice the recipient
sent back. At most one dispute per invoice is open at a time: the partial
unique index below lets the database refuse a second one, so two concurrent
syncs cannot open duplicates.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, text

from chorusflow.storage.schema import Money, Tz, metadata

__all__ = ["disputes", "dunning_exclusions", "payment_advices", "webhook_deliveries"]

payment_advices = Table(
    "payment_advices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("customer_code", String(100), index=True),
    Column("invoice_number", String(100)),
    Column("amount", Money),
    Column("currency", String(3)),
    Column("chorus_status_at", Tz, nullable=False),  # when Chorus said MISE_EN_PAIEMENT
    Column("created_at", Tz, nullable=False),
)

disputes = Table(
    "disputes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("customer_code", String(100), index=True),
    Column("status", String(40), nullable=False),  # the Chorus status that opened or last kept it open
    Column("comment", Text),  # the recipient's motif
    Column("opened_at", Tz, nullable=False),
    Column("closed_at", Tz),
    Column("closed_by", String(200)),  # a Chorus status, or a person's name
    Index(
        "ix_disputes_one_open",
        "document_id",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
        postgresql_where=text("closed_at IS NULL"),
    ),
)

dunning_exclusions = Table(
    "dunning_exclusions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", Tz, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event", String(60), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(20), nullable=False, index=True),  # pending, delivered, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("status_code", Integer),
    Column("last_error", Text),
    Column("created_at", Tz, nullable=False),
    Column("delivered_at", Tz),
)
