"""Load the sandbox directory from a seed file, or the built-in one.

The seed mirrors the API's own field names (``codeServiceDoitEtreRenseigne``,
``numeroEngagement``...) so a directory captured from the real platform can be
pasted in. Seeds are applied on every start as an upsert keyed on SIRET,
service code and ids, so restarting with an edited seed updates the directory
without losing the flows and invoices already recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chorusflow.sandbox.store import Store

__all__ = [
    "DEFAULT_CLIENT",
    "DEFAULT_RECIPIENT",
    "DEFAULT_SUPPLIER",
    "SeedError",
    "apply_seed",
    "builtin_seed",
    "load_seed_file",
    "luhn_valid",
    "make_siret",
]

#: First idStructureCPP handed out (same order of magnitude as the real platform's).
STRUCTURE_ID_BASE = 25_000_001
SERVICE_ID_BASE = 7_000_001
BANK_ID_BASE = 4_000_001


class SeedError(ValueError):
    """The seed file is unusable; the message says which entry and what to fix."""


def luhn_valid(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _luhn_complete(prefix: str) -> str:
    for digit in "0123456789":
        if luhn_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def make_siret(n: int) -> str:
    """A deterministic SIRET whose SIREN and SIRET both pass the Luhn check."""
    siren = _luhn_complete(f"{(21_000_000 + n * 7919) % 100_000_000:08d}")
    return _luhn_complete(f"{siren}{(n % 900) + 10:04d}")


def load_seed_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SeedError(f"seed file {path} does not exist; pass an existing JSON file to --seed") from exc
    except json.JSONDecodeError as exc:
        raise SeedError(f"seed file {path} is not valid JSON ({exc}); fix the syntax") from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path} must hold a JSON object with 'structures' and 'oauthClients'")
    return data


def _flag(params: dict[str, Any], key: str) -> int:
    return 1 if params.get(key) is True else 0


def apply_seed(store: Store, seed: dict[str, Any]) -> None:
    """Upsert the seed's structures, services, bank accounts, users and OAuth clients."""
    structures = seed.get("structures", [])
    if not isinstance(structures, list):
        raise SeedError("'structures' must be a list of objects")
    with store.tx():
        for index, entry in enumerate(structures):
            _apply_structure(store, index, entry)
        for index, client in enumerate(seed.get("oauthClients", []) or []):
            cid, secret = client.get("client_id"), client.get("client_secret")
            if not cid or not secret:
                raise SeedError(f"oauthClients[{index}] needs both 'client_id' and 'client_secret'")
            store.execute("INSERT OR REPLACE INTO oauth_clients VALUES (?, ?)", cid, secret)


def _apply_structure(store: Store, index: int, entry: dict[str, Any]) -> None:
    where = f"structures[{index}]"
    siret = str(entry.get("siret") or "").strip()
    if not siret:
        raise SeedError(f"{where} has no 'siret'; every structure needs its identifier")
    kind = entry.get("typeStructure", "PRIVEE")
    if kind not in ("PUBLIQUE", "PRIVEE"):
        raise SeedError(f"{where}.typeStructure is {kind!r}; use PUBLIQUE or PRIVEE")
    statut = entry.get("statut", "ACTIF")
    if statut not in ("ACTIF", "INACTIF"):
        raise SeedError(f"{where}.statut is {statut!r}; use ACTIF or INACTIF")
    params = entry.get("parametres") or {}
    user = entry.get("technicalUser") or {}
    if user and not (user.get("login") and user.get("password")):
        raise SeedError(f"{where}.technicalUser needs both 'login' and 'password'")
    values = {
        "siret": siret,
        "designation": entry.get("designation") or siret,
        "type_structure": kind,
        "statut": statut,
        "code_service_required": _flag(params, "codeServiceDoitEtreRenseigne"),
        "ej_required": _flag(params, "numeroEJDoitEtreRenseigne"),
        "ej_or_service": _flag(params, "gestionNumeroEJOuCodeService"),
        "payment_not_reported": _flag(params, "statutMiseEnPaiementNestPasRemonte"),
        "email": entry.get("email"),
        "address": entry.get("adresse"),
        "postcode": entry.get("codePostal"),
        "city": entry.get("ville"),
        "vat_number": entry.get("numeroTVA"),
        "tech_login": user.get("login"),
        "tech_password": user.get("password"),
    }
    existing = store.one("SELECT id FROM structures WHERE siret = ?", siret)
    if existing:
        structure_id = existing["id"]
        store.update("structures", structure_id, values)
    else:
        structure_id = store.next_counter("structure", STRUCTURE_ID_BASE)
        store.insert("structures", {"id": structure_id, **values})
    for s_index, service in enumerate(entry.get("services", []) or []):
        code = service.get("codeService")
        if not code:
            raise SeedError(f"{where}.services[{s_index}] has no 'codeService'")
        svc = {
            "label": service.get("libelleService") or code,
            "active": 0 if service.get("estActif") is False else 1,
            "ej_required": 1 if service.get("numeroEngagement") is True else 0,
        }
        found = store.one("SELECT id FROM services WHERE structure_id = ? AND code = ?", structure_id, code)
        if found:
            store.update("services", found["id"], svc)
        else:
            sid = store.next_counter("service", SERVICE_ID_BASE)
            store.insert("services", {"id": sid, "structure_id": structure_id, "code": code, **svc})
    for b_index, bank in enumerate(entry.get("bankAccounts", []) or []):
        if not bank.get("iban"):
            raise SeedError(f"{where}.bankAccounts[{b_index}] has no 'iban'")
        bank_id = bank.get("idCoordonneeBancaire") or store.next_counter("bank", BANK_ID_BASE)
        store.execute(
            "INSERT OR REPLACE INTO bank_accounts (id, structure_id, name, iban, bic) VALUES (?,?,?,?,?)",
            int(bank_id),
            structure_id,
            bank.get("nomCoordonneeBancaire") or bank["iban"],
            bank["iban"],
            bank.get("bic"),
        )


