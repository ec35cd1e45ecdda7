"""Fixtures: one real sandbox per test session, reached over HTTP with the hub's Chorus client.

The directory facts the rules see come from the sandbox's built-in directory
(sixteen public bodies, one per combination of the requirement flags) through
``fetch_structure``; :class:`LiveDirectory` only memoises them so the rule
tests do not pay the API calls twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from chorusflow.chorus import ChorusClient, ChorusConfig, RetryPolicy
from chorusflow.core.preflight import StructureFacts
from chorusflow.providers.directory import fetch_structure
from chorusflow.sandbox.runner import SandboxServer


def sandbox_client(server: SandboxServer, *, attempts: int = 2) -> ChorusClient:
    """The supplier's technical account on ``server``; retries do not sleep (tests stay fast)."""
    creds = server.credentials
    config = ChorusConfig.create(
        environment="sandbox",
        api_url=server.base_url,
        token_url=server.token_url,
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        login=creds["login"],
        password=creds["password"],
        retry=RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.01, max_total=1),
    )
    return ChorusClient(config, sleep=lambda _seconds: None)


class LiveDirectory:
    """The :class:`~chorusflow.core.preflight.Directory` protocol over the live sandbox, memoised."""

    def __init__(self, client: ChorusClient) -> None:
        self.client = client
        self.known: dict[str, StructureFacts | None] = {}

    def structure(self, siret: str) -> StructureFacts | None:
        if siret not in self.known:
            self.known[siret] = fetch_structure(self.client, siret)
        return self.known[siret]


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path_factory.mktemp("preflight-sandbox")) as server:
        yield server


@pytest.fixture(scope="session")
def client_factory(sandbox: SandboxServer) -> Iterator[Callable[[], ChorusClient]]:
    made: list[ChorusClient] = []

    def make() -> ChorusClient:
        made.append(sandbox_client(sandbox))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture(scope="session")
def directory(client_factory: Callable[[], ChorusClient]) -> LiveDirectory:
    return LiveDirectory(client_factory())
