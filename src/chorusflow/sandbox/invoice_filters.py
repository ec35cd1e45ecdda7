"""Search criteria shared by ``rechercher/fournisseur`` and ``rechercher/recipiendaire``.

Both searches take the same families of criteria (numbers, status, date
periods, amount ranges); only the container keys and a few names differ, so
each criterion is matched here once, on the stored row.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from chorusflow.sandbox.clock import fmt_date

__all__ = ["SORT_KEYS", "matches"]

Row = dict[str, Any]

SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "DateDepot": lambda r: (r["deposited_at"], r["id"]),
    "NumeroFacture": lambda r: (r["number"] or "", r["id"]),
    "DateFacture": lambda r: (r["invoice_date"] or "", r["id"]),
    "Statut": lambda r: (r["status"], r["id"]),
    "MontantTTC": lambda r: (Decimal(r["amount_ttc"] or "0"), r["id"]),
    "DateHeureEtatCourant": lambda r: (r["status_at"], r["id"]),
}


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _in_period(value: str | None, start: Any, end: Any) -> bool:
    if start and (value is None or value < str(start)[:10]):
        return False
    return not (end and (value is None or value > str(end)[:10]))


def _in_range(value: str | None, low: Any, high: Any) -> bool:
    try:
        amount = Decimal(value) if value is not None else None
        if low is not None and (amount is None or amount < Decimal(str(low))):
            return False
        return not (high is not None and (amount is None or amount > Decimal(str(high))))
    except InvalidOperation:
        return False


def matches(row: Row, body: dict[str, Any], flow_numero: str | None = None) -> bool:
    """True when the stored invoice ``row`` satisfies every criterion present in ``body``."""
    exact = {
        "numeroFacture": row["number"],
        "numeroBonCommande": row["ej"],
        "numeroMarche": row["marche"],
        "typeFacture": row["type_facture"],
        "numeroFactureOrigine": row["origin_number"],
        "cadreFacturation": row["cadre"],
        "modeDepot": row["mode_depot"],
    }
    for key, value in exact.items():
        if body.get(key) not in (None, "") and body[key] != value:
            return False
    if body.get("numeroFluxDepot") and body["numeroFluxDepot"] != flow_numero:
        return False
    statuses = _as_list(body.get("statutCourant"))
    if statuses and row["status"] not in statuses:
        return False
    types = _as_list(body.get("listeTypeFacture"))
    if types and row["type_facture"] not in types:
        return False
    if (
        body.get("idServiceExecutant") not in (None, "")
        and int(body["idServiceExecutant"]) != row["service_id"]
    ):
        return False
    if body.get("rejetTraite") is not None and bool(body["rejetTraite"]) != bool(row["rejet_traite"]):
        return False
    downloaded = body.get("factureTelechargeeParDestinataire")
    if downloaded is not None and bool(downloaded) != bool(row["downloaded"]):
        return False
    if not _in_period(
        fmt_date(row["deposited_at"]), body.get("periodeDateDepotDu"), body.get("periodeDateDepotAu")
    ):
        return False
    if not _in_period(
        row["invoice_date"], body.get("periodeDateFactureDu"), body.get("periodeDateFactureAu")
    ):
        return False
    if not _in_period(
        fmt_date(row["status_at"]),
        body.get("periodeDateHeureEtatCourantDu"),
        body.get("periodeDateHeureEtatCourantAu"),
    ):
        return False
    ranges = (
        ("montantHTMin", "montantHTMax", "amount_ht"),
        ("montantTTCMin", "montantTTCMax", "amount_ttc"),
        ("montantApayerMin", "montantApayerMax", "amount_due"),
    )
    return all(_in_range(row[column], body.get(low), body.get(high)) for low, high, column in ranges)
