"""Screens after the deposit, against a real sandbox: credential health, notifications, receivables."""

from __future__ import annotations

from fastapi.testclient import TestClient

from chorusflow.providers.service import ProviderSecrets, add_provider
from tests.web.conftest import SandboxWorld, login, sandbox_invoice
from tests.web.test_actions import _chorus_invoice_id, _made_available


def test_credential_health_panel_and_api(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    creds = world.server.credentials
    with world.hub.sessions() as session:
        add_provider(
            session,
            world.hub.secrets,
            name="wrong-password",
            siret=creds["supplier_siret"],
            login=creds["login"],
            secrets=ProviderSecrets(password="not-the-password", client_secret=creds["client_secret"]),
            client_id=creds["client_id"],
            api_url=world.server.base_url,
            token_url=world.server.token_url,
        )
        session.commit()
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        headers = {"Authorization": "Bearer " + world.tokens["chorus_admin"]}
        health = client.get("/api/v1/providers/1/health", headers=headers).json()
        assert health["token"] == "ok" and health["password"] == "ok"
        assert health["password_expires_at"].startswith("2099-12-3") and health["warnings"] == []
        login(client, "chorus_admin")
        page = client.get("/admin/credentials").text
        assert 'class="health-ok password-ok"' in page and "2099-12-3" in page
        assert 'class="health-refused password-unknown"' in page
        assert "Chorus Pro refused the credentials" in page
        assert 'href="/admin/credentials"' in page


def test_notifications_on_the_dashboard(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    number, body = sandbox_invoice()
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        headers = {"Authorization": "Bearer " + world.tokens["chorus_user"]}
        sent = client.post("/api/v1/intake", files=[("files", (f"{number}.xml", body))], headers=headers)
        assert sent.status_code == 201
        flow_id = sent.json()["flow_id"]
        notes = client.get("/api/v1/notifications", headers=headers).json()
        mine = [n for n in notes if n["flow_id"] == flow_id]
        assert mine and mine[0]["kind"] == "waiting_submission" and mine[0]["recipient"] == "chorus_user"
        other = {"Authorization": "Bearer " + world.tokens["tracking"]}
        assert client.get("/api/v1/notifications", headers=other).json() == []  # not on the provider's list
        ignored = client.post(
            "/api/v1/notifications/read",
            json={"notification_ids": [mine[0]["notification_id"]]},
            headers=other,
        )
        assert ignored.json() == {"marked": 0}
        csrf = login(client, "chorus_user")
        dashboard = client.get("/tracking").text
        assert 'id="dashboard-notifications"' in dashboard and mine[0]["subject"] in dashboard
        ids = [str(n["notification_id"]) for n in notes]
        client.post("/notifications/read", data={"csrf_token": csrf, "notification_ids": ids})
        assert client.get("/api/v1/notifications", headers=headers).json() == []
        assert 'id="dashboard-notifications"' not in client.get("/tracking").text
        assert mine[0]["subject"] in client.get("/notifications?show=all").text


def test_receivables_statement_disputes_dunning_and_csv(sandbox_world: SandboxWorld) -> None:
    world = sandbox_world
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        doc_id = _made_available(client, world)
        headers = {"Authorization": "Bearer " + world.tokens["chorus_user"]}
        statement = client.get("/api/v1/receivables/statement", headers=headers).json()
        (entry,) = statement
        assert entry["invoices"][0]["document_id"] == doc_id
        assert entry["invoices"][0]["chorus_status"] == "MISE_A_DISPOSITION"
        assert entry["totals"]["open"] == "120.00"
        dunning = client.get("/api/v1/receivables/dunning", headers=headers).json()
        assert [r["document_id"] for r in dunning] == [doc_id]  # due 2024-03-31: overdue
        world.recipient_sets(_chorus_invoice_id(world, doc_id), "SUSPENDUE", "Bon de commande manquant")
        client.post(f"/api/v1/documents/{doc_id}/sync", headers=headers)
        (dispute,) = client.get("/api/v1/receivables/disputes", headers=headers).json()
        assert dispute["comment"] and "Bon de commande manquant" in dispute["comment"]
        assert client.get("/api/v1/receivables/dunning", headers=headers).json() == []  # in dispute

        csrf = login(client, "chorus_user")
        page = client.get("/receivables").text
        assert entry["customer_code"] in page and "120.00" in page
        csv = client.get("/receivables?format=csv")
        assert csv.headers["content-type"].startswith("text/csv")
        lines = csv.text.splitlines()
        assert lines[0].startswith("customer_code;document_id;number") and str(doc_id) in lines[1]
        disputes = client.get("/receivables/disputes").text
        assert "Bon de commande manquant" in disputes
        closed = client.post(
            f"/receivables/disputes/{dispute['dispute_id']}/close",
            data={"csrf_token": csrf},
            follow_redirects=False,
        )
        assert closed.status_code == 303
        assert client.get("/api/v1/receivables/disputes", headers=headers).json() == []
        again = client.post(f"/api/v1/receivables/disputes/{dispute['dispute_id']}/close", headers=headers)
        assert again.status_code == 409 and "already closed" in again.json()["detail"]
        assert "Nothing to remind" not in client.get("/receivables/dunning").text
        assert "dunning" in client.get("/receivables/dunning?format=csv").headers["content-disposition"]
        tracking = {"Authorization": "Bearer " + world.tokens["tracking"]}
        assert client.get("/api/v1/receivables/statement", headers=tracking).status_code == 403
