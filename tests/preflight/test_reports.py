"""The whole check of a file (``check_bytes``): EN 16931, pre-flight, catalogue texts, "not verified"."""

from __future__ import annotations

import ast
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import chorusflow.core.preflight.rules as rules_module
from chorusflow.context import HubContext
from chorusflow.core import catalogue
from chorusflow.core.preflight import PreflightInput, run_preflight
from chorusflow.pipeline.checks import check_bytes
from chorusflow.providers.directory import CachedDirectory
from chorusflow.providers.service import ProviderSecrets, add_provider, client_for
from chorusflow.sandbox.runner import SandboxServer
from tests.preflight.conftest import LiveDirectory
from tests.preflight.documents import SUPPLIER, facturx_with_profile, invoice, recipient
from tests.sandbox.invoices import cii, facturx, ubl

SERVICE_REQUIRED = 1
#: Every id the pre-flight rules can emit; each has a test in this directory that makes it fire.
PREFLIGHT_RULES = {
    "CPRO-SUPPLIER-SIRET-MISMATCH",
    "CPRO-SUPPLIER-SIRET-INVALID",
    "CPRO-RECIPIENT-SIRET-MISSING",
    "CPRO-RECIPIENT-SIRET-INVALID",
    "CPRO-RECIPIENT-UNKNOWN",
    "CPRO-RECIPIENT-INACTIVE",
    "CPRO-SERVICE-CODE-REQUIRED",
    "CPRO-SERVICE-UNKNOWN",
    "CPRO-SERVICE-INACTIVE",
    "CPRO-ENGAGEMENT-REQUIRED",
    "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED",
    "CPRO-INVOICE-NUMBER-TOO-LONG",
    "CPRO-INVOICE-NUMBER-CHARSET",
    "CPRO-INVOICE-NUMBER-ALREADY-SUBMITTED",
    "CPRO-CREDIT-NOTE-NO-REFERENCE",
    "CPRO-IBAN-INVALID",
    "CPRO-ATTACHMENT-TOO-LARGE",
    "CPRO-ATTACHMENTS-TOTAL-TOO-LARGE",
    "CPRO-ATTACHMENT-NAME-TOO-LONG",
    "CPRO-ATTACHMENT-EXTENSION",
    "CPRO-SYNTAX-NOT-ACCEPTED",
    "CPRO-PROFILE-NOT-ACCEPTED",
    "CPRO-NOT-VERIFIED",
}


def _ids(items: list[dict]) -> list[str]:
    return sorted(item["rule"] for item in items)


def test_a_clean_invoice_is_valid_in_each_syntax(directory: LiveDirectory) -> None:
    for name, data in [
        ("f.xml", ubl("F-UBL-1", SUPPLIER, recipient(0))),
        ("f.xml", cii("F-CII-1", SUPPLIER, recipient(0))),
        ("f.pdf", facturx("F-FX-1", SUPPLIER, recipient(0))),
    ]:
        report = check_bytes(data, name, provider_siret=SUPPLIER, directory=directory).report
        assert report["valid"] and report["errors"] == [] and not report["not_verified"], report


def test_a_finding_carries_the_catalogue_text_the_field_and_the_detail(directory: LiveDirectory) -> None:
    data = ubl("F-REP-1", SUPPLIER, recipient(SERVICE_REQUIRED))
    for lang in ("en", "fr"):
        checked = check_bytes(data, "f.xml", provider_siret=SUPPLIER, directory=directory, lang=lang)
        assert not checked.valid
        (error,) = checked.report["errors"]
        message, fix, field = catalogue.explain("CPRO-SERVICE-CODE-REQUIRED", lang)
        assert error == {
            "rule": "CPRO-SERVICE-CODE-REQUIRED",
            "business_rule": "CPRO-SERVICE-CODE-REQUIRED",
            "severity": "fatal",
            "source": "chorus",
            "message": message,
            "fix": fix,
            "field": "BT-10",
            "detail": f"Recipient {recipient(SERVICE_REQUIRED)} requires a service code.",
            "location": "BT-10",
        }
        assert field == "BT-10" and message and fix
    fr = check_bytes(data, "f.xml", provider_siret=SUPPLIER, directory=directory, lang="fr")
    assert "service" in fr.report["errors"][0]["message"].lower()


