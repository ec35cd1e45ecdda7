"""Tables of the hub, as SQLAlchemy Core metadata.

The domain classes of :mod:`chorusflow.core.entities` are mapped onto these
tables imperatively (:mod:`chorusflow.storage.mapping`), so the core never
imports SQLAlchemy. Alembic migrations are written by hand from this file.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)

__all__ = [
    "directory_cache",
    "documents",
    "events",
    "files",
    "flows",
    "metadata",
    "provider_rules",
    "providers",
    "submissions",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware datetimes out, on SQLite (which drops the zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


Money = Numeric(18, 2)
FILE_IN_ERROR = "error_type IS NOT NULL AND duplicate_of_flow_id IS NULL"
Tz = UTCDateTime()

flows = Table(
    "flows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("submitter", String(200), nullable=False),
    Column("imported_at", Tz, nullable=False),
    Column("source", String(20), nullable=False),
    Column("provider", String(200)),
    Column("validator_name", String(200)),
    Column("first_invoice_date", Date),
    Column("last_invoice_date", Date),
    Column("first_invoice_number", String(100)),
    Column("last_invoice_number", String(100)),
    Column("stage_ended_at", JSON, nullable=False),
    Column("error_stage", String(20)),
    Column("error_type", String(50)),
    Column("error_message", Text),
    Column("error_resolution", Text),
    Column("error_at", Tz),
    Column("in_history", Boolean, nullable=False, default=False),
    Column("stage", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Index("ix_flows_tab", "in_history", "state", "imported_at"),
    Index("ix_flows_imported_at", "imported_at"),
    Index("ix_flows_tab_recent", "in_history", "imported_at", "id"),  # a tab's newest page (0006)
)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("flow_id", ForeignKey("flows.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(500), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("media_type", String(100), nullable=False),
    Column("format", String(30), nullable=False),
    Column("profile", String(100)),
    Column("error_type", String(50)),
    Column("error_message", Text),
    Column("error_resolution", Text),
    Column("duplicate_of_flow_id", Integer),
    Column("parent_name", String(500)),
    Index(  # only the files that put their flow in To check (0006)
        "ix_files_in_error",
        "flow_id",
        sqlite_where=text(FILE_IN_ERROR),
        postgresql_where=text(FILE_IN_ERROR),
    ),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("flow_id", ForeignKey("flows.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("file_id", ForeignKey("files.id", ondelete="CASCADE"), index=True),
    Column("number", String(100), index=True),
    Column("issue_date", Date, index=True),
    Column("type", String(20), nullable=False),
    Column("type_code", String(10)),
    Column("customer_code", String(100), index=True),
    Column("recipient_name", String(500)),
    Column("recipient_siret", String(20), index=True),
    Column("service_code", String(100)),
    Column("engagement_number", String(100)),
    Column("supplier_siret", String(20), index=True),
    Column("total_without_vat", Money),
    Column("total_vat", Money),
    Column("total_with_vat", Money),
    Column("currency", String(3)),
    Column("distribution_channel", String(30), nullable=False),
    Column("distribution_status", String(30), index=True),
    Column("chorus_status", String(40), index=True),
    Column("status_updated_at", Tz),
    Column("comment", Text),
    Column("invoice", JSON),
    Column("needs_data", Boolean, nullable=False, default=False),
    Column("intake_metadata", JSON),  # given at intake (sidecar, API): wins over the invoice's data
    Column("validation", JSON),  # the last validation report, findings with explanations
    Column("deposit_sha256", String(64)),  # enriched and/or sealed copy, deposited instead of the original
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("flow_id", ForeignKey("flows.id", ondelete="CASCADE"), index=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), index=True),
    Column("entity", String(20), nullable=False),
    Column("attribute", String(40), nullable=False),
    Column("from_value", String(60)),
    Column("to_value", String(60), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", Tz, nullable=False),
    Column("comment", Text),
)

providers = Table(
    "providers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("siret", String(14), nullable=False),
    Column("login", String(200), nullable=False),
    Column("password_token", Text, nullable=False),
    Column("environment", String(20), nullable=False),
    Column("api_url", String(500)),
    Column("token_url", String(500)),
    Column("auth_mode", String(20), nullable=False),
    Column("client_id", String(200)),
    Column("client_secret_token", Text),
    Column("pkcs12_token", Text),
    Column("pkcs12_password_token", Text),
    Column("auto_submit", Boolean, nullable=False),
    Column("send_attachments", Boolean, nullable=False),
    Column("require_approval", Boolean, nullable=False),
    Column("sign_pdf", Boolean, nullable=False),
    Column("batch_deposits", Boolean, nullable=False),
    Column("upload_mode", String(20), nullable=False),
    Column("sync_interval_minutes", Integer, nullable=False),
    Column("nightly_sync_time", String(5), nullable=False),
    Column("notify_users", JSON, nullable=False),
    Column("notify_groups", JSON, nullable=False),
    Column("allowed_users", JSON, nullable=False),
    Column("allowed_groups", JSON, nullable=False),
    Column("created_at", Tz),
)

provider_rules = Table(
    "provider_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),  # submission, recipient, service, bank, attachment
    Column("field", String(100), nullable=False),
    Column("pattern", String(500), nullable=False),
    Column("value", JSON, nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

directory_cache = Table(
    "directory_cache",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), nullable=False),
    Column("siret", String(20), nullable=False),
    Column("payload", JSON),  # null: not in the directory
    Column("fetched_at", Tz, nullable=False),
    Column("expires_at", Tz, nullable=False),
    UniqueConstraint("provider_id", "siret", name="uq_directory_cache_provider_siret"),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("provider_id", ForeignKey("providers.id"), nullable=False, index=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("state", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(100)),
    Column("lease_expires_at", Tz, index=True),
    Column("route", String(40)),
    Column("flux_number", String(60), index=True),
    Column("chorus_invoice_id", BigInteger),
    Column("last_error", Text),
    Column("created_at", Tz, nullable=False),
    Column("updated_at", Tz, nullable=False),
    Column("deposited_at", Tz),
)
