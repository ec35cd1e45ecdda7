"""Intake → Deposited in the sandbox: throughput against validation alone, API calls, memory.

Usage:
  .venv/bin/python bench/bench_distribution.py [--n 10000] [--redis redis://127.0.0.1:6379/14]

Runs the sandbox as its own process (so it does not share the hub's GIL),
then on a fresh embedded-default home (SQLite + blob store):
  1. validation only: ``check_bytes`` (EN 16931 official XSLT + Chorus pre-flight) over the N files;
  2. the pipeline: intake of the N files as flows of 500, ``advance_flow`` (validation with the
     cached directory, opening of submissions), then submission to the sandbox until every
     document is Deposited. Reports documents/s as a ratio of (1), Chorus API calls per invoice
     (token included) and the process's peak RSS;
  3. with ``--redis``: the same pipeline driven by two ``chorusflow worker`` processes on Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.sandbox import invoices  # noqa: E402

from chorusflow.context import HubContext  # noqa: E402
from chorusflow.intake.service import import_items  # noqa: E402
from chorusflow.intake.sources import from_bytes  # noqa: E402
from chorusflow.pipeline.checks import check_bytes  # noqa: E402
from chorusflow.pipeline.distribution import submit_pending  # noqa: E402
from chorusflow.pipeline.runner import advance_flow  # noqa: E402
from chorusflow.providers.service import ProviderSecrets, add_provider, client_for, get_provider  # noqa: E402
from chorusflow.sandbox.seed import DEFAULT_CLIENT, DEFAULT_SUPPLIER, make_siret  # noqa: E402
from chorusflow.settings import Settings  # noqa: E402
from chorusflow.storage import schema  # noqa: E402

FLOW_SIZE = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox(work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chorusflow.cli.app",
            "sandbox",
            "--port",
            str(port),
            "--data",
            str(work / "sb"),
            "--time-factor",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/sandbox/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("sandbox did not start")


def make_files(n: int, prefix: str) -> list[tuple[str, bytes]]:
    supplier, town = make_siret(50), make_siret(1)
    return [(f"{prefix}{i:06d}.xml", invoices.ubl(f"{prefix}{i:06d}", supplier, town)) for i in range(n)]


def hub_for(home: Path, base: str, **kw: object) -> HubContext:
    hub = HubContext.open(Settings(home=home, submit_uncertain_grace_seconds=0, **kw))  # type: ignore[arg-type]
    with hub.sessions() as session:
        if get_provider(session, "bench") is None:
            add_provider(
                session,
                hub.secrets,
                name="bench",
                siret=make_siret(50),
                login=DEFAULT_SUPPLIER["login"],
                secrets=ProviderSecrets(
                    password=DEFAULT_SUPPLIER["password"], client_secret=DEFAULT_CLIENT["client_secret"]
                ),
                client_id=DEFAULT_CLIENT["client_id"],
                api_url=base,
                token_url=f"{base}/api/oauth/token",
            )
            session.commit()
    return hub


def deposited(hub: HubContext) -> int:
    with hub.engine.connect() as conn:
        return (
            conn.scalar(
                schema.submissions.select()
                .with_only_columns(func.count(schema.submissions.c.id))
                .where(schema.submissions.c.state.in_(("deposited", "integrated")))
            )
            or 0
        )


def validation_only(files: list[tuple[str, bytes]]) -> float:
    check_bytes(files[0][1], files[0][0])  # compile the stylesheets outside the timing
    start = time.perf_counter()
    for name, data in files:
        assert check_bytes(data, name).valid
    return len(files) / (time.perf_counter() - start)


def pipeline_in_process(hub: HubContext, files: list[tuple[str, bytes]]) -> tuple[float, Counter]:
    calls: Counter = Counter()
    clients = []

    def factory(provider):  # type: ignore[no-untyped-def]
        client = client_for(provider, hub.secrets)
        clients.append(client)
        return client

    start = time.perf_counter()
    for k in range(0, len(files), FLOW_SIZE):
        flow_id = import_items(hub, from_bytes(files[k : k + FLOW_SIZE]), submitter="bench").flow_id
        advance_flow(hub, flow_id, client_factory=factory)
    with hub.sessions() as session:
        provider = get_provider(session, "bench")
        assert provider is not None
        while deposited(hub) < len(files):
            submit_pending(hub, session, provider, lambda: factory(provider))
    elapsed = time.perf_counter() - start
    for client in clients:
        calls.update(client.calls)
    return len(files) / elapsed, calls


def pipeline_two_workers(work: Path, base: str, files: list[tuple[str, bytes]], redis_url: str) -> float:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    home = work / "home-redis"
    hub = hub_for(home, base, queue_url=redis_url)
    from chorusflow.tasks.queue import build_queue

    queue = build_queue(hub.settings)
    env = {
        **os.environ,
        "CHORUSFLOW_HOME": str(home),
        "CHORUSFLOW_QUEUE_URL": redis_url,
        "CHORUSFLOW_SUBMIT_UNCERTAIN_GRACE_SECONDS": "0",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "chorusflow.cli.app", "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        start = time.perf_counter()
        for k in range(0, len(files), FLOW_SIZE):
            queue.advance(import_items(hub, from_bytes(files[k : k + FLOW_SIZE]), submitter="bench").flow_id)
        while deposited(hub) < len(files):
            with hub.engine.connect() as conn:
                opened = (
                    conn.scalar(
                        schema.submissions.select().with_only_columns(func.count(schema.submissions.c.id))
                    )
                    or 0
                )
            if opened:
                queue.submit("bench")
                queue.submit("bench")
            time.sleep(1.0)
            if time.perf_counter() - start > 3600:
                raise RuntimeError("two-worker run did not finish within an hour")
        return len(files) / (time.perf_counter() - start)
    finally:
        for w in workers:
            w.terminate()
        hub.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--redis", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cf-dist-"))
    sandbox, base = start_sandbox(work)
    try:
        files = make_files(args.n, "D")
        val_rate = validation_only(files)
        hub = hub_for(work / "home", base)
        rate, calls = pipeline_in_process(hub, files)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total_calls = sum(calls.values())
        result = {
            "n": args.n,
            "validation_only_docs_per_s": round(val_rate, 1),
            "pipeline_docs_per_s": round(rate, 1),
            "ratio_pipeline_to_validation": round(rate / val_rate, 3),
            "api_calls_per_invoice": round(total_calls / args.n, 3),
            "api_calls": dict(calls),
            "peak_rss_mib": round(peak),
        }
        if args.redis:
            two = pipeline_two_workers(work, base, make_files(args.n, "R"), args.redis)
            result["two_workers_redis_docs_per_s"] = round(two, 1)
            result["ratio_two_workers_to_validation"] = round(two / val_rate, 3)
        print(json.dumps(result, indent=2))
    finally:
        sandbox.terminate()


if __name__ == "__main__":
    main()
