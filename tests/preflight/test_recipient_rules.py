"""Recipient, service code and engagement rules, against the sandbox's directory.

The sixteen seeded public bodies carry every combination of the requirement
flags (bit 1 service required, 2 engagement required, 4 service-or-engagement,
8 payment status not reported); each has SERV-FIN (active), SERV-TECH
(active, engagement required), SERV-ARCH (inactive). The last test holds the
rules against the sandbox's own routing checks on every combination.
"""

from __future__ import annotations

import itertools

import pytest
from lxml import etree

from chorusflow.core.preflight import PreflightInput, run_preflight
from chorusflow.core.validation import Finding
from chorusflow.sandbox.routing import RoutingError, check_routing
from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import make_siret
from tests.preflight.conftest import LiveDirectory
from tests.preflight.documents import SUPPLIER, invoice, parse, recipient
from tests.sandbox.invoices import cii, ubl

SERVICE_REQUIRED, ENGAGEMENT_REQUIRED, SERVICE_OR_ENGAGEMENT = 1, 2, 4
DIRECTORY_RULES = {
    "CPRO-RECIPIENT-UNKNOWN",
    "CPRO-RECIPIENT-INACTIVE",
    "CPRO-SERVICE-CODE-REQUIRED",
    "CPRO-SERVICE-UNKNOWN",
    "CPRO-SERVICE-INACTIVE",
    "CPRO-ENGAGEMENT-REQUIRED",
    "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED",
}
#: The sandbox's routing reasons and the pre-flight rule that foresees each.
SANDBOX_REASON = {
    "RECIPIENT_UNKNOWN": "CPRO-RECIPIENT-UNKNOWN",
    "RECIPIENT_INACTIVE": "CPRO-RECIPIENT-INACTIVE",
    "SERVICE_UNKNOWN": "CPRO-SERVICE-UNKNOWN",
    "SERVICE_INACTIVE": "CPRO-SERVICE-INACTIVE",
    "SERVICE_RESERVED": "CPRO-SERVICE-UNKNOWN",  # FACTURES_PUBLIQUES is not offered to suppliers
    "SERVICE_REQUIRED": "CPRO-SERVICE-CODE-REQUIRED",
    "EJ_REQUIRED": "CPRO-ENGAGEMENT-REQUIRED",
    "EJ_OR_SERVICE_REQUIRED": "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED",
}


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def check(directory: LiveDirectory, doc: object, fmt: str = "ubl_invoice") -> list[Finding]:
    return run_preflight(
        PreflightInput(invoice=doc, format=fmt, profile=None, provider_siret=SUPPLIER),  # type: ignore[arg-type]
        directory,
    )


