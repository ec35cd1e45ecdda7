"""Import every module that declares tables on the shared metadata.

Each area keeps its tables next to its code (``web/tables.py`` ...) but on
the one :data:`chorusflow.storage.schema.metadata`; importing this module
makes that metadata complete, for the migration/metadata sync test and for
anything that needs every table.
"""

from chorusflow.storage import schema

__all__ = ["metadata"]

metadata = schema.metadata
