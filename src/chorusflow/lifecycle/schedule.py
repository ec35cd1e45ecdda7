"""When each provider's sync is due: every few minutes (remote) or once a night (local).

Seed 001 gives providers two upload modes. A worker calls :func:`run_due`
every minute or so; it decides from the stored sync state alone, so several
workers or a restart never shift the schedule, and a local-mode provider
whose nightly run failed tries again at the next tick rather than waiting a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chorusflow.context import HubContext
from chorusflow.core.provider import Provider, UploadMode
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.sync import SyncReport, get_sync_state, sync_provider
from chorusflow.notifications.service import collect, send_pending_emails
from chorusflow.notifications.smtp import SmtpSender, SmtpSettings
from chorusflow.providers.service import list_providers
from chorusflow.receivables.webhooks import WebhookSettings, deliver_pending

__all__ = ["is_due", "last_nightly_slot", "run_due", "tick"]


def last_nightly_slot(nightly: str, now: datetime, zone: str) -> datetime:
    """The latest ``HH:MM`` (local time) at or before ``now``."""
    try:
        hour, minute = (int(p) for p in nightly.split(":"))
        slot_time = time(hour, minute)
    except ValueError as exc:
        raise ValueError(f"nightly_sync_time {nightly!r} is not HH:MM (e.g. 02:00)") from exc
    local = now.astimezone(ZoneInfo(zone))
    slot = datetime.combine(local.date(), slot_time, tzinfo=ZoneInfo(zone))
    if slot > local:
        slot -= timedelta(days=1)
    return slot.astimezone(UTC)


def is_due(provider: Provider, state: dict, now: datetime, zone: str = "Europe/Paris") -> bool:
    if provider.upload_mode == UploadMode.LOCAL.value:
        slot = last_nightly_slot(provider.nightly_sync_time, now, zone)
        done = state.get("last_success_at")
        return done is None or done < slot
    last = state.get("last_run_at")
    return last is None or now - last >= timedelta(minutes=max(1, provider.sync_interval_minutes))


def run_due(
    ctx: HubContext, *, now: datetime | None = None, settings: LifecycleSettings | None = None
) -> list[SyncReport]:
    """Sync every provider whose turn has come; returns one report per provider synced."""
    settings = settings or LifecycleSettings()
    now = now or datetime.now(UTC)
    due: list[Provider] = []
    with ctx.sessions.begin() as session:
        for provider in list_providers(session):
            if is_due(provider, get_sync_state(session, provider.id), now, settings.timezone):  # type: ignore[arg-type]
                session.expunge(provider)
                due.append(provider)
    return [sync_provider(ctx, p, settings=settings, now=now) for p in due]


def tick(
    ctx: HubContext,
    *,
    now: datetime | None = None,
    settings: LifecycleSettings | None = None,
    smtp: SmtpSettings | None = None,
    webhooks: WebhookSettings | None = None,
) -> dict[str, object]:
    """One periodic run for a worker (every minute): due syncs, notifications, e-mails, webhooks."""
    reports = run_due(ctx, now=now, settings=settings)
    with ctx.sessions.begin() as session:
        notified = collect(session)
    smtp = smtp or SmtpSettings()
    emails = None
    if smtp.host:
        with ctx.sessions.begin() as session:
            emails = send_pending_emails(session, SmtpSender(smtp))
    webhooks = webhooks or WebhookSettings()
    delivered = None
    if webhooks.webhook_url and webhooks.webhook_secret:
        delivered = deliver_pending(
            ctx.sessions,
            webhooks.webhook_url,
            webhooks.webhook_secret.get_secret_value(),
            max_attempts=webhooks.max_attempts,
        )
    return {
        "synced": [r.as_dict() for r in reports],
        "notifications": notified,
        "emails": emails,
        "webhooks": delivered,
    }
