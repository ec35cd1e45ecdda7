"""The sandbox's own SQLite database: directory, tokens, flows, invoices, history.

The sandbox is a separate application from the hub, so it keeps its own file
(``sandbox.db`` in the data directory) with plain ``sqlite3``: one connection
shared by the request threads behind a re-entrant lock. Every handler runs
inside :meth:`Store.tx`, which makes a request atomic; that is what lets the
"lost response" fault commit a deposit and then drop the answer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS structures (
    id INTEGER PRIMARY KEY,
    siret TEXT NOT NULL UNIQUE,
    designation TEXT NOT NULL,
    type_structure TEXT NOT NULL,
    statut TEXT NOT NULL,
    code_service_required INTEGER NOT NULL DEFAULT 0,
    ej_required INTEGER NOT NULL DEFAULT 0,
    ej_or_service INTEGER NOT NULL DEFAULT 0,
    payment_not_reported INTEGER NOT NULL DEFAULT 0,
    email TEXT, address TEXT, postcode TEXT, city TEXT, vat_number TEXT,
    tech_login TEXT UNIQUE, tech_password TEXT
);
CREATE TABLE IF NOT EXISTS services (
    id INTEGER PRIMARY KEY,
    structure_id INTEGER NOT NULL REFERENCES structures(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    ej_required INTEGER NOT NULL DEFAULT 0,
    UNIQUE (structure_id, code)
);
CREATE TABLE IF NOT EXISTS bank_accounts (
    id INTEGER PRIMARY KEY,
    structure_id INTEGER NOT NULL REFERENCES structures(id),
    name TEXT NOT NULL, iban TEXT NOT NULL, bic TEXT
);
CREATE TABLE IF NOT EXISTS oauth_clients (client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, issued_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    structure_id INTEGER,
    name TEXT NOT NULL, mime TEXT, ext TEXT,
    data BLOB NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS flows (
    id INTEGER PRIMARY KEY,
    numero TEXT NOT NULL UNIQUE,
    structure_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    syntax TEXT NOT NULL,
    data BLOB NOT NULL,
    deposited_at REAL NOT NULL,
    state TEXT NOT NULL,
    state_at REAL NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,
    due_at REAL,
    dp_errors TEXT NOT NULL DEFAULT '[]',
    tech_errors TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS invoices (
    id INTEGER PRIMARY KEY,
    flow_id INTEGER,
    supplier_id INTEGER NOT NULL,
    recipient_id INTEGER,
    service_id INTEGER,
    number TEXT,
    type_facture TEXT NOT NULL DEFAULT 'FACTURE',
    invoice_date TEXT,
    currency TEXT,
    amount_ht TEXT, amount_tva TEXT, amount_ttc TEXT, amount_due TEXT,
    ej TEXT, marche TEXT, origin_number TEXT,
    cadre TEXT NOT NULL DEFAULT 'A1_FACTURE_FOURNISSEUR',
    type_tva TEXT, mode_paiement TEXT,
    bank_account_id INTEGER,
    mode_depot TEXT NOT NULL,
    syntax TEXT,
    document BLOB,
    document_name TEXT,
    pdf_file_id INTEGER,
    status TEXT NOT NULL,
    status_at REAL NOT NULL,
    status_comment TEXT,
    deposited_at REAL NOT NULL,
    downloaded INTEGER NOT NULL DEFAULT 0,
    rejet_traite INTEGER NOT NULL DEFAULT 0,
    numero_dp_mandat TEXT,
    comment TEXT,
    due_at REAL,
    sim_cycle INTEGER NOT NULL DEFAULT 0,
    sim_step INTEGER NOT NULL DEFAULT 0,
    manual INTEGER NOT NULL DEFAULT 0,
    ocr_guess TEXT
);
CREATE INDEX IF NOT EXISTS flows_due ON flows(due_at);
CREATE INDEX IF NOT EXISTS invoices_flow ON invoices(flow_id);
CREATE INDEX IF NOT EXISTS invoices_supplier ON invoices(supplier_id, number);
CREATE INDEX IF NOT EXISTS invoices_recipient ON invoices(recipient_id);
CREATE INDEX IF NOT EXISTS invoices_due ON invoices(due_at);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    at REAL NOT NULL,
    comment TEXT,
    actor TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_invoice ON history(invoice_id);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    at REAL NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invoice_files (
    invoice_id INTEGER NOT NULL, file_id INTEGER NOT NULL, designation TEXT, kind TEXT NOT NULL
);
"""


class Store:
    """A thread-safe handle on ``<data_dir>/sandbox.db``."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "sandbox.db"
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def tx(self) -> Iterator[Store]:
        """Hold the lock and one transaction; nested calls join the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(sql, args).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._conn.execute(sql, args).fetchall()]

    def scalar(self, sql: str, *args: Any) -> Any:
        with self._lock:
            row = self._conn.execute(sql, args).fetchone()
        return row[0] if row is not None else None

    def execute(self, sql: str, *args: Any) -> int:
        """Run a write; returns the last row id (inserts) for convenience."""
        with self._lock:
            cur = self._conn.execute(sql, args)
            return int(cur.lastrowid or 0)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        return self.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", *values.values())

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.execute(f"UPDATE {table} SET {sets} WHERE id = ?", *values.values(), row_id)

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", key)

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value)

    def next_counter(self, key: str, start: int) -> int:
        """A persistent sequence (flow numbers, structure ids), never reused after a restart."""
        with self.tx():
            current = self.get_meta(f"seq:{key}")
            value = int(current) + 1 if current is not None else start
            self.set_meta(f"seq:{key}", str(value))
            return value
