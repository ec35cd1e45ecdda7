"""Applying what Chorus Pro reports about one invoice to its document.

Each status of ``consulter/historique`` becomes a timeline row (raw code,
date, the recipient's comment, who set it) and, when it changes what the hub
shows, a :func:`~chorusflow.core.transitions.transition` with its own date,
so the document's events tell the invoice's story in Chorus's order and not
in the order the sync happened to learn it. A sequence the transition table
refuses (AIFE warns recipients can produce MANDATEE after MISE_EN_PAIEMENT)
is kept in the timeline and flagged as an anomaly instead of failing the sync.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from chorusflow.chorus.models.factures import InvoiceHistory, StatusChange
from chorusflow.core.entities import Document
from chorusflow.core.statuses import ChorusStatus, DistributionStatus
from chorusflow.core.transitions import DISTRIBUTION_TRANSITIONS, IllegalTransition, transition
from chorusflow.lifecycle.status_map import map_remote
from chorusflow.lifecycle.tables import chorus_invoices, chorus_timeline
from chorusflow.receivables import service as receivables

__all__ = ["ACTOR", "Applied", "apply_history", "parse_chorus_time", "timeline_of"]

ACTOR = "chorus-sync"


@dataclass
class Applied:
    """What one history did to a document."""

    document_id: int
    new_entries: int = 0
    changes: list[tuple[str | None, str]] = field(default_factory=list)  # (from, to) of chorus_status
    anomalies: list[str] = field(default_factory=list)


def parse_chorus_time(value: str | None, zone: str = "Europe/Paris") -> datetime | None:
    """Chorus dates come as ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ISO with offset; local time if naive."""
    if not value:
        return None
    text = value.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)


def _history_id(entry: StatusChange) -> int:
    """Chorus's id of the entry; a stable hash of code and date when a platform omits it."""
    if entry.histoStatutId is not None:
        return int(entry.histoStatutId)
    key = f"{entry.histoStatutCode}|{entry.histoStatutDatePassage}".encode()
    return -zlib.crc32(key)


def _author(entry: StatusChange) -> str | None:
    extra = entry.model_extra or {}
    parts = [extra.get("histoStatutUtilisateurPrenom"), extra.get("histoStatutUtilisateurNom")]
    name = " ".join(p for p in parts if p)
    return name or None


def _event_comment(code: str, comment: str | None) -> str:
    return f"{code}: {comment}" if comment else code


def _ordered(entries: Iterable[StatusChange], zone: str) -> list[tuple[datetime, StatusChange]]:
    dated = []
    for entry in entries:
        at = parse_chorus_time(entry.histoStatutDatePassage, zone)
        if entry.histoStatutCode and at is not None:
            dated.append((at, entry))
    dated.sort(key=lambda pair: (pair[0], _history_id(pair[1])))
    return dated


def _settle_distribution(document: Document, status: ChorusStatus, at: datetime) -> None:
    """A document re-sent by recycler is "in distribution" until Chorus reports it again."""
    if (
        document.distribution_status is DistributionStatus.IN_DISTRIBUTION
        and status is not (ChorusStatus.REJECTED_BY_CHORUS)
        and DistributionStatus.DISTRIBUTED in DISTRIBUTION_TRANSITIONS[document.distribution_status]
    ):
        transition(document, DistributionStatus.DISTRIBUTED, actor=ACTOR, at=at)


def apply_history(
    session: Session,
    document: Document,
    history: InvoiceHistory,
    *,
    zone: str = "Europe/Paris",
) -> Applied:
    """Record the statuses not seen yet and move the document through them, oldest first."""
    assert document.id is not None
    result = Applied(document.id)
    known = set(
        session.scalars(
            select(chorus_timeline.c.history_id).where(chorus_timeline.c.document_id == document.id)
        )
    )
    entries = history.historiquesDesStatuts.histoStatut if history.historiquesDesStatuts else []
    for at, entry in _ordered(entries, zone):
        hid = _history_id(entry)
        if hid in known:
            continue
        known.add(hid)
        code = str(entry.histoStatutCode)
        mapped = map_remote(code)
        session.execute(
            insert(chorus_timeline).values(
                document_id=document.id,
                history_id=hid,
                status=code,
                mapped_status=mapped.value if mapped else None,
                at=at,
                comment=entry.histoStatutCommentaire,
                author=_author(entry),
            )
        )
        result.new_entries += 1
        if mapped is None or mapped is document.chorus_status:
            continue
        before = document.chorus_status
        try:
            event = transition(document, mapped, actor=ACTOR, comment=entry.histoStatutCommentaire, at=at)
        except IllegalTransition as exc:
            result.anomalies.append(f"{code} at {at.isoformat()}: {exc}")
            continue
        event.comment = _event_comment(code, entry.histoStatutCommentaire)
        result.changes.append((before.value if before else None, mapped.value))
        _settle_distribution(document, mapped, at)
        receivables.on_chorus_status(session, document, mapped, entry.histoStatutCommentaire, at)
    if result.anomalies:
        session.execute(
            update(chorus_invoices)
            .where(chorus_invoices.c.document_id == document.id)
            .values(anomaly="; ".join(result.anomalies)[:4000])
        )
    return result


def timeline_of(session: Session, document_id: int) -> list[dict[str, object]]:
    """Every status Chorus reported for a document, oldest first."""
    rows = session.execute(
        select(chorus_timeline)
        .where(chorus_timeline.c.document_id == document_id)
        .order_by(chorus_timeline.c.at, chorus_timeline.c.history_id)
    ).mappings()
    return [
        {
            "status": r["status"],
            "mapped_status": r["mapped_status"],
            "at": r["at"].isoformat(),
            "comment": r["comment"],
            "author": r["author"],
        }
        for r in rows
    ]