def test_several_rules_at_once_in_one_report(directory: LiveDirectory) -> None:
    data = ubl("F 2024.0000000000000001", "21395950500603", recipient(15), type_code="381")
    report = check_bytes(data, "f.xml", provider_siret=SUPPLIER, directory=directory).report
    cpro = [r for r in _ids(report["errors"]) if r.startswith("CPRO-")]
    assert cpro == [
        "CPRO-CREDIT-NOTE-NO-REFERENCE",
        "CPRO-ENGAGEMENT-REQUIRED",
        "CPRO-INVOICE-NUMBER-CHARSET",
        "CPRO-INVOICE-NUMBER-TOO-LONG",
        "CPRO-SERVICE-CODE-REQUIRED",
        "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED",
        "CPRO-SUPPLIER-SIRET-INVALID",
        "CPRO-SUPPLIER-SIRET-MISMATCH",
    ]
    assert all(e["message"] and e["fix"] for e in report["errors"])


def test_already_submitted_through_check_bytes(directory: LiveDirectory) -> None:
    data = ubl("F-DUP-1", SUPPLIER, recipient(0))
    checked = check_bytes(
        data,
        "f.xml",
        provider_siret=SUPPLIER,
        directory=directory,
        already_submitted={"F-DUP-1"}.__contains__,
    )
    assert _ids(checked.report["errors"]) == ["CPRO-INVOICE-NUMBER-ALREADY-SUBMITTED"]


def test_extra_attachments_through_check_bytes(directory: LiveDirectory) -> None:
    data = ubl("F-PJ-9", SUPPLIER, recipient(0))
    checked = check_bytes(
        data, "f.xml", provider_siret=SUPPLIER, directory=directory, extra_attachments=[("run.exe", 10)]
    )
    assert _ids(checked.report["errors"]) == ["CPRO-ATTACHMENT-EXTENSION"]
    assert checked.report["errors"][0]["location"] == "BT-125"


@pytest.mark.parametrize(("level", "profile"), [("minimum", "MINIMUM"), ("basicwl", "BASIC WL")])
def test_facturx_minimum_and_basic_wl_are_refused(directory: LiveDirectory, level: str, profile: str) -> None:
    checked = check_bytes(facturx_with_profile(level), "f.pdf", provider_siret=SUPPLIER, directory=directory)
    assert checked.format == "facturx" and checked.profile == profile
    errors = {e["rule"]: e for e in checked.report["errors"]}
    assert "CPRO-PROFILE-NOT-ACCEPTED" in errors
    assert errors["CPRO-PROFILE-NOT-ACCEPTED"]["field"] == "BT-24"
    assert profile in errors["CPRO-PROFILE-NOT-ACCEPTED"]["detail"]


@pytest.mark.parametrize(("level", "profile"), [("basic", "BASIC"), ("extended", "EXTENDED")])
def test_facturx_full_profiles_are_accepted_by_the_preflight(
    directory: LiveDirectory, level: str, profile: str
) -> None:
    checked = check_bytes(facturx_with_profile(level), "f.pdf", provider_siret=SUPPLIER, directory=directory)
    assert checked.profile == profile
    assert not [e for e in checked.report["errors"] if e["source"] == "chorus"]


def test_an_archive_is_not_a_syntax_chorus_takes_as_one_invoice(directory: LiveDirectory) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("f.xml", ubl("F-ZIP-1", SUPPLIER, recipient(0)))
    checked = check_bytes(buffer.getvalue(), "lot.zip", provider_siret=SUPPLIER, directory=directory)
    assert _ids(checked.report["errors"]) == ["CPRO-SYNTAX-NOT-ACCEPTED"]


