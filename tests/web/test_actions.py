"""Document actions against a real sandbox: submit now, fetch statuses, answer a suspension,
re-route, retry a flow after fixing its cause; and metadata given with an upload."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from chorusflow.core.entities import Document, Flow
from chorusflow.core.statuses import ChorusStatus, FlowState, Stage
from chorusflow.lifecycle.tables import chorus_invoices
from chorusflow.providers.service import ProviderSecrets, add_provider
from tests.web.conftest import SandboxWorld, login, sandbox_invoice


def _auth(world: SandboxWorld, role: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + world.tokens[role]}


def _upload(client: TestClient, world: SandboxWorld, files: list[tuple[str, bytes]], **data: str) -> dict:
    response = client.post(
        "/api/v1/intake",
        files=[("files", (name, body)) for name, body in files],
        data=data,
        headers=_auth(world, "chorus_user"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _document_id(world: SandboxWorld, flow_id: int) -> int:
    with world.hub.sessions() as session:
        flow = session.get(Flow, flow_id)
        assert flow is not None and len(flow.documents) == 1
        return flow.documents[0].id or 0


def _deposited(client: TestClient, world: SandboxWorld) -> int:
    """Upload an invoice (the pipeline runs at once), submit it now; returns the document id."""
    number, body = sandbox_invoice()
    intake = _upload(client, world, [(f"{number}.xml", body)])
    doc_id = _document_id(world, intake["flow_id"])
    assert intake["flow"]["stage"] == "distribution" and intake["flow"]["state"] == "waiting"
    lifecycle = client.get(f"/api/v1/documents/{doc_id}/lifecycle", headers=_auth(world, "chorus_user"))
    assert lifecycle.json()["actions"]["submit_now"] is False  # chorus_admin only
    admin = _auth(world, "chorus_admin")
    assert client.get(f"/api/v1/documents/{doc_id}/lifecycle", headers=admin).json()["actions"]["submit_now"]
    denied = client.post(f"/api/v1/documents/{doc_id}/submit", headers=_auth(world, "chorus_user"))
    assert denied.status_code == 403
    sent = client.post(f"/api/v1/documents/{doc_id}/submit", headers=admin)
    assert sent.status_code == 200, sent.text
    assert sent.json()["report"]["outcomes"] == {"sent": 1}
    again = client.post(f"/api/v1/documents/{doc_id}/submit", headers=admin)
    assert again.status_code == 409 and "nothing to submit" in again.json()["detail"]
    return doc_id


def _made_available(client: TestClient, world: SandboxWorld) -> int:
    doc_id = _deposited(client, world)
    world.advance(600)
    synced = client.post(f"/api/v1/documents/{doc_id}/sync", headers=_auth(world, "chorus_user"))
    assert synced.status_code == 200, synced.text
    body = synced.json()
    assert body["sync_error"] is None
    assert body["remote_status"] == "MISE_A_DISPOSITION" and body["last_retrieved_at"]
    return doc_id


def _chorus_invoice_id(world: SandboxWorld, doc_id: int) -> int:
    with world.hub.sessions() as session:
        return session.scalar(
            select(chorus_invoices.c.chorus_invoice_id).where(chorus_invoices.c.document_id == doc_id)
        )


def _status(world: SandboxWorld, doc_id: int) -> ChorusStatus | None:
    with world.hub.sessions() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc.chorus_status


def test_submit_now_then_statuses_from_chorus_in_the_document_view(sandbox_world: SandboxWorld) -> None:
    with TestClient(sandbox_world.app, base_url="http://127.0.0.1") as client:
        doc_id = _made_available(client, sandbox_world)
        login(client, "tracking")
        page = client.get(f"/documents/{doc_id}").text
        assert 'id="chorus-status">Transferred to the recipient' in page
        assert "MISE_A_DISPOSITION" in page and 'id="last-retrieved">not yet' not in page
        assert 'id="document-actions"' not in page  # a tracking user has no action here


def test_answering_a_suspension_from_the_page_with_an_attachment(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        doc_id = _made_available(client, world)
        world.recipient_sets(_chorus_invoice_id(world, doc_id), "SUSPENDUE", "Joindre le bon de livraison")
        csrf = login(client, "chorus_user")
        client.post(f"/documents/{doc_id}/sync", data={"csrf_token": csrf})
        page = client.get(f"/documents/{doc_id}").text
        assert 'id="answer-form"' in page and "Joindre le bon de livraison" in page
        empty = client.post(f"/documents/{doc_id}/complete", data={"csrf_token": csrf, "comment": ""})
        assert empty.status_code == 422 and "comment" in empty.text
        answered = client.post(
            f"/documents/{doc_id}/complete",
            data={"csrf_token": csrf, "comment": "Voici le bon de livraison"},
            files=[("files", ("bon-livraison.pdf", b"%PDF-1.4 delivery note"))],
            follow_redirects=False,
        )
        assert answered.status_code == 303, answered.text
        assert _status(world, doc_id) is ChorusStatus.COMPLETED
        notice = client.get(answered.headers["location"]).text
        assert "Suspension answered: done." in notice and 'id="answer-form"' not in notice
        twice = client.post(f"/documents/{doc_id}/complete", data={"csrf_token": csrf, "comment": "again"})
        assert twice.status_code == 409 and "not &#39;Suspended&#39;" in twice.text


def test_rerouting_through_the_api(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        doc_id = _made_available(client, world)
        headers = _auth(world, "chorus_user")
        early = client.post(
            f"/api/v1/documents/{doc_id}/reroute", json={"service_code": "X"}, headers=headers
        )
        assert early.status_code == 409  # not A_RECYCLER yet
        world.recipient_sets(_chorus_invoice_id(world, doc_id), "A_RECYCLER", "Mauvais service")
        client.post(f"/api/v1/documents/{doc_id}/sync", headers=headers)
        lifecycle = client.get(f"/api/v1/documents/{doc_id}/lifecycle", headers=headers).json()
        assert lifecycle["actions"]["reroute"] and not lifecycle["actions"]["answer_suspension"]
        nothing = client.post(f"/api/v1/documents/{doc_id}/reroute", json={}, headers=headers)
        assert nothing.status_code == 422 and "Say what changes" in nothing.json()["detail"]
        done = client.post(
            f"/api/v1/documents/{doc_id}/reroute",
            json={"service_code": "SERV-FIN", "comment": "service corrigé"},
            headers=headers,
        )
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "done" and done.json()["chorus_status"] == "DEPOSEE"
        actions = client.get(f"/api/v1/documents/{doc_id}/lifecycle", headers=headers).json()
        assert actions["supplier_actions"][0]["kind"] == "recycle"


def test_flow_in_error_shows_its_resolution_and_retry_moves_it_on(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    # A second provider for the same establishment: the flow's provider is ambiguous.
    with world.hub.sessions() as session:
        add_provider(
            session,
            world.hub.secrets,
            name="other",
            siret=world.server.credentials["supplier_siret"],
            login="x",
            secrets=ProviderSecrets(password="p", client_secret="s"),
            client_id="c",
            api_url="http://127.0.0.1:9",
            token_url="http://127.0.0.1:9/token",
        )
        session.commit()
    number, body = sandbox_invoice()
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        admin = {"Authorization": "Bearer " + world.tokens["admin"]}
        response = client.post("/api/v1/intake", files=[("files", (f"{number}.xml", body))], headers=admin)
        assert response.status_code == 201, response.text
        flow_id = response.json()["flow_id"]
        flow = client.get(f"/api/v1/flows/{flow_id}", headers=admin).json()
        assert flow["state"] == "in_error" and flow["error"]["type"] == "NO_PROVIDER"
        assert "then retry the flow" in flow["error"]["resolution"]
        doc_id = flow["documents"][0]["document_id"]
        csrf = login(client, "admin")
        page = client.get(f"/documents/{doc_id}").text
        assert 'id="error-details"' in page and "then retry the flow" in page
        assert f'action="/flows/{flow_id}/retry"' in page
        unrolled = client.get(f"/tracking/flows/{flow_id}/documents").text
        assert "then retry the flow" in unrolled and f'action="/flows/{flow_id}/retry"' in unrolled
        with world.hub.sessions() as session:  # the fix: say which provider the flow is for
            session.get(Flow, flow_id).provider = "sandbox"  # type: ignore[union-attr]
            session.commit()
        retried = client.post(
            f"/flows/{flow_id}/retry", data={"csrf_token": csrf, "back": str(doc_id)}, follow_redirects=False
        )
        assert retried.status_code == 303 and retried.headers["location"].startswith(f"/documents/{doc_id}")
        with world.hub.sessions() as session:
            moved = session.get(Flow, flow_id)
            assert moved is not None
            assert (moved.stage, moved.state) == (Stage.DISTRIBUTION, FlowState.WAITING)
        again = client.post(f"/api/v1/flows/{flow_id}/retry", headers=admin)
        assert again.status_code == 409 and "not in error" in again.json()["detail"]
        not_failed = client.post(f"/api/v1/documents/{doc_id}/retry", headers=admin)
        assert not_failed.status_code == 409


def test_upload_metadata_wins_and_feeds_the_label_filter(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    number, body = sandbox_invoice()
    name = f"{number}.xml"
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        bad = client.post(
            "/api/v1/intake",
            files=[("files", (name, body))],
            data={"metadata": "{nope"},
            headers=_auth(world, "chorus_user"),
        )
        assert bad.status_code == 422 and "not valid JSON" in bad.json()["detail"]
        unknown = client.post(
            "/api/v1/intake",
            files=[("files", (name, body))],
            data={"metadata": json.dumps({"other.pdf": {"label": "x"}})},
            headers=_auth(world, "chorus_user"),
        )
        assert unknown.status_code == 422 and "'other.pdf'" in unknown.json()["detail"]
        meta = {name: {"customer_code": "C-042", "label": "north", "bank": "main"}}
        intake = _upload(client, world, [(name, body)], metadata=json.dumps(meta))
        doc_id = _document_id(world, intake["flow_id"])
        doc = client.get(f"/api/v1/documents/{doc_id}", headers=_auth(world, "tracking")).json()
        assert doc["customer_code"] == "C-042"
        assert doc["intake_metadata"] == {"customer_code": "C-042", "label": "north", "bank": "main"}
        # The same from the upload form, with one object for every file and a sidecar beside it.
        number2, body2 = sandbox_invoice()
        csrf = login(client, "chorus_user")
        page = client.get("/upload").text
        assert ".meta.json" in page and "metadata.csv" in page and 'name="metadata"' in page
        sent = client.post(
            "/upload",
            data={"csrf_token": csrf, "metadata": json.dumps({"label": "south"})},
            files=[
                ("files", (f"{number2}.xml", body2)),
                ("files", (f"{number2}.xml.meta.json", b'{"customer_code": "C-777"}')),
            ],
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        flow_id = int(sent.headers["location"].split("flow=")[1])
        with world.hub.sessions() as session:
            (doc2,) = session.get_one(Flow, flow_id).documents
            assert doc2.customer_code == "C-777" and doc2.intake_metadata["label"] == "south"


def test_document_refused_by_chorus_shows_why_and_is_retried(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    number, body = sandbox_invoice()
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        intake = _upload(client, world, [(f"{number}.xml", body)])
        doc_id = _document_id(world, intake["flow_id"])
        world.post_admin(
            "/sandbox/admin/faults", {"factures/deposer/*": {"error_rate": 1, "error_status": 400}}
        )
        try:
            admin = _auth(world, "chorus_admin")
            sent = client.post(f"/api/v1/documents/{doc_id}/submit", headers=admin).json()
            assert sent["report"]["outcomes"] == {"failed": 1}
        finally:
            world.post_admin("/sandbox/admin/faults", {})
        csrf = login(client, "chorus_user")
        page = client.get(f"/documents/{doc_id}").text
        assert 'id="error-details"' in page and "Chorus Pro refused the invoice" in page
        assert "then use <em>Retry</em>" in page and f'action="/documents/{doc_id}/retry"' in page
        retried = client.post(f"/documents/{doc_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
        assert retried.status_code == 303
        assert "Sent back for submission" in client.get(retried.headers["location"]).text
        assert client.post(f"/api/v1/documents/{doc_id}/submit", headers=admin).json()["report"][
            "outcomes"
        ] == {"sent": 1}
        assert _status(world, doc_id) is ChorusStatus.DEPOSITED
