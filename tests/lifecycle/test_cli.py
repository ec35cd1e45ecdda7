"""``sync``, ``receivables``, ``document`` and ``credentials``, invoked through the real Typer app."""

from __future__ import annotations

import json
from types import SimpleNamespace

from sqlalchemy import select
from typer.testing import CliRunner

from chorusflow.cli.app import app
from chorusflow.lifecycle.tables import chorus_invoices

from .conftest import deposit


def _cli(ctx, *args: str) -> SimpleNamespace:
    runner = CliRunner()
    result = runner.invoke(app, list(args), env={"CHORUSFLOW_HOME": str(ctx.settings.resolved_home)})
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def test_sync_receivables_and_document_commands(ctx, sandbox, provider, client, tmp_path):
    dep = deposit(ctx, sandbox, provider, client, count=2)
    sandbox.advance(600)
    out = _cli(ctx, "sync", "--provider", provider.name, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    (first,) = report["providers"]
    assert sorted(first["integration"]["integrated"]) == sorted(dep.document_ids)
    assert first["calls"]["factures/consulter/historique"] == 2

    with ctx.sessions() as session:
        invoice_id = session.scalar(
            select(chorus_invoices.c.chorus_invoice_id).where(
                chorus_invoices.c.document_id == dep.document_ids[0]
            )
        )
    sandbox.recipient_sets(invoice_id, "SUSPENDUE", motif="PV manquant")
    assert _cli(ctx, "sync", "--json").returncode == 0

    disputes = json.loads(_cli(ctx, "receivables", "disputes", "--json").stdout)
    assert [d["document_id"] for d in disputes] == [dep.document_ids[0]]
    csv_file = tmp_path / "dunning.csv"
    out = _cli(ctx, "receivables", "dunning", "--as-of", "2027-01-01", "--json", "--csv", str(csv_file))
    assert out.returncode == 0, out.stderr
    assert [r["document_id"] for r in json.loads(out.stdout)] == [dep.document_ids[1]]
    assert csv_file.read_text().count("\n") == 2
    statement = json.loads(_cli(ctx, "receivables", "statement", "--json").stdout)
    assert len(statement[0]["invoices"]) == 2

    shown = json.loads(_cli(ctx, "document", "show", str(dep.document_ids[0]), "--json").stdout)
    assert shown["live"] and shown["document"]["chorus_status"] == "SUSPENDUE"
    assert shown["timeline"][-1]["comment"] == "PV manquant"

    proof = tmp_path / "pv-reception.pdf"
    proof.write_bytes(b"%PDF-1.4 proof")
    out = _cli(
        ctx, "document", "complete", str(dep.document_ids[0]), "--comment", "ci-joint", "--attach", str(proof)
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["chorus_status"] == "COMPLETEE"
    out = _cli(ctx, "document", "recycle", str(dep.document_ids[1]), "--service", "SERV-FIN")
    assert out.returncode == 2 and "not 'To recycle'" in out.stderr

    health = _cli(ctx, "credentials", "--json")
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout)[0]["token"] == "ok"
