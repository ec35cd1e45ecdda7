"""Imperative mapping of the pure domain classes onto the tables.

Done once per process (SQLAlchemy mappers are global). Status columns map to
the private attributes so that only ``core.transitions`` writes them.
"""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from chorusflow.core.entities import Document, Event, Flow, StoredFile
from chorusflow.core.provider import Provider
from chorusflow.storage import schema

__all__ = ["ensure_mapped", "mapper_registry"]

mapper_registry = registry(metadata=schema.metadata)
_mapped = False


def ensure_mapped() -> None:
    """Map the domain classes if not done yet (idempotent)."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(Event, schema.events)
    mapper_registry.map_imperatively(Provider, schema.providers)
    mapper_registry.map_imperatively(
        StoredFile,
        schema.files,
    )
    mapper_registry.map_imperatively(
        Document,
        schema.documents,
        properties={
            "_distribution_status": schema.documents.c.distribution_status,
            "_chorus_status": schema.documents.c.chorus_status,
            "events": relationship(Event, order_by=schema.events.c.id, cascade="save-update, merge"),
        },
    )
    mapper_registry.map_imperatively(
        Flow,
        schema.flows,
        properties={
            "_stage": schema.flows.c.stage,
            "_state": schema.flows.c.state,
            "files": relationship(StoredFile, order_by=schema.files.c.id, cascade="all, delete-orphan"),
            "documents": relationship(Document, order_by=schema.documents.c.id, cascade="all, delete-orphan"),
            "events": relationship(Event, order_by=schema.events.c.id, cascade="save-update, merge"),
        },
    )
    _mapped = True


ensure_mapped()
