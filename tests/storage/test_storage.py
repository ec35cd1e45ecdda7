"""Storage on SQLite (WAL) and PostgreSQL: migrations, mapping, events, tab queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chorusflow.context import HubContext
from chorusflow.core.entities import Document, Flow, StoredFile
from chorusflow.core.statuses import DistributionStatus, FlowState, Stage
from chorusflow.core.transitions import set_history, transition
from chorusflow.storage import migrate
from chorusflow.storage.flow_queries import Tab, count_tab, find_original, flow_events, get_flow, list_flows

T0 = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def make_flow(n: int = 0, **kw: object) -> Flow:
    flow = Flow(submitter="alice", imported_at=T0 + timedelta(minutes=n), **kw)  # type: ignore[arg-type]
    flow.files.append(StoredFile(f"f{n}.xml", 120, f"{n:064x}", "application/xml", "cii"))
    return flow


def test_migrations_go_up_down_up(any_hub: HubContext) -> None:
    engine = any_hub.engine
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_sqlite_runs_in_wal_mode(hub: HubContext) -> None:
    with hub.engine.connect() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA foreign_keys")) == 1


def test_flow_with_files_documents_and_events_round_trips(any_hub: HubContext) -> None:
    with any_hub.sessions() as session:
        flow = make_flow()
        doc = Document(
            number="FA-2026-001",
            issue_date=date(2026, 11, 2),
            recipient_siret="11000201100044",
            service_code="SERV-1",
            engagement_number="EJ-42",
            total_without_vat=Decimal("100.10"),
            total_vat=Decimal("20.02"),
            total_with_vat=Decimal("120.12"),
            currency="EUR",
            invoice={"number": "FA-2026-001", "totals": {"with_vat": "120.12"}},
        )
        flow.documents.append(doc)
        session.add(flow)
        transition(flow, (Stage.PREPARATION, FlowState.RUNNING), actor="w", at=T0)
        transition(doc, DistributionStatus.PENDING_VALIDATION, actor="w", at=T0)
        session.commit()
        flow_id, doc_id = flow.id, doc.id
    with any_hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        assert (flow.stage, flow.state) == (Stage.PREPARATION, FlowState.RUNNING)
        assert flow.imported_at == T0 and flow.imported_at.tzinfo is not None
        assert flow.files[0].sha256 == "0" * 64
        doc = flow.documents[0]
        assert doc.id == doc_id and doc.total_with_vat == Decimal("120.12")
        assert doc.distribution_status is DistributionStatus.PENDING_VALIDATION
        assert doc.invoice == {"number": "FA-2026-001", "totals": {"with_vat": "120.12"}}
        events = flow_events(session, flow)
        assert [(e.entity, e.attribute, e.to_value) for e in events] == [
            ("flow", "stage_state", "preparation:running"),
            ("document", "distribution_status", "pending_validation"),
        ]
        assert events[0].flow_id == flow_id and events[1].document_id == doc_id


def test_events_are_append_only_in_the_database(any_hub: HubContext) -> None:
    with any_hub.sessions() as session:
        flow = make_flow()
        session.add(flow)
        transition(flow, (Stage.PREPARATION, FlowState.RUNNING), actor="w")
        session.commit()
    for statement in ("UPDATE events SET actor = 'mallory'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), any_hub.engine.begin() as conn:
            conn.execute(text(statement))
    with any_hub.engine.connect() as conn:
        assert conn.scalar(text("SELECT actor FROM events")) == "w"


def test_tabs_badge_and_history(any_hub: HubContext) -> None:
    with any_hub.sessions() as session:
        ok, failed, rejected, archived = (make_flow(i) for i in range(4))
        transition(failed, (Stage.IMPORT, FlowState.IN_ERROR), actor="w")
        doc = Document(number="X")
        rejected.documents.append(doc)
        transition(doc, DistributionStatus.REJECTED_IN_VALIDATION, actor="w")
        set_history(archived, True, actor="bob")
        broken_file = make_flow(5)
        broken_file.files[0].error_type = "XML_MALFORMED"
        dup = make_flow(6)
        dup.files[0].error_type, dup.files[0].duplicate_of_flow_id = "DUPLICATE_FILE", 1
        session.add_all([ok, failed, rejected, archived, broken_file, dup])
        session.commit()
        ids = {
            n: f.id
            for n, f in [
                ("ok", ok),
                ("failed", failed),
                ("rejected", rejected),
                ("archived", archived),
                ("broken", broken_file),
                ("dup", dup),
            ]
        }
    with any_hub.sessions() as session:
        active = [f.id for f in list_flows(session, Tab.ACTIVE)]
        to_check = [f.id for f in list_flows(session, Tab.TO_CHECK)]
        history = [f.id for f in list_flows(session, Tab.HISTORY)]
        assert active == [ids[n] for n in ("dup", "broken", "rejected", "failed", "ok")]  # newest first
        assert to_check == [ids["broken"], ids["rejected"], ids["failed"]]
        assert history == [ids["archived"]]
        assert count_tab(session, Tab.TO_CHECK) == 3
        # the SQL "to check" agrees with the domain property
        assert {f.id for f in list_flows(session, Tab.ACTIVE) if f.to_check} == set(to_check)


def test_find_original_ignores_duplicates(any_hub: HubContext) -> None:
    with any_hub.sessions() as session:
        first = make_flow(1)
        second = make_flow(1)
        second.files[0].duplicate_of_flow_id = 1
        session.add_all([first, second])
        session.commit()
        original = find_original(session, "1".rjust(64, "0"))
        assert original is not None and original.flow_id == first.id
        assert find_original(session, "f" * 64) is None


def test_migrations_match_the_tables_the_code_uses(any_hub: HubContext) -> None:
    """A column added to schema.py without a migration would only break on upgrade."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from chorusflow.storage.all_tables import metadata

    with any_hub.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    assert diff == []
