"""REST API behaviour: scope per provider and label, search, tabs, History, decisions, intake, providers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from chorusflow.core.entities import Document, Flow
from chorusflow.web import accounts
from tests.web.conftest import GOOD_XML, PASSWORD, World


def _get(client: TestClient, world: World, who: str, url: str, **params: object):  # type: ignore[no-untyped-def]
    return client.get(url, params=params, headers={"Authorization": "Bearer " + world.tokens[who]})


def _ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return {f["flow_id"] for f in response.json()["flows"]}


def test_users_see_only_their_providers_flows(shared_world: World) -> None:
    w = shared_world
    with TestClient(w.app) as client:
        acme = {w.flows["acme_pending"], w.flows["acme_bad"]}
        assert _ids(_get(client, w, "chorus_user", "/api/v1/flows")) == acme
        assert _ids(_get(client, w, "globex_user", "/api/v1/flows")) == {w.flows["globex"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows")) == set(w.flows.values())
        other = _get(client, w, "chorus_user", f"/api/v1/flows/{w.flows['globex']}")
        assert other.status_code == 404 and "cannot see" in other.json()["detail"]
        assert _get(client, w, "globex_user", f"/api/v1/documents/{w.pending_document}").status_code == 404


def test_label_limits_invoices(world: World) -> None:
    with world.hub.sessions() as session:
        doc = session.get(Document, world.pending_document)
        assert doc is not None
        doc.intake_metadata = {"label": "north"}
        session.commit()
    with world.hub.engine.begin() as conn:
        north = accounts.create_user(
            conn, "north", PASSWORD, "chorus_user", providers=["acme"], label="north"
        )
        south = accounts.create_user(
            conn, "south", PASSWORD, "chorus_user", providers=["acme"], label="south"
        )
        tokens = {u.login: accounts.create_api_token(conn, u) for u in (north, south)}
    world.tokens.update(tokens)
    with TestClient(world.app) as client:
        assert _ids(_get(client, world, "north", "/api/v1/flows")) == {world.flows["acme_pending"]}
        assert _ids(_get(client, world, "south", "/api/v1/flows")) == set()
        url = f"/api/v1/documents/{world.pending_document}"
        assert _get(client, world, "north", url).status_code == 200
        assert _get(client, world, "south", url).status_code == 404


def test_search_tiles_tabs_and_pagination(shared_world: World) -> None:
    w = shared_world
    with TestClient(w.app) as client:
        assert _ids(_get(client, w, "admin", "/api/v1/flows", number="F-10")) == {w.flows["acme_pending"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows", number="TOSL109")) == {w.flows["globex"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows", amount_min="100.00", amount_max="200")) == {
            w.flows["acme_pending"]
        }
        assert _ids(_get(client, w, "admin", "/api/v1/flows", status="pending_validation")) == {
            w.flows["acme_pending"]
        }
        assert _ids(
            _get(client, w, "admin", "/api/v1/flows", date_from="2024-01-01", date_to="2024-12-31")
        ) == {w.flows["acme_pending"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows", recipient="buyercompany")) == {
            w.flows["globex"],
            w.flows["no_provider"],
        }
        assert _ids(_get(client, w, "admin", "/api/v1/flows", provider="globex")) == {w.flows["globex"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows", state="in_error")) == {w.flows["acme_bad"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows", stage="validation")) == {
            w.flows["acme_pending"]
        }
        assert _ids(_get(client, w, "admin", "/api/v1/flows", tab="to-check")) == {w.flows["acme_bad"]}
        page = _get(client, w, "admin", "/api/v1/flows", limit=1, offset=1).json()
        assert page["total"] == 4 and len(page["flows"]) == 1 and page["to_check_count"] == 1
        tabs = _get(client, w, "chorus_user", "/api/v1/tabs").json()
        assert tabs["active"] == 2 and tabs["to_check"] == 1 and tabs["history"] == 0
        assert tabs["stages"]["validation"] == 1 and tabs["states"]["in_error"] == 1
        bad = _get(client, w, "admin", "/api/v1/flows", amount_min="1,5")
        assert bad.status_code == 422
        huge = _get(client, w, "admin", f"/api/v1/flows/{2**63}")
        assert huge.status_code == 422
        assert _get(client, w, "admin", "/api/v1/flows", colour="red").status_code == 422


def test_flow_detail_has_error_details_and_document_has_report(shared_world: World) -> None:
    w = shared_world
    with TestClient(w.app) as client:
        bad = _get(client, w, "tracking", f"/api/v1/flows/{w.flows['acme_bad']}").json()
        assert bad["error"]["type"] == "XML_MALFORMED" and bad["error"]["resolution"]
        assert bad["files"][0]["error"]["type"] == "XML_MALFORMED"
        doc = _get(client, w, "tracking", f"/api/v1/documents/{w.pending_document}").json()
        assert doc["distribution_status"] == "pending_validation"
        assert doc["validation"]["valid"] is True and doc["invoice"]["number"] == "F-100"
        original = _get(client, w, "tracking", f"/api/v1/documents/{w.pending_document}/original")
        assert original.content.startswith(b"%PDF") and original.headers["content-type"] == "application/pdf"


def test_history_round_trip(world: World) -> None:
    flow = world.flows["acme_bad"]
    auth = {"Authorization": "Bearer " + world.tokens["tracking"]}
    with TestClient(world.app) as client:
        moved = client.post(f"/api/v1/flows/{flow}/history", json={"in_history": True}, headers=auth)
        assert moved.status_code == 200 and moved.json()["in_history"] is True
        assert flow in _ids(_get(client, world, "tracking", "/api/v1/flows", tab="history"))
        assert flow not in _ids(_get(client, world, "tracking", "/api/v1/flows", tab="to-check"))
        again = client.post(f"/api/v1/flows/{flow}/history", json={"in_history": True}, headers=auth)
        assert again.status_code == 409
        back = client.post(f"/api/v1/flows/{flow}/history", json={"in_history": False}, headers=auth)
        assert back.status_code == 200
        assert flow in _ids(_get(client, world, "tracking", "/api/v1/flows", tab="to-check"))


def test_decisions(world: World) -> None:
    auth = {"Authorization": "Bearer " + world.tokens["chorus_user"]}
    doc = world.pending_document
    with TestClient(world.app) as client:
        no_comment = client.post(
            "/api/v1/validation/decisions", json={"action": "reject", "document_ids": [doc]}, headers=auth
        )
        assert no_comment.status_code == 422 and "comment" in no_comment.json()["detail"]
        other = client.post(
            "/api/v1/validation/decisions",
            json={"action": "approve", "document_ids": [doc]},
            headers={"Authorization": "Bearer " + world.tokens["globex_user"]},
        )
        assert other.status_code == 404
        ok = client.post(
            "/api/v1/validation/decisions",
            json={"action": "approve", "document_ids": [doc], "comment": "fine"},
            headers=auth,
        )
        assert ok.json() == {"decided": [doc], "status": "accepted_in_validation"}
        twice = client.post(
            "/api/v1/validation/decisions", json={"action": "approve", "document_ids": [doc]}, headers=auth
        )
        assert twice.status_code == 409
    with world.hub.sessions() as session:
        flow = session.get(Flow, world.flows["acme_pending"])
        assert flow is not None and flow.validator_name == "chorus_user"


def test_intake_upload(world: World, corpus: Path) -> None:
    seen: list[int] = []
    world.app.state.after_intake = seen.append
    data = (corpus / GOOD_XML).read_bytes().replace(b"TOSL108", b"UP-1")
    with TestClient(world.app) as client:
        created = client.post(
            "/api/v1/intake",
            files=[
                ("files", ("up.xml", data, "application/xml")),
                ("files", ("junk.txt", b"hello", "text/plain")),
            ],
            headers={"Authorization": "Bearer " + world.tokens["chorus_user"]},
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["files"] == 2 and body["documents"] == 1 and body["errors"] == 1
        assert body["flow"]["provider"] == "acme" and body["flow"]["submitter"] == "chorus_user"
        assert seen == [body["flow_id"]]
        refused = client.post(
            "/api/v1/intake",
            files=[("files", ("up.xml", data, "application/xml"))],
            data={"provider": "globex"},
            headers={"Authorization": "Bearer " + world.tokens["chorus_user"]},
        )
        assert refused.status_code == 403
        tracking_only = client.post(
            "/api/v1/intake",
            files=[("files", ("up.xml", data, "application/xml"))],
            headers={"Authorization": "Bearer " + world.tokens["tracking"]},
        )
        assert tracking_only.status_code == 403


def test_providers_secrets_are_write_only(world: World) -> None:
    auth = {"Authorization": "Bearer " + world.tokens["chorus_admin"]}
    with TestClient(world.app) as client:
        body = {
            "name": "initech",
            "siret": "73282932000074",
            "login": "tech",
            "password": "s3cret-pass",
            "client_id": "cid",
            "client_secret": "s3cret-client",
            "api_url": "http://127.0.0.1:9",
        }
        created = client.post("/api/v1/providers", json=body, headers=auth)
        assert created.status_code == 201, created.text
        assert "s3cret" not in created.text and created.json()["secrets"]["password"] is True
        pid = created.json()["id"]
        patched = client.patch(f"/api/v1/providers/{pid}", json={"require_approval": True}, headers=auth)
        assert (
            patched.json()["require_approval"] is True and patched.json()["secrets"]["client_secret"] is True
        )
        assert client.post("/api/v1/providers", json=body, headers=auth).status_code == 422  # same name
        bad = client.post(
            "/api/v1/providers", json=body | {"name": "x", "siret": "12345678901234"}, headers=auth
        )
        assert bad.status_code == 422 and "SIRET" in bad.json()["detail"]
        listing = client.get("/api/v1/providers", headers=auth)
        assert "s3cret" not in listing.text and "password_token" not in listing.text
        assert client.patch("/api/v1/providers/999", json={}, headers=auth).status_code == 404


def test_search_by_recipient_siret_and_number_prefix_use_exact_branches(shared_world: World) -> None:
    """A 14-digit recipient value searches the SIRET only; a number is a prefix (index-friendly)."""
    w = shared_world
    with TestClient(w.app) as client:
        doc = _get(client, w, "admin", f"/api/v1/documents/{w.pending_document}").json()
        siret = doc["recipient_siret"]
        if siret:
            found = _ids(_get(client, w, "admin", "/api/v1/flows", recipient=siret))
            assert w.flows["acme_pending"] in found
        assert _ids(_get(client, w, "admin", "/api/v1/flows", recipient="00000000000000")) == set()
        assert _ids(_get(client, w, "admin", "/api/v1/flows", number="F-1")) >= {w.flows["acme_pending"]}
        assert _ids(_get(client, w, "admin", "/api/v1/flows", number="-100")) == set()  # prefix, not contains
