"""Structures (``/cpro/structures/v1``): the directory as the official Swagger describes it.

``consulter`` carries the requirement flags a supplier must honour
(service code required, commitment number required, either one, payment
status not reported); ``consulter/service`` carries the per-service
commitment flag (``parametres.numeroEngagement``). Those are exactly the flags
the integration checks enforce, read from the same rows.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chorusflow.sandbox.envelope import ApiError, ok, paginate
from chorusflow.sandbox.runtime import Call, begin

__all__ = ["router"]

router = APIRouter(prefix="/cpro/structures/v1")
GCU_OK = "GCU_MSG_01_000"
_SERVICE_START = "2020-01-01 00:00"


def _structure(call: Call, key: str) -> dict[str, Any]:
    raw = call.body.get(key)
    try:
        structure_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ApiError(20001, "GCU_MSG_01_001", f"{key} is required (the idStructureCPP)") from exc
    row = call.store.one("SELECT * FROM structures WHERE id = ?", structure_id)
    if row is None:
        raise ApiError(20002, "GCU_MSG_01_002", f"no structure has idStructureCPP {structure_id}")
    return row


@router.post("/rechercher")
async def rechercher(request: Request) -> Response:
    call = await begin(request, "structures/rechercher")
    criteria = call.body.get("structure") or {}
    sql, args = "SELECT * FROM structures WHERE 1 = 1", []
    if criteria.get("identifiantStructure"):
        sql += " AND siret = ?"
        args.append(str(criteria["identifiantStructure"]))
    if criteria.get("typeIdentifiantStructure") not in (None, "SIRET"):
        sql += " AND 0"
    for key in ("raisonSocialeStructure", "libelleStructure", "nomStructure"):
        if criteria.get(key):
            sql += " AND designation LIKE ?"
            args.append(f"%{criteria[key]}%")
    if criteria.get("typeStructure"):
        sql += " AND type_structure = ?"
        args.append(criteria["typeStructure"])
    if criteria.get("statutStructure"):
        sql += " AND statut = ?"
        args.append(criteria["statutStructure"])
    if criteria.get("adresseCodePostal"):
        sql += " AND postcode = ?"
        args.append(criteria["adresseCodePostal"])
    if criteria.get("adresseVille"):
        sql += " AND city LIKE ?"
        args.append(f"%{criteria['adresseVille']}%")
    if call.body.get("restreindreStructuresPrivees", True) is not False:
        sql += " AND (type_structure = 'PUBLIQUE' OR id = ?)"
        args.append(call.account.structure_id)
    rows = call.store.all(sql + " ORDER BY id", *args)
    sort = {
        "IdentifiantStructure": lambda r: r["siret"],
        "DesignationStructure": lambda r: r["designation"],
        "TypeIdentifiantStructure": lambda r: "SIRET",
        "Statut": lambda r: r["statut"],
    }
    page, retour = paginate(rows, call.body.get("parametres"), sort)
    listing = [
        {
            "idStructureCPP": r["id"],
            "identifiantStructure": r["siret"],
            "typeIdentifiantStructure": "SIRET",
            "designationStructure": r["designation"],
            "statut": "ACTIVE" if r["statut"] == "ACTIF" else "INACTIVE",
        }
        for r in page
    ]
    return ok(listeStructures=listing, parametresRetour=retour)


@router.post("/consulter")
async def consulter(request: Request) -> Response:
    call = await begin(request, "structures/consulter")
    s = _structure(call, "idStructureCPP")
    own = s["id"] == call.account.structure_id
    return ok(
        GCU_OK,
        informationGenerales={
            "idStructureCPP": s["id"],
            "idStructureOrigine": None,
            "identifiantStructure": s["siret"],
            "typeIdentifiantStructure": "SIRET",
            "libelleStructure": s["designation"],
            "raisonSocialeStructure": s["designation"],
            "nomStructure": None,
            "prenomStructure": None,
            "emailStructure": s["email"],
            "numeroRcsStructure": None,
            "numeroTVA": s["vat_number"],
            "structurePriveePublique": s["type_structure"],
            "estValideurDeleguee": False,
            "dateExpirationMotPasseCompteTech": "2099-12-31T00:00:00.000+01:00"
            if own and s["tech_login"]
            else None,
            "listeStructureDupliquees": [],
        },
        adressePostaleDuSiege={
            "adresse": s["address"],
            "complementAdresse1": None,
            "complementAdresse2": None,
            "codePostal": s["postcode"],
            "ville": s["city"],
            "pays": "FR",
            "telephone": None,
            "indicatifTelephone": None,
            "fax": None,
            "indicatifFax": None,
        },
        parametres={
            "codeServiceDoitEtreRenseigne": bool(s["code_service_required"]),
            "numeroEJDoitEtreRenseigne": bool(s["ej_required"]),
            "gestionNumeroEJOuCodeService": bool(s["ej_or_service"]),
            "statutMiseEnPaiementNestPasRemonte": bool(s["payment_not_reported"]),
            "connexionEDI": False,
            "recevoirDonneesViaEDI": False,
            "estMoaUniquement": False,
            "getaMoa": False,
            "estValideurDelegue": False,
            "nonDiffusibleInsee": False,
        },
    )


def _service_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "idService": r["id"],
        "codeService": r["code"],
        "libelleService": r["label"],
        "estActif": bool(r["active"]),
        "statutService": "ACTIF" if r["active"] else "INACTIF",
        "dateDbtService": _SERVICE_START,
        "dateFinService": None,
    }


_SERVICE_SORT = {
    "CodeService": lambda r: r["code"],
    "LibelleService": lambda r: r["label"],
    "DateDbtService": lambda r: _SERVICE_START,
    "DateFinService": lambda r: "",
    "EstActif": lambda r: r["active"],
}


@router.post("/rechercher/services")
async def rechercher_services(request: Request) -> Response:
    call = await begin(request, "structures/rechercher/services")
    s = _structure(call, "idStructure")
    rows = call.store.all("SELECT * FROM services WHERE structure_id = ? ORDER BY id", s["id"])
    page, retour = paginate(rows, call.body.get("parametresRechercherServicesStructure"), _SERVICE_SORT)
    return ok(listeServices=[_service_row(r) for r in page], parametresRetour=retour)


@router.post("/consulter/service")
async def consulter_service(request: Request) -> Response:
    call = await begin(request, "structures/consulter/service")
    s = _structure(call, "idStructure")
    try:
        service_id = int(call.body.get("idService"))
    except (TypeError, ValueError) as exc:
        raise ApiError(20001, "GCU_MSG_01_001", "idService is required") from exc
    r = call.store.one("SELECT * FROM services WHERE id = ? AND structure_id = ?", service_id, s["id"])
    if r is None:
        raise ApiError(20002, "GCU_MSG_01_003", f"structure {s['id']} has no service {service_id}")
    return ok(
        GCU_OK,
        informationsGenerales={
            "codeService": r["code"],
            "nomService": r["label"],
            "descriptionService": r["label"],
        },
        adressePostale={
            "adresse": s["address"],
            "complementAdresse1": None,
            "complementAdresse2": None,
            "codePostal": s["postcode"],
            "ville": s["city"],
            "pays": "FR",
        },
        parametres={
            "dateCreation": "2020-01-01",
            "dateDebutValidite": "2020-01-01",
            "dateFinValidite": None,
            "dateModification": None,
            "miseEnPaiement": not s["payment_not_reported"],
            "numeroEngagement": bool(r["ej_required"]),
        },
    )


@router.post("/lister/rattachementsutilisateur")
async def lister_rattachements(request: Request) -> Response:
    call = await begin(request, "structures/lister/rattachementsutilisateur")
    s = call.account.structure
    rows = call.store.all("SELECT * FROM services WHERE structure_id = ? ORDER BY id", s["id"])
    sort = {
        "CodeService": lambda r: r["code"],
        "NomService": lambda r: r["label"],
        "StatutRattachement": lambda r: r["active"],
    }
    page, retour = paginate(rows, call.body.get("parametresListerRattachementsStructureUtilisateur"), sort)
    listing = [
        {
            "idRattachement": 900_000 + r["id"],
            "idService": r["id"],
            "codeService": r["code"],
            "nomService": r["label"],
            "statutRattachement": "VALIDEE" if r["active"] else "DESACTIVEE",
            "dateDebut": "2020-01-01",
            "dateFin": None,
            "commentaire": None,
        }
        for r in page
    ]
    return ok(
        idStructure=s["id"],
        identifiantStructure=s["siret"],
        designationStructure=s["designation"],
        premierService=False,
        listeServices=listing,
        parametresRetour=retour,
    )


@router.post("/rechercher/espaces")
async def rechercher_espaces(request: Request) -> Response:
    call = await begin(request, "structures/rechercher/espaces")
    if call.account.role == "recipient":
        spaces = [(7, "FACTURES_RECUES", "Factures reçues"), (10, "SOLLICITATIONS", "Sollicitations")]
    else:
        spaces = [(1, "FACTURES_EMISES", "Factures émises"), (10, "SOLLICITATIONS", "Sollicitations")]
    rows = [
        {
            "idEspaceFo": i,
            "codeEspace": c,
            "libelleEspace": label,
            "idService": None,
            "codeService": None,
            "libelleService": None,
            "etatCourant": "ACTIVE",
            "typeHabilitation": "MODIFICATION",
        }
        for i, c, label in spaces
    ]
    page, retour = paginate(rows, call.body.get("parametresRechercherEspaces"))
    return ok(listeEspace=page, parametresRetour=retour)
