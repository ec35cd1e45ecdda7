"""Status sync with Chorus Pro: incremental, paginated, and paid for by what changed.

Other connectors ask Chorus about every open invoice every day. Here one
``rechercher/fournisseur`` walk, filtered on the date of the current status
(``periodeDateHeureEtatCourantDu``) from the newest change already seen,
lists only invoices that moved since; each row carries its status and its
date, so an invoice whose pair did not change costs nothing more, and
``consulter/historique`` (timeline and recipients' comments) is called only
for those that did. The watermark is Chorus's own clock (the newest
``dateHeureEtatCourant`` seen), so a skew between the hub and Chorus cannot
open a gap; the walk is sorted newest first, so an invoice that changes
during the walk can only be seen twice (and is deduplicated), never skipped.

Polling of an invoice stops at a truly final status: MISE_EN_PAIEMENT or a
rejection, and MANDATEE only when its recipient declares
``statutMiseEnPaiementNestPasRemonte``.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusError
from chorusflow.chorus.models.factures import InvoiceHistory, SupplierInvoice, SupplierInvoiceSearchRequest
from chorusflow.context import HubContext
from chorusflow.core.entities import Document
from chorusflow.core.provider import Provider
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.followup import FollowUpReport, follow_deposits
from chorusflow.lifecycle.status_map import is_final
from chorusflow.lifecycle.tables import chorus_invoices, sync_states
from chorusflow.lifecycle.timeline import apply_history
from chorusflow.providers.service import client_for, get_provider
from chorusflow.storage import schema

__all__ = ["PaymentFlags", "SyncReport", "get_sync_state", "sync_provider", "track_invoice_changes"]

#: Statuses at which the recipient's "payment not reported" flag decides whether polling stops.
_NEEDS_PAYMENT_FLAG = frozenset({"MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE"})


@dataclass
class SyncReport:
    provider: str
    mode: str
    window_from: str | None = None
    open_before: int = 0
    rows_seen: int = 0
    changed: int = 0
    status_changes: int = 0
    newly_final: int = 0
    anomalies: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    search_pages: int = 0
    history_calls: int = 0
    duration_s: float = 0.0
    error: str | None = None
    followup: FollowUpReport = field(default_factory=FollowUpReport)

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "mode": self.mode,
            "window_from": self.window_from,
            "open_invoices": self.open_before,
            "rows_seen": self.rows_seen,
            "changed": self.changed,
            "status_changes": self.status_changes,
            "newly_final": self.newly_final,
            "anomalies": self.anomalies,
            "calls": self.calls,
            "search_pages": self.search_pages,
            "history_calls": self.history_calls,
            "duration_s": round(self.duration_s, 3),
            "error": self.error,
            "integration": self.followup.as_dict(),
        }


def get_sync_state(session: Session, provider_id: int) -> dict[str, Any]:
    row = (
        session.execute(select(sync_states).where(sync_states.c.provider_id == provider_id))
        .mappings()
        .first()
    )
    if row is None:
        session.execute(insert(sync_states).values(provider_id=provider_id, consecutive_failures=0))
        row = (
            session.execute(select(sync_states).where(sync_states.c.provider_id == provider_id))
            .mappings()
            .one()
        )
    return dict(row)


def _stamp(value: str | None) -> str | None:
    """``dateHeureEtatCourant`` as ``YYYY-MM-DD HH:MM``, comparable as a string whatever the form sent."""
    return value.replace("T", " ")[:16] if value else None


def _cutoff(watermark: str | None, margin_minutes: int) -> str | None:
    """The watermark moved back by a safety margin, in Chorus's ``YYYY-MM-DD HH:MM`` form."""
    if not watermark:
        return None
    try:
        moment = datetime.strptime(watermark[:16], "%Y-%m-%d %H:%M")
    except ValueError:
        return watermark[:10]
    return (moment - timedelta(minutes=margin_minutes)).strftime("%Y-%m-%d %H:%M")


def _window_from(
    session: Session, provider: Provider, state: dict[str, Any], settings: LifecycleSettings
) -> str | None:
    """The first day to ask for: the watermark's day, or the oldest open deposit's day on a first run."""
    cutoff = _cutoff(state["watermark"], settings.watermark_margin_minutes)
    if cutoff:
        return cutoff[:10]
    zone = settings.timezone
    s = schema.submissions
    oldest = session.scalar(
        select(func.min(s.c.deposited_at))
        .select_from(chorus_invoices.join(s, s.c.document_id == chorus_invoices.c.document_id))
        .where(chorus_invoices.c.provider_id == provider.id, chorus_invoices.c.final.is_(False))
    )
    if oldest is None:
        return None
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return (oldest.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)).isoformat()


