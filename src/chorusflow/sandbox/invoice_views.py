"""How an invoice row is shown: search rows (supplier and recipient side) and the full view.

The supplier side calls the invoice ``identifiantFactureCPP`` and the
recipient side ``idFacture``; both views are built here from the same row so
the two sides can never disagree on amounts, dates or status.
"""

from __future__ import annotations

import json
from typing import Any

from chorusflow.sandbox.clock import fmt_date, fmt_minute
from chorusflow.sandbox.invoice_values import amount
from chorusflow.sandbox.store import Store

__all__ = ["Parties", "facture_view", "parties", "recipient_row", "supplier_row"]


class Parties:
    def __init__(self, store: Store, inv: dict[str, Any]) -> None:
        self.supplier = store.one("SELECT * FROM structures WHERE id = ?", inv["supplier_id"]) or {}
        self.recipient = store.one("SELECT * FROM structures WHERE id = ?", inv["recipient_id"]) or {}
        self.service = (
            store.one("SELECT * FROM services WHERE id = ?", inv["service_id"]) if inv["service_id"] else None
        ) or {}
        self.flow = (
            store.one("SELECT numero FROM flows WHERE id = ?", inv["flow_id"]) if inv["flow_id"] else None
        ) or {}
        self.bank = (
            store.one("SELECT * FROM bank_accounts WHERE id = ?", inv["bank_account_id"])
            if inv["bank_account_id"]
            else None
        ) or {}


def parties(store: Store, inv: dict[str, Any]) -> Parties:
    return Parties(store, inv)


def _common(inv: dict[str, Any], p: Parties) -> dict[str, Any]:
    return {
        "numeroFacture": inv["number"],
        "statut": inv["status"],
        "typeFacture": inv["type_facture"],
        "dateFacture": inv["invoice_date"],
        "dateDepot": fmt_date(inv["deposited_at"]),
        "dateHeureEtatCourant": fmt_minute(inv["status_at"]),
        "commentaireEtatCourant": inv["status_comment"],
        "montantHT": amount(inv["amount_ht"]),
        "montantTTC": amount(inv["amount_ttc"]),
        "montantAPayer": amount(inv["amount_due"]),
        "devise": inv["currency"],
        "codeFournisseur": p.supplier.get("siret"),
        "typeIdentifiantFournisseur": "SIRET",
        "designationFournisseur": p.supplier.get("designation"),
        "idDestinataire": inv["recipient_id"],
        "codeDestinataire": p.recipient.get("siret"),
        "designationDestinataire": p.recipient.get("designation"),
        "idServiceExecutant": inv["service_id"],
        "codeServiceExecutant": p.service.get("code"),
        "nomServiceExecutant": p.service.get("label"),
        "numeroBonCommande": inv["ej"],
        "numeroMarche": inv["marche"],
        "typeDemandePaiement": "FACTURE",
        "taille": len(inv["document"] or b""),
    }


def supplier_row(store: Store, inv: dict[str, Any]) -> dict[str, Any]:
    p = parties(store, inv)
    return {
        "identifiantFactureCPP": inv["id"],
        **_common(inv, p),
        "numeroFluxDepot": p.flow.get("numero"),
        "modeDepot": inv["mode_depot"],
        "codeServiceFournisseur": None,
        "nomServiceFournisseur": None,
        "numeroFactureOrigine": inv["origin_number"],
        "coordBancairesFournisseurIban": p.bank.get("iban"),
        "rejetTraite": bool(inv["rejet_traite"]),
        "nomPrenomUtilisateurCreateur": "UTILISATEUR TECHNIQUE",
    }


def recipient_row(store: Store, inv: dict[str, Any]) -> dict[str, Any]:
    p = parties(store, inv)
    return {
        "idFacture": inv["id"],
        **_common(inv, p),
        "idFournisseur": inv["supplier_id"],
        "factureTelechargeeParDestinataire": bool(inv["downloaded"]),
        "typeFactureTravaux": None,
    }


def _lines(inv: dict[str, Any]) -> list[dict[str, Any]]:
    if inv["syntax"] == "JSON" and inv["document"]:
        body = json.loads(inv["document"])
        return [line for line in body.get("lignePoste") or [] if isinstance(line, dict)]
    return []


def _block(items: list[Any], key: str, suffix: str) -> dict[str, Any]:
    return {
        key: items,
        f"pageCourante{suffix}": 1,
        f"pages{suffix}": 1 if items else 0,
        f"nbResultatsParPage{suffix}": max(10, len(items)),
        f"total{suffix}": len(items),
    }


