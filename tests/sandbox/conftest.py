"""Fixtures: a real sandbox on a loopback port and clients for its default technical users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chorusflow.sandbox.runner import SandboxServer
from tests.sandbox.cpro_client import Cpro


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture(scope="module")
def supplier(server: SandboxServer) -> Iterator[Cpro]:
    client = Cpro(server)
    yield client
    client.close()


@pytest.fixture(scope="module")
def recipient(server: SandboxServer) -> Iterator[Cpro]:
    creds = server.credentials
    client = Cpro(server, creds["recipient_login"], creds["recipient_password"])
    yield client
    client.close()
