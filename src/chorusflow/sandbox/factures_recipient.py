"""Recipient-side invoice operations: search received invoices, view one, process it.

A public body's technical user sees an invoice once the platform has made it
available (MISE_A_DISPOSITION onwards) and moves it with ``traiter/recue``
under the rules of :mod:`chorusflow.sandbox.lifecycle`. Once a recipient has
acted through the API, the simulator leaves that invoice alone.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox import lifecycle
from chorusflow.sandbox.clock import fmt_minute
from chorusflow.sandbox.engine import transition
from chorusflow.sandbox.envelope import ApiError, CproJSON, ok, paginate
from chorusflow.sandbox.invoice_filters import SORT_KEYS, matches
from chorusflow.sandbox.invoice_views import facture_view, recipient_row
from chorusflow.sandbox.runtime import Call, begin

__all__ = ["received_invoice", "router"]

router = APIRouter(prefix="/cpro/factures/v1")


def received_invoice(call: Call, key: str) -> dict[str, Any]:
    try:
        invoice_id = int(call.body.get(key))
    except (TypeError, ValueError) as exc:
        raise ApiError(20000, "GDP_MSG_11.008", f"{key} is required") from exc
    row = call.store.one("SELECT * FROM invoices WHERE id = ?", invoice_id)
    if (
        row is None
        or row["recipient_id"] != call.account.structure_id
        or row["status"] not in lifecycle.RECIPIENT_VISIBLE
    ):
        raise ApiError(
            20000, "GDP_MSG_11.008", f"invoice {invoice_id} is not among this structure's received invoices"
        )
    return row


@router.post("/rechercher/recipiendaire")
async def rechercher_recipiendaire(request: Request) -> Response:
    call = await begin(request, "rechercher/recipiendaire", role="recipient")
    b = call.body
    if b.get("typeDemandePaiement") not in (None, "", "FACTURE"):
        rows: list[dict[str, Any]] = []
    else:
        rows = call.store.all("SELECT * FROM invoices WHERE recipient_id = ?", call.account.structure_id)
    suppliers = {
        int(s["idFournisseur"])
        for s in b.get("listeFournisseurs") or []
        if isinstance(s, dict) and s.get("idFournisseur") is not None
    }
    found = [
        r
        for r in rows
        if r["status"] in lifecycle.RECIPIENT_VISIBLE
        and matches(r, b)
        and (not suppliers or r["supplier_id"] in suppliers)
    ]
    page, retour = paginate(found, b.get("paramRecherche"), SORT_KEYS, "DateDepot")
    listing = [recipient_row(call.store, r) for r in page]
    if not found:
        return CproJSON({"codeRetour": 20000, "libelle": "TRA_MSG_00.015", **retour, "listeFactures": []})
    return ok(**retour, listeFactures=listing)


@router.post("/consulter/recipiendaire")
async def consulter_recipiendaire(request: Request) -> Response:
    call = await begin(request, "consulter/recipiendaire", role="recipient")
    return ok(facture=facture_view(call.store, received_invoice(call, "identifiantFactureCPP")))


@router.post("/traiter/recue")
async def traiter_recue(request: Request) -> Response:
    call = await begin(request, "traiter/recue", role="recipient")
    b = call.body
    new = b.get("nouveauStatut")
    motif = (b.get("motif") or "").strip()
    if new in lifecycle.MOTIF_REQUIRED and not motif:
        raise ApiError(20002, "GDP_MSG_11.060", f"motif is required to set {new}")
    mandat = b.get("numeroDPMandat") or b.get("NumeroDPMandat")
    with call.store.tx():
        inv = received_invoice(call, "idFacture")
        extra: dict[str, Any] = {"manual": 1}
        if new == "MANDATEE" and mandat:
            extra["numero_dp_mandat"] = str(mandat)
        try:
            transition(
                call.sandbox,
                {**inv, "manual": 1},
                new,
                lifecycle.RECIPIENT,
                call.now,
                motif[:255] or None,
                actor_name=call.account.login,
                **extra,
            )
        except lifecycle.LifecycleError as exc:
            raise ApiError(20003, "GDP_MSG_11.061", str(exc)) from exc
    return ok(
        idFacture=inv["id"],
        numeroFacture=inv["number"],
        nouveauStatut=new,
        dateTraitement=fmt_minute(call.now),
    )