DEFAULT_CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
DEFAULT_SUPPLIER = {"login": "TECH_FOURNISSEUR@cpro.fr", "password": "Fournisseur-2024!"}
DEFAULT_RECIPIENT = {"login": "TECH_COMMUNE@cpro.fr", "password": "Commune-2024!"}

_PUBLIC_NAMES = [
    "COMMUNE DE SAINT-AMAND",
    "CENTRE HOSPITALIER DE VALMONT",
    "DEPARTEMENT DU HAUT-VAL",
    "REGION OCCITANE-SUD",
    "LYCEE JEAN-MOULIN",
    "UNIVERSITE DE BELLEVUE",
    "DIRECTION DEPARTEMENTALE DES TERRITOIRES",
    "COMMUNAUTE D'AGGLOMERATION DU LAC",
    "SERVICE DEPARTEMENTAL D'INCENDIE",
    "OFFICE PUBLIC DE L'HABITAT",
    "PREFECTURE DU HAUT-VAL",
    "MUSEE NATIONAL DES ARTS",
    "CAISSE DES ECOLES DE VALMONT",
    "SYNDICAT DES EAUX DU PLATEAU",
    "CENTRE COMMUNAL D'ACTION SOCIALE",
    "MINISTERE DE LA CULTURE - SERVICE CENTRAL",
]


def builtin_seed() -> dict[str, Any]:
    """A realistic directory: one public body per combination of the four requirement flags."""
    structures: list[dict[str, Any]] = []
    for combo in range(16):
        flags = {
            "codeServiceDoitEtreRenseigne": bool(combo & 1),
            "numeroEJDoitEtreRenseigne": bool(combo & 2),
            "gestionNumeroEJOuCodeService": bool(combo & 4),
            "statutMiseEnPaiementNestPasRemonte": bool(combo & 8),
        }
        entry: dict[str, Any] = {
            "siret": make_siret(combo + 1),
            "designation": _PUBLIC_NAMES[combo],
            "typeStructure": "PUBLIQUE",
            "statut": "ACTIF",
            "parametres": flags,
            "services": [
                {
                    "codeService": "FACTURES_PUBLIQUES",
                    "libelleService": "Service des factures publiques",
                    "estActif": True,
                    "numeroEngagement": False,
                },
                {
                    "codeService": "SERV-FIN",
                    "libelleService": "Direction des finances",
                    "estActif": True,
                    "numeroEngagement": False,
                },
                {
                    "codeService": "SERV-TECH",
                    "libelleService": "Services techniques",
                    "estActif": True,
                    "numeroEngagement": True,
                },
                {
                    "codeService": "SERV-ARCH",
                    "libelleService": "Archives (fermé)",
                    "estActif": False,
                    "numeroEngagement": False,
                },
            ],
        }
        if combo == 0:
            entry["technicalUser"] = dict(DEFAULT_RECIPIENT)
        structures.append(entry)
    structures.append(
        {
            "siret": make_siret(40),
            "designation": "ANCIENNE COMMUNE DE VIEUX-BOURG",
            "typeStructure": "PUBLIQUE",
            "statut": "INACTIF",
            "parametres": {},
            "services": [],
        }
    )
    structures.append(
        {
            "siret": make_siret(50),
            "designation": "ACME FOURNITURES SAS",
            "typeStructure": "PRIVEE",
            "statut": "ACTIF",
            "technicalUser": dict(DEFAULT_SUPPLIER),
            "bankAccounts": [
                {
                    "idCoordonneeBancaire": 4000001,
                    "nomCoordonneeBancaire": "Compte principal",
                    "iban": "FR7630006000011234567890189",
                    "bic": "AGRIFRPPXXX",
                },
            ],
        }
    )
    structures.append(
        {
            "siret": make_siret(51),
            "designation": "BATI-SERVICES SARL",
            "typeStructure": "PRIVEE",
            "statut": "ACTIF",
            "technicalUser": {"login": "TECH_BATI@cpro.fr", "password": "Bati-2024!"},
            "bankAccounts": [
                {
                    "idCoordonneeBancaire": 4000002,
                    "nomCoordonneeBancaire": "Compte courant",
                    "iban": "FR1420041010050500013M02606",
                    "bic": "PSSTFRPPPAR",
                },
            ],
        }
    )
    structures.append(
        {
            "siret": make_siret(52),
            "designation": "ENTREPRISE RADIEE SA",
            "typeStructure": "PRIVEE",
            "statut": "INACTIF",
        }
    )
    return {"structures": structures, "oauthClients": [dict(DEFAULT_CLIENT)]}
