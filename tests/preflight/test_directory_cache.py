"""Directory facts from Chorus Pro (the sandbox over HTTP) and their cache in the hub's database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from chorusflow.chorus import ChorusClient
from chorusflow.context import HubContext
from chorusflow.core.preflight import DirectoryUnavailable
from chorusflow.core.provider import Provider
from chorusflow.providers.directory import CachedDirectory, fetch_structure
from chorusflow.providers.service import ProviderSecrets, add_provider, client_for
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import make_siret
from chorusflow.storage import schema
from tests.preflight.conftest import sandbox_client
from tests.preflight.documents import SUPPLIER, recipient

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
TTL, UNKNOWN_TTL = timedelta(days=1), timedelta(hours=1)


@dataclass
class Clock:
    at: datetime = T0

    def now(self) -> datetime:
        return self.at


@dataclass
class Clients:
    """Builds the provider's real Chorus client and keeps each one, to count the requests sent."""

    make: Callable[[], ChorusClient]
    made: list[ChorusClient] = field(default_factory=list)

    def __call__(self) -> ChorusClient:
        self.made.append(self.make())
        return self.made[-1]

    @property
    def api_calls(self) -> int:
        """Directory requests sent (token requests left out)."""
        return sum(n for c in self.made for op, n in c.calls.items() if op.startswith("structures/"))

    def close(self) -> None:
        for client in self.made:
            client.close()


def _provider(hub: HubContext, server: SandboxServer) -> Provider:
    creds = server.credentials
    with hub.sessions() as session:
        provider = add_provider(
            session,
            hub.secrets,
            name="acme",
            siret=SUPPLIER,
            login=creds["login"],
            secrets=ProviderSecrets(password=creds["password"], client_secret=creds["client_secret"]),
            client_id=creds["client_id"],
            api_url=server.base_url,
            token_url=server.token_url,
        )
        session.commit()
        session.expunge(provider)
        return provider


def _cache_rows(hub: HubContext) -> dict[str, tuple[object, datetime, datetime]]:
    table = schema.directory_cache
    with hub.sessions() as session:
        rows = session.execute(select(table.c.siret, table.c.payload, table.c.fetched_at, table.c.expires_at))
        return {r.siret: (r.payload, r.fetched_at, r.expires_at) for r in rows}


# -- fetch_structure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("combo", [0, 1, 2, 3, 4, 8, 15])
def test_fetch_structure_reads_the_requirement_flags(sandbox: SandboxServer, combo: int) -> None:
    with sandbox_client(sandbox) as client:
        facts = fetch_structure(client, recipient(combo))
    assert facts is not None and facts.siret == recipient(combo) and facts.active
    assert facts.structure_id is not None and facts.name
    assert facts.service_required is bool(combo & 1)
    assert facts.engagement_required is bool(combo & 2)
    assert facts.service_or_engagement is bool(combo & 4)
    assert facts.payment_status_not_reported is bool(combo & 8)
    services = {code: (s.active, s.engagement_required) for code, s in facts.services.items()}
    # FACTURES_PUBLIQUES is for invoices between public bodies: not offered to a supplier.
    assert services == {"SERV-FIN": (True, False), "SERV-TECH": (True, True), "SERV-ARCH": (False, False)}


def test_fetch_structure_inactive_unknown_and_private(sandbox: SandboxServer) -> None:
    with sandbox_client(sandbox) as client:
        inactive = fetch_structure(client, make_siret(40))
        assert inactive is not None and inactive.active is False and inactive.services == {}
        assert fetch_structure(client, make_siret(99)) is None
        # The supplier's own (private) structure is found by rechercher but cannot receive invoices.
        assert fetch_structure(client, SUPPLIER) is None


# -- CachedDirectory -----------------------------------------------------------------------------------------


def test_cache_serves_the_second_lookup_from_the_database_then_expires(
    any_hub: HubContext, sandbox: SandboxServer
) -> None:
    provider = _provider(any_hub, sandbox)
    clock = Clock()
    clients = Clients(lambda: client_for(provider, any_hub.secrets))
    siret = recipient(3)

    def lookup() -> object:
        with any_hub.sessions() as session:
            directory = CachedDirectory(
                session, provider.id or 0, clients, ttl=TTL, unknown_ttl=UNKNOWN_TTL, now=clock.now
            )
            facts = directory.structure(siret)
            session.commit()
            return facts

    try:
        first = lookup()
        assert first is not None and first.service_required and first.engagement_required  # type: ignore[attr-defined]
        fetched = clients.api_calls
        assert fetched >= 4  # rechercher, consulter, services, one consulter/service per service
        payload, fetched_at, expires_at = _cache_rows(any_hub)[siret]
        assert fetched_at == T0 and expires_at == T0 + TTL
        assert payload["services"]["SERV-TECH"]["engagement_required"] is True  # type: ignore[index]

        clock.at = T0 + TTL - timedelta(seconds=1)
        assert lookup() == first  # a new session and a new directory: the answer is the database's
        assert clients.api_calls == fetched and len(clients.made) == 1

        clock.at = T0 + TTL + timedelta(seconds=1)
        assert lookup() == first
        assert clients.api_calls == 2 * fetched
        assert _cache_rows(any_hub)[siret][2] == clock.at + TTL
    finally:
        clients.close()


