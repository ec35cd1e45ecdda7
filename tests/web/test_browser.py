"""The tracking module in a real browser (Chromium via Playwright) against the app on a loopback port.

Screenshots of the main screens go to ``tests/screenshots/`` for a reviewer.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import GOOD_XML, LiveServer, SandboxWorld, World, sandbox_invoice

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture
def server(world: World) -> Iterator[LiveServer]:
    with LiveServer(world.app) as live:
        yield live


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page: Page, base: str, who: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=login]", who)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/tracking")


def _drop(page: Page, name: str, data: bytes) -> None:
    """Drag and drop a file onto the drop zone, as a user dragging it from their desktop."""
    page.evaluate(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: "application/xml"}));
            const zone = document.getElementById("dropzone");
            const init = {dataTransfer: dt, bubbles: true, cancelable: true};
            zone.dispatchEvent(new DragEvent("dragover", init));
            zone.dispatchEvent(new DragEvent("drop", init));
        }""",
        [name, base64.b64encode(data).decode()],
    )


def test_tracking_journey(page: Page, server: LiveServer, world: World, corpus: Path) -> None:
    base = server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("Log in")
    _shot(page, "01-login")
    _login(page, base, "chorus_user")

    # Upload by drag and drop: a new flow appears.
    page.click("nav.mainnav >> text=Upload")
    data = (corpus / GOOD_XML).read_bytes().replace(b"TOSL108", b"DND-42")
    _drop(page, "dropped.xml", data)
    result = page.locator("#upload-result")
    expect(result).to_contain_text("created: 1 file(s), 1 document(s)")
    _shot(page, "02-upload")
    flow_id = result.locator("strong").inner_text().split("#")[1]
    page.click("text=See it in Tracking")
    expect(page.locator(f"#flow-{flow_id}")).to_contain_text("DND-42")
    expect(page.locator("#to-check-badge")).to_have_text("1")

    # Step and status tiles filter the list.
    bad, pending = world.flows["acme_bad"], world.flows["acme_pending"]
    page.click('a.tile[data-state="in_error"]')
    expect(page.locator(f"#flow-{bad}")).to_be_visible()
    expect(page.locator(f"#flow-{pending}")).to_have_count(0)
    page.click('a.tile[data-stage="validation"]')
    expect(page.locator("tbody.flow")).to_have_count(0)
    page.goto(base + "/tracking")
    page.click('a.tile[data-stage="validation"]')
    expect(page.locator(f"#flow-{pending}")).to_be_visible()
    expect(page.locator(f"#flow-{bad}")).to_have_count(0)

    # Unroll the flow in error: error details (when, type, how to fix).
    page.goto(base + "/tracking?tab=to-check")
    page.click(f"#flow-{bad} button.unroll")
    details = page.locator(f"#flow-{bad}-detail .error-details")
    expect(details).to_contain_text("XML_MALFORMED")
    expect(details).to_contain_text("How to fix")
    page.goto(base + "/tracking")
    page.click(f"#flow-{bad} button.unroll")
    page.click(f"#flow-{pending} button.unroll")
    expect(page.locator(f"#flow-{pending}-detail")).to_contain_text("Pending validation")
    _shot(page, "03-tracking")
    page.click(f"#flow-{pending}-detail >> text=File view")
    expect(page.locator(f"#flow-{pending}-detail")).to_contain_text("F-100.pdf")

    # 👁 moves the flow to History and back; the badge follows.
    page.goto(base + "/tracking?tab=to-check")
    page.click(f"#flow-{bad} button.eye")
    expect(page.locator(f"#flow-{bad}")).to_have_count(0)
    expect(page.locator("#to-check-badge")).to_have_text("0")
    page.click("a.tab[data-tab=history]")
    expect(page.locator(f"#flow-{bad}")).to_be_visible()
    _shot(page, "04-history")
    page.click(f"#flow-{bad} button.eye")
    expect(page.locator(f"#flow-{bad}")).to_have_count(0)
    page.click("a.tab[data-tab=to-check]")
    expect(page.locator(f"#flow-{bad}")).to_be_visible()

    # Document view with the PDF, then approve the pending document.
    page.goto(base + f"/documents/{world.pending_document}")
    expect(page.locator("#validation-report")).to_contain_text("PEPPOL-EN16931-R008")
    expect(page.locator("iframe")).to_have_attribute("src", f"/documents/{world.pending_document}/original")
    page.wait_for_timeout(300)  # let the PDF viewer paint for the screenshot
    _shot(page, "05-document")
    page.goto(base + "/validation")
    _shot(page, "06-validation")
    page.check(f'input[name=document_ids][value="{world.pending_document}"]')
    page.fill("input[name=comment]", "Checked against the order")
    page.click("text=Approve selected")
    expect(page.locator(".notice.ok")).to_contain_text("1 document(s) approved")
    page.goto(base + f"/documents/{world.pending_document}")
    expect(page.locator("#doc-status")).to_have_text("Accepted in validation")
    expect(page.locator(".timeline")).to_contain_text("Checked against the order")


