"""Benchmark: the tracking queries at 10,000 and 1,000,000 documents, SQLite and PostgreSQL.

What it measures: the queries the tracking page, the API and ``chorusflow flows``
really run, by calling their functions (``flow_queries.list_flows``/``count_tab``,
``web.search.search_flows``/``tab_counts``/``tile_counts``), never a copy of
their SQL. Each figure is the median of ``--runs`` timed calls after one
warm-up call (warm cache), each call in a fresh session as a request would.
The ratio 1M/10k says how the time grows with 100x the data: about 1 for an
indexed lookup or an ordered index scan stopped by LIMIT, about 100 for a
full scan.

Set-up (not timed): the schema comes from the migrations
(``HubContext.open``), so the indexes are the real ones. Rows are generated
with a fixed seed (about 10 documents per flow, two years of imports, four
providers, 3,000 customer codes, 5,000 recipients, log-normal amounts, most
flows done, some in error, some with documents rejected in validation, old
flows mostly in History) and bulk-loaded: Core ``insert()`` executemany in
one transaction on SQLite (``synchronous=OFF`` for the load only), ``COPY``
on PostgreSQL followed by ``VACUUM ANALYZE`` (what autovacuum does after a
bulk load). SQLite gets no ``ANALYZE`` unless ``--sqlite-analyze``: the hub
never runs it, so the planner works from its default guesses as in production.

For the largest size, each query's SQL statements are captured at the cursor
and explained (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)``
on PostgreSQL) into ``<out>/plans-<db>-<size>.txt``; the medians go to
``<out>/results.json`` and a Markdown table is printed.

Run: ``.venv/bin/python bench/bench_tracking.py --sizes 10000 1000000 --out /tmp/bench-tracking``
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from chorusflow.context import HubContext
from chorusflow.core.statuses import ChorusStatus, DistributionStatus, FlowState, Stage
from chorusflow.settings import Settings
from chorusflow.storage import schema
from chorusflow.storage.flow_queries import Tab, count_tab, list_flows
from chorusflow.web.accounts import Role, User
from chorusflow.web.search import FlowQuery, search_flows, tab_counts, tile_counts

PG_ADMIN_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
PG_DB = "cf_bench_tracking"
END = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)
SPAN = timedelta(days=730)
PROVIDERS = [("Acme Services", "ACM", 0.4), ("Batiplus", "BTP", 0.3), ("Cleanco", "CLN", 0.2)]
PROVIDERS += [("Dataline", "DTL", 0.1)]
KINDS = "Commune|Centre hospitalier|Lycee|College|Departement|Universite|Syndicat des eaux".split("|")  # noqa: SIM905
CITY_HEADS = "Saint- Mont Ville Bourg Val Port Pont Roche".split()  # noqa: SIM905
CITY_TAILS = (  # noqa: SIM905
    "Martin Denis Etienne Laurent Pierre Andre Lucie Claire Remy Paul Brieuc Malo Omer Quentin Nazaire "
    "Tropez Gilles Jean Louis Marc Michel Nicolas Yves Aubin Cyr Ouen Priest Avold Amand Dizier Flour Lo "
    "Raphael Chamond Genis Fons Herblain Sebastien Germain Mande"
).split()
CITIES = [head + tail for head in CITY_HEADS for tail in CITY_TAILS]  # 320 cities
N_RECIPIENTS = 5000
N_CUSTOMER_CODES = 3000
CHORUS_SPREAD = [
    (ChorusStatus.PAYMENT_ISSUED, 40),
    (ChorusStatus.ACCOUNTED, 14),
    (ChorusStatus.PAYMENT_ORDERED, 10),
    (ChorusStatus.MADE_AVAILABLE, 12),
    (ChorusStatus.TAKEN_INTO_ACCOUNT, 8),
    (ChorusStatus.DEPOSITED, 3),
    (ChorusStatus.SENT_TO_ACCOUNTANT, 3),
    (ChorusStatus.SUSPENDED, 3),
    (ChorusStatus.REJECTED, 3),
    (ChorusStatus.REJECTED_BY_CHORUS, 1),
    (ChorusStatus.TO_RECYCLE, 2),
    (ChorusStatus.COMPLETED, 1),
]
# (stage, state, share) of flows; running and waiting only in the last 14 days (older ones finished)
FLOW_SPREAD = [
    (Stage.DISTRIBUTION, FlowState.DONE, 0.915),
    (Stage.VALIDATION, FlowState.WAITING, 0.03),
    (Stage.DISTRIBUTION, FlowState.RUNNING, 0.01),
    (Stage.SIGNATURE, FlowState.RUNNING, 0.005),
    (Stage.IMPORT, FlowState.IN_ERROR, 0.005),
    (Stage.PREPARATION, FlowState.IN_ERROR, 0.015),
    (Stage.VALIDATION, FlowState.IN_ERROR, 0.015),
    (Stage.DISTRIBUTION, FlowState.IN_ERROR, 0.005),
]
STAGES = list(Stage)
ADMIN = User(id=0, login="bench-admin", role=Role.ADMIN)
ONE_PROVIDER = User(id=1, login="bench-user", role=Role.TRACKING, providers=("Batiplus",))


# ---------------------------------------------------------------- data


class Universe:
    """The fixed population the rows draw from: recipients, customer codes."""

    def __init__(self, rng: random.Random) -> None:
        self.recipients = []
        for i in range(N_RECIPIENTS):
            name = f"{KINDS[i % len(KINDS)]} de {CITIES[(i // len(KINDS)) % len(CITIES)]}"
            if i >= len(KINDS) * len(CITIES):
                name += f" {i // (len(KINDS) * len(CITIES)) + 1}"
            self.recipients.append((name, f"2{i:08d}{rng.randrange(10000):05d}"))
        self.codes = [f"C{i:05d}" for i in range(N_CUSTOMER_CODES)]
        # Zipf-like popularity: a few big customers, a long tail (cumulative, for bisect)
        self.recipient_cum = list(accumulate(1 / (i + 1) ** 0.8 for i in range(N_RECIPIENTS)))
        self.code_cum = list(accumulate(1 / (i + 1) ** 0.8 for i in range(N_CUSTOMER_CODES)))

    def recipient(self, rng: random.Random) -> tuple[str, str]:
        return self.recipients[bisect(self.recipient_cum, rng.random() * self.recipient_cum[-1])]

    def code(self, rng: random.Random) -> str:
        return self.codes[bisect(self.code_cum, rng.random() * self.code_cum[-1])]


def _pick_flow_kind(rng: random.Random, recent: bool) -> tuple[Stage, FlowState]:
    r, acc = rng.random(), 0.0
    for stage, state, share in FLOW_SPREAD:
        acc += share
        if r < acc:
            if state in (FlowState.RUNNING, FlowState.WAITING) and not recent:
                return Stage.DISTRIBUTION, FlowState.DONE
            return stage, state
    return Stage.DISTRIBUTION, FlowState.DONE


def generate(n_docs: int, seed: int = 7, chunk_flows: int = 5000) -> Iterator[tuple[list, list, list]]:
    """(flows, files, documents) row dicts, in chunks, about 10 documents per flow."""
    rng = random.Random(seed)
    uni = Universe(rng)
    n_flows = max(1, n_docs // 10)
    chorus_values = [c.value for c, _ in CHORUS_SPREAD]
    chorus_weights = list(accumulate(w for _, w in CHORUS_SPREAD))
    seq = {p[1]: 0 for p in PROVIDERS}
    doc_id = file_id = 0
    sizes = _flow_sizes(rng, n_docs, n_flows)
    flows: list[dict] = []
    files: list[dict] = []
    docs: list[dict] = []
    for flow_id in range(1, n_flows + 1):
        imported_at = END - SPAN * (1 - (flow_id - 0.5) / n_flows) + timedelta(seconds=rng.randrange(600))
        age = END - imported_at
        stage, state = _pick_flow_kind(rng, recent=age < timedelta(days=14))
        p_index = rng.choices(range(len(PROVIDERS)), weights=[p[2] for p in PROVIDERS])[0]
        pname, prefix, _ = PROVIDERS[p_index]
        n = sizes[flow_id - 1]
        if age > timedelta(days=365):
            in_history = rng.random() < 0.7
        elif age > timedelta(days=180):
            in_history = rng.random() < 0.2
        else:
            in_history = False
        rejected_docs = rng.random() < 0.02 and state is FlowState.DONE
        extra_error_file = rng.random() < 0.02
        duplicate_file = rng.random() < 0.01
        dates: list[date] = []
        numbers: list[str] = []
        for k in range(n):
            file_id += 1
            doc_id += 1
            is_pdf = rng.random() < 0.6
            files.append(
                {
                    "id": file_id,
                    "flow_id": flow_id,
                    "name": f"invoice-{doc_id}.{'pdf' if is_pdf else 'xml'}",
                    "size": rng.randrange(8_000, 400_000),
                    "sha256": f"{file_id:064x}",
                    "media_type": "application/pdf" if is_pdf else "application/xml",
                    "format": "facturx" if is_pdf else rng.choice(("cii", "ubl")),
                    "profile": "EN16931" if is_pdf else None,
                    "error_type": None,
                    "error_message": None,
                    "error_resolution": None,
                    "duplicate_of_flow_id": None,
                    "parent_name": None,
                }
            )
            seq[prefix] += 1
            number = f"{prefix}-{imported_at.year}-{seq[prefix]:07d}"
            issue = (imported_at - timedelta(days=rng.randrange(0, 10))).date()
            dates.append(issue)
            numbers.append(number)
            name, siret = uni.recipient(rng)
            ht = Decimal(str(round(math.exp(rng.gauss(7.0, 1.3)), 2)))
            vat = (ht * Decimal("0.20")).quantize(Decimal("0.01"))
            status, chorus, comment = _document_status(
                rng, stage, state, k, rejected_docs, chorus_values, chorus_weights
            )
            docs.append(
                {
                    "id": doc_id,
                    "flow_id": flow_id,
                    "file_id": file_id,
                    "number": number,
                    "issue_date": issue,
                    "type": "credit_note" if rng.random() < 0.05 else "invoice",
                    "type_code": "381" if rng.random() < 0.05 else "380",
                    "customer_code": uni.code(rng),
                    "recipient_name": name,
                    "recipient_siret": siret,
                    "service_code": rng.choice((None, "SERV01", "COMPTA", "DST")),
                    "engagement_number": rng.choice((None, f"EJ{rng.randrange(10**8):08d}")),
                    "supplier_siret": f"1234567800{p_index:04d}",
                    "total_without_vat": ht,
                    "total_vat": vat,
                    "total_with_vat": ht + vat,
                    "currency": "EUR",
                    "distribution_channel": "chorus_pro",
                    "distribution_status": status,
                    "chorus_status": chorus,
                    "status_updated_at": imported_at + timedelta(days=rng.randrange(0, 40))
                    if chorus
                    else None,
                    "comment": comment,
                    "invoice": {
                        "number": number,
                        "issue_date": issue.isoformat(),
                        "seller": pname,
                        "buyer": {"name": name, "siret": siret},
                        "currency": "EUR",
                        "totals": {"without_vat": str(ht), "vat": str(vat), "with_vat": str(ht + vat)},
                        "lines": [{"id": "1", "quantity": "1", "net": str(ht), "vat_rate": "20"}],
                    },
                    "needs_data": False,
                    "intake_metadata": {"label": rng.choice(("north", "south"))}
                    if rng.random() < 0.1
                    else None,
                    "validation": {"errors": [], "warnings": []},
                    "deposit_sha256": None,
                }
            )
        if extra_error_file or (state is FlowState.IN_ERROR and stage is Stage.IMPORT):
            file_id += 1
            files.append(_error_file(file_id, flow_id, "UNSUPPORTED_FORMAT", None))
        if duplicate_file:
            file_id += 1
            files.append(_error_file(file_id, flow_id, "DUPLICATE_FILE", max(1, flow_id - 3)))
        last = STAGES.index(stage) + (state is FlowState.DONE)
        ended = {
            s.value: (imported_at + timedelta(seconds=5 * (i + 1))).isoformat()
            for i, s in enumerate(STAGES[:last])
        }
        error = state is FlowState.IN_ERROR
        flows.append(
            {
                "id": flow_id,
                "submitter": f"user{rng.randrange(20):02d}",
                "imported_at": imported_at,
                "source": rng.choice(("web", "hot_folder", "api")),
                "provider": pname,
                "validator_name": f"validator{rng.randrange(5)}" if rng.random() < 0.3 else None,
                "first_invoice_date": min(dates),
                "last_invoice_date": max(dates),
                "first_invoice_number": min(numbers),
                "last_invoice_number": max(numbers),
                "stage_ended_at": ended,
                "error_stage": stage.value if error else None,
                "error_type": ("XML_MALFORMED" if stage is Stage.PREPARATION else "DISTRIBUTION_FAILED")
                if error
                else None,
                "error_message": "bench error" if error else None,
                "error_resolution": "fix and retry" if error else None,
                "error_at": imported_at + timedelta(seconds=30) if error else None,
                "in_history": in_history,
                "stage": stage.value,
                "state": state.value,
            }
        )
        if len(flows) >= chunk_flows:
            yield flows, files, docs
            flows, files, docs = [], [], []
    if flows:
        yield flows, files, docs


def _flow_sizes(rng: random.Random, n_docs: int, n_flows: int) -> list[int]:
    """1 to 19 documents per flow (10 on average), summing exactly to ``n_docs``."""
    sizes = [rng.randint(1, 19) for _ in range(n_flows)]
    diff = n_docs - sum(sizes)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(n_flows)
        if 1 <= sizes[i] + step <= 19:
            sizes[i] += step
            diff -= step
    return sizes


def _document_status(
    rng: random.Random, stage: Stage, state: FlowState, k: int, rejected: bool, values: list, weights: list
) -> tuple[str | None, str | None, str | None]:
    if state is FlowState.DONE:
        if rejected and k < 2:
            return DistributionStatus.REJECTED_IN_VALIDATION.value, None, "wrong purchase order"
        chorus = rng.choices(values, cum_weights=weights)[0]
        comment = "recipient comment" if chorus in ("SUSPENDUE", "REJETEE") else None
        return DistributionStatus.DISTRIBUTED.value, chorus, comment
    if state is FlowState.IN_ERROR:
        if stage in (Stage.IMPORT, Stage.PREPARATION):
            return None, None, None
        return DistributionStatus.IN_ERROR.value, None, None
    if stage is Stage.VALIDATION:
        return DistributionStatus.PENDING_VALIDATION.value, None, None
    if stage is Stage.SIGNATURE:
        return DistributionStatus.SIGNING.value, None, None
    return DistributionStatus.IN_DISTRIBUTION.value, None, None


def _error_file(file_id: int, flow_id: int, error: str, duplicate_of: int | None) -> dict:
    return {
        "id": file_id,
        "flow_id": flow_id,
        "name": f"extra-{file_id}.docx",
        "size": 12_000,
        "sha256": f"{file_id:064x}",
        "media_type": "application/octet-stream",
        "format": "unknown",
        "profile": None,
        "error_type": error,
        "error_message": "bench",
        "error_resolution": "bench",
        "duplicate_of_flow_id": duplicate_of,
        "parent_name": None,
    }


# ---------------------------------------------------------------- loading


LOADED = ("flows", "files", "documents")


def load_sqlite(ctx: HubContext, n_docs: int) -> None:
    """One transaction; the migrations' indexes are dropped and rebuilt from their own DDL.

    Building an index once over sorted keys is several times faster than
    updating ten of them row by row; the DDL is read back from
    ``sqlite_master``, so the indexes queried are exactly the migrated ones.
    """
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-512000")
        marks = ",".join("?" * len(LOADED))
        ddl = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master "
            f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            LOADED,
        ).all()
        for name, _ in ddl:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        for flows, files, docs in generate(n_docs):
            conn.execute(insert(schema.flows), flows)
            conn.execute(insert(schema.files), files)
            conn.execute(insert(schema.documents), docs)
        for _, sql in ddl:
            conn.exec_driver_sql(sql)
        conn.commit()
    ctx.engine.dispose()  # the load-only pragmas go with the connection


def load_postgresql(ctx: HubContext, n_docs: int) -> None:
    """COPY with foreign-key triggers off (the rows are consistent by construction), then
    the migrations' secondary indexes rebuilt from ``pg_indexes``, then VACUUM ANALYZE."""
    raw = ctx.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(LOADED),),
        )
        ddl = cur.fetchall()
        for name, _ in ddl:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET maintenance_work_mem = '256MB'")
        for flows, files, docs in generate(n_docs):
            for table, rows in ((schema.flows, flows), (schema.files, files), (schema.documents, docs)):
                cols = [c.name for c in table.columns]
                json_cols = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
                with cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(
                            [
                                json.dumps(row[c]) if c in json_cols and row[c] is not None else row[c]
                                for c in cols
                            ]
                        )
        cur.execute("SET session_replication_role = DEFAULT")
        for _, sql in ddl:
            cur.execute(sql)
        for table in LOADED:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


