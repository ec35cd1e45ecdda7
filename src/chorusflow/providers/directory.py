"""The Chorus Pro directory as the pre-flight rules see it, cached in the database.

Each recipient SIRET costs three to a dozen API calls (search, consult, its
services and their flags); a batch of invoices to the same town hall must not
repeat them, and validation must keep working from the cache while Chorus is
briefly down. Entries expire (``ttl``, one day by default); a structure that
Chorus does not know is cached too (as ``null``), for a shorter time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.errors import ChorusError
from chorusflow.core.preflight import DirectoryUnavailable, ServiceFacts, StructureFacts
from chorusflow.storage import schema

__all__ = ["CachedDirectory", "fetch_structure"]


def fetch_structure(client: ChorusClient, siret: str) -> StructureFacts | None:
    """Ask Chorus Pro everything the rules need about one recipient.

    A private structure (the supplier's own, which ``rechercher`` also returns)
    cannot receive invoices: Chorus rejects it as an unknown recipient, so it
    is reported as not in the directory (``None``).
    """
    summary = client.structures.find_by_siret(siret)
    if summary is None:
        return None
    details = client.structures.get_structure(summary.idStructureCPP)
    general = details.informationGenerales
    if general is not None and (general.structurePriveePublique or "PUBLIQUE").upper() != "PUBLIQUE":
        return None
    flags = details.parametres
    services: dict[str, ServiceFacts] = {}
    for service in client.structures.iter_services(summary.idStructureCPP):
        if not service.codeService:
            continue
        settings = client.structures.get_service(summary.idStructureCPP, service.idService).parametres
        services[service.codeService] = ServiceFacts(
            code=service.codeService,
            active=bool(service.estActif) if service.estActif is not None else True,
            engagement_required=bool(settings and settings.numeroEngagement),
            name=service.libelleService,
        )
    status = (summary.statut or "ACTIF").upper()
    return StructureFacts(
        siret=siret,
        structure_id=summary.idStructureCPP,
        name=summary.designationStructure,
        active=status.startswith("ACTI"),
        service_required=bool(flags and flags.codeServiceDoitEtreRenseigne),
        engagement_required=bool(flags and flags.numeroEJDoitEtreRenseigne),
        service_or_engagement=bool(flags and flags.gestionNumeroEJOuCodeService),
        payment_status_not_reported=bool(flags and flags.statutMiseEnPaiementNestPasRemonte),
        services=services,
    )


def _to_payload(facts: StructureFacts | None) -> dict[str, Any] | None:
    if facts is None:
        return None
    return {
        "siret": facts.siret,
        "structure_id": facts.structure_id,
        "name": facts.name,
        "active": facts.active,
        "service_required": facts.service_required,
        "engagement_required": facts.engagement_required,
        "service_or_engagement": facts.service_or_engagement,
        "payment_status_not_reported": facts.payment_status_not_reported,
        "services": {
            code: {"active": s.active, "engagement_required": s.engagement_required, "name": s.name}
            for code, s in facts.services.items()
        },
    }


def _from_payload(payload: dict[str, Any] | None) -> StructureFacts | None:
    if payload is None:
        return None
    services = {code: ServiceFacts(code=code, **data) for code, data in payload.pop("services", {}).items()}
    return StructureFacts(services=services, **payload)


class CachedDirectory:
    """:class:`~chorusflow.core.preflight.Directory` backed by Chorus Pro and the DB cache."""

    def __init__(
        self,
        session: Session,
        provider_id: int,
        client_factory: Callable[[], ChorusClient] | None,
        *,
        ttl: timedelta = timedelta(days=1),
        unknown_ttl: timedelta = timedelta(hours=1),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.session, self.provider_id, self.client_factory = session, provider_id, client_factory
        self.ttl, self.unknown_ttl, self.now = ttl, unknown_ttl, now
        self._client: ChorusClient | None = None

    def structure(self, siret: str) -> StructureFacts | None:
        table = schema.directory_cache
        row = self.session.execute(
            select(table.c.payload, table.c.expires_at).where(
                table.c.provider_id == self.provider_id, table.c.siret == siret
            )
        ).first()
        cached = _from_payload(dict(row.payload) if row.payload is not None else None) if row else None
        if row is not None and row.expires_at > self.now():
            return cached
        try:
            facts = self._fetch(siret)
        except DirectoryUnavailable:
            if cached is not None:  # Chorus briefly down: an expired answer beats no check at all
                return cached
            raise
        self._store(siret, facts)
        return facts

    def _fetch(self, siret: str) -> StructureFacts | None:
        if self.client_factory is None:
            raise DirectoryUnavailable("no Chorus Pro connection for this provider")
        try:
            if self._client is None:
                self._client = self.client_factory()
            return fetch_structure(self._client, siret)
        except (ChorusError, httpx.HTTPError, LookupError) as exc:
            raise DirectoryUnavailable(
                f"Chorus Pro directory unreachable ({type(exc).__name__}: {exc})"
            ) from exc

    def _store(self, siret: str, facts: StructureFacts | None) -> None:
        now = self.now()
        with contextlib.suppress(IntegrityError):  # another worker cached it at the same moment
            self._replace(siret, facts, now)

    def _replace(self, siret: str, facts: StructureFacts | None, now: datetime) -> None:
        """In the caller's transaction (a savepoint), so SQLite never sees two writers."""
        table = schema.directory_cache
        with self.session.begin_nested():
            self.session.execute(
                delete(table).where(table.c.provider_id == self.provider_id, table.c.siret == siret)
            )
            self.session.execute(
                insert(table).values(
                    provider_id=self.provider_id,
                    siret=siret,
                    payload=_to_payload(facts),
                    fetched_at=now,
                    expires_at=now + (self.ttl if facts is not None else self.unknown_ttl),
                )
            )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
