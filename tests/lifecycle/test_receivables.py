"""Receivables that follow Chorus: statement, payment advices, disputes, dunning, CSV and signed webhooks."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from chorusflow.core.entities import Document
from chorusflow.lifecycle.sync import sync_provider
from chorusflow.lifecycle.tables import chorus_invoices
from chorusflow.receivables.reports import DUNNING_COLUMNS, dispute_list, dunning_list, statement, to_csv
from chorusflow.receivables.service import due_date, exclude_from_dunning
from chorusflow.receivables.webhooks import SIGNATURE_HEADER, deliver_pending, verify_signature

from .conftest import deposit

SECRET = "whsec-test-1"


def test_receivables_follow_chorus_statuses(ctx, sandbox, provider, client):
    dep = deposit(ctx, sandbox, provider, client, count=4)
    paid, suspended, excluded, plain = dep.document_ids
    sandbox.advance(600)
    sync_provider(ctx, provider, client=client)
    with ctx.sessions() as session:
        ids = dict(
            session.execute(select(chorus_invoices.c.document_id, chorus_invoices.c.chorus_invoice_id)).all()
        )
    for status in ("MANDATEE", "MISE_EN_PAIEMENT"):
        sandbox.recipient_sets(ids[paid], status, motif=status.lower())
    sandbox.recipient_sets(ids[suspended], "SUSPENDUE", motif="Joindre le PV de réception")
    sandbox.advance(60)
    sync_provider(ctx, provider, client=client)
    with ctx.sessions.begin() as session:
        exclude_from_dunning(session, excluded, reason="payment plan agreed", actor="carol")

    as_of = date(2027, 1, 1)
    with ctx.sessions() as session:
        doc = session.get(Document, plain)
        assert due_date(doc) == date(2026, 2, 5)  # BT-9 of the invoice
        (customer,) = statement(session, as_of=as_of)
        rows = {r["document_id"]: r for r in customer["invoices"]}
        assert rows[paid]["chorus_status"] == "MISE_EN_PAIEMENT" and rows[paid]["payment_advice_at"]
        assert rows[suspended]["in_dispute"] and rows[suspended]["comment"] == "Joindre le PV de réception"
        assert rows[plain]["overdue"] and not rows[paid]["overdue"]
        assert customer["totals"]["paid"] == "120.00" and customer["totals"]["open"] == "360.00"
        dunning = dunning_list(session, as_of=as_of)
        assert [r["document_id"] for r in dunning] == [plain]
        assert dunning[0]["days_overdue"] == (as_of - date(2026, 2, 5)).days
        assert dunning_list(session, as_of=date(2026, 2, 1)) == []  # not due yet
        disputes = dispute_list(session)
        assert [(d["document_id"], d["chorus_status"]) for d in disputes] == [(suspended, "SUSPENDUE")]
        csv_text = to_csv(dunning, DUNNING_COLUMNS)
    assert csv_text.splitlines()[0] == ";".join(DUNNING_COLUMNS)
    assert f";{plain};{dep.numbers[3]};" in csv_text

    received: list[tuple[bytes, str]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers[SIGNATURE_HEADER]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        counts = deliver_pending(ctx.sessions, url, SECRET)
        assert deliver_pending(ctx.sessions, url, SECRET) == {"delivered": 0, "pending": 0, "failed": 0}
    finally:
        server.shutdown()
    assert counts["delivered"] == len(received) == 2
    events = {json.loads(body)["event"]: json.loads(body)["data"] for body, _ in received}
    assert events["payment_advice.created"]["document_id"] == paid
    assert events["payment_advice.created"]["amount"] == "120.00"
    assert events["dispute.opened"]["comment"] == "Joindre le PV de réception"
    for body, signature in received:
        assert verify_signature(SECRET, body, signature)
        assert not verify_signature("wrong-secret", body, signature)
        assert not verify_signature(SECRET, body + b" ", signature)


def test_webhook_delivery_gives_up_after_bounded_attempts(ctx, sandbox, provider, client):
    dep = deposit(ctx, sandbox, provider, client, count=1)
    sandbox.advance(600)
    sync_provider(ctx, provider, client=client)
    with ctx.sessions() as session:
        invoice_id = session.scalar(select(chorus_invoices.c.chorus_invoice_id))
    sandbox.recipient_sets(invoice_id, "REJETEE", motif="Doublon")
    sync_provider(ctx, provider, client=client)
    dead = "http://127.0.0.1:9/hook"
    assert deliver_pending(ctx.sessions, dead, SECRET, max_attempts=2) == {
        "delivered": 0,
        "pending": 1,
        "failed": 0,
    }
    assert deliver_pending(ctx.sessions, dead, SECRET, max_attempts=2) == {
        "delivered": 0,
        "pending": 0,
        "failed": 1,
    }
    assert deliver_pending(ctx.sessions, dead, SECRET, max_attempts=2) == {
        "delivered": 0,
        "pending": 0,
        "failed": 0,
    }
    with ctx.sessions() as session:
        assert dispute_list(session)[0]["document_id"] == dep.document_ids[0]