def test_unknown_structures_are_cached_for_the_shorter_ttl(hub: HubContext, sandbox: SandboxServer) -> None:
    provider = _provider(hub, sandbox)
    clock = Clock()
    clients = Clients(lambda: client_for(provider, hub.secrets))
    known, unknown = recipient(0), make_siret(99)
    try:
        with hub.sessions() as session:
            directory = CachedDirectory(
                session, provider.id or 0, clients, ttl=TTL, unknown_ttl=UNKNOWN_TTL, now=clock.now
            )
            assert directory.structure(unknown) is None
            assert directory.structure(known) is not None
            session.commit()
            rows = _cache_rows(hub)
            assert rows[unknown][0] is None and rows[unknown][2] == T0 + UNKNOWN_TTL
            assert rows[known][2] == T0 + TTL

            calls = clients.api_calls
            assert directory.structure(unknown) is None  # still within the hour
            assert clients.api_calls == calls

            clock.at = T0 + UNKNOWN_TTL + timedelta(seconds=1)
            assert directory.structure(known) is not None
            assert clients.api_calls == calls  # the known one lasts a day
            assert directory.structure(unknown) is None
            assert clients.api_calls == calls + 1  # one rechercher, nothing found
    finally:
        clients.close()


def test_cache_is_per_provider(hub: HubContext, sandbox: SandboxServer) -> None:
    provider = _provider(hub, sandbox)
    clients = Clients(lambda: client_for(provider, hub.secrets))
    try:
        with hub.sessions() as session:
            CachedDirectory(session, provider.id or 0, clients).structure(recipient(1))
            session.commit()
        # Another provider (id 0) does not read this one's cache: it must ask Chorus, and has no client.
        with hub.sessions() as session, pytest.raises(DirectoryUnavailable):
            CachedDirectory(session, 0, None).structure(recipient(1))
    finally:
        clients.close()


def test_unreachable_chorus_raises_directory_unavailable_unless_cached(
    hub: HubContext, tmp_path: Path
) -> None:
    with SandboxServer(tmp_path / "short-lived") as server:
        provider = _provider(hub, server)
        clients = Clients(lambda: client_for(provider, hub.secrets, sleep=lambda _s: None))
        with hub.sessions() as session:
            CachedDirectory(session, provider.id or 0, clients).structure(recipient(2))
            session.commit()
    try:
        with hub.sessions() as session:
            directory = CachedDirectory(session, provider.id or 0, clients)
            cached = directory.structure(recipient(2))  # Chorus is down; the cache still answers
            assert cached is not None and cached.engagement_required
            with pytest.raises(DirectoryUnavailable, match="unreachable"):
                directory.structure(recipient(5))
            assert recipient(5) not in _cache_rows(hub)  # a failure is not cached as "unknown"
    finally:
        clients.close()


def test_no_client_means_directory_unavailable(hub: HubContext) -> None:
    with hub.sessions() as session, pytest.raises(DirectoryUnavailable, match="no Chorus Pro connection"):
        CachedDirectory(session, 1, None).structure(recipient(0))


def test_expired_entry_is_served_while_chorus_is_down(hub: HubContext, tmp_path: Path) -> None:
    """The screens and validation keep working from the last known answer during an outage."""
    from datetime import UTC, datetime, timedelta

    with SandboxServer(tmp_path / "outage") as server:
        provider = _provider(hub, server)
        clients = Clients(lambda: client_for(provider, hub.secrets, sleep=lambda _s: None))
        with hub.sessions() as session:
            CachedDirectory(session, provider.id or 0, clients).structure(recipient(2))
            session.commit()
    try:
        later = datetime.now(UTC) + timedelta(days=3)  # far past the one-day expiry
        with hub.sessions() as session:
            directory = CachedDirectory(session, provider.id or 0, clients, now=lambda: later)
            stale = directory.structure(recipient(2))
            assert stale is not None and stale.engagement_required
    finally:
        clients.close()