# -- Chorus unreachable -------------------------------------------------------------------------------------


@pytest.fixture
def dead_directory(hub: HubContext, tmp_path: Path) -> Iterator[CachedDirectory]:
    """The provider's cached directory, pointing at a sandbox that has been stopped."""
    with SandboxServer(tmp_path / "stopped") as server:
        creds = server.credentials
        with hub.sessions() as session:
            provider = add_provider(
                session,
                hub.secrets,
                name="acme",
                siret=SUPPLIER,
                login=creds["login"],
                secrets=ProviderSecrets(password=creds["password"], client_secret=creds["client_secret"]),
                client_id=creds["client_id"],
                api_url=server.base_url,
                token_url=server.token_url,
            )
            session.commit()
    with hub.sessions() as session:
        directory = CachedDirectory(
            session, provider.id or 0, lambda: client_for(provider, hub.secrets, sleep=lambda _s: None)
        )
        yield directory
        directory.close()


def test_unreachable_directory_is_one_warning_and_the_other_rules_still_run(
    dead_directory: CachedDirectory,
) -> None:
    bad = ubl("F 1", SUPPLIER, recipient(15), type_code="381")  # would also miss service and engagement
    report = check_bytes(bad, "f.xml", provider_siret=SUPPLIER, directory=dead_directory).report
    assert report["not_verified"] is True
    assert _ids(report["warnings"]) == ["CPRO-NOT-VERIFIED"]
    warning = report["warnings"][0]
    assert warning["severity"] == "warning" and "unreachable" in warning["detail"]
    assert warning["message"] == catalogue.explain("CPRO-NOT-VERIFIED")[0]
    cpro = [r for r in _ids(report["errors"]) if r.startswith("CPRO-")]
    assert cpro == ["CPRO-CREDIT-NOTE-NO-REFERENCE", "CPRO-INVOICE-NUMBER-CHARSET"]


def test_unreachable_directory_does_not_fail_a_good_invoice(dead_directory: CachedDirectory) -> None:
    checked = check_bytes(
        ubl("F-OK-1", SUPPLIER, recipient(15), "SERV-FIN", "EJ-1"),
        "f.xml",
        provider_siret=SUPPLIER,
        directory=dead_directory,
    )
    assert checked.valid and checked.report["errors"] == []
    assert _ids(checked.report["warnings"]) == ["CPRO-NOT-VERIFIED"]


def test_no_directory_at_all_is_not_verified() -> None:
    found = run_preflight(
        PreflightInput(
            invoice=invoice(number="F.1"), format="ubl_invoice", profile=None, provider_siret=SUPPLIER
        ),
        None,
    )
    assert sorted((f.rule, f.severity) for f in found) == [
        ("CPRO-INVOICE-NUMBER-CHARSET", "fatal"),
        ("CPRO-NOT-VERIFIED", "warning"),
    ]


def test_malformed_recipient_is_reported_even_without_directory() -> None:
    found = run_preflight(
        PreflightInput(
            invoice=invoice(buyer="123"), format="ubl_invoice", profile=None, provider_siret=SUPPLIER
        ),
        None,
    )
    assert [f.rule for f in found] == ["CPRO-RECIPIENT-SIRET-INVALID"]


# -- catalogue ---------------------------------------------------------------------------------------------


def _rule_ids_in_rules_module() -> set[str]:
    tree = ast.parse(Path(rules_module.__file__).read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("CPRO-")
    }


def test_every_rule_id_the_preflight_can_emit_has_a_catalogue_entry() -> None:
    emitted = _rule_ids_in_rules_module()
    assert emitted == PREFLIGHT_RULES, sorted(emitted ^ PREFLIGHT_RULES)
    for rule in sorted(emitted):
        entry = catalogue.get(rule)
        assert entry is not None, f"{rule} has no catalogue entry"
        for lang in ("fr", "en"):
            assert entry.explanation[lang].strip() and entry.fix[lang].strip(), (rule, lang)
            assert entry.field_label[lang].strip(), (rule, lang)
