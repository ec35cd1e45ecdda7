"""Lifecycle: status sync state, notifications, receivables (filled by the lifecycle work).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_cursor")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(op.f("ix_webhook_deliveries_state"), "webhook_deliveries", ["state"], unique=False)
    op.create_table(
        "flux_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("flux_number", sa.String(length=60), nullable=False),
        sa.Column("flow_state", sa.String(length=60), nullable=True),
        sa.Column("state_at", sa.String(length=40), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("needs_decision", sa.Boolean(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_flux_followups_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flux_followups")),
        sa.UniqueConstraint("flux_number", name=op.f("uq_flux_followups_flux_number")),
    )
    op.create_index(op.f("ix_flux_followups_provider_id"), "flux_followups", ["provider_id"], unique=False)
    op.create_table(
        "sync_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("watermark", sa.String(length=40), nullable=True),
        sa.Column("window_from", sa.String(length=10), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_calls", sa.JSON(), nullable=True),
        sa.Column("last_changed", sa.Integer(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_sync_states_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_states")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_sync_states_provider_id")),
    )
    op.create_table(
        "chorus_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("chorus_invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("remote_status", sa.String(length=60), nullable=True),
        sa.Column("remote_status_at", sa.String(length=40), nullable=True),
        sa.Column("remote_comment", sa.Text(), nullable=True),
        sa.Column("recipient_structure_id", sa.BigInteger(), nullable=True),
        sa.Column("payment_not_reported", sa.Boolean(), nullable=True),
        sa.Column("last_history_id", sa.BigInteger(), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("anomaly", sa.Text(), nullable=True),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_chorus_invoices_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_chorus_invoices_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chorus_invoices")),
        sa.UniqueConstraint("chorus_invoice_id", name=op.f("uq_chorus_invoices_chorus_invoice_id")),
        sa.UniqueConstraint("document_id", name=op.f("uq_chorus_invoices_document_id")),
    )
    op.create_index("ix_chorus_invoices_open", "chorus_invoices", ["provider_id", "final"], unique=False)
    op.create_table(
        "chorus_timeline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("history_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=60), nullable=False),
        sa.Column("mapped_status", sa.String(length=40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_chorus_timeline_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chorus_timeline")),
        sa.UniqueConstraint("document_id", "history_id", name="uq_chorus_timeline_document_history"),
    )
    op.create_index(op.f("ix_chorus_timeline_document_id"), "chorus_timeline", ["document_id"], unique=False)
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("customer_code", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_disputes_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index(op.f("ix_disputes_customer_code"), "disputes", ["customer_code"], unique=False)
    op.create_index(op.f("ix_disputes_document_id"), "disputes", ["document_id"], unique=False)
    op.create_index(
        "ix_disputes_one_open",
        "disputes",
        ["document_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "dunning_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_dunning_exclusions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dunning_exclusions")),
        sa.UniqueConstraint("document_id", name=op.f("uq_dunning_exclusions_document_id")),
    )
    op.create_table(
        "integration_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("flux_number", sa.String(length=60), nullable=False),
        sa.Column("flow_state", sa.String(length=60), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("chorus_invoice_id", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=80), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_integration_results_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_results")),
    )
    op.create_index(
        op.f("ix_integration_results_document_id"), "integration_results", ["document_id"], unique=False
    )
    op.create_index(
        op.f("ix_integration_results_flux_number"), "integration_results", ["flux_number"], unique=False
    )
    op.create_table(
        "payment_advices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("customer_code", sa.String(length=100), nullable=True),
        sa.Column("invoice_number", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("chorus_status_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_payment_advices_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_advices")),
        sa.UniqueConstraint("document_id", name=op.f("uq_payment_advices_document_id")),
    )
    op.create_index(
        op.f("ix_payment_advices_customer_code"), "payment_advices", ["customer_code"], unique=False
    )
    op.create_table(
        "supplier_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_supplier_actions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_actions")),
    )
    op.create_index(
        op.f("ix_supplier_actions_document_id"), "supplier_actions", ["document_id"], unique=False
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("recipient_kind", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("email_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_notifications_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_notifications_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("event_id", "recipient", name="uq_notifications_event_recipient"),
    )
    op.create_index(op.f("ix_notifications_document_id"), "notifications", ["document_id"], unique=False)
    op.create_index(op.f("ix_notifications_flow_id"), "notifications", ["flow_id"], unique=False)
    op.create_index(op.f("ix_notifications_provider_id"), "notifications", ["provider_id"], unique=False)
    op.create_index(op.f("ix_notifications_recipient"), "notifications", ["recipient"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_recipient"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_provider_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_flow_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_document_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_supplier_actions_document_id"), table_name="supplier_actions")
    op.drop_table("supplier_actions")
    op.drop_index(op.f("ix_payment_advices_customer_code"), table_name="payment_advices")
    op.drop_table("payment_advices")
    op.drop_index(op.f("ix_integration_results_flux_number"), table_name="integration_results")
    op.drop_index(op.f("ix_integration_results_document_id"), table_name="integration_results")
    op.drop_table("integration_results")
    op.drop_table("dunning_exclusions")
    op.drop_index(
        "ix_disputes_one_open",
        table_name="disputes",
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.drop_index(op.f("ix_disputes_document_id"), table_name="disputes")
    op.drop_index(op.f("ix_disputes_customer_code"), table_name="disputes")
    op.drop_table("disputes")
    op.drop_index(op.f("ix_chorus_timeline_document_id"), table_name="chorus_timeline")
    op.drop_table("chorus_timeline")
    op.drop_index("ix_chorus_invoices_open", table_name="chorus_invoices")
    op.drop_table("chorus_invoices")
    op.drop_table("sync_states")
    op.drop_index(op.f("ix_flux_followups_provider_id"), table_name="flux_followups")
    op.drop_table("flux_followups")
    op.drop_index(op.f("ix_webhook_deliveries_state"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("notification_cursor")
