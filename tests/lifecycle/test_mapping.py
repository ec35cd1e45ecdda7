"""The status mapping as data, its documentation, integration messages and the sync schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chorusflow.core.provider import Provider
from chorusflow.core.statuses import ChorusStatus
from chorusflow.lifecycle.integration_rules import classify, explain_rejection
from chorusflow.lifecycle.schedule import is_due, last_nightly_slot
from chorusflow.lifecycle.status_map import REFORM_CODES, REMOTE_STATUSES, is_final, map_remote, reform_code

DOC = Path(__file__).resolve().parents[2] / "docs" / "statuses.md"


def test_every_seed_status_is_reached_and_reform_codes_are_valid():
    reached = {row.chorus for row in REMOTE_STATUSES.values() if row.chorus}
    assert reached == set(ChorusStatus)
    assert all(row.reform in REFORM_CODES for row in REMOTE_STATUSES.values() if row.reform)
    assert set(REFORM_CODES) == set(range(200, 214))
    assert map_remote("SERVICE_FAIT") is ChorusStatus.TAKEN_INTO_ACCOUNT
    assert map_remote("EN_COURS_ACHEMINEMENT") is ChorusStatus.DEPOSITED
    assert map_remote("A_COMPLETER") is ChorusStatus.SUSPENDED
    assert map_remote("SOMETHING_NEW") is None and reform_code("SOMETHING_NEW") is None
    assert reform_code("MISE_EN_PAIEMENT") == 211 and reform_code("IN_REJETE") == 213


def test_polling_does_not_stop_at_mandated_unless_payment_is_not_reported():
    assert is_final("MISE_EN_PAIEMENT") and is_final("REJETEE") and is_final("IN_REJETE")
    assert not is_final("MANDATEE") and not is_final("A_RECYCLER") and not is_final("SUSPENDUE")
    assert is_final("MANDATEE", payment_not_reported=True)
    assert not is_final("MISE_A_DISPOSITION", payment_not_reported=True)


def test_the_documentation_lists_the_same_mapping():
    text = DOC.read_text(encoding="utf-8")
    for code, row in REMOTE_STATUSES.items():
        line = next((line for line in text.splitlines() if line.startswith(f"| `{code}` |")), None)
        assert line is not None, f"{code} missing from docs/statuses.md"
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1].startswith(f"`{row.chorus.value}`" if row.chorus else "—"), code
        assert cells[3].startswith(str(row.reform) if row.reform else "—"), code


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("Le destinataire 21000000000017 n'est pas référencé comme structure publique", "RECIPIENT-UNKNOWN"),
        ("Le destinataire 21000000000017 n'est pas actif", "RECIPIENT-INACTIVE"),
        ("Le code service est obligatoire pour le destinataire 1", "SERVICE-CODE-MISSING"),
        ("Le code service X n'existe pas pour le destinataire 1", "SERVICE-UNKNOWN"),
        ("Le service SERV-ARCH du destinataire 1 n'est pas actif", "SERVICE-INACTIVE"),
        ("Le numéro d'engagement est obligatoire pour le service S", "ENGAGEMENT-MISSING"),
        ("Le numéro d'engagement ou le code service est obligatoire pour X", "SERVICE-OR-ENGAGEMENT-MISSING"),
        ("Le numéro de facture A1 a déjà été utilisé par le fournisseur 1", "DUPLICATE-INVOICE-NUMBER"),
        ("Le numéro de facture ÉTÉ ne respecte pas le format attendu", "INVOICE-NUMBER-FORMAT"),
        ("Le fournisseur 1 ne correspond pas à la structure du compte technique (2)", "SUPPLIER-MISMATCH"),
        ("Le fichier a.xml n'est pas conforme à la norme EN 16931 : [BR-CO-15] total", "EN16931-ERROR"),
        ("...SpecifiedTradeSettlementPaymentMeans.TypeCode.value est obligatoire", "SYNTAX-ERROR"),
    ],
)
def test_integration_messages_are_recognised(message, rule):
    assert classify(message) == f"CPRO-INTEGRATION-{rule}"
    explained = explain_rejection(message, lang="fr")
    assert explained.message == message and explained.explanation and explained.resolution


def test_an_unrecognised_message_keeps_chorus_words_and_a_generic_path():
    explained = explain_rejection("Erreur inattendue 42")
    assert explained.rule is None and explained.message == "Erreur inattendue 42"
    assert "send it again" in explained.resolution


def test_remote_is_due_every_interval_and_local_once_a_night():
    now = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    remote = Provider(name="r", siret="1", login="l", password_token="t", sync_interval_minutes=5)
    assert is_due(remote, {"last_run_at": None}, now)
    assert not is_due(remote, {"last_run_at": now - timedelta(minutes=4)}, now)
    assert is_due(remote, {"last_run_at": now - timedelta(minutes=5)}, now)
    local = Provider(
        name="l", siret="1", login="l", password_token="t", upload_mode="local", nightly_sync_time="02:00"
    )
    slot = last_nightly_slot("02:00", now, "Europe/Paris")
    assert slot == datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 02:00 in Paris (winter time)
    assert not is_due(local, {"last_success_at": slot + timedelta(minutes=3)}, now)
    assert is_due(local, {"last_success_at": slot - timedelta(hours=1)}, now)
    early = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)  # 01:30 in Paris: last night's slot was yesterday
    assert last_nightly_slot("02:00", early, "Europe/Paris") == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="HH:MM"):
        last_nightly_slot("2h", now, "Europe/Paris")
