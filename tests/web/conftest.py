"""Fixtures of the web tests: a hub with one user per role, two providers, and flows in every tab.

The app runs in-process (TestClient) for the role x route matrix and on a
real loopback port (uvicorn in a thread) for the browser tests.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chorusflow.context import HubContext
from chorusflow.core.entities import Flow
from chorusflow.core.provider import luhn_ok
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline.runner import advance_flow
from chorusflow.pipeline.validation_stage import run_validation
from chorusflow.providers.service import ProviderSecrets, add_provider, get_provider
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import make_siret
from chorusflow.settings import Settings
from chorusflow.web import accounts
from chorusflow.web.app import create_app
from tests.chorus.helpers import make_client
from tests.sandbox.invoices import facturx, ubl

PASSWORD = "correct horse battery"
GOOD_XML = "cen/cii-examples/CII_business_example_01.xml"
GOOD_PDF = "zugferd-corpus/xml-rechnung-fx/EN16931_Einfach.pdf"
ROLES = ("tracking", "chorus_user", "chorus_admin", "admin")


def valid_siret(prefix: str) -> str:
    for last in range(10):
        candidate = prefix[:13] + str(last)
        if luhn_ok(candidate):
            return candidate
    raise AssertionError("unreachable")


@dataclass
class World:
    hub: HubContext
    app: FastAPI
    tokens: dict[str, str]  # role -> API token
    flows: dict[str, int]  # name -> flow id
    pending_document: int
    spare_user_id: int  # a user the role x route matrix may edit


def add_demo_provider(session, hub: HubContext, name: str, *, require_approval: bool = False):  # type: ignore[no-untyped-def]
    return add_provider(
        session,
        hub.secrets,
        name=name,
        siret=valid_siret("7328293200007"),
        login=f"tech-{name}",
        secrets=ProviderSecrets(password="provider-pass", client_secret="client-secret"),
        client_id="client-id",
        api_url="http://127.0.0.1:9",
        require_approval=require_approval,
    )


def _import(hub: HubContext, corpus: Path, files: list[tuple[str, bytes]], provider: str | None) -> int:
    return import_items(hub, from_bytes(files), submitter="seed", source="api", provider=provider).flow_id


def build_world(hub: HubContext, corpus: Path) -> World:
    good = (corpus / GOOD_XML).read_bytes()
    seller, buyer = valid_siret("7328293200007"), valid_siret("2100001230000")
    with hub.sessions() as session:
        add_demo_provider(session, hub, "acme", require_approval=True)
        add_demo_provider(session, hub, "globex")
        session.commit()
    tokens = {}
    with hub.engine.begin() as conn:
        for role in ROLES:
            user = accounts.create_user(conn, role, PASSWORD, role, providers=["acme"])
            tokens[role] = accounts.create_api_token(conn, user)
        stranger = accounts.create_user(conn, "globex_user", PASSWORD, "chorus_user", providers=["globex"])
        tokens["globex_user"] = accounts.create_api_token(conn, stranger)
        spare = accounts.create_user(conn, "spare", PASSWORD, "tracking")
    flows = {
        "acme_pending": _import(
            hub, corpus, [("F-100.pdf", facturx("F-100", seller, buyer, "SERV-1"))], "acme"
        ),
        "acme_bad": _import(hub, corpus, [("broken.xml", b"<Invoice><unclosed></Invoice>")], "acme"),
        "globex": _import(hub, corpus, [("other.xml", good.replace(b"TOSL108", b"TOSL109"))], "globex"),
        "no_provider": _import(hub, corpus, [("orphan.xml", good.replace(b"TOSL108", b"TOSL110"))], None),
    }
    with hub.sessions() as session:
        flow = session.get(Flow, flows["acme_pending"])
        assert flow is not None
        run_validation(hub, session, flow, provider=get_provider(session, "acme"), directory=None)
        session.commit()
        pending = flow.documents[0].id
    return World(hub, create_app(hub), tokens, flows, pending or 0, spare.id)


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[World]:
    """Read-only tests share one world per module (building one takes about a second)."""
    hub = HubContext.open(Settings(home=tmp_path_factory.mktemp("web") / "home"))
    yield build_world(hub, corpus)
    hub.close()


@pytest.fixture
def world(hub: HubContext, corpus: Path) -> World:
    """A world of its own, for tests that change it."""
    return build_world(hub, corpus)


def login(client: TestClient, login_name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (read from the next page)."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post(
        "/login",
        data={"login": login_name, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/tracking")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
    assert csrf, home.text
    return csrf.group(1)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.app, base_url="http://127.0.0.1") as c:
        yield c


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    """pytest-playwright on Debian's chromium (``playwright install`` is never run)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium")
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


# --- A hub whose provider files on a real sandbox (document actions, lifecycle screens, browser) ---


@dataclass
class SandboxWorld:
    hub: HubContext
    app: FastAPI
    server: SandboxServer
    tokens: dict[str, str]  # role -> API token
    provider: str

    def post_admin(self, path: str, body: dict[str, object]) -> None:
        response = httpx.post(self.server.base_url + path, json=body, timeout=30)
        assert response.status_code == 200, response.text

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock (recipients act, statuses move on)."""
        self.post_admin("/sandbox/admin/clock/advance", {"seconds": seconds})

    def recipient_sets(self, invoice_id: int, status: str, motif: str) -> None:
        """The public body's own user moves an invoice (``traiter/recue``), as on the portal."""
        creds = self.server.credentials
        client, _ = make_client(
            self.server.base_url,
            self.server.token_url,
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            login=creds["recipient_login"],
            password=creds["recipient_password"],
        )
        with client:
            client.transport.call(
                "factures",
                "traiter/recue",
                {"idFacture": invoice_id, "nouveauStatut": status, "motif": motif},
            )


def sandbox_invoice(number: str | None = None) -> tuple[str, bytes]:
    """A valid UBL invoice from the sandbox's supplier (50) to its plain public body (1)."""
    number = number or f"WEB-{uuid.uuid4().hex[:10].upper()}"
    return number, ubl(number, make_siret(50), make_siret(1))


@pytest.fixture(scope="module")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path_factory.mktemp("sandbox")) as server:
        response = httpx.post(
            server.base_url + "/sandbox/admin/scenario", json={"recipients_enabled": False}, timeout=30
        )
        assert response.status_code == 200, response.text
        yield server


def build_sandbox_world(hub: HubContext, server: SandboxServer) -> SandboxWorld:
    """Users of every role on one provider filing on the sandbox; uploads run the pipeline at once."""
    creds = server.credentials
    with hub.sessions() as session:
        add_provider(
            session,
            hub.secrets,
            name="sandbox",
            siret=creds["supplier_siret"],
            login=creds["login"],
            secrets=ProviderSecrets(password=creds["password"], client_secret=creds["client_secret"]),
            client_id=creds["client_id"],
            api_url=server.base_url,
            token_url=server.token_url,
            notify_users=["chorus_user"],
        )
        session.commit()
    tokens = {}
    with hub.engine.begin() as conn:
        for role in ROLES:
            user = accounts.create_user(conn, role, PASSWORD, role, providers=["sandbox"])
            tokens[role] = accounts.create_api_token(conn, user)
    app = create_app(hub, after_intake=lambda flow_id: advance_flow(hub, flow_id))
    return SandboxWorld(hub, app, server, tokens, "sandbox")


@pytest.fixture
def sandbox_world(hub: HubContext, sandbox_server: SandboxServer) -> SandboxWorld:
    return build_sandbox_world(hub, sandbox_server)
