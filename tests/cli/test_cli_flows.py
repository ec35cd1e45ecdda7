"""The CLI contract scripts rely on: ``import``, ``flows``, ``flow show`` with ``--json``.

Run as real subprocesses on a fresh data home, as a user or a cron job would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chorusflow.storage.migrate import head_revision

DOC_FIELDS = {
    "number",
    "issue_date",
    "type",
    "customer_code",
    "recipient_siret",
    "service_code",
    "engagement_number",
    "total_without_vat",
    "total_vat",
    "total_with_vat",
    "currency",
    "distribution_status",
    "chorus_status",
    "recipient_name",
    "distribution_channel",
    "status_updated_at",
    "comment",
}


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "CHORUSFLOW_HOME": str(tmp_path / "home")}
    env.pop("CHORUSFLOW_DATABASE_URL", None)

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "chorusflow.cli.app", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run


def test_import_flows_and_show_as_json(cli, corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<not-closed")
    out = json.loads(
        cli("import", str(corpus / "cen/cii-examples/CII_example1.xml"), str(bad), "--json").stdout
    )
    flow_id = out["flow_id"]
    assert out["file_count"] == 2 and out["document_count"] == 1 and out["errors"] == 1
    assert {f["name"] for f in out["files"]} == {"CII_example1.xml", "broken.xml"}

    listing = json.loads(cli("flows", "--json").stdout)
    assert [f["flow_id"] for f in listing["flows"]] == [flow_id]
    assert listing["to_check_count"] == 1
    to_check = json.loads(cli("flows", "--tab", "to-check", "--json").stdout)
    assert [f["flow_id"] for f in to_check["flows"]] == [flow_id]

    shown = json.loads(cli("flow", "show", str(flow_id), "--json").stdout)
    assert {"files", "documents", "events", "stage", "state", "invoice_interval"} <= set(shown)
    (doc,) = shown["documents"]
    assert set(doc) >= DOC_FIELDS
    assert doc["currency"] == "EUR" and doc["type"] == "invoice"
    broken = next(f for f in shown["files"] if f["name"] == "broken.xml")
    assert broken["error"]["type"] == "XML_MALFORMED" and broken["error"]["resolution"]

    moved = json.loads(cli("flow", "history", str(flow_id), "--json").stdout)
    assert moved["in_history"] is True
    assert json.loads(cli("flows", "--json").stdout)["flows"] == []
    assert [f["flow_id"] for f in json.loads(cli("flows", "--tab", "history", "--json").stdout)["flows"]] == [
        flow_id
    ]
    cli("flow", "restore", str(flow_id))
    assert len(json.loads(cli("flows", "--json").stdout)["flows"]) == 1


def test_errors_are_clear_and_exit_non_zero(cli) -> None:  # type: ignore[no-untyped-def]
    missing = cli("import", "/nonexistent/invoice.xml", ok=False)
    assert missing.returncode == 2 and "Not found" in missing.stderr
    unknown = cli("flow", "show", "999", ok=False)
    assert unknown.returncode == 1 and "No flow 999" in unknown.stderr


def test_db_upgrade_reports_revision(cli) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(cli("db", "upgrade", "--json").stdout)
    assert out["revision"] == head_revision()
    assert json.loads(cli("db", "current", "--json").stdout)["up_to_date"] is True
