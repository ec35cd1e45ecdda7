"""A hub wired to a running local sandbox (real HTTP on loopback) with one provider."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chorusflow.chorus.client import ChorusClient
from chorusflow.context import HubContext
from chorusflow.core.provider import Provider
from chorusflow.providers.service import ProviderSecrets, add_provider, client_for
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import make_siret
from chorusflow.settings import Settings

SUPPLIER = make_siret(50)  # ACME FOURNITURES SAS, the default technical user's structure
PLAIN_TOWN = make_siret(1)  # public body with no requirement flag
SERVICE_REQUIRED = make_siret(2)  # codeServiceDoitEtreRenseigne
INACTIVE = make_siret(40)


@dataclass
class Wired:
    hub: HubContext
    sandbox: SandboxServer
    provider: Provider

    def client(self) -> ChorusClient:
        return client_for(self.provider, self.hub.secrets)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox", time_factor=600.0) as server:
        yield server


def make_wired(tmp_path: Path, sandbox: SandboxServer, **settings_kw: object) -> Wired:
    settings = Settings(home=tmp_path / "home", **settings_kw)  # type: ignore[arg-type]
    hub = HubContext.open(settings)
    creds = sandbox.credentials
    with hub.sessions() as session:
        provider = add_provider(
            session,
            hub.secrets,
            name="acme",
            siret=creds["supplier_siret"],
            login=creds["login"],
            secrets=ProviderSecrets(password=creds["password"], client_secret=creds["client_secret"]),
            client_id=creds["client_id"],
            api_url=sandbox.base_url,
            token_url=sandbox.token_url,
        )
        session.commit()
    return Wired(hub, sandbox, provider)


@pytest.fixture
def wired(tmp_path: Path, sandbox: SandboxServer) -> Iterator[Wired]:
    w = make_wired(tmp_path, sandbox, submit_uncertain_grace_seconds=0, submit_lease_seconds=5)
    yield w
    w.hub.close()
