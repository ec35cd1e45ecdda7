"""One real sandbox per test module, reached over HTTP; faults are reset before each test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest

from chorusflow.chorus import ChorusClient, RetryPolicy
from chorusflow.sandbox.runner import SandboxServer

from .helpers import FakeClock, make_client

_numbers = itertools.count(1)


class Sandbox:
    """The running sandbox plus its admin endpoints (faults, clock)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.creds = server.credentials
        self.admin = httpx.Client(base_url=server.base_url, timeout=10)

    def set_faults(self, faults: dict, rng_seed: int | None = 1) -> None:
        params = {} if rng_seed is None else {"rng_seed": rng_seed}
        resp = self.admin.post("/sandbox/admin/faults", json=faults, params=params)
        assert resp.status_code == 200, resp.text

    def advance(self, seconds: float) -> None:
        resp = self.admin.post("/sandbox/admin/clock/advance", json={"seconds": seconds})
        assert resp.status_code == 200, resp.text

    def client(
        self, *, retry: RetryPolicy | None = None, clock: FakeClock | None = None, **kw: object
    ) -> tuple[ChorusClient, FakeClock]:
        creds = {
            "client_id": self.creds["client_id"],
            "client_secret": self.creds["client_secret"],
            "login": self.creds["login"],
            "password": self.creds["password"],
        }
        creds.update(kw)  # type: ignore[arg-type]
        return make_client(self.server.base_url, self.server.token_url, retry=retry, clock=clock, **creds)

    def recipient_client(self) -> ChorusClient:
        client, _ = self.client(
            login=self.creds["recipient_login"], password=self.creds["recipient_password"]
        )
        return client


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with SandboxServer(tmp_path_factory.mktemp("sandbox")) as server:
        box = Sandbox(server)
        yield box
        box.admin.close()


@pytest.fixture
def sb(sandbox: Sandbox) -> Sandbox:
    sandbox.set_faults({})
    return sandbox


@pytest.fixture
def number() -> Iterator[str]:
    """A fresh invoice-number factory: ``number()`` gives TEST-<module-unique>."""

    def make() -> str:
        return f"T{next(_numbers):05d}"

    yield make  # type: ignore[misc]