class PaymentFlags:
    """Each recipient's ``statutMiseEnPaiementNestPasRemonte``, asked once per run."""

    def __init__(self, client: ChorusClient) -> None:
        self._client = client
        self._known: dict[int, bool | None] = {}

    def get(self, structure_id: int | None) -> bool | None:
        if structure_id is None:
            return None
        if structure_id not in self._known:
            try:
                flags = self._client.structures.get_structure(structure_id).parametres
                self._known[structure_id] = bool(flags and flags.statutMiseEnPaiementNestPasRemonte)
            except ChorusError:
                self._known[structure_id] = None
        return self._known[structure_id]


def track_invoice_changes(
    session: Session,
    client: ChorusClient,
    tracked: dict[str, Any],
    row: SupplierInvoice | None,
    flags: PaymentFlags,
    report: SyncReport,
    settings: LifecycleSettings,
    now: datetime,
    history: InvoiceHistory | None = None,
) -> None:
    """Apply one changed invoice's history (fetched here unless given); update its tracked state."""
    if history is None:
        history = client.factures.get_invoice_history(int(tracked["chorus_invoice_id"]))
    report.history_calls += 1
    document = session.get(Document, tracked["document_id"])
    if document is None:
        return
    applied = apply_history(session, document, history, zone=settings.timezone)
    report.status_changes += len(applied.changes)
    report.anomalies.extend(f"{document.number}: {a}" for a in applied.anomalies)
    status = history.statutCourantCode or (row.statut if row else None)
    extra = (row.model_extra or {}) if row else {}
    recipient_id = extra.get("idDestinataire") or tracked["recipient_structure_id"]
    not_reported = tracked["payment_not_reported"]
    if status in _NEEDS_PAYMENT_FLAG and not_reported is None:
        not_reported = flags.get(int(recipient_id) if recipient_id else None)
    final = is_final(status, payment_not_reported=not_reported)
    report.newly_final += int(final)
    entries = history.historiquesDesStatuts.histoStatut if history.historiquesDesStatuts else []
    ids = [e.histoStatutId for e in entries if e.histoStatutId is not None]
    latest = max((e.histoStatutDatePassage for e in entries if e.histoStatutDatePassage), default=None)
    session.execute(
        update(chorus_invoices)
        .where(chorus_invoices.c.id == tracked["id"])
        .values(
            remote_status=status,
            remote_status_at=row.dateHeureEtatCourant if row else (latest or tracked["remote_status_at"]),
            remote_comment=row.commentaireEtatCourant if row else tracked["remote_comment"],
            recipient_structure_id=int(recipient_id) if recipient_id else None,
            payment_not_reported=not_reported,
            last_history_id=max(ids) if ids else tracked["last_history_id"],
            final=final,
            retrieved_at=now,
        )
    )


def _changed(tracked: dict[str, Any], row: SupplierInvoice) -> bool:
    return (row.statut, row.dateHeureEtatCourant) != (tracked["remote_status"], tracked["remote_status_at"])


