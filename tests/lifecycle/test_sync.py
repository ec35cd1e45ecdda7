"""Status sync against the sandbox: incremental, timeline with comments, final statuses, cost."""

from __future__ import annotations

from sqlalchemy import select

from chorusflow.core.entities import Event
from chorusflow.core.statuses import ChorusStatus
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.refresh import refresh_document
from chorusflow.lifecycle.sync import sync_provider
from chorusflow.lifecycle.tables import chorus_invoices, sync_states
from chorusflow.lifecycle.timeline import timeline_of
from chorusflow.providers.service import client_for, get_provider
from chorusflow.receivables.tables import disputes, payment_advices
from chorusflow.sandbox.seed import make_siret
from chorusflow.storage import schema

from .conftest import deposit, document

HISTORY = "factures/consulter/historique"
SEARCH = "factures/rechercher/fournisseur"


def _chorus_id(ctx, document_id: int) -> int:
    with ctx.sessions() as session:
        return session.scalar(
            select(chorus_invoices.c.chorus_invoice_id).where(chorus_invoices.c.document_id == document_id)
        )


def test_sync_follows_each_invoice_to_its_final_status(ctx, sandbox, provider, client):
    settings = LifecycleSettings(page_size=5)
    dep = deposit(ctx, sandbox, provider, client, count=3)
    paid, suspended, quiet = dep.document_ids
    sandbox.advance(600)  # integrated, routed, made available
    first = sync_provider(ctx, provider, client=client, settings=settings)
    assert first.error is None and sorted(first.followup.integrated) == sorted(dep.document_ids)
    assert first.changed == 3 and first.history_calls == 3
    assert document(ctx, quiet).chorus_status is ChorusStatus.MADE_AVAILABLE

    # nothing moved: one search page, no history call
    idle = sync_provider(ctx, provider, client=client, settings=settings)
    assert idle.changed == 0 and idle.calls.get(HISTORY, 0) == 0 and idle.search_pages == 1

    for status in ("PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT", "MANDATEE"):
        sandbox.recipient_sets(_chorus_id(ctx, paid), status, motif=f"step {status}")
    sandbox.recipient_sets(_chorus_id(ctx, suspended), "SUSPENDUE", motif="Bon de livraison manquant")
    sandbox.advance(60)
    report = sync_provider(ctx, provider, client=client, settings=settings)
    assert report.changed == 2 and report.calls[HISTORY] == 2  # only the two that moved
    assert report.newly_final == 0  # MANDATEE is not final: payment is still to come

    doc = document(ctx, paid)
    assert doc.chorus_status is ChorusStatus.PAYMENT_ORDERED
    with ctx.sessions() as session:
        codes = [t["status"] for t in timeline_of(session, paid)]
        assert codes[-3:] == ["PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT", "MANDATEE"]
        assert codes[0] == "DEPOSEE"
        events = session.scalars(
            select(Event).where(
                schema.events.c.document_id == paid, schema.events.c.attribute == "chorus_status"
            )
        ).all()
        # every status stored as an event with its own date and the recipient's comment
        assert [e.to_value for e in events][-2:] == ["PRISE_EN_COMPTE_DESTINATAIRE", "MANDATEE"]
        assert events[-1].comment == "MANDATEE: step MANDATEE" and events[-1].actor == "chorus-sync"
        assert events[-1].at >= events[-2].at  # Chorus dates have minute precision
        dispute = session.execute(select(disputes).where(disputes.c.document_id == suspended)).one()
        assert dispute.status == "SUSPENDUE" and dispute.comment == "Bon de livraison manquant"
        assert dispute.closed_at is None
    assert document(ctx, suspended).comment == "Bon de livraison manquant"

    sandbox.recipient_sets(_chorus_id(ctx, paid), "MISE_EN_PAIEMENT", motif="virement")
    sandbox.advance(60)
    report = sync_provider(ctx, provider, client=client, settings=settings)
    assert report.changed == 1 and report.newly_final == 1
    with ctx.sessions() as session:
        assert session.scalar(select(chorus_invoices.c.final).where(chorus_invoices.c.document_id == paid))
        advice = session.execute(select(payment_advices).where(payment_advices.c.document_id == paid)).one()
        assert advice.amount == document(ctx, paid).total_with_vat
        state = session.execute(select(sync_states)).one()
        assert state.last_success_at is not None and state.last_error is None and state.watermark


def test_mandated_is_final_when_the_recipient_does_not_report_payment(ctx, sandbox, provider, client):
    sandbox.scenario(
        recipients_enabled=True,
        share_recycle=0,
        share_suspend=0,
        share_reject=0,
        first_decision_s=30,
        step_s=30,
    )
    try:
        dep = deposit(ctx, sandbox, provider, client, count=1, recipient_siret=make_siret(9))
        sandbox.advance(600)
        report = sync_provider(ctx, provider, client=client)
    finally:
        sandbox.scenario(recipients_enabled=False)
    assert report.error is None and report.newly_final == 1
    assert document(ctx, dep.document_ids[0]).chorus_status is ChorusStatus.PAYMENT_ORDERED
    with ctx.sessions() as session:
        row = session.execute(select(chorus_invoices)).one()
        assert row.final and row.payment_not_reported and row.remote_status == "MANDATEE"
    again = sync_provider(ctx, provider, client=client)
    assert again.open_before == 0 and not again.calls  # nothing open: Chorus is not even asked


