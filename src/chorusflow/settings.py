"""One typed settings object for the hub, read from ``CHORUSFLOW_*`` variables.

Everything configurable lives here so that the CLI, the web app and the
workers agree on the data home, the database and the queue without passing
paths around; tests build their own ``Settings`` instead of patching globals.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHORUSFLOW_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path("./chorusflow-data"), description="Data home: database, blobs, queue")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is SQLite (WAL) in the data home. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    )
    hot_folder: Path | None = Field(default=None, description="Watched folder; default <home>/inbox")
    zip_max_members: int = 2_000
    zip_max_total_bytes: int = 512 * 1024 * 1024
    zip_max_ratio: int = 100
    max_file_bytes: int = 200 * 1024 * 1024
    xml_max_bytes: int = 50 * 1024 * 1024
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key for secrets at rest; default: <home>/secret.key, created 0600"
    )
    submit_every_minutes: int = Field(default=10, ge=1, le=1440, description="Automatic submission period")
    submit_lease_seconds: int = Field(default=120, ge=1, description="Lease on a submission before a call")
    submit_uncertain_grace_seconds: int = Field(
        default=900, ge=0, description="Wait before re-checking a deposit whose answer was lost"
    )
    submit_max_attempts: int = Field(default=5, ge=1, description="Then a person must decide")
    chorus_timeout_seconds: float = Field(default=60.0, gt=0, description="Read timeout of Chorus Pro calls")
    queue_url: str | None = Field(
        default=None,
        description="huey backend: default SQLite in the data home; redis://... or postgresql://...",
    )
    language: str = Field(default="en", pattern="^(en|fr)$", description="Language of explanations: en or fr")

    @property
    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_home / 'chorusflow.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.resolved_home / "blobs"

    @property
    def inbox(self) -> Path:
        return (self.hot_folder or self.resolved_home / "inbox").expanduser().resolve()


def get_settings() -> Settings:
    """Settings from the environment; a function so tests can set variables first."""
    return Settings()
