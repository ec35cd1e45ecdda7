"""Human approval, the provider commands and ``validate``, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chorusflow.core.statuses import DistributionStatus, FlowState, Stage
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import from_bytes
from chorusflow.pipeline.approval import ApprovalError, approve_documents, reject_documents
from chorusflow.pipeline.runner import advance_flow
from chorusflow.storage.flow_queries import get_flow
from tests.pipeline.conftest import PLAIN_TOWN, SUPPLIER, Wired
from tests.sandbox import invoices


def test_documents_wait_for_approval_then_move_on(wired: Wired) -> None:
    with wired.hub.sessions() as session:
        from chorusflow.providers.service import get_provider

        provider = get_provider(session, "acme")
        assert provider is not None
        provider.require_approval = True
        session.commit()
    files = [(f"{n}.xml", invoices.ubl(n, SUPPLIER, PLAIN_TOWN)) for n in ("APR-1", "APR-2", "APR-3")]
    flow_id = import_items(wired.hub, from_bytes(files), submitter="alice").flow_id
    assert advance_flow(wired.hub, flow_id) == (Stage.VALIDATION.value, FlowState.WAITING.value)
    with wired.hub.sessions() as session:
        flow = get_flow(session, flow_id)
        assert flow is not None
        ids = {d.number: d.id for d in flow.documents}
        assert {d.distribution_status for d in flow.documents} == {DistributionStatus.PENDING_VALIDATION}
        with pytest.raises(ApprovalError):  # a rejection needs a reason
            reject_documents(session, [ids["APR-3"]], actor="bob")
        approve_documents(session, [ids["APR-1"], ids["APR-2"]], actor="bob", comment="ok")
        assert flow.state is FlowState.WAITING  # APR-3 still pending
        reject_documents(session, [ids["APR-3"]], actor="bob", comment="wrong amount")
        session.commit()
        assert flow.validator_name == "bob"
        assert flow.stage is Stage.DISTRIBUTION and flow.to_check
        with pytest.raises(ApprovalError):  # already decided: nothing changes
            approve_documents(session, [ids["APR-1"]], actor="bob")
    assert advance_flow(wired.hub, flow_id) == (Stage.DISTRIBUTION.value, FlowState.WAITING.value)


def cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHORUSFLOW_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "chorusflow.cli.app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_provider_commands_never_show_secrets_and_test_says_what_is_wrong(tmp_path: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "cli-home"
    creds = sandbox.credentials
    base = [
        "provider",
        "add",
        "acme",
        "--siret",
        creds["supplier_siret"],
        "--api-url",
        sandbox.base_url,
        "--token-url",
        sandbox.token_url,
        "--client-id",
        creds["client_id"],
        "--login",
        creds["login"],
    ]
    added = cli(
        home,
        *base,
        "--client-secret",
        "-",
        "--password",
        "-",
        "--json",
        stdin=f"{creds['password']}\n{creds['client_secret']}\n",
    )
    assert added.returncode == 0, added.stderr
    for out in (
        added.stdout,
        cli(home, "provider", "show", "acme", "--json").stdout,
        cli(home, "provider", "list", "--json").stdout,
    ):
        assert creds["password"] not in out and creds["client_secret"] not in out
    shown = json.loads(cli(home, "provider", "show", "acme", "--json").stdout)
    assert shown["secrets"] == {
        "password": True,
        "client_secret": True,
        "pkcs12": False,
        "pkcs12_password": False,
    }
    db = (home / "chorusflow.db").read_bytes()
    assert creds["password"].encode() not in db and creds["client_secret"].encode() not in db

    ok = cli(home, "provider", "test", "acme", "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert [c["check"] for c in json.loads(ok.stdout)["checks"]] == [
        "configuration",
        "oauth",
        "technical_account",
        "supplier_structure",
        "password_expiry",
    ]
    bad = list(base)
    bad[2] = "wrongpw"
    assert cli(home, *bad, "--client-secret", creds["client_secret"], "--password", "nope").returncode == 0
    failed = cli(home, "provider", "test", "wrongpw", "--json")
    assert failed.returncode == 1
    checks = json.loads(failed.stdout)["checks"]
    assert checks[-1]["check"] == "technical_account" and not checks[-1]["ok"]
    assert "password" in checks[-1]["message"] and "nope" not in failed.stdout


def test_validate_prints_rules_with_fixes(tmp_path: Path, corpus: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(invoices.ubl("TOO-LONG-NUMBER-123456789", "12345678901234", PLAIN_TOWN))
    good = corpus / "cen/ubl-examples/guide-example1.xml"
    out = cli(tmp_path / "h", "validate", str(bad), str(good), "--json")
    assert out.returncode == 1
    results = {Path(r["file"]).name: r for r in json.loads(out.stdout)}
    assert set(results["bad.xml"]) >= {"file", "format", "profile", "valid", "errors", "warnings"}
    rules = {e["rule"] for e in results["bad.xml"]["errors"]}
    assert {"CPRO-INVOICE-NUMBER-TOO-LONG", "CPRO-SUPPLIER-SIRET-INVALID"} <= rules
    for error in results["bad.xml"]["errors"]:
        assert error["message"] and error["fix"] and error["severity"] == "fatal"
    french = cli(tmp_path / "h", "validate", str(bad), "--json", "--lang", "fr")
    fr_msgs = " ".join(e["message"] for e in json.loads(french.stdout)[0]["errors"])
    assert "numéro" in fr_msgs.lower() or "facture" in fr_msgs.lower()


def test_approve_and_reject_from_the_command_line(tmp_path: Path, sandbox) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "h"
    creds = sandbox.credentials
    added = cli(
        home, "provider", "add", "acme", "--siret", creds["supplier_siret"], "--api-url", sandbox.base_url,
        "--token-url", sandbox.token_url, "--client-id", creds["client_id"], "--login", creds["login"],
        "--password", creds["password"], "--client-secret", creds["client_secret"], "--require-approval",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    for n in ("CLI-1", "CLI-2"):
        (tmp_path / f"{n}.xml").write_bytes(invoices.ubl(n, SUPPLIER, PLAIN_TOWN))
    flow_id = json.loads(
        cli(home, "import", str(tmp_path / "CLI-1.xml"), str(tmp_path / "CLI-2.xml"), "--json").stdout
    )["flow_id"]
    moved = json.loads(cli(home, "advance", str(flow_id), "--json").stdout)
    assert (moved["stage"], moved["state"]) == ("validation", "waiting")
    docs = {
        d["number"]: d
        for d in json.loads(cli(home, "flow", "show", str(flow_id), "--json").stdout)["documents"]
    }
    assert {d["distribution_status"] for d in docs.values()} == {"pending_validation"}
    refused = cli(home, "reject", str(docs["CLI-2"]["document_id"]))
    assert refused.returncode != 0  # a rejection needs --comment
    rejected = cli(
        home, "reject", str(docs["CLI-2"]["document_id"]), "--comment", "wrong order number", "--json"
    )
    assert json.loads(rejected.stdout)["documents"][0]["status"] == "rejected_in_validation"
    approved = json.loads(cli(home, "approve", str(docs["CLI-1"]["document_id"]), "--json").stdout)
    assert approved["documents"][0]["status"] == "accepted_in_validation"
    shown = json.loads(cli(home, "flow", "show", str(flow_id), "--json").stdout)
    assert shown["validator_name"] == approved["validator"] and shown["to_check"] is True
    assert (shown["stage"], shown["state"]) == ("distribution", "waiting")
    again = cli(home, "approve", str(docs["CLI-1"]["document_id"]))
    assert again.returncode == 1 and "not pending" in again.stderr
