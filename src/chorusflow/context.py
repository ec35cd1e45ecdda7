"""The hub's shared resources, built once from the settings.

CLI commands, the web app and the workers all need the same engine, session
factory and blob store; building them in one place keeps SQLite pragmas,
paths and the migration check identical everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from chorusflow.security.secretbox import SecretBox, load_or_create_key
from chorusflow.settings import Settings
from chorusflow.storage import migrate
from chorusflow.storage.blobs import BlobStore
from chorusflow.storage.engine import make_engine, make_session_factory
from chorusflow.storage.mapping import ensure_mapped

__all__ = ["HubContext"]


@dataclass
class HubContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    _box: SecretBox | None = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings, *, upgrade: bool = True) -> HubContext:
        """Open the data home; by default bring the schema up to date first.

        Upgrading on open makes a fresh ``CHORUSFLOW_HOME`` usable by any
        command without a separate ``db upgrade`` step (the embedded default).
        """
        ensure_mapped()
        settings.resolved_home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.sqlalchemy_url)
        if upgrade:
            migrate.upgrade(engine)
        return cls(settings, engine, make_session_factory(engine), BlobStore(settings.blob_dir))

    @property
    def secrets(self) -> SecretBox:
        """The data home's secret box (key file created on first use)."""
        if self._box is None:
            configured = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
            self._box = SecretBox(load_or_create_key(self.settings.resolved_home, configured))
        return self._box

    def close(self) -> None:
        self.engine.dispose()
