"""Pages: login and sessions, first start, tracking list and unrolled flows, document view, decisions."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from chorusflow.context import HubContext
from chorusflow.web.app import FIRST_ADMIN_HINT, create_app
from tests.web.conftest import World, login


def test_first_start_explains_how_to_create_the_administrator(
    hub: HubContext, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        app = create_app(hub)
    assert FIRST_ADMIN_HINT in caplog.text
    with TestClient(app) as client:
        page = client.get("/")
        assert page.url.path == "/login"
        assert "chorusflow user add admin --role admin" in page.text


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(shared_world: World) -> None:
    with TestClient(shared_world.app, base_url="http://127.0.0.1") as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        wrong = client.post("/login", data={"login": "admin", "password": "nope-nope", "csrf_token": token})
        assert wrong.status_code == 401 and "Wrong login or password" in wrong.text
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        ok = client.post(
            "/login",
            data={
                "login": "admin",
                "password": "correct horse battery",
                "csrf_token": token,
                "next": "//evil.example",
            },
            follow_redirects=False,
        )
        assert ok.headers["location"] == "/tracking"  # no open redirect
        cookie = ok.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "chorusflow_session=" in cookie
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/tracking").text).group(1)  # type: ignore[union-attr]
        out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/tracking", follow_redirects=False).headers["location"].startswith("/login")


def test_login_form_needs_its_csrf_cookie(shared_world: World) -> None:
    with TestClient(shared_world.app) as client:
        forged = client.post(
            "/login", data={"login": "admin", "password": "correct horse battery", "csrf_token": "x"}
        )
        assert forged.status_code == 403


def test_tracking_page_shows_tabs_tiles_rows_and_badge(shared_world: World) -> None:
    with TestClient(shared_world.app, base_url="http://127.0.0.1") as client:
        login(client, "chorus_user")
        page = client.get("/tracking").text
        assert 'id="to-check-badge">1<' in page
        assert f'id="flow-{shared_world.flows["acme_bad"]}"' in page
        assert f'id="flow-{shared_world.flows["globex"]}"' not in page
        assert "F-100" in page and "Advanced search" in page
        assert 'class="tile step on"' not in page
        filtered = client.get("/tracking?state=in_error").text
        assert f'id="flow-{shared_world.flows["acme_pending"]}"' not in filtered
        assert 'data-state="in_error"' in filtered
        empty_fields = client.get("/tracking?number=&date_from=&amount_min=&status=")
        assert empty_fields.status_code == 200
        partial = client.get(
            "/tracking?tab=to-check", headers={"HX-Request": "true", "HX-Target": "flow-list"}
        )
        assert "<html" not in partial.text and "flows" in partial.text


def test_unrolled_flow_shows_documents_files_and_error_details(shared_world: World) -> None:
    w = shared_world
    with TestClient(w.app, base_url="http://127.0.0.1") as client:
        login(client, "tracking")
        docs = client.get(f"/tracking/flows/{w.flows['acme_pending']}/documents").text
        assert "F-100" in docs and "Pending validation" in docs and "End of preparation" in docs
        files = client.get(f"/tracking/flows/{w.flows['acme_pending']}/files").text
        assert "F-100.pdf" in files and "KB" in files
        bad = client.get(f"/tracking/flows/{w.flows['acme_bad']}/documents").text
        assert "Error details" in bad and "XML_MALFORMED" in bad and "How to fix" in bad


def test_document_page_shows_pdf_report_timeline_and_actions(shared_world: World) -> None:
    w = shared_world
    with TestClient(w.app, base_url="http://127.0.0.1") as client:
        login(client, "chorus_user")
        page = client.get(f"/documents/{w.pending_document}").text
        assert f'<iframe src="/documents/{w.pending_document}/original"' in page
        assert "Validation report" in page and "PEPPOL-EN16931-R008" in page and "How to fix" in page
        assert "Approve" in page and "Reject" in page and "Pending validation" in page
        original = client.get(f"/documents/{w.pending_document}/original")
        assert original.headers["content-type"] == "application/pdf"
        assert original.headers["content-disposition"].startswith("inline")
    with TestClient(w.app, base_url="http://127.0.0.1") as client:
        login(client, "tracking")
        assert "Approve" not in client.get(f"/documents/{w.pending_document}").text


def test_xml_invoice_is_rendered_as_html(shared_world: World) -> None:
    w = shared_world
    with TestClient(w.app, base_url="http://127.0.0.1") as client:
        login(client, "admin")
        flow = client.get(f"/api/v1/flows/{w.flows['no_provider']}").json()
        doc_id = flow["documents"][0]["document_id"]
        page = client.get(f"/documents/{doc_id}").text
        assert f"/documents/{doc_id}/rendering" in page
        rendering = client.get(f"/documents/{doc_id}/rendering").text
        assert "INVOICE" in rendering and "TOSL110" in rendering and "Total incl. VAT" in rendering


def test_approve_from_the_validation_screen(world: World) -> None:
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "chorus_user")
        screen = client.get("/validation").text
        assert f'value="{world.pending_document}"' in screen
        done = client.post(
            "/validation/decisions",
            data={"csrf_token": csrf, "action": "approve", "document_ids": [str(world.pending_document)]},
        )
        assert "1 document(s) approved" in done.text
        assert "No document is waiting" in done.text


def test_history_toggle_over_htmx(world: World) -> None:
    flow = world.flows["acme_bad"]
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "tracking")
        moved = client.post(
            f"/tracking/flows/{flow}/history",
            data={"in_history": "true"},
            headers={"HX-Request": "true", "X-CSRF-Token": csrf},
        )
        assert moved.status_code == 200 and moved.headers["hx-trigger"] == "flows-changed"
        assert f'id="flow-{flow}"' in client.get("/tracking?tab=history").text
        tabs = client.get("/tracking/tabs?tab=history").text
        assert 'id="to-check-badge">0<' in tabs


def test_admin_screens_create_provider_and_user(world: World) -> None:
    with TestClient(world.app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "admin")
        form = {
            "csrf_token": csrf,
            "name": "hooli",
            "siret": "73282932000074",
            "login": "tech",
            "password": "pw-hooli-1",
            "client_id": "cid",
            "client_secret": "cs-hooli-1",
            "environment": "sandbox",
            "api_url": "http://127.0.0.1:9",
            "auth_mode": "oauth",
            "upload_mode": "remote",
            "auto_submit": "on",
            "notify_users": "ann, bob",
        }
        saved = client.post("/admin/providers", data=form)
        assert saved.status_code == 200 and "Saved." in saved.text
        assert "pw-hooli-1" not in saved.text and "cs-hooli-1" not in saved.text
        assert "set — leave empty to keep" in saved.text and "ann, bob" in saved.text
        bad = client.post("/admin/providers", data=form | {"name": "other", "siret": "123"})
        assert bad.status_code == 422 and "siret" in bad.text
        created = client.post(
            "/admin/users",
            data={
                "csrf_token": csrf,
                "login": "zoe",
                "password": "zoe-password",
                "role": "chorus_user",
                "providers": "hooli",
            },
        )
        assert created.status_code == 200 and "zoe" in created.text
        short = client.post(
            "/admin/users", data={"csrf_token": csrf, "login": "al", "password": "short", "role": "tracking"}
        )
        assert short.status_code == 422 and "at least 8" in short.text
