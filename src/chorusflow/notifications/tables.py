"""Tables of notifications: the dashboard list, and the cursor over the events they come from.

Notifications are derived from the append-only ``events`` table rather than
raised by each stage, so no stage can forget one and a crash between a status
change and its notification only delays it: the cursor moves after the
notifications are written, in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from chorusflow.storage.schema import Tz, metadata

__all__ = ["notification_cursor", "notifications"]

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", ForeignKey("providers.id", ondelete="CASCADE"), index=True),
    Column("recipient", String(300), nullable=False, index=True),  # a user name, group name or address
    Column("recipient_kind", String(10), nullable=False),  # user, group
    Column("kind", String(30), nullable=False),  # waiting_submission, submitted, status_change, flow_error
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("flow_id", Integer, index=True),
    Column("document_id", Integer, index=True),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Tz, nullable=False),
    Column("read_at", Tz),
    Column("emailed_at", Tz),
    Column("email_error", Text),
    UniqueConstraint("event_id", "recipient", name="uq_notifications_event_recipient"),
)

notification_cursor = Table(
    "notification_cursor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_event_id", Integer, nullable=False),
    Column("updated_at", Tz, nullable=False),
)
