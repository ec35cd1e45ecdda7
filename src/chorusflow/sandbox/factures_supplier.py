"""Supplier-side invoice operations: search, view, and answering the recipient.

``rechercher/fournisseur`` is how a supplier learns the ids of a flow's
invoices (search by ``numeroFluxDepot``), paginated 10 per page by default —
the bug clients meet with flows of more than ten invoices. ``completer``
answers a SUSPENDUE, ``recycler`` re-routes an A_RECYCLER with the same
number, ``traiterRejet`` acknowledges REJETEE invoices.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox import lifecycle
from chorusflow.sandbox.clock import fmt_minute
from chorusflow.sandbox.engine import transition
from chorusflow.sandbox.envelope import ApiError, ok, paginate
from chorusflow.sandbox.invoice_filters import SORT_KEYS, matches
from chorusflow.sandbox.invoice_views import facture_view, supplier_row
from chorusflow.sandbox.routing import RoutingError, check_routing
from chorusflow.sandbox.runtime import Call, begin

__all__ = ["own_invoice", "router"]

router = APIRouter(prefix="/cpro/factures/v1")


def own_invoice(call: Call, key: str = "identifiantFactureCPP") -> dict[str, Any]:
    try:
        invoice_id = int(call.body.get(key))
    except (TypeError, ValueError) as exc:
        raise ApiError(20000, "GDP_MSG_11.008", f"{key} is required") from exc
    row = call.store.one("SELECT * FROM invoices WHERE id = ?", invoice_id)
    if row is None:
        raise ApiError(20000, "GDP_MSG_11.008", f"invoice {invoice_id} does not exist")
    if row["supplier_id"] != call.account.structure_id:
        raise ApiError(20001, "GDP_MSG_11.005", f"invoice {invoice_id} was not issued by this structure")
    return row


@router.post("/rechercher/fournisseur")
async def rechercher_fournisseur(request: Request) -> Response:
    call = await begin(request, "rechercher/fournisseur", role="supplier")
    rows = call.store.all(
        "SELECT i.*, f.numero AS flow_numero FROM invoices i LEFT JOIN flows f ON f.id = i.flow_id "
        "WHERE i.supplier_id = ?",
        call.account.structure_id,
    )
    recipients = {
        int(d["idDestinataire"])
        for d in call.body.get("listeDestinataire") or []
        if isinstance(d, dict) and d.get("idDestinataire") is not None
    }
    found = [
        r
        for r in rows
        if matches(r, call.body, r["flow_numero"]) and (not recipients or r["recipient_id"] in recipients)
    ]
    page, retour = paginate(found, call.body.get("rechercheFactureParFournisseur"), SORT_KEYS, "DateDepot")
    return ok(listeFactures=[supplier_row(call.store, r) for r in page], parametresRetour=retour)


@router.post("/consulter/fournisseur")
async def consulter_fournisseur(request: Request) -> Response:
    call = await begin(request, "consulter/fournisseur", role="supplier")
    return ok(facture=facture_view(call.store, own_invoice(call)))


def attach_files(call: Call, invoice_id: int, items: Any) -> None:
    for item in items if isinstance(items, list) else []:
        file_id = item.get("pieceJointeComplementaireId") if isinstance(item, dict) else None
        if file_id is None:
            continue
        found = call.store.one(
            "SELECT id FROM files WHERE id = ? AND structure_id = ?", int(file_id), call.account.structure_id
        )
        if found is None:
            raise ApiError(
                20003,
                "GDP_MSG_11.034",
                f"pieceJointeComplementaireId {file_id} is unknown; "
                "upload it first with transverses/ajouter/fichier",
            )
        call.store.insert(
            "invoice_files",
            {
                "invoice_id": invoice_id,
                "file_id": int(file_id),
                "designation": item.get("pieceJointeComplementaireDesignation"),
                "kind": "COMPLEMENTAIRE",
            },
        )


@router.post("/completer")
async def completer(request: Request) -> Response:
    call = await begin(request, "completer", role="supplier")
    with call.store.tx():
        inv = own_invoice(call)
        if inv["status"] != "SUSPENDUE":
            raise ApiError(20002, "GDP_MSG_11.033", f"invoice {inv['id']} is {inv['status']}, not SUSPENDUE")
        attach_files(call, inv["id"], call.body.get("pieceJointeComplementaire"))
        comment = (call.body.get("commentaire") or "")[:2000] or None
        transition(
            call.sandbox,
            inv,
            "COMPLETEE",
            lifecycle.SUPPLIER,
            call.now,
            comment,
            actor_name=call.account.login,
            sim_cycle=inv["sim_cycle"] + 1,
        )
    return ok(
        identifiantFactureCPP=inv["id"], numeroFacture=inv["number"], dateTraitement=fmt_minute(call.now)
    )


@router.post("/recycler")
async def recycler(request: Request) -> Response:
    call = await begin(request, "recycler", role="supplier")
    dest = call.body.get("destinataire") or {}
    refs = call.body.get("reference") or call.body.get("references") or {}
    with call.store.tx():
        inv = own_invoice(call)
        if inv["status"] != "A_RECYCLER":
            raise ApiError(20004, "GDP_MSG_11.040", f"invoice {inv['id']} is {inv['status']}, not A_RECYCLER")
        current = call.store.one("SELECT siret FROM structures WHERE id = ?", inv["recipient_id"])
        ej = refs.get("numeroBonCommande", inv["ej"])
        try:
            routed = check_routing(
                call.store,
                dest.get("codeDestinataire") or current["siret"],
                dest.get("codeServiceExecutant"),
                ej,
                call.account.structure["type_structure"],
            )
        except RoutingError as exc:
            raise ApiError(20005, "GDP_MSG_11.041", exc.message) from exc
        comment = (call.body.get("commentaire") or "")[:2000] or None
        transition(
            call.sandbox,
            inv,
            "DEPOSEE",
            lifecycle.SUPPLIER,
            call.now,
            comment,
            actor_name=call.account.login,
            recipient_id=routed.recipient["id"],
            service_id=routed.service["id"] if routed.service else None,
            ej=ej,
            sim_cycle=inv["sim_cycle"] + 1,
            manual=0,
            deposited_at=call.now,
        )
    return ok(
        identifiantFactureCPP=inv["id"],
        numeroFacture=inv["number"],
        statutFacture="DEPOSEE",
        dateDepot=fmt_minute(call.now),
    )


@router.post("/traiterRejet")
async def traiter_rejet(request: Request) -> Response:
    call = await begin(request, "traiterRejet", role="supplier")
    ids = [
        d.get("idDemandePaiement") for d in call.body.get("listeDemandePaiement") or [] if isinstance(d, dict)
    ]
    if not ids:
        raise ApiError(
            20001, "GDP_MSG_11.050", "listeDemandePaiement must list at least one idDemandePaiement"
        )
    with call.store.tx():
        for raw in ids:
            inv = own_invoice(Call(call.sandbox, call.account, {"identifiantFactureCPP": raw}))
            if inv["status"] != "REJETEE":
                raise ApiError(
                    20002, "GDP_MSG_11.051", f"invoice {inv['id']} is {inv['status']}, not REJETEE"
                )
            call.store.update("invoices", inv["id"], {"rejet_traite": 1})
            lifecycle.record_action(call.store, inv["id"], "TRAITEMENT_REJET", call.now, call.account.login)
    return ok()
