"""Operations both sides use on one invoice: ``consulter/historique`` and ``telecharger/groupe``.

The supplier reaches its issued invoices, the recipient its received ones;
nobody else sees them. The history lists every status with its date and
comment (the recipient's ``motif``) — what a supplier polls to follow an
invoice to MISE_EN_PAIEMENT.
"""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox import lifecycle
from chorusflow.sandbox.clock import fmt_minute
from chorusflow.sandbox.envelope import ApiError, ok, paginate
from chorusflow.sandbox.pdf_text import text_pdf
from chorusflow.sandbox.runtime import Call, begin

__all__ = ["MAX_DOWNLOAD_BYTES", "router"]

router = APIRouter(prefix="/cpro/factures/v1")
MAX_DOWNLOAD_BYTES = 120 * 1024 * 1024


def visible_invoice(call: Call, raw: Any) -> dict[str, Any]:
    try:
        invoice_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ApiError(20000, "GDP_MSG_11.008", "idFacture is required") from exc
    row = call.store.one("SELECT * FROM invoices WHERE id = ?", invoice_id)
    sid = call.account.structure_id
    if row is not None and (
        row["supplier_id"] == sid
        or (row["recipient_id"] == sid and row["status"] in lifecycle.RECIPIENT_VISIBLE)
    ):
        return row
    raise ApiError(20000, "GDP_MSG_11.008", f"invoice {invoice_id} does not exist for this structure")


def _block(items: list[Any], params: Any, key: str, suffix: str) -> dict[str, Any]:
    page, r = paginate(items, params)
    return {
        key: page,
        f"pageCourante{suffix}": r["pageCourante"],
        f"pages{suffix}": r["pages"],
        f"nbResultatsParPage{suffix}": r["nbResultatsParPage"],
        f"total{suffix}": r["total"],
    }


@router.post("/consulter/historique")
async def consulter_historique(request: Request) -> Response:
    call = await begin(request, "consulter/historique")
    inv = visible_invoice(call, call.body.get("idFacture"))
    statuses = call.store.all(
        "SELECT * FROM history WHERE invoice_id = ? ORDER BY at DESC, id DESC", inv["id"]
    )
    actions = call.store.all(
        "SELECT * FROM actions WHERE invoice_id = ? ORDER BY at DESC, id DESC", inv["id"]
    )
    histo = [
        {
            "histoStatutId": h["id"],
            "histoStatutCode": h["status"],
            "histoStatutDatePassage": fmt_minute(h["at"]),
            "histoStatutCommentaire": h["comment"],
            "histoStatutUtilisateurNom": h["actor"],
            "histoStatutUtilisateurPrenom": None,
            "histoStatutUtilisateurEmail": None,
            "histoStatutUtilisateurTelephone": None,
        }
        for h in statuses
    ]
    acts = [
        {
            "histoActionId": a["id"],
            "histoActionCode": a["code"],
            "histoActionDateHeure": fmt_minute(a["at"]),
            "histoActionUtilisateurNom": a["actor"],
            "histoActionUtilisateurPrenom": None,
            "histoActionUtilisateurEmail": None,
            "histoActionUtilisateurTelephone": None,
        }
        for a in actions
    ]
    last = (
        {"derniereActionId": actions[0]["id"], "derniereActionCode": actions[0]["code"]} if actions else None
    )
    return ok(
        idFacture=inv["id"],
        numeroFacture=inv["number"],
        modeDepot=inv["mode_depot"],
        statutCourantCode=inv["status"],
        historiquesDesStatuts=_block(
            histo, call.body.get("paramRechercheHistoStatuts"), "histoStatut", "HistoStatut"
        ),
        historiquesDesActionsUtilisateurs=_block(
            acts, call.body.get("paramRechercheHistoActionsUtilisateurs"), "histoAction", "HistoAction"
        ),
        historiquesDesEvenementsComplementaires=_block(
            [], call.body.get("paramRechercheHistoEvenementsComplementaires"), "evenement", "Evenement"
        ),
        derniereAction=last,
    )


def _pdf_of(call: Call, inv: dict[str, Any]) -> bytes:
    if inv["pdf_file_id"]:
        f = call.store.one("SELECT data FROM files WHERE id = ?", inv["pdf_file_id"])
        if f:
            return f["data"]
    if inv["document"] and inv["document"].startswith(b"%PDF-"):
        return inv["document"]
    return text_pdf(
        f"Facture {inv['number']}",
        [
            f"Identifiant Chorus Pro : {inv['id']}",
            f"Date : {inv['invoice_date']}",
            f"Montant HT : {inv['amount_ht']} {inv['currency']}",
            f"TVA : {inv['amount_tva']}",
            f"Montant TTC : {inv['amount_ttc']}",
            f"Statut : {inv['status']}",
        ],
    )


def _pivot(inv: dict[str, Any]) -> str:
    fields = {
        "IdFacture": inv["id"],
        "NumeroFacture": inv["number"],
        "TypeFacture": inv["type_facture"],
        "DateFacture": inv["invoice_date"],
        "Devise": inv["currency"],
        "MontantHT": inv["amount_ht"],
        "MontantTVA": inv["amount_tva"],
        "MontantTTC": inv["amount_ttc"],
        "Statut": inv["status"],
    }
    inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields.items() if v is not None)
    return f"<CPPFacturePivot>{inner}</CPPFacturePivot>"


@router.post("/telecharger/groupe")
async def telecharger_groupe(request: Request) -> Response:
    call = await begin(request, "telecharger/groupe")
    b = call.body
    fmt = b.get("format")
    if fmt not in ("PDF", "PIVOT"):
        raise ApiError(20001, "GDP_MSG_11.070", "format must be PDF or PIVOT")
    wanted = [d.get("idFacture") for d in b.get("listeFacture") or [] if isinstance(d, dict)]
    if not wanted:
        raise ApiError(20001, "GDP_MSG_11.071", "listeFacture must list at least one idFacture")
    with call.store.tx():
        invoices = [visible_invoice(call, raw) for raw in wanted]
        if fmt == "PIVOT":
            result = (
                '<?xml version="1.0" encoding="UTF-8"?><CPPFacturePivotGroupe>'
                + "".join(_pivot(i) for i in invoices)
                + "</CPPFacturePivotGroupe>"
            ).encode("utf-8")
        elif len(invoices) == 1 and b.get("avecPiecesJointesComplementaires") != "OUI":
            result = _pdf_of(call, invoices[0])
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                for inv in invoices:
                    zf.writestr(f"{inv['id']}/{inv['number']}.pdf", _pdf_of(call, inv))
            result = buffer.getvalue()
        if len(result) > MAX_DOWNLOAD_BYTES:
            raise ApiError(20002, "GDP_MSG_11.072", "the download exceeds 120 MB", http_status=413)
        for inv in invoices:
            if inv["recipient_id"] == call.account.structure_id:
                call.store.update("invoices", inv["id"], {"downloaded": 1})
                lifecycle.record_action(
                    call.store, inv["id"], "TELECHARGEMENT_FACTURE", call.now, call.account.login
                )
    return ok(fichierResultat=base64.b64encode(result).decode("ascii"))
