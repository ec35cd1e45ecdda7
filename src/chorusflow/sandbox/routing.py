"""The platform's routing checks: can this supplier send this invoice to this recipient?

The same rules apply whichever way an invoice arrives (a deposited flow, a
``soumettre``, a ``recycler``), and they are the integration rejections
suppliers meet most: unknown or inactive recipient, service code or
commitment number missing where the directory requires them, unknown or
inactive service, an invoice number the supplier already used. Messages are
French, like the platform's ``libelleErreurDP``, and each names the value at
fault so a person can fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chorusflow.sandbox.store import Store

__all__ = ["Routed", "RoutingError", "check_number", "check_routing"]

_NUMBER = re.compile(r"^[A-Za-z0-9_/+-]{1,20}$")


class RoutingError(Exception):
    """One reason an invoice cannot be routed; ``reason`` is a stable code for tests and logs."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.invoice: Any = None  # the parsed invoice, when the failure came after parsing


@dataclass(frozen=True, slots=True)
class Routed:
    recipient: dict[str, Any]
    service: dict[str, Any] | None


def check_number(store: Store, supplier_id: int, number: str | None, exclude_id: int | None = None) -> None:
    """The invoice number is well formed and not already used by this supplier."""
    if not number:
        raise RoutingError("NUMBER_MISSING", "Le numéro de facture est obligatoire")
    if not _NUMBER.match(number):
        raise RoutingError(
            "NUMBER_FORMAT",
            f"Le numéro de facture {number} ne respecte pas le format attendu "
            "(20 caractères maximum : lettres, chiffres et - _ / +)",
        )
    used = store.one(
        "SELECT id FROM invoices WHERE supplier_id = ? AND number = ? AND status != 'INTERPRETEE_OCR' "
        "AND id != ?",
        supplier_id,
        number,
        exclude_id or 0,
    )
    if used:
        supplier = store.one("SELECT siret FROM structures WHERE id = ?", supplier_id)
        raise RoutingError(
            "DUPLICATE_NUMBER",
            f"Le numéro de facture {number} a déjà été utilisé par le fournisseur {supplier['siret']}",
        )


def check_supplier(account_structure: dict[str, Any], seller_siret: str | None) -> None:
    """The invoice's seller must be the structure the technical account belongs to."""
    if not seller_siret:
        raise RoutingError(
            "SUPPLIER_MISSING",
            "L'identifiant du fournisseur (SIRET, AccountingSupplierParty.Party.PartyIdentification.ID "
            "ou SellerTradeParty.SpecifiedLegalOrganization.ID) est absent de la facture",
        )
    if seller_siret != account_structure["siret"]:
        raise RoutingError(
            "SUPPLIER_MISMATCH",
            f"Le fournisseur {seller_siret} ne correspond pas à la structure du compte technique "
            f"({account_structure['siret']})",
        )


def check_routing(
    store: Store,
    recipient_siret: str | None,
    service_code: str | None,
    ej: str | None,
    supplier_type: str = "PRIVEE",
) -> Routed:
    """Recipient, service and commitment number checked against the directory."""
    if not recipient_siret:
        raise RoutingError(
            "RECIPIENT_MISSING", "L'identifiant (SIRET) du destinataire est absent de la facture"
        )
    recipient = store.one("SELECT * FROM structures WHERE siret = ?", recipient_siret)
    if recipient is None or recipient["type_structure"] != "PUBLIQUE":
        raise RoutingError(
            "RECIPIENT_UNKNOWN",
            f"Le destinataire {recipient_siret} n'est pas référencé comme structure publique dans Chorus Pro",
        )
    if recipient["statut"] != "ACTIF":
        raise RoutingError("RECIPIENT_INACTIVE", f"Le destinataire {recipient_siret} n'est pas actif")
    service = None
    if service_code:
        service = store.one(
            "SELECT * FROM services WHERE structure_id = ? AND code = ?", recipient["id"], service_code
        )
        if service is None:
            raise RoutingError(
                "SERVICE_UNKNOWN",
                f"Le code service {service_code} n'existe pas pour le destinataire {recipient_siret}",
            )
        if not service["active"]:
            raise RoutingError(
                "SERVICE_INACTIVE",
                f"Le service {service_code} du destinataire {recipient_siret} n'est pas actif",
            )
        if service_code == "FACTURES_PUBLIQUES" and supplier_type != "PUBLIQUE":
            raise RoutingError(
                "SERVICE_RESERVED",
                "Le service FACTURES_PUBLIQUES est réservé à la facturation entre entités publiques",
            )
    elif recipient["code_service_required"]:
        raise RoutingError(
            "SERVICE_REQUIRED", f"Le code service est obligatoire pour le destinataire {recipient_siret}"
        )
    if not ej:
        if recipient["ej_required"]:
            raise RoutingError(
                "EJ_REQUIRED",
                f"Le numéro d'engagement est obligatoire pour le destinataire {recipient_siret}",
            )
        if service is not None and service["ej_required"]:
            raise RoutingError(
                "EJ_REQUIRED",
                f"Le numéro d'engagement est obligatoire pour le service {service['code']} "
                f"du destinataire {recipient_siret}",
            )
        if recipient["ej_or_service"] and service is None:
            raise RoutingError(
                "EJ_OR_SERVICE_REQUIRED",
                f"Le numéro d'engagement ou le code service est obligatoire pour le destinataire "
                f"{recipient_siret}",
            )
    elif len(ej) > 50:
        raise RoutingError("EJ_FORMAT", f"Le numéro d'engagement {ej[:20]}... dépasse 50 caractères")
    return Routed(recipient=recipient, service=service)