# ---------------------------------------------------------------- queries


def queries(ctx: HubContext) -> dict[str, Callable[[Session], Any]]:
    """Name -> the app's own call; search values picked from the loaded data."""
    with ctx.engine.connect() as conn:
        d = schema.documents
        mid = conn.execute(text("SELECT max(id) FROM documents")).scalar_one() // 2
        row = conn.execute(d.select().where(d.c.id == mid)).one()
    month_from = row.issue_date.replace(day=1)
    month_to = (month_from + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    recipient_name = row.recipient_name
    return {
        "cli: list_flows Active (50)": lambda s: list_flows(s, Tab.ACTIVE, limit=50),
        "cli: list_flows To check (50)": lambda s: list_flows(s, Tab.TO_CHECK, limit=50),
        "cli: list_flows History (50)": lambda s: list_flows(s, Tab.HISTORY, limit=50),
        "cli: count_tab To check (badge)": lambda s: count_tab(s, Tab.TO_CHECK),
        "web: page Active (50 + total)": lambda s: search_flows(s, ADMIN, FlowQuery(tab=Tab.ACTIVE)),
        "web: page To check (50 + total)": lambda s: search_flows(s, ADMIN, FlowQuery(tab=Tab.TO_CHECK)),
        "web: page History (50 + total)": lambda s: search_flows(s, ADMIN, FlowQuery(tab=Tab.HISTORY)),
        "web: page Active, one-provider user": lambda s: search_flows(s, ONE_PROVIDER, FlowQuery()),
        "web: tab_counts (3 tabs, badge)": lambda s: tab_counts(s, ADMIN),
        "web: tile_counts (step + status)": lambda s: tile_counts(s, ADMIN, FlowQuery()),
        "web: tile filter state=in_error": lambda s: search_flows(
            s, ADMIN, FlowQuery(state=FlowState.IN_ERROR)
        ),
        "search: number (full number)": lambda s: search_flows(s, ADMIN, FlowQuery(number=row.number)),
        "search: number prefix (1/1000)": lambda s: search_flows(s, ADMIN, FlowQuery(number=row.number[:-3])),
        "search: one month + amount 1000-5000": lambda s: search_flows(
            s, ADMIN, FlowQuery(date_from=month_from, date_to=month_to, amount_min="1000", amount_max="5000")
        ),
        "search: customer code": lambda s: search_flows(s, ADMIN, FlowQuery(customer_code=row.customer_code)),
        "search: recipient name (contains)": lambda s: search_flows(
            s, ADMIN, FlowQuery(recipient=recipient_name)
        ),
        "search: recipient SIRET": lambda s: search_flows(s, ADMIN, FlowQuery(recipient=row.recipient_siret)),
        "search: status in_error": lambda s: search_flows(
            s, ADMIN, FlowQuery(status=DistributionStatus.IN_ERROR)
        ),
        "search: Chorus status SUSPENDUE": lambda s: search_flows(
            s, ADMIN, FlowQuery(chorus_status=ChorusStatus.SUSPENDED)
        ),
        "search tiles: customer code": lambda s: tile_counts(
            s, ADMIN, FlowQuery(customer_code=row.customer_code)
        ),
    }


def time_queries(ctx: HubContext, runs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, call in queries(ctx).items():
        samples = []
        for i in range(runs + 1):
            with ctx.sessions() as session:
                t0 = time.perf_counter()
                result = call(session)
                elapsed = time.perf_counter() - t0
            if i:  # the first call warms the cache
                samples.append(elapsed * 1000)
        out[name] = {"median_ms": statistics.median(samples), "min_ms": min(samples), "rows": _size(result)}
        print(f"  {name:42s} {out[name]['median_ms']:9.2f} ms", flush=True)
    return out


def _size(result: Any) -> Any:
    if isinstance(result, tuple):
        return [len(result[0]), result[1]]
    if isinstance(result, dict):
        return result.get("to-check", len(result))
    return len(result) if hasattr(result, "__len__") else result


def explain_all(ctx: HubContext, path: Path) -> None:
    """Capture each query's statements at the cursor, then explain them one by one."""
    dialect = ctx.engine.dialect.name
    lines: list[str] = []
    for name, call in queries(ctx).items():
        captured: list[tuple[str, Any]] = []

        def grab(conn, cursor, statement, parameters, context, executemany, out=captured):  # type: ignore[no-untyped-def]
            out.append((statement, parameters))

        event.listen(ctx.engine, "before_cursor_execute", grab)
        try:
            with ctx.sessions() as session:
                call(session)
        finally:
            event.remove(ctx.engine, "before_cursor_execute", grab)
        lines.append(f"\n######## {name}")
        for statement, params in captured:
            lines.append(f"\n-- SQL: {' '.join(statement.split())[:1200]}\n-- params: {str(params)[:300]}")
            with ctx.engine.connect() as conn:
                if dialect == "sqlite":
                    plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
                    lines += [f"   {'  ' * _depth(plan, r)}{r[3]}" for r in plan]
                else:
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).all()
                    lines += [f"   {r[0]}" for r in plan]
    path.write_text("\n".join(lines) + "\n")


def _depth(plan: list, row: Any) -> int:
    parents = {r[0]: r[1] for r in plan}
    depth, parent = 0, row[1]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


# ---------------------------------------------------------------- driver


def open_hub(db: str, n_docs: int, work: Path, pg_admin: str) -> HubContext:
    home = work / f"{db}-{n_docs}"
    if db == "sqlite":
        return HubContext.open(Settings(home=home))
    name = f"{PG_DB}_{n_docs}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    return HubContext.open(Settings(home=home, database_url=url))


def drop_pg(n_docs: int, pg_admin: str) -> None:
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}_{n_docs}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--runs", type=int, default=5, help="timed calls per query (median)")
    parser.add_argument("--pg-url", default=PG_ADMIN_URL, help="a PostgreSQL URL allowed to create databases")
    parser.add_argument("--sqlite-analyze", action="store_true", help="run ANALYZE after the SQLite load")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-tracking")
    parser.add_argument("--label", default="run", help="key of this run in results.json (e.g. before/after)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results_path = args.out / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    run: dict[str, Any] = results.setdefault(args.label, {})
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        for db in args.databases:
            for n in args.sizes:
                print(f"== {db}, {n:,} documents", flush=True)
                ctx = open_hub(db, n, Path(tmp), args.pg_url)
                try:
                    t0 = time.perf_counter()
                    (load_sqlite if db == "sqlite" else load_postgresql)(ctx, n)
                    if db == "sqlite" and args.sqlite_analyze:
                        with ctx.engine.begin() as conn:
                            conn.exec_driver_sql("ANALYZE")
                    load_s = time.perf_counter() - t0
                    print(f"  loaded in {load_s:.1f} s", flush=True)
                    timings = time_queries(ctx, args.runs)
                    run[f"{db}/{n}"] = {"load_s": load_s, "queries": timings}
                    if n == max(args.sizes):
                        explain_all(ctx, args.out / f"plans-{args.label}-{db}-{n}.txt")
                finally:
                    ctx.close()
                    if db == "postgresql":
                        drop_pg(n, args.pg_url)
                results_path.write_text(json.dumps(results, indent=1))
    print_table(run, args.sizes, args.databases)


def print_table(run: dict, sizes: list[int], dbs: list[str]) -> None:
    lo, hi = min(sizes), max(sizes)
    head = ["query"]
    for db in dbs:
        head += [f"{db} {lo:,} (ms)", f"{db} {hi:,} (ms)", "ratio"]
    print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    names = next(iter(run.values()))["queries"].keys()
    for name in names:
        cells = [name]
        for db in dbs:
            a = run.get(f"{db}/{lo}", {}).get("queries", {}).get(name, {}).get("median_ms")
            b = run.get(f"{db}/{hi}", {}).get("queries", {}).get(name, {}).get("median_ms")
            cells += [f"{a:.1f}" if a else "-", f"{b:.1f}" if b else "-", f"{b / a:.1f}" if a and b else "-"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