def facture_view(store: Store, inv: dict[str, Any]) -> dict[str, Any]:
    p = parties(store, inv)
    attachments = store.all(
        "SELECT f.id, f.name, f.ext, l.kind FROM invoice_files l JOIN files f ON f.id = l.file_id "
        "WHERE l.invoice_id = ? ORDER BY f.id",
        inv["id"],
    )
    pieces = [
        {
            "pieceJointeId": a["id"],
            "pieceJointeIdLiaison": a["id"],
            "pieceJointeDesignation": a["name"],
            "pieceJointeExtension": a["ext"],
            "pieceJointeTypeCode": "DIVERS",
            "pieceJointeTypeLibelle": "Pièce jointe standard",
            "pieceJointeNumeroLigneFacture": None,
        }
        for a in attachments
    ]
    return {
        "identifiantFactureCPP": inv["id"],
        "numeroFacture": inv["number"],
        "statutFacture": inv["status"],
        "modeDepot": inv["mode_depot"],
        "commentaire": inv["comment"],
        "cadreDeFacturation": {
            "codeCadreFacturation": inv["cadre"],
            "codeStructureValideur": None,
            "codeServiceValideur": None,
            "dateValidation1": None,
            "dateValidation2": None,
        },
        "destinataire": {
            "idDestinataire": inv["recipient_id"],
            "codeDestinataire": p.recipient.get("siret"),
            "libelleDestinataire": p.recipient.get("designation"),
            "destinataireEtat": p.recipient.get("statut"),
            "idServiceExecutant": inv["service_id"],
            "codeServiceExecutant": p.service.get("code"),
            "libelleServiceExecutant": p.service.get("label"),
            "adresseDestinataire": p.recipient.get("address"),
        },
        "fournisseur": {
            "idFournisseur": inv["supplier_id"],
            "codeFournisseur": p.supplier.get("siret"),
            "typeIdentifiantFournisseur": "SIRET",
            "designationFournisseur": p.supplier.get("designation"),
            "raisonSocialeFournisseur": p.supplier.get("designation"),
            "numeroRcsFournisseur": None,
            "idServiceFournisseur": None,
            "codeServiceFournisseur": None,
            "libelleServiceFournisseur": None,
            "coordBancairesFournisseurIban": p.bank.get("iban"),
            "coordBancairesBicSwift": p.bank.get("bic"),
            "coordBancairesFournisseurLibelle": p.bank.get("name"),
            "affactureur": None,
        },
        "references": {
            "codeDeviseFacture": inv["currency"],
            "libelleDeviseFacture": inv["currency"],
            "typeFacture": inv["type_facture"],
            "typeTva": inv["type_tva"],
            "modePaiement": inv["mode_paiement"],
            "motifExonerationTva": None,
            "libelleMotifExonerationTva": None,
            "numeroMarche": inv["marche"],
            "numeroBonCommande": inv["ej"],
            "numeroFactureOrigine": inv["origin_number"],
            "numeroDpMandat": inv["numero_dp_mandat"],
            "dateFacture": inv["invoice_date"],
            "dateDepot": fmt_date(inv["deposited_at"]),
            "dateEcheancePaiement": None,
            "dateCreationFacture": fmt_minute(inv["deposited_at"]),
            "tailleTotalePiecesJointes": len(inv["document"] or b""),
            "typeFactureTravaux": None,
        },
        "montantTotal": {
            "montantHtTotal": amount(inv["amount_ht"]),
            "montantTVA": amount(inv["amount_tva"]),
            "montantTtcTotal": amount(inv["amount_ttc"]),
            "montantTtcAvantRemiseGlobalTTC": amount(inv["amount_ttc"]),
            "montantRemiseGlobaleTTC": 0.0,
            "motifRemiseGlobaleTTC": None,
            "montantAPayer": amount(inv["amount_due"]),
        },
        "lignesDePoste": _block(_lines(inv), "lignePoste", "LignesPoste"),
        "recapitulatifDeTva": _block([], "ligneTva", "LignesRecapitulativesTVA"),
        "listeDesPiecesJointes": _block(pieces, "pieceJointe", "ListePiecesJointe"),
        "pieceJointePrincipale": {
            "idPieceJointePrincipale": inv["pdf_file_id"],
            "idLiaisonPieceJointePrincipale": inv["pdf_file_id"],
        },
        "piecePrecedente": None,
        "pieceSuivante": None,
    }
