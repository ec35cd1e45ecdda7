"""Benchmark: one status-sync cycle over many deposited invoices of which a few changed.

What it measures, against the real sandbox over HTTP:

* API calls of one ``sync_provider`` cycle, split into ``rechercher/fournisseur``
  pages and ``consulter/historique`` calls, against the lower bound: the pages
  needed to list just the changed invoices (``ceil(changed / page_size)``), and
  one history call per changed invoice (the timeline and recipients' comments
  cannot be had otherwise);
* the cycle's wall-clock duration.

Set-up (not timed): the sandbox is started once so it seeds its directory,
then stopped; ``N`` invoices are written straight into its SQLite database
(loading 100,000 through ``soumettre`` would take hours), with statuses
spread over the previous 100 days, and an index on ``history(invoice_id)`` is
added there so the benchmark measures the hub rather than a full-table scan
of the sandbox's history table. The hub's side (flows, documents,
submissions, tracked invoices, and the sync state of a provider synced
before) is bulk-inserted. Then, for each fraction, that many invoices move to
PRISE_EN_COMPTE_DESTINATAIRE (written in the sandbox database, sandbox
stopped), the sandbox restarts and one sync cycle runs. No sandbox code is
changed.

Run: ``.venv/bin/python bench/bench_sync.py --invoices 100000 --fractions 0.01 0.10``
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import socket
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from chorusflow.context import HubContext
from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.sync import sync_provider
from chorusflow.lifecycle.tables import chorus_invoices, sync_states
from chorusflow.providers.service import ProviderSecrets, add_provider, client_for
from chorusflow.sandbox.clock import fmt_minute
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.settings import Settings
from chorusflow.storage import schema

INVOICE_ID_BASE = 1_000_001
DAY = 86_400.0


def load_sandbox(data_dir: Path, creds: dict, n: int, now: float) -> list[float]:
    """N invoices made available over the last 100 days; returns their status times."""
    conn = sqlite3.connect(data_dir / "sandbox.db")
    conn.execute("CREATE INDEX IF NOT EXISTS bench_history_invoice ON history(invoice_id)")
    times = [now - 100 * DAY + i * (99 * DAY / n) for i in range(n)]
    rows, history = [], []
    for i, at in enumerate(times):
        inv_id = INVOICE_ID_BASE + i
        rows.append(
            (
                inv_id,
                creds["supplier_id"],
                creds["recipient_id"],
                f"B{i:08d}",
                "2026-01-05",
                "EUR",
                "100.00",
                "20.00",
                "120.00",
                "120.00",
                "SAISIE_API",
                "JSON",
                "MISE_A_DISPOSITION",
                at,
                at - 60,
            )
        )
        history.append((inv_id, "DEPOSEE", at - 60, None, "platform"))
        history.append((inv_id, "MISE_A_DISPOSITION", at, None, "platform"))
    with conn:
        conn.executemany(
            "INSERT INTO invoices (id, supplier_id, recipient_id, number, invoice_date, currency, "
            "amount_ht, amount_tva, amount_ttc, amount_due, mode_depot, syntax, status, status_at, "
            "deposited_at, manual) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
            rows,
        )
        conn.executemany(
            "INSERT INTO history (invoice_id, status, at, comment, actor) VALUES (?,?,?,?,?)", history
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('seq:invoice', ?)", (str(INVOICE_ID_BASE + n),)
        )
    conn.close()
    return times


def load_hub(ctx: HubContext, provider_id: int, times: list[float]) -> None:
    now = datetime.now(UTC)
    n = len(times)
    per_flow = 1000
    with ctx.sessions.begin() as session:
        conn = session.connection()
        flows = [
            {
                "id": f + 1,
                "submitter": "bench",
                "imported_at": now,
                "source": "cli",
                "provider": "bench",
                "stage_ended_at": {},
                "in_history": False,
                "stage": "distribution",
                "state": "done",
            }
            for f in range(math.ceil(n / per_flow))
        ]
        conn.execute(insert(schema.flows), flows)
        for start in range(0, n, 20_000):
            chunk = range(start, min(n, start + 20_000))
            conn.execute(
                insert(schema.documents),
                [
                    {
                        "id": i + 1,
                        "flow_id": i // per_flow + 1,
                        "number": f"B{i:08d}",
                        "type": "invoice",
                        "distribution_channel": "chorus_pro",
                        "distribution_status": "distributed",
                        "chorus_status": "MISE_A_DISPOSITION",
                        "total_with_vat": Decimal("120.00"),
                        "currency": "EUR",
                        "needs_data": False,
                    }
                    for i in chunk
                ],
            )
            conn.execute(
                insert(schema.submissions),
                [
                    {
                        "document_id": i + 1,
                        "provider_id": provider_id,
                        "idempotency_key": f"bench:{i}",
                        "state": "integrated",
                        "attempts": 1,
                        "chorus_invoice_id": INVOICE_ID_BASE + i,
                        "created_at": now,
                        "updated_at": now,
                        "deposited_at": now,
                    }
                    for i in chunk
                ],
            )
            conn.execute(
                insert(chorus_invoices),
                [
                    {
                        "document_id": i + 1,
                        "provider_id": provider_id,
                        "chorus_invoice_id": INVOICE_ID_BASE + i,
                        "number": f"B{i:08d}",
                        "remote_status": "MISE_A_DISPOSITION",
                        "remote_status_at": fmt_minute(times[i]),
                        "final": False,
                    }
                    for i in chunk
                ],
            )
        conn.execute(
            insert(sync_states).values(
                provider_id=provider_id, watermark=fmt_minute(max(times)), consecutive_failures=0
            )
        )


def change(data_dir: Path, invoice_ids: list[int], at: float) -> None:
    conn = sqlite3.connect(data_dir / "sandbox.db")
    with conn:
        conn.executemany(
            "UPDATE invoices SET status = 'PRISE_EN_COMPTE_DESTINATAIRE', status_at = ? WHERE id = ?",
            [(at + k * 0.01, i) for k, i in enumerate(invoice_ids)],
        )
        conn.executemany(
            "INSERT INTO history (invoice_id, status, at, comment, actor) VALUES (?,?,?,?,?)",
            [
                (i, "PRISE_EN_COMPTE_DESTINATAIRE", at + k * 0.01, "pris en compte", "bench")
                for k, i in enumerate(invoice_ids)
            ],
        )
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.01, 0.10])
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    data_dir = tmp / "sandbox"
    with socket.socket() as sock:  # one port for every restart, so the provider's URL stays right
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = SandboxServer(data_dir, port=port).start()
    creds = server.credentials
    server.stop()
    now = time.time()
    t0 = time.perf_counter()
    times = load_sandbox(data_dir, creds, args.invoices, now)
    ctx = HubContext.open(Settings(home=tmp / "hub"))
    server = SandboxServer(data_dir, port=port).start()
    with ctx.sessions.begin() as session:
        provider = add_provider(
            session,
            ctx.secrets,
            name="bench",
            siret=creds["supplier_siret"],
            login=creds["login"],
            secrets=ProviderSecrets(password=creds["password"], client_secret=creds["client_secret"]),
            client_id=creds["client_id"],
            api_url=server.base_url,
            token_url=server.token_url,
        )
        session.flush()
        session.expunge(provider)
    load_hub(ctx, provider.id, times)
    server.stop()
    setup_s = time.perf_counter() - t0
    rng = random.Random(7)
    remaining = list(range(INVOICE_ID_BASE, INVOICE_ID_BASE + args.invoices))
    rng.shuffle(remaining)
    results = []
    settings = LifecycleSettings(page_size=args.page_size)
    for round_no, fraction in enumerate(args.fractions):
        k = round(args.invoices * fraction)
        picked, remaining = remaining[:k], remaining[k:]
        change(data_dir, picked, now + 3600 * (round_no + 1))  # each round an hour after the last
        server = SandboxServer(data_dir, port=port).start()
        try:
            with client_for(provider, ctx.secrets) as client:
                client.transport.ensure_token()
                report = sync_provider(ctx, provider, client=client, settings=settings)
        finally:
            server.stop()
        bound_pages = math.ceil(k / args.page_size)
        histories = report.calls.get("factures/consulter/historique", 0)
        other = sum(report.calls.values()) - report.search_pages - histories
        results.append(
            {
                "invoices": args.invoices,
                "changed": k,
                "detected": report.changed,
                "page_size": args.page_size,
                "search_pages": report.search_pages,
                "lower_bound_pages": bound_pages,
                "pages_ratio": round(report.search_pages / bound_pages, 3),
                "history_calls": histories,
                "other_calls": other,
                "total_calls": sum(report.calls.values()),
                "total_ratio": round(sum(report.calls.values()) / (bound_pages + k), 3),
                "rows_read": report.rows_seen,
                "duration_s": round(report.duration_s, 1),
                "error": report.error,
            }
        )
    ctx.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"setup_s": round(setup_s, 1), "results": results}, indent=2))


if __name__ == "__main__":
    main()
