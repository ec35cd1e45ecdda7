"""Indexes for the tracking list and the To check badge (docs/benchmarks.md, Tracking queries).

``ix_flows_tab_recent`` serves "newest flows of a tab first" as an ordered
index scan that LIMIT stops after one page; ``ix_flows_tab`` has ``state``
between ``in_history`` and ``imported_at``, so every page sorted the whole
tab. ``ix_files_in_error`` is a partial index holding only the files that put
a flow in To check, so the badge reads a handful of entries, not every file.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FILE_IN_ERROR = "error_type IS NOT NULL AND duplicate_of_flow_id IS NULL"


def upgrade() -> None:
    op.create_index("ix_flows_tab_recent", "flows", ["in_history", "imported_at", "id"])
    op.create_index(
        "ix_files_in_error",
        "files",
        ["flow_id"],
        sqlite_where=sa.text(FILE_IN_ERROR),
        postgresql_where=sa.text(FILE_IN_ERROR),
    )


def downgrade() -> None:
    op.drop_index("ix_files_in_error", table_name="files")
    op.drop_index("ix_flows_tab_recent", table_name="flows")