def _without_buyer_siret(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
    ident = root.find("cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification", ns)
    ident.getparent().remove(ident)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# -- recipient --------------------------------------------------------------------------------------------


def test_recipient_siret_missing(directory: LiveDirectory) -> None:
    doc = parse(_without_buyer_siret(ubl("F-1", SUPPLIER, recipient(0))))
    assert doc.buyer.siret is None
    found = check(directory, doc)
    assert rules(found) == ["CPRO-RECIPIENT-SIRET-MISSING"]
    assert found[0].location == "BT-46" and found[0].severity == "fatal"


@pytest.mark.parametrize("buyer", ["1234", "210079190001170", "21007919000118", "2100791900011A"])
def test_recipient_siret_malformed_is_not_looked_up(directory: LiveDirectory, buyer: str) -> None:
    before = sum(directory.client.calls.values())
    found = check(directory, invoice(buyer=buyer))
    assert rules(found) == ["CPRO-RECIPIENT-SIRET-INVALID"]
    assert buyer in found[0].message
    assert sum(directory.client.calls.values()) == before


def test_recipient_not_in_the_directory(directory: LiveDirectory) -> None:
    unknown = make_siret(99)
    found = check(directory, invoice(buyer=unknown))
    assert rules(found) == ["CPRO-RECIPIENT-UNKNOWN"]
    assert unknown in found[0].message and found[0].location == "BT-46"


def test_recipient_inactive(directory: LiveDirectory) -> None:
    found = check(directory, invoice(buyer=make_siret(40), service="SERV-FIN", ej="EJ-1"))
    assert rules(found) == ["CPRO-RECIPIENT-INACTIVE"]


# -- service code and engagement number ---------------------------------------------------------------------

CASES = [
    # combo, BT-10 service code, BT-13 engagement, expected rules
    (0, None, None, []),
    (0, "SERV-FIN", None, []),
    (0, "SERV-TECH", None, ["CPRO-ENGAGEMENT-REQUIRED"]),
    (0, "SERV-TECH", "EJ-1", []),
    (0, "SERV-ARCH", None, ["CPRO-SERVICE-INACTIVE"]),
    (0, "SERV-NOPE", None, ["CPRO-SERVICE-UNKNOWN"]),
    (0, "FACTURES_PUBLIQUES", None, ["CPRO-SERVICE-UNKNOWN"]),
    (SERVICE_REQUIRED, None, None, ["CPRO-SERVICE-CODE-REQUIRED"]),
    (SERVICE_REQUIRED, None, "EJ-1", ["CPRO-SERVICE-CODE-REQUIRED"]),
    (SERVICE_REQUIRED, "SERV-FIN", None, []),
    (SERVICE_REQUIRED, "SERV-ARCH", None, ["CPRO-SERVICE-INACTIVE"]),
    (ENGAGEMENT_REQUIRED, None, None, ["CPRO-ENGAGEMENT-REQUIRED"]),
    (ENGAGEMENT_REQUIRED, "SERV-FIN", None, ["CPRO-ENGAGEMENT-REQUIRED"]),
    (ENGAGEMENT_REQUIRED, None, "EJ-1", []),
    (
        SERVICE_REQUIRED | ENGAGEMENT_REQUIRED,
        None,
        None,
        ["CPRO-ENGAGEMENT-REQUIRED", "CPRO-SERVICE-CODE-REQUIRED"],
    ),
    (SERVICE_REQUIRED | ENGAGEMENT_REQUIRED, "SERV-FIN", "EJ-1", []),
    (SERVICE_OR_ENGAGEMENT, None, None, ["CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED"]),
    (SERVICE_OR_ENGAGEMENT, "SERV-FIN", None, []),
    (SERVICE_OR_ENGAGEMENT, None, "EJ-1", []),
    (SERVICE_OR_ENGAGEMENT, "SERV-NOPE", None, ["CPRO-SERVICE-UNKNOWN"]),
    (SERVICE_OR_ENGAGEMENT | SERVICE_REQUIRED, None, "EJ-1", ["CPRO-SERVICE-CODE-REQUIRED"]),
    (8, None, None, []),  # "payment status not reported" asks nothing of the supplier
    (
        15,
        None,
        None,
        ["CPRO-ENGAGEMENT-REQUIRED", "CPRO-SERVICE-CODE-REQUIRED", "CPRO-SERVICE-OR-ENGAGEMENT-REQUIRED"],
    ),
    (15, "SERV-TECH", "EJ-9", []),
]


@pytest.mark.parametrize(("combo", "service", "ej", "expected"), CASES)
def test_service_and_engagement_rules(
    directory: LiveDirectory, combo: int, service: str | None, ej: str | None, expected: list[str]
) -> None:
    found = check(directory, invoice(buyer=recipient(combo), service=service, ej=ej))
    assert rules(found) == expected
    where = {"CPRO-ENGAGEMENT-REQUIRED": "BT-13"}
    for finding in found:
        assert finding.location == where.get(finding.rule, "BT-10")
        assert recipient(combo) in finding.message


@pytest.mark.parametrize(
    ("service", "ej", "expected"), [(None, None, ["CPRO-SERVICE-CODE-REQUIRED"]), ("SERV-FIN", None, [])]
)
def test_cii_carries_service_code_in_bt10(
    directory: LiveDirectory, service: str | None, ej: str | None, expected: list[str]
) -> None:
    doc = parse(cii("F-CII", SUPPLIER, recipient(SERVICE_REQUIRED), service, ej))
    assert doc.buyer_reference == service
    assert rules(check(directory, doc, fmt="cii")) == expected


def test_blank_service_code_counts_as_missing(directory: LiveDirectory) -> None:
    doc = invoice(buyer=recipient(SERVICE_REQUIRED))
    doc.buyer_reference = "   "
    assert rules(check(directory, doc)) == ["CPRO-SERVICE-CODE-REQUIRED"]


def test_rules_foresee_every_routing_rejection_of_the_sandbox(
    directory: LiveDirectory, sandbox: SandboxServer
) -> None:
    """For each flag combination, service code and engagement: the pre-flight rejects iff Chorus would."""
    store = sandbox.app.state.sandbox.store
    buyers = [recipient(combo) for combo in range(16)] + [make_siret(n) for n in (40, 50, 51, 52, 99)]
    services = [None, "SERV-FIN", "SERV-TECH", "SERV-ARCH", "SERV-NOPE", "FACTURES_PUBLIQUES"]
    compared = 0
    for buyer, service, ej in itertools.product(buyers, services, [None, "EJ-1"]):
        found = {f.rule for f in check(directory, invoice(buyer=buyer, service=service, ej=ej))}
        assert found <= DIRECTORY_RULES, found
        try:
            check_routing(store, buyer, service, ej)
        except RoutingError as exc:
            assert SANDBOX_REASON[exc.reason] in found, (buyer, service, ej, exc.reason, found)
        else:
            assert not found, (buyer, service, ej, found)
        compared += 1
    assert compared == 21 * 6 * 2
