"""Supplier answers against the sandbox: completer, recycler, rejected invoices, bounded attempts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chorusflow.core.statuses import ChorusStatus, DistributionStatus
from chorusflow.lifecycle.actions import ActionError, action_states, complete, recycle
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.sync import sync_provider
from chorusflow.lifecycle.tables import chorus_invoices
from chorusflow.providers.service import client_for, get_provider
from chorusflow.receivables.tables import disputes
from chorusflow.storage import schema

from .conftest import deposit, document


def _made_available(ctx, sandbox, provider, client, count=1):
    dep = deposit(ctx, sandbox, provider, client, count=count)
    sandbox.advance(600)
    assert sync_provider(ctx, provider, client=client).error is None
    with ctx.sessions() as session:
        ids = {
            r.document_id: r.chorus_invoice_id
            for r in session.execute(
                select(chorus_invoices.c.document_id, chorus_invoices.c.chorus_invoice_id)
            )
        }
    return dep, ids


def _disputes(ctx, document_id):
    with ctx.sessions() as session:
        return session.execute(select(disputes).where(disputes.c.document_id == document_id)).all()


def test_answering_a_suspension_with_a_document(ctx, sandbox, provider, client):
    dep, ids = _made_available(ctx, sandbox, provider, client)
    doc_id = dep.document_ids[0]
    sandbox.recipient_sets(ids[doc_id], "SUSPENDUE", motif="Joindre le bon de livraison")
    sync_provider(ctx, provider, client=client)
    assert document(ctx, doc_id).chorus_status is ChorusStatus.SUSPENDED
    with pytest.raises(ActionError, match="comment"):
        complete(ctx, doc_id, comment="", actor="alice", client=client)
    done = complete(
        ctx,
        doc_id,
        comment="Voici le bon de livraison signé",
        attachments=[("bon-livraison.pdf", b"%PDF-1.4 delivery note")],
        actor="alice",
        client=client,
    )
    assert done.state == "done" and done.chorus_status == ChorusStatus.COMPLETED.value
    assert client.calls["transverses/ajouter/fichier"] >= 1
    (dispute,) = _disputes(ctx, doc_id)
    assert dispute.closed_at is not None and dispute.closed_by == "COMPLETEE"
    with pytest.raises(ActionError, match="not 'Suspended'"):
        complete(ctx, doc_id, comment="again", actor="alice", client=client)


def test_rerouting_keeps_the_number_and_closes_the_dispute(ctx, sandbox, provider, client):
    dep, ids = _made_available(ctx, sandbox, provider, client)
    doc_id = dep.document_ids[0]
    sandbox.recipient_sets(ids[doc_id], "A_RECYCLER", motif="Mauvais service")
    sync_provider(ctx, provider, client=client)
    assert len(_disputes(ctx, doc_id)) == 1
    done = recycle(
        ctx, doc_id, service_code="SERV-FIN", comment="service corrigé", actor="bob", client=client
    )
    assert done.state == "done" and done.chorus_status == ChorusStatus.DEPOSITED.value
    doc = document(ctx, doc_id)
    assert doc.service_code == "SERV-FIN" and doc.distribution_status is DistributionStatus.DISTRIBUTED
    (dispute,) = _disputes(ctx, doc_id)
    assert dispute.closed_by == "DEPOSEE"
    with ctx.sessions() as session:
        number = session.scalar(select(schema.documents.c.number).where(schema.documents.c.id == doc_id))
    assert number == dep.numbers[0]  # same invoice, same number


def test_a_rejected_invoice_guides_to_a_credit_note(ctx, sandbox, provider, client):
    dep, ids = _made_available(ctx, sandbox, provider, client)
    doc_id = dep.document_ids[0]
    sandbox.recipient_sets(ids[doc_id], "REJETEE", motif="Montant non conforme")
    sync_provider(ctx, provider, client=client)
    with pytest.raises(ActionError, match="credit note") as info:
        recycle(ctx, doc_id, service_code="SERV-FIN", actor="bob", client=client)
    assert "NEW number" in str(info.value)
    (dispute,) = _disputes(ctx, doc_id)
    assert dispute.status == "REJETEE" and dispute.closed_at is None


def test_failed_attempts_are_bounded_then_a_person_decides(ctx, sandbox, provider, client):
    dep, ids = _made_available(ctx, sandbox, provider, client)
    doc_id = dep.document_ids[0]
    sandbox.recipient_sets(ids[doc_id], "SUSPENDUE", motif="pièce manquante")
    sync_provider(ctx, provider, client=client)
    with ctx.sessions.begin() as session:
        session.execute(schema.providers.update().values(api_url="http://127.0.0.1:9"))
    with ctx.sessions() as session:
        down = client_for(get_provider(session, provider.name), ctx.secrets, sleep=lambda _s: None)
    settings = LifecycleSettings(max_action_attempts=2)
    first = complete(ctx, doc_id, comment="voici", actor="alice", client=down, settings=settings)
    assert first.state == "failed" and first.attempts == 1
    second = complete(ctx, doc_id, comment="voici", actor="alice", client=down, settings=settings)
    assert second.state == "needs_decision" and second.attempts == 2
    with pytest.raises(ActionError, match="--decide"):
        complete(ctx, doc_id, comment="voici", actor="alice", client=down, settings=settings)
    assert action_states(ctx, doc_id)[0]["state"] == "needs_decision"
    decided = complete(
        ctx, doc_id, comment="voici", actor="alice", decide=True, client=client, settings=settings
    )
    assert decided.state == "done" and decided.attempts == 1
