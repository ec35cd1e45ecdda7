"""Configuration screens of the preparation rules: add, remove, order, preview; the API; the users' label."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from chorusflow.core.entities import Document
from chorusflow.providers.service import get_provider
from chorusflow.web import accounts
from tests.web.conftest import World, login, valid_siret


def _acme_id(world: World) -> int:
    with world.hub.sessions() as session:
        provider = get_provider(session, "acme")
        assert provider is not None
        return provider.id or 0


def test_rules_through_the_api_in_order_with_preview(world: World, client: TestClient) -> None:
    acme = _acme_id(world)
    headers = {"Authorization": "Bearer " + world.tokens["chorus_admin"]}
    url = f"/api/v1/providers/{acme}/rules"
    assert (
        client.get(url, headers={"Authorization": "Bearer " + world.tokens["chorus_user"]}).status_code == 403
    )
    assert client.get(url, headers=headers).json() == []

    def add(**body: object) -> dict:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()

    missing = client.post(
        url, json={"kind": "bank", "field": "metadata.bank", "pattern": "*"}, headers=headers
    )
    assert missing.status_code == 422 and "idCoordonneeBancaire" in missing.json()["detail"]
    bad_field = client.post(url, json={"kind": "service", "field": "amount", "pattern": "*"}, headers=headers)
    assert bad_field.status_code == 422
    default = add(kind="bank", field="metadata.bank", pattern="*", bank_account_id=7)
    main = add(kind="bank", field="metadata.bank", pattern="main", bank_account_id=42)
    assert [default["position"], main["position"]] == [1, 2]
    buyer = valid_siret("2100001230000")
    add(kind="recipient", field="recipient_name", pattern="*", siret=buyer, service_code="SERV-9")
    add(kind="submission", field="number", pattern="F-1*", send=False)

    with world.hub.sessions() as session:
        session.get_one(Document, world.pending_document).intake_metadata = {"bank": "main"}
        session.commit()
    preview_url = f"{url}/preview?document_id={world.pending_document}"
    before = client.get(preview_url, headers=headers).json()
    assert before["bank_account_id"] == 7  # the catch-all comes first: first match wins
    assert (
        before["send"] is False and before["recipient_siret"] == buyer and before["service_code"] == "SERV-9"
    )
    moved = client.post(f"{url}/{main['id']}/move", json={"direction": "up"}, headers=headers)
    assert [r["id"] for r in moved.json() if r["kind"] == "bank"] == [main["id"], default["id"]]
    assert client.get(preview_url, headers=headers).json()["bank_account_id"] == 42
    assert client.delete(f"{url}/{main['id']}", headers=headers).status_code == 204
    assert client.delete(f"{url}/{main['id']}", headers=headers).status_code == 404
    assert client.get(preview_url, headers=headers).json()["bank_account_id"] == 7
    stranger = client.get(f"/api/v1/providers/{acme}/rules/preview?document_id=999999", headers=headers)
    assert stranger.status_code == 404


def test_rules_screen_adds_orders_and_removes(world: World, client: TestClient) -> None:
    acme = _acme_id(world)
    csrf = login(client, "chorus_admin")
    page = client.get(f"/admin/rules?provider={acme}").text
    for title in (
        "Submission criteria",
        "Recipients",
        "Service labels",
        "Bank details",
        "Attachment linking",
    ):
        assert title in page
    assert 'href="/admin/rules"' in page  # in the navigation

    def add(**form: str) -> None:
        response = client.post(
            f"/admin/rules/{acme}", data={"csrf_token": csrf, **form}, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    add(kind="service", field="metadata", metadata_key="service", pattern="finance*", service_code="FIN")
    add(kind="service", field="customer_code", pattern="C-*", service_code="CUST")
    add(kind="attachment", pattern="*.pdf", max="2")
    wrong = client.post(
        f"/admin/rules/{acme}",
        data={
            "csrf_token": csrf,
            "kind": "recipient",
            "field": "recipient_name",
            "pattern": "X",
            "siret": "1" * 14,
        },
    )
    assert wrong.status_code == 422 and "checksum" in wrong.text
    page = client.get(f"/admin/rules?provider={acme}").text
    section = page.split('id="rules-service"')[1].split("</section>")[0]
    ids = re.findall(r'data-rule="(\d+)"', section)
    assert "metadata.service" in section and len(ids) == 2
    client.post(f"/admin/rules/{acme}/{ids[1]}/move", data={"csrf_token": csrf, "direction": "up"})
    section = (
        client.get(f"/admin/rules?provider={acme}").text.split('id="rules-service"')[1].split("</section>")[0]
    )
    assert re.findall(r'data-rule="(\d+)"', section) == [ids[1], ids[0]]
    client.post(f"/admin/rules/{acme}/{ids[0]}/delete", data={"csrf_token": csrf})
    page = client.get(f"/admin/rules?provider={acme}&document={world.pending_document}").text
    assert f'data-rule="{ids[0]}"' not in page
    assert 'id="preview-send">Yes' in page and "(at most 2)" in page


def test_users_screen_edits_the_invoice_label(world: World, client: TestClient) -> None:
    csrf = login(client, "admin")
    response = client.post(
        f"/admin/users/{world.spare_user_id}",
        data={"csrf_token": csrf, "role": "tracking", "label": "north", "active": "on"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with world.hub.engine.connect() as conn:
        user = accounts.get_user(conn, user_id=world.spare_user_id)
    assert user is not None and user.label == "north"
    assert 'value="north"' in client.get("/admin/users").text
