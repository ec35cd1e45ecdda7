"""Integration of a deposited flow: the verdict the platform reaches asynchronously.

When a flow's last pending state is due, every invoice in it is really read
(:mod:`chorusflow.core.formats`), validated against EN 16931 for structured
flows (:mod:`chorusflow.core.validation`) and checked for routing
(:mod:`chorusflow.sandbox.routing`). Invoices that pass become DEPOSEE; the
others are listed in ``listeErreurDP`` and never exist as invoices, as on the
platform. The flow ends IN_INTEGRE, IN_INTEGRE_PARTIEL or IN_REJETE.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chorusflow.sandbox import lifecycle
from chorusflow.sandbox.engine import schedule
from chorusflow.sandbox.invoice_values import invoice_values
from chorusflow.sandbox.packaging import Member, PackageError, TooLarge, unpack
from chorusflow.sandbox.referentials import DEPOSIT_SYNTAXES
from chorusflow.sandbox.routing import RoutingError, check_number, check_routing, check_supplier

if TYPE_CHECKING:
    from chorusflow.core.invoice import Invoice
    from chorusflow.sandbox.runtime import Sandbox

__all__ = ["integrate", "read_invoice"]

_EXPECTED_FORMATS = {
    "ubl": {"ubl_invoice", "ubl_credit_note"},
    "cii": {"cii"},
    "facturx": {"facturx"},
}


@dataclass(slots=True)
class Outcome:
    dp_errors: list[dict[str, Any]]
    tech_errors: list[dict[str, Any]]
    created: list[int]


def _format_name(fmt: Any) -> str:
    return str(getattr(fmt, "value", fmt))


def read_invoice(member: Member, syntax: str) -> tuple[Invoice, bytes]:
    """Parse and validate one file for ``syntax``; raise RoutingError with the platform's message."""
    from chorusflow.core.formats import FormatError, read_document
    from chorusflow.core.validation import validate_xml

    expected = DEPOSIT_SYNTAXES[syntax]
    try:
        detected, invoice = read_document(member.data, member.name)
    except FormatError as exc:
        raise RoutingError("SYNTAX", f"Le fichier {member.name} est illisible : {exc.message}") from exc
    fmt = _format_name(detected.format)
    if expected is None or fmt not in _EXPECTED_FORMATS[expected] or invoice is None or detected.xml is None:
        raise RoutingError(
            "SYNTAX",
            f"Le fichier {member.name} ({fmt}) n'est pas conforme à la syntaxe {syntax} déclarée",
        )
    structured = syntax.startswith("IN_DP_E1_") or expected == "facturx"
    if structured:
        xml_syntax = "ubl" if expected == "ubl" else "cii"
        profile = detected.profile if expected == "facturx" else None
        report = validate_xml(detected.xml, xml_syntax, profile=profile)
        if not report.valid:
            fatal = [f for f in report.findings if f.severity == "fatal"]
            shown = " ; ".join(f"[{f.rule}] {f.message.strip()}" for f in fatal[:5])
            more = f" (et {len(fatal) - 5} autres)" if len(fatal) > 5 else ""
            error = RoutingError(
                "EN16931", f"Le fichier {member.name} n'est pas conforme à la norme EN 16931 : {shown}{more}"
            )
            error.invoice = invoice
            raise error
    return invoice, detected.xml


def integrate(sandbox: Sandbox, flow: dict[str, Any], at: float) -> None:
    store = sandbox.store
    supplier = store.one("SELECT * FROM structures WHERE id = ?", flow["structure_id"])
    outcome = Outcome(dp_errors=[], tech_errors=[], created=[])
    expected = DEPOSIT_SYNTAXES.get(flow["syntax"])
    try:
        members = unpack(flow["file_name"], flow["data"])
    except (PackageError, TooLarge) as exc:
        members = []
        outcome.tech_errors.append(_tech("ARCHIVE_ILLISIBLE", str(exc)))
    if expected is None:
        outcome.tech_errors.append(
            _tech(
                "SYNTAXE_NON_EMULEE",
                f"La syntaxe {flow['syntax']} est acceptée par Chorus Pro mais n'est pas émulée par le "
                "bac à sable ; déposez un flux UBL, CII ou Factur-X",
            )
        )
        members = []
    invoices = [m for m in members if expected == "facturx" or not m.name.lower().endswith(".pdf")]
    if expected is not None and members and not invoices:
        outcome.tech_errors.append(_tech("FLUX_VIDE", "Le flux ne contient aucune facture"))
    for member in invoices:
        _integrate_one(sandbox, flow, supplier, member, at, outcome)
    if outcome.created and (outcome.dp_errors or outcome.tech_errors):
        state = "IN_INTEGRE_PARTIEL"
    elif outcome.created:
        state = "IN_INTEGRE"
    else:
        state = "IN_REJETE"
    store.update(
        "flows",
        flow["id"],
        {
            "state": state,
            "state_at": at,
            "due_at": None,
            "dp_errors": json.dumps(outcome.dp_errors, ensure_ascii=False),
            "tech_errors": json.dumps(outcome.tech_errors, ensure_ascii=False),
        },
    )


def _tech(code: str, message: str) -> dict[str, Any]:
    return {"codeErreur": code, "libelleErreur": message, "natureErreur": "TECHNIQUE"}


def _integrate_one(
    sandbox: Sandbox,
    flow: dict[str, Any],
    supplier: dict[str, Any],
    member: Member,
    at: float,
    outcome: Outcome,
) -> None:
    store = sandbox.store
    invoice = None
    try:
        invoice, _xml = read_invoice(member, flow["syntax"])
        check_supplier(supplier, invoice.seller.siret)
        routed = check_routing(
            store,
            invoice.buyer.siret,
            invoice.buyer_reference,
            invoice.order_reference,
            supplier["type_structure"],
        )
        check_number(store, supplier["id"], invoice.number)
    except RoutingError as exc:
        invoice = invoice or exc.invoice
        outcome.dp_errors.append(
            {
                "numeroDP": (invoice.number if invoice else None) or member.name,
                "identifiantFournisseur": (invoice.seller.siret if invoice else None) or supplier["siret"],
                "identifiantDestinataire": invoice.buyer.siret if invoice else None,
                "libelleErreurDP": exc.message,
            }
        )
        return
    values = invoice_values(invoice)
    values.update(
        {
            "flow_id": flow["id"],
            "supplier_id": supplier["id"],
            "recipient_id": routed.recipient["id"],
            "service_id": routed.service["id"] if routed.service else None,
            "mode_depot": "UPLOAD_API",
            "syntax": flow["syntax"],
            "document": member.data,
            "document_name": member.name,
            "status": "DEPOSEE",
        }
    )
    invoice_id = lifecycle.start(store, values, at, lifecycle.PLATFORM)
    row = store.one("SELECT * FROM invoices WHERE id = ?", invoice_id)
    store.update("invoices", invoice_id, {"due_at": schedule(sandbox, row, at)})
    outcome.created.append(invoice_id)