def _walk(
    ctx: HubContext,
    provider: Provider,
    client: ChorusClient,
    settings: LifecycleSettings,
    report: SyncReport,
    window_from: str | None,
    cutoff: str | None,
    now: datetime,
) -> str | None:
    """One pass over the invoices changed since ``window_from``; returns the new watermark.

    Chorus filters by day only; rows come newest first, so the walk stops at
    the first row older than ``cutoff`` (the last watermark less a margin):
    everything after it was already seen, and reading on would make the cost
    grow with the day's earlier changes instead of with what changed since.
    """
    flags = PaymentFlags(client)
    request = SupplierInvoiceSearchRequest(
        periodeDateHeureEtatCourantDu=date.fromisoformat(window_from) if window_from else None
    )
    rows = client.factures.iter_supplier_invoices(
        request,
        page_size=settings.page_size,
        sort_column="DateHeureEtatCourant",
        sort_direction="Descendant",
    )
    watermark: str | None = None
    batch: list[SupplierInvoice] = []

    def flush() -> None:
        ids = [r.identifiantFactureCPP for r in batch]
        with ctx.sessions.begin() as session:
            tracked = {
                t["chorus_invoice_id"]: dict(t)
                for t in session.execute(
                    select(chorus_invoices).where(
                        chorus_invoices.c.chorus_invoice_id.in_(ids),
                        chorus_invoices.c.provider_id == provider.id,
                    )
                ).mappings()
            }
            changed = [
                (tracked[row.identifiantFactureCPP], row)
                for row in batch
                if row.identifiantFactureCPP in tracked
                and not tracked[row.identifiantFactureCPP]["final"]
                and _changed(tracked[row.identifiantFactureCPP], row)
            ]
            # Histories are fetched in parallel (Chorus answers each in a fraction of a second,
            # and a busy day changes thousands of invoices), then applied in order, in one transaction.
            histories = list(
                pool.map(
                    lambda pair: client.factures.get_invoice_history(int(pair[0]["chorus_invoice_id"])),
                    changed,
                )
            )
            for (known, row), history in zip(changed, histories, strict=True):
                report.changed += 1
                track_invoice_changes(session, client, known, row, flags, report, settings, now, history)
        batch.clear()

    pool = ThreadPoolExecutor(max_workers=settings.history_workers, thread_name_prefix="chorus-history")
    try:
        for row in rows:
            stamp = _stamp(row.dateHeureEtatCourant)
            if cutoff and stamp and stamp < cutoff:
                break
            report.rows_seen += 1
            if stamp and (watermark is None or stamp > watermark):
                watermark = stamp
            batch.append(row)
            if len(batch) >= settings.page_size:
                flush()
        if batch:
            flush()
    finally:
        pool.shutdown(wait=True)
    return watermark


def sync_provider(
    ctx: HubContext,
    provider: Provider | str,
    *,
    client: ChorusClient | None = None,
    settings: LifecycleSettings | None = None,
    now: datetime | None = None,
) -> SyncReport:
    """Follow pending deposits, then bring every open invoice of this provider up to date.

    Chorus being unreachable is not an error of the hub: the report carries
    the error, the sync state keeps it (``last_error``), and the screens go on
    showing what was last retrieved.
    """
    settings = settings or LifecycleSettings()
    now = now or datetime.now(UTC)
    if isinstance(provider, str):
        with ctx.sessions() as session:
            found = get_provider(session, provider)
            if found is None:
                raise LookupError(
                    f"No provider named {provider!r}. List them with `chorusflow provider list`."
                )
            session.expunge(found)
            provider = found
    report = SyncReport(provider=provider.name, mode=provider.upload_mode)
    own_client = client is None
    client = client or client_for(provider, ctx.secrets)
    before = Counter(client.calls)
    started = time.perf_counter()
    watermark: str | None = None
    try:
        report.followup = follow_deposits(ctx, provider, client, settings, now=now)
        with ctx.sessions.begin() as session:
            state = get_sync_state(session, provider.id)  # type: ignore[arg-type]
            report.open_before = (
                session.scalar(
                    select(func.count())
                    .select_from(chorus_invoices)
                    .where(chorus_invoices.c.provider_id == provider.id, chorus_invoices.c.final.is_(False))
                )
                or 0
            )
            report.window_from = _window_from(session, provider, state, settings)
            cutoff = _cutoff(state["watermark"], settings.watermark_margin_minutes)
        if report.open_before:
            watermark = _walk(ctx, provider, client, settings, report, report.window_from, cutoff, now)
    except ChorusError as exc:
        report.error = f"{type(exc).__name__}: {exc.message}"
    finally:
        used = Counter(client.calls)
        used.subtract(before)
        report.calls = {k: v for k, v in sorted(used.items()) if v}
        report.search_pages = report.calls.get("factures/rechercher/fournisseur", 0)
        report.duration_s = time.perf_counter() - started
        if own_client:
            client.close()
    _record(ctx, provider, report, watermark, now)
    return report


def _record(
    ctx: HubContext, provider: Provider, report: SyncReport, watermark: str | None, now: datetime
) -> None:
    with ctx.sessions.begin() as session:
        state = get_sync_state(session, provider.id)  # type: ignore[arg-type]
        values: dict[str, Any] = {
            "last_run_at": now,
            "window_from": report.window_from,
            "last_calls": report.calls,
            "last_changed": report.changed,
        }
        if report.error is None:
            values.update(last_success_at=now, last_error=None, consecutive_failures=0)
            if watermark and (state["watermark"] is None or watermark > state["watermark"]):
                values["watermark"] = watermark
        else:
            values.update(
                last_error=report.error[:4000],
                last_error_at=now,
                consecutive_failures=state["consecutive_failures"] + 1,
            )
        session.execute(update(sync_states).where(sync_states.c.id == state["id"]).values(**values))
