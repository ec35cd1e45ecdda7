"""Integration reports of deposited flows: ``consulterCR`` and ``consulterCRDetaille``.

They are how a supplier learns, asynchronously, what became of a deposit:
the flow state (pending, IN_INTEGRE, IN_INTEGRE_PARTIEL, IN_REJETE) and, per
rejected invoice, ``listeErreurDP``. A flow is visible only to the structure
that deposited it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox.clock import fmt_iso
from chorusflow.sandbox.envelope import ApiError, ok
from chorusflow.sandbox.pdf_text import text_pdf
from chorusflow.sandbox.referentials import DEPOSIT_SYNTAXES, INTERFACE_CODES
from chorusflow.sandbox.runtime import Call, begin

__all__ = ["interface_code", "router"]

router = APIRouter(prefix="/cpro/transverses/v1")


def interface_code(syntax: str) -> str:
    return INTERFACE_CODES.get(DEPOSIT_SYNTAXES.get(syntax) or "", "FSO1110A")


def _flow(call: Call) -> dict[str, Any]:
    numero = call.body.get("numeroFluxDepot")
    if not numero:
        raise ApiError(20001, "TRA_MSG_00.003", "numeroFluxDepot is required")
    flow = call.store.one("SELECT * FROM flows WHERE numero = ?", str(numero))
    if flow is None or flow["structure_id"] != call.account.structure_id:
        raise ApiError(
            20002, "TRA_MSG_00.004", f"no flow {numero} was deposited by the structure of this technical user"
        )
    return flow


@router.post("/consulterCR")
async def consulter_cr(request: Request) -> Response:
    call = await begin(request, "consulterCR")
    flow = _flow(call)
    errors = json.loads(flow["dp_errors"]) + json.loads(flow["tech_errors"])
    lines = [
        f"Flux {flow['numero']} - fichier {flow['file_name']}",
        f"Syntaxe {flow['syntax']} - etat {flow['state']}",
        "",
    ]
    lines += [e.get("libelleErreurDP") or e.get("libelleErreur", "") for e in errors]
    report = text_pdf("Compte rendu de traitement du flux", lines)
    return ok(
        numeroFluxDepot=flow["numero"],
        nomFichierFlux=f"{interface_code(flow['syntax'])}_CPP001_{flow['numero']}",
        codeInterfaceFlux=interface_code(flow["syntax"]),
        codeAppliPartenaire="CPP001",
        designationPartenaire="CHORUS PRO (BAC A SABLE)",
        dateDepotFlux=fmt_iso(flow["deposited_at"]),
        dateHeureEtatCourantFlux=fmt_iso(flow["state_at"]),
        etatCourantFlux=flow["state"],
        fichierCR=base64.b64encode(report).decode("ascii"),
    )


@router.post("/consulterCRDetaille")
async def consulter_cr_detaille(request: Request) -> Response:
    call = await begin(request, "consulterCRDetaille")
    flow = _flow(call)
    return ok(
        nomFichier=flow["file_name"],
        codeInterfaceDepotFlux=interface_code(flow["syntax"]),
        dateDepotFlux=fmt_iso(flow["deposited_at"]),
        dateHeureEtatCourantFlux=fmt_iso(flow["state_at"]),
        etatCourantDepotFlux=flow["state"],
        listeErreurDP=json.loads(flow["dp_errors"]),
        listeErreurTechnique=json.loads(flow["tech_errors"]),
    )
