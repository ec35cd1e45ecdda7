"""The queue: two ``chorusflow worker`` processes on Redis or PostgreSQL share the work.

Workers are real subprocesses; the hub database is PostgreSQL (the scale-out
setting), the queue a real Redis. Correctness does not depend on the queue:
a lost task is found again by the reconciler.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from chorusflow.context import HubContext
from chorusflow.core.statuses import FlowState, Stage
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.settings import Settings
from chorusflow.storage.flow_queries import get_flow
from chorusflow.tasks.jobs import reconcile
from chorusflow.tasks.queue import build_queue
from tests.pipeline.conftest import PLAIN_TOWN, SUPPLIER
from tests.sandbox import invoices

REDIS_URL = os.environ.get("CHORUSFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def wait_for(predicate, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def redis_url() -> str:
    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({exc}). Run the suite with `bash scripts/test.sh`."
        )
    return REDIS_URL


@pytest.mark.parametrize("backend", ["redis", "postgresql"])
def test_two_workers_share_a_queue_and_advance_flows(
    tmp_path: Path, pg_url: str, redis_url: str, backend: str
) -> None:
    from tests.conftest import _reset_pg

    _reset_pg(pg_url)
    queue_url = redis_url if backend == "redis" else pg_url.replace("postgresql+psycopg://", "postgresql://")
    settings = Settings(home=tmp_path / "home", database_url=pg_url, queue_url=queue_url)
    hub = HubContext.open(settings)
    flow_ids = []
    for k in range(4):
        files = [(f"W{k}-{i}.xml", invoices.ubl(f"W{k}-{i}", SUPPLIER, PLAIN_TOWN)) for i in range(3)]
        flow_ids.append(import_items(hub, from_bytes(files), submitter="w").flow_id)
    env = {
        **os.environ,
        "CHORUSFLOW_HOME": str(settings.resolved_home),
        "CHORUSFLOW_DATABASE_URL": pg_url,
        "CHORUSFLOW_QUEUE_URL": queue_url,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "chorusflow.cli.app", "worker", "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        queue = build_queue(settings)
        for flow_id in flow_ids:
            queue.advance(flow_id)

        def done() -> bool:
            with hub.sessions() as session:
                flows = [get_flow(session, f) for f in flow_ids]
                # no provider configured: validation runs without the directory, distribution waits in error
                return all(f is not None and f.stage is Stage.DISTRIBUTION for f in flows)

        assert wait_for(done, timeout=240), [w.poll() for w in workers]
        with hub.sessions() as session:
            for flow_id in flow_ids:
                flow = get_flow(session, flow_id)
                assert (
                    flow is not None and flow.state is FlowState.IN_ERROR and flow.error_type == "NO_PROVIDER"
                )
                assert flow.error_resolution and "provider add" in flow.error_resolution
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(15)
        hub.close()


def test_reconciler_finds_flows_whose_task_was_lost(hub: HubContext) -> None:
    files = [("L-1.xml", invoices.ubl("L-1", SUPPLIER, PLAIN_TOWN))]
    flow_id = import_items(hub, from_bytes(files), submitter="w").flow_id  # no task was queued
    assert reconcile(hub) == [flow_id]


def test_schedules_and_automatic_submission_only_for_providers_that_want_it(tmp_path: Path) -> None:
    from chorusflow.sandbox.runner import SandboxServer
    from chorusflow.tasks.jobs import submit_now
    from tests.pipeline.conftest import make_wired

    settings = Settings(home=tmp_path / "q", submit_every_minutes=7)
    queue = build_queue(settings)
    from datetime import datetime

    def due(minute: int) -> set[str]:
        return {t.name.rsplit(".", 1)[-1] for t in queue.huey.read_periodic(datetime(2026, 1, 1, 10, minute))}

    assert [m for m in range(60) if "submit_due" in due(m)] == list(range(0, 60, 7))  # as configured
    assert all(
        {"reconcile", "lifecycle"} <= due(m) for m in range(60)
    )  # reconciler and status sync: every minute
    with SandboxServer(tmp_path / "sb") as server:
        wired = make_wired(tmp_path, server)
        with wired.hub.sessions() as session:
            from chorusflow.providers.service import get_provider

            provider = get_provider(session, "acme")
            assert provider is not None
            provider.auto_submit = False
            session.commit()
        files = [("A.xml", invoices.ubl("AUTO-1", SUPPLIER, PLAIN_TOWN))]
        from chorusflow.pipeline.runner import advance_flow

        advance_flow(wired.hub, import_items(wired.hub, from_bytes(files), submitter="a").flow_id)
        assert submit_now(wired.hub, only_auto=True) == {}  # automatic run skips it
        assert submit_now(wired.hub, "acme")["acme"]["outcomes"] == {"sent": 1}  # manual submit sends
        wired.hub.close()
