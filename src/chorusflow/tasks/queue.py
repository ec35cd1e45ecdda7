"""The work queue (huey) and the hub's tasks.

SqliteHuey (a file beside the database) runs inside ``chorusflow serve``; a
``redis://`` or ``postgresql://`` queue URL lets ``chorusflow worker``
processes on other machines share the work. The queue only carries "look at
this flow / run this job now": huey drops a task whose worker is killed, so
every task re-reads the database, is idempotent, and the periodic reconciler
finds whatever a lost task left behind (leases, flows due).

Tasks are registered on the huey instance built by :func:`build_queue`, once
per process, from the settings; the consumer finds them by name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey, crontab

from chorusflow.context import HubContext
from chorusflow.settings import Settings, get_settings

__all__ = ["Queue", "build_queue", "get_queue", "make_huey"]

log = logging.getLogger(__name__)
_QUEUE: Queue | None = None


def make_huey(settings: Settings) -> Huey:
    url = settings.queue_url
    if not url:
        settings.resolved_home.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("chorusflow", filename=str(settings.resolved_home / "queue.db"), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("chorusflow", url=url, results=False)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresHuey("chorusflow", dsn=url, results=False)
    raise ValueError(f"CHORUSFLOW_QUEUE_URL {url!r}: use redis://host:6379/0 or postgresql://user@host/db")


@dataclass
class Queue:
    huey: Huey
    settings: Settings
    tasks: dict[str, Any]

    def advance(self, flow_id: int) -> None:
        """Ask a worker to move a flow on (after intake, approval, retry)."""
        self.tasks["advance_flow"](flow_id)

    def submit(self, provider_name: str) -> None:
        """Ask a worker to submit a provider's due documents now (several may run: leases)."""
        self.tasks["submit_provider"](provider_name)


_CONTEXT: dict[int, HubContext] = {}


def _ctx(settings: Settings) -> HubContext:
    key = id(settings)
    if key not in _CONTEXT:
        _CONTEXT[key] = HubContext.open(settings, upgrade=False)
    return _CONTEXT[key]


def build_queue(settings: Settings) -> Queue:
    """A huey instance with the hub's tasks and schedules registered on it."""
    from chorusflow.tasks import jobs  # the jobs import the pipeline: kept out of module import time

    huey = make_huey(settings)

    @huey.task(retries=2, retry_delay=30, name="advance_flow")
    def advance_flow(flow_id: int) -> None:
        jobs.advance(_ctx(settings), flow_id)

    @huey.task(name="submit_provider")
    def submit_provider(provider_name: str) -> None:
        jobs.submit_now(_ctx(settings), provider_name)

    @huey.periodic_task(crontab(minute=f"*/{settings.submit_every_minutes}"), name="submit_due")
    def submit_due() -> None:
        jobs.submit_due(_ctx(settings))

    @huey.periodic_task(crontab(minute="*"), name="lifecycle")
    def lifecycle() -> None:
        """Due status syncs (remote: every few minutes; local: nightly), notifications, webhooks."""
        from chorusflow.lifecycle.schedule import tick

        tick(_ctx(settings))

    @huey.periodic_task(crontab(minute="*"), name="reconcile")
    def reconcile() -> None:
        for flow_id in jobs.reconcile(_ctx(settings)):
            advance_flow(flow_id)

    tasks = {
        "advance_flow": advance_flow,
        "submit_provider": submit_provider,
        "submit_due": submit_due,
        "reconcile": reconcile,
        "lifecycle": lifecycle,
    }
    return Queue(huey, settings, tasks)


def get_queue(settings: Settings | None = None) -> Queue:
    """The process's queue, built on first use from ``settings`` (or the environment)."""
    global _QUEUE
    if _QUEUE is None:
        _QUEUE = build_queue(settings or get_settings())
    return _QUEUE
