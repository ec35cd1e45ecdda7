"""Supplier deposits: ``deposer/flux`` (files), ``deposer/pdf`` (OCR) and ``soumettre`` (JSON).

A flow deposit answers at once with ``numeroFluxDepot`` and nothing else; the
verdict comes later (see :mod:`chorusflow.sandbox.integration`). ``soumettre``
is synchronous: the routing checks run immediately and the invoice id is in
the answer, as on the platform.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox import lifecycle
from chorusflow.sandbox.clock import fmt_date, fmt_minute
from chorusflow.sandbox.engine import FLOW_PENDING_STATES, schedule
from chorusflow.sandbox.envelope import ApiError, ok
from chorusflow.sandbox.factures_supplier import attach_files
from chorusflow.sandbox.ocr import guess_from_pdf
from chorusflow.sandbox.packaging import TooLarge, check_size
from chorusflow.sandbox.referentials import DEPOSIT_SYNTAXES, INVOICE_CADRES
from chorusflow.sandbox.routing import RoutingError, check_number, check_routing
from chorusflow.sandbox.runtime import Call, begin
from chorusflow.sandbox.transverses import MAX_ATTACHMENT_BYTES, decode_base64

__all__ = ["router"]

router = APIRouter(prefix="/cpro/factures/v1")

FLOW_NUMBER_BASE = 11_110_000_000_000_001
PDF_FORMATS = {"PDF_NON_SIGNE", "PDF_SIGNE_PADES", "PDF_SIGNE_XADES"}
SUBMIT_MODES = {"SAISIE_API", "DEPOT_PDF_API", "DEPOT_PDF_SIGNE_API"}
#: soumettre's own error codes for routing reasons (annex V4.10 added 20013 and 20303-20305).
_SUBMIT_CODES = {
    "RECIPIENT_MISSING": 20303,
    "RECIPIENT_UNKNOWN": 20303,
    "RECIPIENT_INACTIVE": 20303,
    "SERVICE_UNKNOWN": 20304,
    "SERVICE_INACTIVE": 20304,
    "SERVICE_REQUIRED": 20304,
    "SERVICE_RESERVED": 20304,
    "EJ_REQUIRED": 20305,
    "EJ_OR_SERVICE_REQUIRED": 20305,
    "EJ_FORMAT": 20305,
    "DUPLICATE_NUMBER": 20013,
    "NUMBER_FORMAT": 20013,
    "NUMBER_MISSING": 20013,
}


def _too_large(message: str) -> ApiError:
    return ApiError(20001, "GDP_MSG_11.022", message, http_status=413)


@router.post("/deposer/flux")
async def deposer_flux(request: Request) -> Response:
    call = await begin(request, "deposer/flux", role="supplier")
    b = call.body
    syntax = b.get("syntaxeFlux")
    if syntax not in DEPOSIT_SYNTAXES:
        raise ApiError(
            20002,
            "GDP_MSG_11.010",
            f"syntaxeFlux {syntax!r} is not a deposit syntax; use one of {sorted(DEPOSIT_SYNTAXES)}",
        )
    name = b.get("nomFichier")
    if not isinstance(name, str) or not name or len(name) > 200:
        raise ApiError(20003, "GDP_MSG_11.011", "nomFichier is required (file name with extension, ≤ 200)")
    data = decode_base64(b.get("fichierFlux"), "fichierFlux")
    try:
        check_size(name, data)
    except TooLarge as exc:
        raise _too_large(str(exc)) from exc
    now = call.now
    with call.store.tx():
        numero = f"CPP{call.store.next_counter('flow', FLOW_NUMBER_BASE):022d}"
        call.store.insert(
            "flows",
            {
                "numero": numero,
                "structure_id": call.account.structure_id,
                "file_name": name,
                "syntax": syntax,
                "data": data,
                "deposited_at": now,
                "state": FLOW_PENDING_STATES[0],
                "state_at": now,
                "step": 0,
                "due_at": now + call.sandbox.scenario.flow_steps_s[0],
            },
        )
    return ok(numeroFluxDepot=numero, dateDepot=fmt_date(now), syntaxeFlux=syntax)


@router.post("/deposer/pdf")
async def deposer_pdf(request: Request) -> Response:
    call = await begin(request, "deposer/pdf", role="supplier")
    b = call.body
    if b.get("formatDepot") not in PDF_FORMATS:
        raise ApiError(20002, "GDP_MSG_11.012", f"formatDepot must be one of {sorted(PDF_FORMATS)}")
    name = b.get("nomFichier")
    if not isinstance(name, str) or not name or len(name) > 200:
        raise ApiError(20003, "GDP_MSG_11.011", "nomFichier is required (≤ 200 characters)")
    data = decode_base64(b.get("fichierFacture"), "fichierFacture")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise _too_large("the PDF exceeds 10 MB")
    if not data.startswith(b"%PDF-"):
        raise ApiError(20004, "GDP_MSG_11.013", "fichierFacture is not a PDF file")
    guess = guess_from_pdf(data, name)
    with call.store.tx():
        file_id = call.store.insert(
            "files",
            {
                "structure_id": call.account.structure_id,
                "name": name,
                "mime": "application/pdf",
                "ext": "PDF",
                "data": data,
                "created_at": call.now,
            },
        )
    return ok(pieceJointeId=file_id, **guess)


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ApiError(20001, "GDP_MSG_11.014", f"{field} is not a number") from exc


def _main_attachment(call: Call, block: Any) -> int | None:
    items = block if isinstance(block, list) else [block] if isinstance(block, dict) else []
    for item in items:
        file_id = item.get("pieceJointePrincipaleId")
        if file_id is None:
            continue
        found = call.store.one(
            "SELECT id FROM files WHERE id = ? AND structure_id = ?", int(file_id), call.account.structure_id
        )
        if found is None:
            raise ApiError(
                20001,
                "GDP_MSG_11.015",
                f"pieceJointePrincipaleId {file_id} is not a file deposited by this structure",
            )
        return int(file_id)
    return None


@router.post("/soumettre")
async def soumettre(request: Request) -> Response:
    call = await begin(request, "soumettre", role="supplier")
    b = call.body
    mode = b.get("modeDepot")
    if mode not in SUBMIT_MODES:
        raise ApiError(20001, "GDP_MSG_11.016", f"modeDepot must be one of {sorted(SUBMIT_MODES)}")
    supplier = call.account.structure
    fournisseur = b.get("fournisseur") or {}
    if int(fournisseur.get("idFournisseur") or 0) != supplier["id"]:
        raise ApiError(
            20002,
            "GDP_MSG_11.017",
            f"fournisseur.idFournisseur must be {supplier['id']}, the idStructureCPP of "
            "the technical user's structure",
        )
    bank_id = fournisseur.get("codeCoordonneesBancairesFournisseur")
    if (
        bank_id is not None
        and call.store.one(
            "SELECT id FROM bank_accounts WHERE id = ? AND structure_id = ?", int(bank_id), supplier["id"]
        )
        is None
    ):
        raise ApiError(20002, "GDP_MSG_11.018", f"codeCoordonneesBancairesFournisseur {bank_id} is unknown")
    refs = b.get("references") or {}
    totals = b.get("montantTotal") or {}
    ht = _decimal(totals.get("montantHtTotal"), "montantHtTotal")
    tva = _decimal(totals.get("montantTVA"), "montantTVA")
    ttc = _decimal(totals.get("montantTtcTotal"), "montantTtcTotal")
    due = _decimal(totals.get("montantAPayer"), "montantAPayer")
    if ht is None or tva is None or ttc is None:
        raise ApiError(
            20001, "GDP_MSG_11.019", "montantTotal needs montantHtTotal, montantTVA and montantTtcTotal"
        )
    if ht + tva != ttc:
        raise ApiError(20001, "GDP_MSG_11.020", f"montantTtcTotal {ttc} is not montantHtTotal + montantTVA")
    if not b.get("dateFacture"):
        raise ApiError(20001, "GDP_MSG_11.021", "dateFacture is required (YYYY-MM-DD)")
    cadre = (b.get("cadreDeFacturation") or {}).get("codeCadreFacturation") or "A1_FACTURE_FOURNISSEUR"
    if cadre not in INVOICE_CADRES:
        raise ApiError(20001, "GDP_MSG_11.023", f"codeCadreFacturation must be one of {INVOICE_CADRES}")
    pdf_id = _main_attachment(call, b.get("pieceJointePrincipale"))
    if mode != "SAISIE_API" and pdf_id is None:
        raise ApiError(20001, "GDP_MSG_11.024", "pieceJointePrincipale is required with modeDepot " + mode)
    dest = b.get("destinataire") or {}
    now = call.now
    with call.store.tx():
        number = b.get("numeroFactureSaisi") or f"SA{call.store.next_counter('saisie', 100001)}"
        try:
            routed = check_routing(
                call.store,
                dest.get("codeDestinataire"),
                dest.get("codeServiceExecutant"),
                refs.get("numeroBonCommande"),
                supplier["type_structure"],
            )
            check_number(call.store, supplier["id"], number)
        except RoutingError as exc:
            raise ApiError(_SUBMIT_CODES.get(exc.reason, 20001), "GDP_MSG_11.030", exc.message) from exc
        values = {
            "supplier_id": supplier["id"],
            "recipient_id": routed.recipient["id"],
            "service_id": routed.service["id"] if routed.service else None,
            "number": number,
            "type_facture": refs.get("typeFacture") or "FACTURE",
            "invoice_date": b["dateFacture"],
            "currency": refs.get("deviseFacture") or "EUR",
            "amount_ht": str(ht),
            "amount_tva": str(tva),
            "amount_ttc": str(ttc),
            "amount_due": str(due if due is not None else ttc),
            "ej": refs.get("numeroBonCommande"),
            "marche": refs.get("numeroMarche"),
            "origin_number": refs.get("numeroFactureOrigine"),
            "cadre": cadre,
            "type_tva": refs.get("typeTva"),
            "mode_paiement": refs.get("modePaiement"),
            "bank_account_id": int(bank_id) if bank_id is not None else None,
            "mode_depot": mode,
            "syntax": "JSON",
            "document": json.dumps(b, ensure_ascii=False).encode("utf-8"),
            "document_name": f"{number}.json",
            "pdf_file_id": pdf_id,
            "status": "DEPOSEE",
            "comment": b.get("commentaire"),
        }
        invoice_id = lifecycle.start(call.store, values, now, lifecycle.SUPPLIER)
        attach_files(call, invoice_id, b.get("pieceJointeComplementaire"))
        row = call.store.one("SELECT * FROM invoices WHERE id = ?", invoice_id)
        call.store.update("invoices", invoice_id, {"due_at": schedule(call.sandbox, row, now)})
    fingerprint = hashlib.sha256(f"{invoice_id}:{number}:{now}".encode()).hexdigest()
    return ok(
        identifiantFactureCPP=invoice_id,
        numeroFacture=number,
        identifiantStructure=supplier["siret"],
        dateDepot=fmt_minute(now),
        statutFacture="DEPOSEE",
        empreinteCertificatDepot=fingerprint,
    )
