"""A real sandbox over HTTP, a hub with a provider, and documents as the Distribution stage leaves them.

Documents are imported through the real intake, deposited through the real
Chorus client, and given the rows the Distribution stage writes after a
deposit (submission ``deposited`` with its flow number, distribution status
DISTRIBUTED, Chorus status DEPOSEE), so the lifecycle code is tested on
exactly what it will find in production.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert

from chorusflow.chorus.client import ChorusClient
from chorusflow.chorus.models.factures import DepositFlowRequest
from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow
from chorusflow.core.provider import Provider
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import FLOW_TRANSITIONS, transition
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.providers.service import ProviderSecrets, add_provider, client_for
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.settings import Settings
from chorusflow.storage import schema
from tests.chorus.documents import ubl_invoice

_numbers = itertools.count(1)


class Sandbox:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.creds = server.credentials
        self.admin = httpx.Client(base_url=server.base_url, timeout=30)

    def advance(self, seconds: float) -> None:
        resp = self.admin.post("/sandbox/admin/clock/advance", json={"seconds": seconds})
        assert resp.status_code == 200, resp.text

    def scenario(self, **values: object) -> None:
        resp = self.admin.post("/sandbox/admin/scenario", json=values)
        assert resp.status_code == 200, resp.text

    def recipient_sets(self, invoice_id: int, status: str, motif: str = "test", **extra: object) -> None:
        """The recipient's own technical user moves an invoice (``traiter/recue``)."""
        from tests.chorus.helpers import make_client

        client, _ = make_client(
            self.server.base_url,
            self.server.token_url,
            client_id=self.creds["client_id"],
            client_secret=self.creds["client_secret"],
            login=self.creds["recipient_login"],
            password=self.creds["recipient_password"],
        )
        with client:
            client.transport.call(
                "factures",
                "traiter/recue",
                {"idFacture": invoice_id, "nouveauStatut": status, "motif": motif, **extra},
            )


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with SandboxServer(tmp_path_factory.mktemp("sandbox")) as server:
        box = Sandbox(server)
        box.scenario(recipients_enabled=False)  # recipients act only when a test says so
        yield box
        box.admin.close()


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[HubContext]:
    hub = HubContext.open(Settings(home=tmp_path / "home"))
    yield hub
    hub.close()


def make_provider(ctx: HubContext, sandbox: Sandbox, name: str = "acme", **options: object) -> Provider:
    c = sandbox.creds
    with ctx.sessions.begin() as session:
        provider = add_provider(
            session,
            ctx.secrets,
            name=name,
            siret=c["supplier_siret"],
            login=c["login"],
            secrets=ProviderSecrets(password=c["password"], client_secret=c["client_secret"]),
            client_id=c["client_id"],
            api_url=sandbox.server.base_url,
            token_url=sandbox.server.token_url,
            **options,
        )
        session.flush()
        session.expunge(provider)
    return provider


@pytest.fixture
def provider(ctx: HubContext, sandbox: Sandbox) -> Provider:
    return make_provider(ctx, sandbox)


@pytest.fixture
def client(ctx: HubContext, provider: Provider) -> Iterator[ChorusClient]:
    with client_for(provider, ctx.secrets) as c:
        yield c


def number() -> str:
    return f"LC{datetime.now(UTC):%H%M%S}{next(_numbers):04d}"


@dataclass
class Deposit:
    flux: str
    document_ids: list[int]
    numbers: list[str]
    flow_id: int


def deposit(
    ctx: HubContext,
    sandbox: Sandbox,
    provider: Provider,
    client: ChorusClient,
    count: int = 1,
    *,
    bad_recipient: set[int] = frozenset(),  # type: ignore[assignment]
    due_date: str | None = None,
    recipient_siret: str | None = None,
) -> Deposit:
    """Import ``count`` UBL invoices as one flow, deposit them as one flux, record the deposit."""
    c = sandbox.creds
    numbers = [number() for _ in range(count)]
    files = []
    for i, num in enumerate(numbers):
        recipient = "21000000000017" if i in bad_recipient else recipient_siret or c["recipient_siret"]
        xml = ubl_invoice(num, c["supplier_siret"], recipient)
        if due_date:
            xml = xml.replace(b"2026-02-05</cbc:DueDate>", f"{due_date}</cbc:DueDate>".encode())
        files.append((f"{num}.xml", xml))
    result = import_items(ctx, from_bytes(files), submitter="tester", provider=provider.name)
    if count == 1:
        name, data = files[0]
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in files:
                zf.writestr(name, data)
        name, data = "batch.zip", buffer.getvalue()
    sent = client.factures.deposit_flow(DepositFlowRequest.from_bytes(name, data, "IN_DP_E1_UBL_INVOICE"))
    assert sent.numeroFluxDepot
    now = datetime.now(UTC)
    with ctx.sessions.begin() as session:
        flow = session.get(Flow, result.flow_id)
        assert flow is not None and len(flow.documents) == count
        for doc in flow.documents:
            for status in (
                DistributionStatus.ACCEPTED_IN_VALIDATION,
                DistributionStatus.IN_DISTRIBUTION,
                DistributionStatus.DISTRIBUTED,
            ):
                if doc.distribution_status is not status:
                    transition(doc, status, actor="distribution")
            transition(doc, ChorusStatus.DEPOSITED, actor="distribution")
            session.execute(
                insert(schema.submissions).values(
                    document_id=doc.id,
                    provider_id=provider.id,
                    idempotency_key=f"test:{doc.id}",
                    state="deposited",
                    attempts=1,
                    route="flux",
                    flux_number=sent.numeroFluxDepot,
                    created_at=now,
                    updated_at=now,
                    deposited_at=now,
                )
            )
        for target in ((Stage.DISTRIBUTION, FlowState.RUNNING), (Stage.DISTRIBUTION, FlowState.DONE)):
            if target in FLOW_TRANSITIONS[(flow.stage, flow.state)]:
                transition(flow, target, actor="distribution")
        by_number = {d.number: d.id for d in flow.documents}
    return Deposit(sent.numeroFluxDepot, [by_number[n] for n in numbers], numbers, result.flow_id)


def document(ctx: HubContext, document_id: int) -> Document:
    with ctx.sessions() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        session.expunge(doc)
        return doc
