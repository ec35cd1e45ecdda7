"""Transverses (``/cpro/transverses/v1``): health, reference lists, files, directory look-ups.

Integration reports (consulterCR, consulterCRDetaille) live in
:mod:`chorusflow.sandbox.flow_reports`; the allowed processing targets come
from :mod:`chorusflow.sandbox.lifecycle` so the list a recipient is offered
and what ``traiter/recue`` accepts are the same rule.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox import referentials as ref
from chorusflow.sandbox.envelope import ApiError, CproJSON, ok, paginate
from chorusflow.sandbox.gateway import authenticate
from chorusflow.sandbox.lifecycle import recipient_targets
from chorusflow.sandbox.runtime import begin

__all__ = ["ATTACHMENT_EXTENSIONS", "MAX_ATTACHMENT_BYTES", "decode_base64", "router"]

router = APIRouter(prefix="/cpro/transverses/v1")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = {
    "BMP",
    "GIF",
    "FAX",
    "ODT",
    "PPT",
    "TIFF",
    "XLS",
    "BZ2",
    "GZ",
    "JPEG",
    "P7S",
    "RTF",
    "TXT",
    "XML",
    "CSV",
    "GZIP",
    "JPG",
    "PDF",
    "SVG",
    "XHTML",
    "XLSX",
    "DOC",
    "HTM",
    "ODP",
    "PNG",
    "TGZ",
    "XLC",
    "ZIP",
    "DOCX",
    "HTML",
    "ODS",
    "PPS",
    "TIF",
    "XLM",
    "PPTX",
}


def decode_base64(value: Any, field: str) -> bytes:
    """Decode a base64 file field, with an error that names the field."""
    if not isinstance(value, str) or not value:
        raise ApiError(20001, "TRA_MSG_00.002", f"{field} is required (base64 of the file)")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(20001, "TRA_MSG_00.002", f"{field} is not valid base64: {exc}") from exc


@router.get("/health-check")
async def health_check(request: Request) -> Response:
    request.app.state.sandbox.tick()
    fault = request.scope.get("sandbox.fault") or {}
    authenticate_token_only(request, fault.get("token_ttl_s"))
    return CproJSON({"body": "OK", "statusCodeValue": 200, "statusCode": "OK"})


def authenticate_token_only(request: Request, ttl: float | None) -> None:
    """health-check needs a PISTE token but no technical account."""
    from chorusflow.sandbox.gateway import GatewayError

    try:
        authenticate(request, ttl)
    except GatewayError as exc:
        if exc.error != "Unauthorized":
            raise


@router.post("/ajouter/fichier")
async def ajouter_fichier(request: Request) -> Response:
    call = await begin(request, "ajouter/fichier")
    data = decode_base64(call.body.get("pieceJointeFichier"), "pieceJointeFichier")
    name = call.body.get("pieceJointeNom") or ""
    ext = (call.body.get("pieceJointeExtension") or name.rpartition(".")[2]).upper().lstrip(".")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ApiError(20003, "TRA_MSG_00.020", "the file exceeds 10 MB", http_status=413)
    if not name or len(name) > 50:
        raise ApiError(20002, "TRA_MSG_00.021", "pieceJointeNom is required and at most 50 characters")
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ApiError(20004, "TRA_MSG_00.022", f"extension {ext!r} is not allowed on Chorus Pro")
    with call.store.tx():
        file_id = call.store.insert(
            "files",
            {
                "structure_id": call.account.structure_id,
                "name": name,
                "mime": call.body.get("pieceJointeTypeMime"),
                "ext": ext,
                "data": data,
                "created_at": call.now,
            },
        )
    return ok(pieceJointeId=file_id)


@router.post("/recuperer/coordbanc/valides")
async def coordonnees_bancaires(request: Request) -> Response:
    call = await begin(request, "recuperer/coordbanc/valides", role="supplier")
    wanted = call.body.get("idStructure", call.account.structure_id)
    if int(wanted or 0) != call.account.structure_id:
        raise ApiError(20001, "TRA_MSG_00.010", "idStructure is not a structure of this technical user")
    rows = call.store.all(
        "SELECT id, name FROM bank_accounts WHERE structure_id = ? ORDER BY id", call.account.structure_id
    )
    page, retour = paginate(rows, call.body.get("parametresRecherche"))
    listing = [{"idCoordonneeBancaire": r["id"], "nomCoordonneeBancaire": r["name"]} for r in page]
    return ok(listeCoordonneeBancaire=listing, **retour)


def _own_structure(call: Any, kind: str) -> list[dict[str, Any]]:
    s = call.account.structure
    if s["type_structure"] != kind or s["statut"] != "ACTIF":
        return []
    return [{"idStructureCPP": s["id"], "identifiant": s["siret"], "designationStructure": s["designation"]}]


@router.post("/recuperer/structures/actives/fournisseur")
async def structures_actives_fournisseur(request: Request) -> Response:
    call = await begin(request, "recuperer/structures/actives/fournisseur")
    return ok(listeStructures=_own_structure(call, "PRIVEE"))


@router.post("/recuperer/structures/actives/destinataire")
async def structures_actives_destinataire(request: Request) -> Response:
    call = await begin(request, "recuperer/structures/actives/destinataire")
    return ok(listeStructures=_own_structure(call, "PUBLIQUE"))


@router.post("/rechercher/destinataire")
async def rechercher_destinataire(request: Request) -> Response:
    call = await begin(request, "rechercher/destinataire")
    b = call.body
    sql, args = "SELECT * FROM structures WHERE type_structure = 'PUBLIQUE'", []
    if b.get("identifiant"):
        sql += " AND siret LIKE ?"
        args.append(f"{b['identifiant']}%")
    if b.get("nomVilleCodePostal"):
        sql += " AND (designation LIKE ? OR city LIKE ? OR postcode LIKE ?)"
        args += [f"%{b['nomVilleCodePostal']}%"] * 3
    rows = call.store.all(sql + " ORDER BY id", *args)
    page, retour = paginate(rows, b.get("parametresRecherche"))
    listing = [
        {
            "idStructureCPP": r["id"],
            "siret": r["siret"],
            "nomDestinataire": r["designation"],
            "adresseCodePostal": r["postcode"],
            "adresseVille": r["city"],
        }
        for r in page
    ]
    return ok(listeDestinataires=listing, parametresRetour=retour)


@router.post("/rechercher/serviceexecutant")
async def rechercher_service_executant(request: Request) -> Response:
    call = await begin(request, "rechercher/serviceexecutant")
    b = call.body
    sql, args = "SELECT * FROM services WHERE 1 = 1", []
    if b.get("idDestinataireCPP") is not None:
        sql += " AND structure_id = ?"
        args.append(int(b["idDestinataireCPP"]))
    if b.get("codeServiceExecutant"):
        sql += " AND code LIKE ?"
        args.append(f"%{b['codeServiceExecutant']}%")
    if b.get("nomServiceExecutant"):
        sql += " AND label LIKE ?"
        args.append(f"%{b['nomServiceExecutant']}%")
    if b.get("actif") is not None:
        sql += " AND active = ?"
        args.append(1 if b["actif"] else 0)
    rows = call.store.all(sql + " ORDER BY id", *args)
    page, retour = paginate(rows, b.get("parametresRecherche"))
    listing = [
        {"idServicesCPP": r["id"], "codeServiceExecutant": r["code"], "nomServiceExecutant": r["label"]}
        for r in page
    ]
    return ok(listeServices=listing, parametresRetour=retour)


@router.post("/recuperer/etats/traitement")
async def etats_traitement(request: Request) -> Response:
    call = await begin(request, "recuperer/etats/traitement")
    current = call.body.get("statutCourant")
    if current not in ref.INVOICE_STATUSES:
        raise ApiError(20001, "TRA_MSG_00.011", f"statutCourant {current!r} is not an invoice status")
    targets = [{"statutPossiblePourTraitement": s} for s in recipient_targets(current)]
    return ok(listeStatutsPossiblesPourTraitement=targets)


@router.post("/telecharger/annuaire/destinataire")
async def telecharger_annuaire(request: Request) -> Response:
    call = await begin(request, "telecharger/annuaire/destinataire")
    rows = call.store.all(
        "SELECT s.siret, s.designation, s.statut, s.code_service_required, s.ej_required, "
        "s.ej_or_service, s.payment_not_reported, v.code, v.label, v.active, v.ej_required AS svc_ej "
        "FROM structures s LEFT JOIN services v ON v.structure_id = s.id "
        "WHERE s.type_structure = 'PUBLIQUE' ORDER BY s.id, v.id"
    )
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(
        [
            "IDENTIFIANT",
            "RAISON_SOCIALE",
            "STATUT",
            "CODE_SERVICE_OBLIGATOIRE",
            "ENGAGEMENT_OBLIGATOIRE",
            "ENGAGEMENT_OU_SERVICE",
            "MISE_EN_PAIEMENT_NON_REMONTEE",
            "CODE_SERVICE",
            "LIBELLE_SERVICE",
            "SERVICE_ACTIF",
            "SERVICE_ENGAGEMENT_OBLIGATOIRE",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r["siret"],
                r["designation"],
                r["statut"],
                r["code_service_required"],
                r["ej_required"],
                r["ej_or_service"],
                r["payment_not_reported"],
                r["code"] or "",
                r["label"] or "",
                r["active"] if r["code"] else "",
                r["svc_ej"] if r["code"] else "",
            ]
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("annuaire_destinataires.csv", text.getvalue().encode("utf-8"))
    return ok(fichierResultat=base64.b64encode(buffer.getvalue()).decode("ascii"))


def _list(key: str, item: str, values: list[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {key: [{item: v} for v in values]}


def _syntaxes(body: dict[str, Any]) -> dict[str, Any]:
    fmt = body.get("formatFlux")
    if fmt and fmt not in ref.FLOW_FORMATS:
        raise ApiError(
            20001, "TRA_MSG_00.011", f"formatFlux {fmt!r} unknown; use one of {list(ref.FLOW_FORMATS)}"
        )
    values = ref.FLOW_FORMATS[fmt] if fmt else list(ref.DEPOSIT_SYNTAXES)
    return {"listeSyntaxeFlux": [{"syntaxeFlux": v} for v in values]}


def _states(body: dict[str, Any]) -> dict[str, Any]:
    return {"listeEtatDemandePaiement": [{"etatDemandePaiement": s} for s in ref.INVOICE_STATUSES]}


def _cadres(body: dict[str, Any]) -> dict[str, Any]:
    values = ref.INVOICE_CADRES if body.get("typeDemandePaiement", "FACTURE") == "FACTURE" else ref.CADRES
    return {"listeCadreFacturation": [{"codeCadreFacturation": v} for v in values]}


LISTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "recuperer/formatflux": _list("listeFormatFlux", "formatFlux", list(ref.FLOW_FORMATS)),
    "recuperer/syntaxeflux": _syntaxes,
    "recuperer/etat/typedp": _states,
    "recuperer/tauxtva": lambda body: {
        "listeTauxTva": [
            {"codeTauxTva": c, "libelleTauxTva": label, "valeurTauxTva": v} for c, label, v in ref.VAT_RATES
        ]
    },
    "recuperer/devises": lambda body: {
        "listeDevises": [{"codeDevise": c, "libelleDevise": label} for c, label in ref.CURRENCIES]
    },
    "recuperer/pays": lambda body: {
        "listePays": [{"codePays": c, "libellePays": label} for c, label in ref.COUNTRIES]
    },
    "recuperer/motifs/exonerationtva": lambda body: {
        "listeMotifsExonerationTva": [
            {"codeMotifExonerationTva": c, "libelleMotifExonerationTva": label}
            for c, label in ref.MOTIFS_EXONERATION
        ]
    },
    "recuperer/cadrefacturation": _cadres,
    "recuperer/modereglements": _list("listeModePaiement", "modePaiement", ref.MODES_PAIEMENT),
    "recuperer/modedepot": _list("listeModeDepot", "modeDepot", ref.MODES_DEPOT),
    "recuperer/typedp": _list("listeTypeDemandePaiement", "typeDemandePaiement", ref.TYPES_DP),
    "recuperer/typeidentifiant/structure": _list(
        "listeTypeIdentifiant", "typeIdentifiantStructure", ref.TYPES_IDENTIFIANT
    ),
}


def _register_list(path: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    async def handler(request: Request) -> Response:
        call = await begin(request, path)
        return ok(**build(call.body))

    handler.__name__ = "list_" + path.replace("/", "_")
    router.add_api_route("/" + path, handler, methods=["POST"])


for _path, _build in LISTS.items():
    _register_list(_path, _build)