def test_unreachable_chorus_is_recorded_and_the_screens_keep_the_last_data(ctx, sandbox, provider, client):
    dep = deposit(ctx, sandbox, provider, client, count=1)
    sandbox.advance(600)
    assert sync_provider(ctx, provider, client=client).error is None
    with ctx.sessions.begin() as session:  # Chorus moves away
        session.execute(
            schema.providers.update().values(api_url="http://127.0.0.1:9", token_url="http://127.0.0.1:9/t")
        )
    with ctx.sessions() as session:
        moved = get_provider(session, provider.name)
        unreachable = client_for(moved, ctx.secrets, sleep=lambda _s: None)  # no real waits in tests
    broken = sync_provider(ctx, provider.name, client=unreachable, settings=LifecycleSettings())
    assert broken.error and "Transient" in broken.error
    view = refresh_document(ctx, dep.document_ids[0], client=unreachable)
    assert view["stale"] and not view["live"]
    assert view["document"]["chorus_status"] == "MISE_A_DISPOSITION"
    assert view["last_retrieved_at"] is not None
    with ctx.sessions() as session:
        state = session.execute(select(sync_states)).one()
        assert state.last_error and state.consecutive_failures == 1 and state.last_success_at


def test_live_refresh_of_one_document(ctx, sandbox, provider, client):
    dep = deposit(ctx, sandbox, provider, client, count=1)
    sandbox.advance(600)
    sync_provider(ctx, provider, client=client)
    invoice_id = _chorus_id(ctx, dep.document_ids[0])
    sandbox.recipient_sets(invoice_id, "A_RECYCLER", motif="Code service erroné")
    before = client.calls[HISTORY]
    view = refresh_document(ctx, dep.document_ids[0], client=client)
    assert view["live"] and client.calls[HISTORY] == before + 1 and client.calls[SEARCH] >= 1
    assert view["document"]["chorus_status"] == "A_RECYCLER"
    assert view["reform_code"] == 207
    assert view["timeline"][-1]["comment"] == "Code service erroné"


def test_run_due_respects_each_providers_schedule(ctx, sandbox, provider):
    from datetime import UTC, datetime, timedelta

    from chorusflow.lifecycle.schedule import run_due

    from .conftest import make_provider

    make_provider(ctx, sandbox, name="nightly", upload_mode="local", nightly_sync_time="02:00")
    now = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    assert sorted(r.provider for r in run_due(ctx, now=now)) == ["acme", "nightly"]
    assert run_due(ctx, now=now + timedelta(minutes=1)) == []
    assert [r.provider for r in run_due(ctx, now=now + timedelta(minutes=6))] == ["acme"]
    assert sorted(r.provider for r in run_due(ctx, now=now + timedelta(hours=12))) == ["acme", "nightly"]


def test_cost_follows_the_changed_invoices_not_the_open_ones(ctx, sandbox, provider, client):
    settings = LifecycleSettings(page_size=5)
    dep = deposit(ctx, sandbox, provider, client, count=30)
    sandbox.advance(600)
    first = sync_provider(ctx, provider, client=client, settings=settings)
    assert first.changed == 30 and first.search_pages >= 6  # the first run reads every open invoice
    sandbox.advance(86400)  # a day later one invoice moves, and a sync sees it
    sandbox.recipient_sets(_chorus_id(ctx, dep.document_ids[-1]), "PRISE_EN_COMPTE_DESTINATAIRE")
    assert sync_provider(ctx, provider, client=client, settings=settings).changed == 1
    sandbox.advance(3600)  # an hour later two more move
    for document_id in dep.document_ids[:2]:
        sandbox.recipient_sets(_chorus_id(ctx, document_id), "PRISE_EN_COMPTE_DESTINATAIRE")
    report = sync_provider(ctx, provider, client=client, settings=settings)
    assert report.open_before == 30 and report.changed == 2
    # three rows read (the two changes and the last one already seen), then the walk stops:
    assert report.rows_seen == 3 and report.search_pages == 1 and report.calls[HISTORY] == 2
    assert document(ctx, dep.document_ids[0]).chorus_status is ChorusStatus.TAKEN_INTO_ACCOUNT


def test_local_mode_shows_the_last_retrieval_without_asking_chorus(ctx, sandbox):
    from .conftest import make_provider

    local = make_provider(ctx, sandbox, name="nightly-shop", upload_mode="local")
    with client_for(local, ctx.secrets) as own:
        dep = deposit(ctx, sandbox, local, own, count=1)
        sandbox.advance(600)
        assert sync_provider(ctx, local, client=own).error is None
        sandbox.recipient_sets(_chorus_id(ctx, dep.document_ids[0]), "SUSPENDUE", motif="x")
        calls = sum(own.calls.values())
        view = refresh_document(ctx, dep.document_ids[0], client=own)
        assert sum(own.calls.values()) == calls  # local mode: screens read the last retrieval
    assert not view["live"] and not view["stale"] and view["upload_mode"] == "local"
    assert view["document"]["chorus_status"] == "MISE_A_DISPOSITION"
    assert view["provider_last_sync_at"] and view["last_retrieved_at"]


def test_tick_syncs_collects_notifications_and_sends_webhooks(ctx, sandbox, provider, client):
    from datetime import UTC, datetime

    from chorusflow.lifecycle.schedule import tick
    from chorusflow.notifications.smtp import SmtpSettings
    from chorusflow.receivables.webhooks import WebhookSettings

    deposit(ctx, sandbox, provider, client, count=1)
    sandbox.advance(600)
    result = tick(
        ctx,
        now=datetime.now(UTC),
        smtp=SmtpSettings(host=None),
        webhooks=WebhookSettings(webhook_url=None),
    )
    (synced,) = result["synced"]
    assert synced["integration"]["integrated"] and result["emails"] is None and result["webhooks"] is None
