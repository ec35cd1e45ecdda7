"""Settings of the lifecycle work, read from ``CHORUSFLOW_LIFECYCLE_*`` variables.

They live apart from :class:`chorusflow.settings.Settings` so this area can
add knobs without touching the shared settings; tests build their own.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["LifecycleSettings"]


class LifecycleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHORUSFLOW_LIFECYCLE_", env_file=".env", extra="ignore")

    max_action_attempts: int = Field(
        default=3,
        ge=1,
        description="Tries of a supplier action (completer, recycler) before a person decides",
    )
    max_report_polls: int = Field(
        default=200, ge=1, description="Polls of a deposit's integration report before a person decides"
    )
    max_sync_failures: int = Field(
        default=10, ge=1, description="Failed syncs in a row after which the provider is flagged for a person"
    )
    page_size: int = Field(default=100, ge=1, le=1000, description="Invoices per rechercher/fournisseur page")
    history_workers: int = Field(
        default=4, ge=1, le=32, description="consulter/historique calls in flight at once during a sync"
    )
    watermark_margin_minutes: int = Field(
        default=10,
        ge=0,
        description="How far before the last change seen each sync reads again (clock safety)",
    )
    password_warning_days: int = Field(
        default=15, ge=0, description="Warn this many days before the technical password expires"
    )
    timezone: str = Field(
        default="Europe/Paris", description="Zone of Chorus Pro's dates and of nightly_sync_time"
    )
    language: str = Field(default="en", pattern="^(en|fr)$", description="Language of explanations")
