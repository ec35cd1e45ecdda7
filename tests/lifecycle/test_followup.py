"""Integration follow-up against the sandbox: flow reports until final, per-invoice outcomes."""

from __future__ import annotations

from sqlalchemy import select

from chorusflow.core.entities import Flow
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.followup import follow_deposits
from chorusflow.lifecycle.refresh import document_lifecycle
from chorusflow.lifecycle.tables import chorus_invoices, flux_followups, integration_results
from chorusflow.storage import schema
from chorusflow.storage.flow_queries import Tab, list_flows

from .conftest import deposit, document


def test_partial_integration_links_good_invoices_and_rejects_the_other(ctx, sandbox, provider, client):
    dep = deposit(ctx, sandbox, provider, client, count=12, bad_recipient={3})
    settings = LifecycleSettings()

    first = follow_deposits(ctx, provider, client, settings)
    assert first.pending == [dep.flux] and not first.integrated  # still being integrated

    sandbox.advance(600)
    report = follow_deposits(ctx, provider, client, settings)
    bad = dep.document_ids[3]
    assert report.rejected == [bad]
    assert sorted(report.integrated) == sorted(i for i in dep.document_ids if i != bad)

    with ctx.sessions() as session:
        subs = {
            r.document_id: r
            for r in session.execute(
                select(schema.submissions).where(schema.submissions.c.flux_number == dep.flux)
            )
        }
        # more than ten invoices in one flow: every id found (pagination)
        assert all(subs[i].state == "integrated" and subs[i].chorus_invoice_id for i in subs if i != bad)
        assert subs[bad].state == "rejected" and subs[bad].chorus_invoice_id is None
        tracked = session.scalars(select(chorus_invoices.c.document_id)).all()
        assert sorted(tracked) == sorted(i for i in dep.document_ids if i != bad)
        result = session.execute(
            select(integration_results).where(integration_results.c.document_id == bad)
        ).one()
        assert result.outcome == "rejected" and result.flow_state == "IN_INTEGRE_PARTIEL"
        assert "21000000000017" in result.message  # Chorus's own words are kept
        assert result.rule == "CPRO-INTEGRATION-RECIPIENT-UNKNOWN"
        assert result.explanation and result.resolution

        flow = session.get(Flow, dep.flow_id)
        assert (flow.stage, flow.state) == (Stage.DISTRIBUTION, FlowState.IN_ERROR)
        assert flow.error_type == "CHORUS_REJECTED" and dep.numbers[3] in flow.error_message
        assert flow.error_resolution == result.resolution
        assert dep.flow_id in [f.id for f in list_flows(session, Tab.TO_CHECK)]
        followup = session.execute(select(flux_followups)).one()
        assert followup.final and followup.flow_state == "IN_INTEGRE_PARTIEL" and followup.polls == 2

    rejected = document(ctx, bad)
    assert rejected.chorus_status is ChorusStatus.REJECTED_BY_CHORUS
    assert rejected.distribution_status is DistributionStatus.IN_ERROR
    assert "21000000000017" in rejected.comment
    good = document(ctx, dep.document_ids[0])
    assert good.chorus_status is ChorusStatus.DEPOSITED

    with ctx.sessions() as session:
        view = document_lifecycle(session, bad)
    assert view["integration"]["rule"] == "CPRO-INTEGRATION-RECIPIENT-UNKNOWN"
    assert view["document"]["chorus_status"] == "IN_REJETE"

    # nothing left to follow: no more calls for this deposit
    calls_before = sum(client.calls.values())
    again = follow_deposits(ctx, provider, client, settings)
    assert again.checked == 0 and sum(client.calls.values()) == calls_before


def test_a_deposit_that_never_ends_is_left_to_a_person(ctx, sandbox, provider, client):
    dep = deposit(ctx, sandbox, provider, client, count=1)
    settings = LifecycleSettings(max_report_polls=2)
    assert follow_deposits(ctx, provider, client, settings).pending == [dep.flux]
    second = follow_deposits(ctx, provider, client, settings)
    assert second.needs_decision == [dep.flux]
    calls_before = sum(client.calls.values())
    third = follow_deposits(ctx, provider, client, settings)
    assert third.needs_decision == [dep.flux] and third.checked == 0
    assert sum(client.calls.values()) == calls_before  # no unbounded polling
    with ctx.sessions() as session:
        flow = session.get(Flow, dep.flow_id)
        assert flow.state is FlowState.IN_ERROR and flow.error_type == "CHORUS_FLOW_STUCK"
        assert flow.to_check
