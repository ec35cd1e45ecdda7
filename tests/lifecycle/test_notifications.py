"""Notifications from events, on the dashboard and by e-mail through a real local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from chorusflow.lifecycle.sync import sync_provider
from chorusflow.lifecycle.tables import chorus_invoices
from chorusflow.notifications.service import collect, dashboard, mark_read, send_pending_emails
from chorusflow.notifications.smtp import SmtpSender, SmtpSettings

from .conftest import deposit, make_provider


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_events_become_dashboard_notifications_and_emails(ctx, sandbox, smtp):
    inbox, port = smtp
    provider = make_provider(
        ctx, sandbox, name="notified", notify_users=["alice@example.org"], notify_groups=["finance"]
    )
    from chorusflow.providers.service import client_for

    with client_for(provider, ctx.secrets) as client:
        dep = deposit(ctx, sandbox, provider, client, count=2, bad_recipient={1})
        sandbox.advance(600)
        sync_provider(ctx, provider, client=client)  # one integrated and made available, one rejected
        with ctx.sessions() as session:
            invoice_id = session.scalar(select(chorus_invoices.c.chorus_invoice_id))
        sandbox.recipient_sets(invoice_id, "SUSPENDUE", motif="Pièce manquante")
        sync_provider(ctx, provider, client=client)

    with ctx.sessions.begin() as session:
        written = collect(session)
        assert collect(session) == 0  # the cursor moved: nothing twice
    with ctx.sessions() as session:
        alice = dashboard(session, ["alice@example.org"])
        finance = dashboard(session, ["finance"])
    kinds = {n["kind"] for n in alice}
    assert written == len(alice) + len(finance) and len(alice) == len(finance)
    assert {"submitted", "status_change", "flow_error"} <= kinds
    suspended = [n for n in alice if "Suspended" in n["subject"]]
    assert suspended and "Pièce manquante" in suspended[0]["body"]
    error = next(n for n in alice if n["kind"] == "flow_error")
    assert dep.numbers[1] in error["body"] and "What to do" in error["body"]

    sender = SmtpSender(SmtpSettings(host="127.0.0.1", port=port, sender="hub@example.org"))
    with ctx.sessions.begin() as session:
        counts = send_pending_emails(session, sender)
    assert counts == {"sent": len(alice), "skipped": len(finance), "failed": 0}  # "finance" has no address
    assert len(inbox.messages) == len(alice)
    assert {m["To"] for m in inbox.messages} == {"alice@example.org"}
    assert any("Suspended" in m["Subject"] for m in inbox.messages)
    with ctx.sessions.begin() as session:
        assert send_pending_emails(session, sender) == {"sent": 0, "skipped": 0, "failed": 0}
        mark_read(session, [n["notification_id"] for n in alice])
    with ctx.sessions() as session:
        assert dashboard(session, ["alice@example.org"]) == []
        assert len(dashboard(session, ["alice@example.org"], unread_only=False)) == len(alice)


def test_an_unreachable_smtp_server_leaves_emails_for_later(ctx, sandbox):
    provider = make_provider(ctx, sandbox, name="quiet", notify_users=["bob@example.org"])
    from chorusflow.providers.service import client_for

    with client_for(provider, ctx.secrets) as client:
        deposit(ctx, sandbox, provider, client, count=1)
    with ctx.sessions.begin() as session:
        assert collect(session) >= 1
        sender = SmtpSender(SmtpSettings(host="127.0.0.1", port=_free_port(), timeout_s=2))
        assert send_pending_emails(session, sender) == {"sent": 0, "skipped": 0, "failed": 0}
    with ctx.sessions() as session:
        assert dashboard(session, ["bob@example.org"])[0]["kind"] == "submitted"