def test_admin_screens(page: Page, server: LiveServer) -> None:
    base = server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, base, "admin")
    page.click("nav.mainnav >> text=Providers")
    expect(page.locator("table")).to_contain_text("acme")
    _shot(page, "07-providers")
    page.click("text=acme")
    expect(page.locator("input[name=password]")).to_have_attribute("placeholder", "set — leave empty to keep")
    expect(page.locator("input[name=password]")).to_have_value("")
    page.fill("input[name=nightly_sync_time]", "03:30")
    page.click("button:has-text('Save')")
    expect(page.locator(".notice.ok")).to_have_text("Saved.")
    _shot(page, "08-provider")
    page.click("nav.mainnav >> text=Users")
    expect(page.locator("table")).to_contain_text("chorus_admin")
    _shot(page, "09-users")


@pytest.fixture
def sandbox_server_live(sandbox_world: SandboxWorld) -> Iterator[LiveServer]:
    with LiveServer(sandbox_world.app) as live:
        yield live


def test_from_upload_to_chorus_statuses(
    page: Page, sandbox_server_live: LiveServer, sandbox_world: SandboxWorld
) -> None:
    """A real sandbox behind the provider: upload, submit now, Deposited, then a status from Chorus Pro."""
    base = sandbox_server_live.url
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, base, "chorus_admin")
    number, data = sandbox_invoice()
    page.click("nav.mainnav >> text=Upload")
    expect(page.locator("#metadata-help")).to_contain_text("Metadata association")
    _drop(page, f"{number}.xml", data)
    result = page.locator("#upload-result")
    expect(result).to_contain_text("Distribution · Waiting")
    flow_id = result.locator("strong").inner_text().split("#")[1]
    page.click("text=See it in Tracking")
    page.click(f"#flow-{flow_id} button.unroll")
    page.click(f"#flow-{flow_id}-detail >> text={number}")
    expect(page.locator("#doc-status")).to_have_text("In distribution")
    page.click("#submit-now")
    expect(page.locator("#action-notice")).to_contain_text("Submitted now: 1 sent")
    expect(page.locator("#doc-status")).to_have_text("Distributed")
    expect(page.locator("#chorus-status")).to_contain_text("Deposited")
    page.goto(base + "/tracking")
    page.click(f"#flow-{flow_id} button.unroll")
    expect(page.locator(f"#flow-{flow_id}-detail")).to_contain_text("Deposited")
    _shot(page, "10-deposited")

    sandbox_world.advance(600)  # the sandbox's recipient receives the invoice
    page.click(f"#flow-{flow_id}-detail >> text={number}")
    page.click("#sync-now")
    expect(page.locator("#action-notice")).to_contain_text("Statuses fetched from Chorus Pro")
    expect(page.locator("#chorus-status")).to_contain_text("Transferred to the recipient")
    expect(page.locator("#chorus-timeline")).to_contain_text("MISE_A_DISPOSITION")
    expect(page.locator("#last-retrieved")).not_to_have_text("not yet")
    page.wait_for_timeout(200)
    _shot(page, "11-chorus-status")

    page.click("nav.mainnav >> text=Receivables")
    expect(page.locator("section.statement")).to_contain_text(number)
    _shot(page, "12-receivables")
    page.click("nav.mainnav >> text=Credentials")
    expect(page.locator("#health")).to_contain_text("ok")
    _shot(page, "13-credentials")
    page.click("nav.mainnav >> text=Rules")
    page.locator("#rules-bank select[name=field]").select_option("metadata")
    page.locator("#rules-bank input[name=metadata_key]").fill("bank")
    page.locator("#rules-bank input[name=pattern]").fill("*")
    page.locator("#rules-bank input[name=bank_account_id]").fill("7")
    page.locator("#rules-bank button:has-text('Add')").click()
    expect(page.locator("#rules-bank table")).to_contain_text("metadata.bank")
    expect(page.locator("#rules-bank table")).to_contain_text("default")
    _shot(page, "14-rules")
