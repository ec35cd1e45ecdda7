"""Import every module that declares tables on the shared metadata.

Each area keeps its tables next to its code (``web/tables.py`` ...) but on
the one :data:`chorusflow.storage.schema.metadata`; importing this module
makes that metadata complete, for the migration/metadata sync test and for
anything that needs every table.
"""

from chorusflow.lifecycle import tables as lifecycle_tables  # noqa: F401  (sync state, timeline)
from chorusflow.notifications import tables as notification_tables  # noqa: F401  (dashboard)
from chorusflow.receivables import tables as receivable_tables  # noqa: F401  (advices, disputes)
from chorusflow.storage import schema
from chorusflow.web import tables as web_tables  # noqa: F401  (users, sessions, API tokens)

__all__ = ["metadata"]

metadata = schema.metadata
