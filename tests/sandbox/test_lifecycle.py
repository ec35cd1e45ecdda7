"""Invoice lifecycle: who may move each status, history, recycle/complete, the simulator."""

from __future__ import annotations

import httpx
import pytest

from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import builtin_seed
from tests.sandbox import invoices
from tests.sandbox.cpro_client import Cpro, deposit, settle

PUBLIC = [s for s in builtin_seed()["structures"] if s["typeStructure"] == "PUBLIQUE"]
API_RECIPIENT = PUBLIC[0]["siret"]  # has a technical user: moved only through traiter/recue
SIMULATED = PUBLIC[8]["siret"]  # no technical user, MISE_EN_PAIEMENT not reported
SIMULATED_FULL = PUBLIC[3]["siret"]  # no technical user; needs service + EJ
_counter = iter(range(1, 10_000))


def _available_invoice(supplier: Cpro, recipient_siret: str = API_RECIPIENT, **kw: str) -> int:
    seller = supplier.server.credentials["supplier_siret"]
    number = f"LC-{next(_counter):04d}"
    numero = deposit(
        supplier, invoices.ubl(number, seller, recipient_siret, **kw), f"{number}.xml", "IN_DP_E1_UBL_INVOICE"
    )
    assert settle(supplier, numero)["etatCourantDepotFlux"] == "IN_INTEGRE"
    rows = supplier.call("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero})["listeFactures"]
    return rows[0]["identifiantFactureCPP"]


def _status(client: Cpro, invoice_id: int) -> str:
    return client.call("factures/v1/consulter/historique", {"idFacture": invoice_id})["statutCourantCode"]


def _treat(recipient: Cpro, invoice_id: int, status: str, **extra: str) -> httpx.Response:
    return recipient.raw(
        "factures/v1/traiter/recue", {"idFacture": invoice_id, "nouveauStatut": status, **extra}
    )


def test_platform_routes_then_recipient_processes_to_payment(supplier: Cpro, recipient: Cpro) -> None:
    invoice_id = _available_invoice(supplier)
    assert _status(supplier, invoice_id) == "MISE_A_DISPOSITION"
    found = recipient.call(
        "factures/v1/rechercher/recipiendaire", {"numeroFacture": None, "statutCourant": "MISE_A_DISPOSITION"}
    )
    assert {"pageCourante", "pages", "nbResultatsParPage", "total", "listeFactures"} <= set(found)
    assert invoice_id in [f["idFacture"] for f in found["listeFactures"]]
    for status in ("PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT"):
        answer = _treat(recipient, invoice_id, status).json()
        assert answer["codeRetour"] == 0 and answer["nouveauStatut"] == status
        assert set(answer) == {
            "codeRetour",
            "libelle",
            "idFacture",
            "numeroFacture",
            "nouveauStatut",
            "dateTraitement",
        }
    assert _treat(recipient, invoice_id, "MANDATEE", NumeroDPMandat="MDT-1").json()["codeRetour"] == 0
    assert _treat(recipient, invoice_id, "MISE_EN_PAIEMENT").json()["codeRetour"] == 0
    history = supplier.call("factures/v1/consulter/historique", {"idFacture": invoice_id})
    codes = [h["histoStatutCode"] for h in history["historiquesDesStatuts"]["histoStatut"]]
    assert codes == [
        "MISE_EN_PAIEMENT",
        "MANDATEE",
        "SERVICE_FAIT",
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "MISE_A_DISPOSITION",
        "EN_COURS_ACHEMINEMENT",
        "DEPOSEE",
    ]
    assert history["historiquesDesStatuts"]["totalHistoStatut"] == 7
    view = recipient.call("factures/v1/consulter/recipiendaire", {"identifiantFactureCPP": invoice_id})
    assert view["facture"]["references"]["numeroDpMandat"] == "MDT-1"
    assert _treat(recipient, invoice_id, "SUSPENDUE", motif="x").json()["codeRetour"] != 0  # terminal


def test_motif_is_required_for_rejection_and_suspension(supplier: Cpro, recipient: Cpro) -> None:
    invoice_id = _available_invoice(supplier)
    for status in ("REJETEE", "SUSPENDUE"):
        response = _treat(recipient, invoice_id, status)
        assert response.status_code == 400 and response.json()["codeRetour"] != 0
    assert _treat(recipient, invoice_id, "REJETEE", motif="Montant erroné").json()["codeRetour"] == 0
    assert _status(supplier, invoice_id) == "REJETEE"
    assert (
        supplier.call(
            "factures/v1/traiterRejet",
            {"listeDemandePaiement": [{"idDemandePaiement": invoice_id}], "motifRejet": "vu"},
        )["codeRetour"]
        == 0
    )
    rows = supplier.call(
        "factures/v1/rechercher/fournisseur", {"statutCourant": ["REJETEE"], "rejetTraite": True}
    )
    assert invoice_id in [r["identifiantFactureCPP"] for r in rows["listeFactures"]]


def test_suspended_invoice_is_completed_by_the_supplier(supplier: Cpro, recipient: Cpro) -> None:
    invoice_id = _available_invoice(supplier)
    premature = supplier.raw("factures/v1/completer", {"identifiantFactureCPP": invoice_id})
    assert premature.json()["codeRetour"] == 20002
    assert (
        _treat(recipient, invoice_id, "SUSPENDUE", motif="Bon de livraison manquant").json()["codeRetour"]
        == 0
    )
    attachment = supplier.call(
        "transverses/v1/ajouter/fichier",
        {
            "pieceJointeFichier": "SGVsbG8=",
            "pieceJointeNom": "bl.pdf",
            "pieceJointeTypeMime": "application/pdf",
            "pieceJointeExtension": "PDF",
        },
    )
    done = supplier.call(
        "factures/v1/completer",
        {
            "identifiantFactureCPP": invoice_id,
            "commentaire": "BL joint",
            "pieceJointeComplementaire": [
                {
                    "pieceJointeComplementaireId": attachment["pieceJointeId"],
                    "pieceJointeComplementaireDesignation": "BL",
                }
            ],
        },
    )
    assert set(done) == {"codeRetour", "libelle", "identifiantFactureCPP", "numeroFacture", "dateTraitement"}
    assert _status(supplier, invoice_id) == "COMPLETEE"
    view = supplier.call("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": invoice_id})
    assert view["facture"]["listeDesPiecesJointes"]["pieceJointe"][0]["pieceJointeDesignation"] == "bl.pdf"
    assert _treat(recipient, invoice_id, "SERVICE_FAIT").json()["codeRetour"] == 0


def test_recycled_invoice_keeps_its_number_and_is_rerouted(supplier: Cpro, recipient: Cpro) -> None:
    invoice_id = _available_invoice(supplier)
    assert _treat(recipient, invoice_id, "A_RECYCLER", motif="mauvais service").json()["codeRetour"] == 0
    answer = supplier.call(
        "factures/v1/recycler",
        {
            "identifiantFactureCPP": invoice_id,
            "destinataire": {"codeDestinataire": API_RECIPIENT, "codeServiceExecutant": "SERV-FIN"},
        },
    )
    assert answer["statutFacture"] == "DEPOSEE"
    supplier.advance(60)
    view = supplier.call("factures/v1/consulter/fournisseur", {"identifiantFactureCPP": invoice_id})[
        "facture"
    ]
    assert view["statutFacture"] == "MISE_A_DISPOSITION"
    assert view["destinataire"]["codeServiceExecutant"] == "SERV-FIN"


def test_recipient_cannot_act_before_availability_and_supplier_cannot_use_traiter(
    server: SandboxServer, supplier: Cpro, recipient: Cpro
) -> None:
    seller = server.credentials["supplier_siret"]
    submitted = supplier.call(
        "factures/v1/soumettre",
        {
            "modeDepot": "SAISIE_API",
            "numeroFactureSaisi": "EARLY-1",
            "dateFacture": "2024-03-01",
            "destinataire": {"codeDestinataire": API_RECIPIENT},
            "fournisseur": {"idFournisseur": server.credentials["supplier_id"]},
            "references": {"typeFacture": "FACTURE"},
            "montantTotal": {"montantHtTotal": 10, "montantTVA": 2, "montantTtcTotal": 12},
        },
    )
    assert seller
    early = _treat(recipient, submitted["identifiantFactureCPP"], "SERVICE_FAIT")
    assert early.status_code == 400 and early.json()["codeRetour"] != 0
    assert (
        supplier.raw(
            "factures/v1/traiter/recue",
            {"idFacture": submitted["identifiantFactureCPP"], "nouveauStatut": "MANDATEE"},
        ).status_code
        == 403
    )


def test_download_marks_the_invoice_as_downloaded(supplier: Cpro, recipient: Cpro) -> None:
    invoice_id = _available_invoice(supplier)
    group = recipient.call(
        "factures/v1/telecharger/groupe", {"listeFacture": [{"idFacture": invoice_id}], "format": "PIVOT"}
    )
    assert group["fichierResultat"]
    rows = recipient.call("factures/v1/rechercher/recipiendaire", {"factureTelechargeeParDestinataire": True})
    assert invoice_id in [r["idFacture"] for r in rows["listeFactures"]]
    history = recipient.call("factures/v1/consulter/historique", {"idFacture": invoice_id})
    assert history["derniereAction"]["derniereActionCode"] == "TELECHARGEMENT_FACTURE"


def test_empty_recipient_search_is_code_20000(recipient: Cpro) -> None:
    answer = recipient.raw("factures/v1/rechercher/recipiendaire", {"numeroFacture": "NOPE"})
    assert answer.status_code == 200
    assert answer.json()["codeRetour"] == 20000 and answer.json()["libelle"] == "TRA_MSG_00.015"


def _story(tmp_path, rng_seed: int) -> list[list[str]]:
    with SandboxServer(tmp_path, rng_seed=rng_seed) as server:
        httpx.post(
            f"{server.base_url}/sandbox/admin/scenario",
            json={"share_reject": 0.2, "share_suspend": 0.2, "share_recycle": 0.2},
        )
        supplier = Cpro(server)
        seller = server.credentials["supplier_siret"]
        ids = []
        for i in range(8):
            numero = deposit(
                supplier, invoices.ubl(f"SIM-{i}", seller, SIMULATED), f"s{i}.xml", "IN_DP_E1_UBL_INVOICE"
            )
            settle(supplier, numero)
            ids += [
                r["identifiantFactureCPP"]
                for r in supplier.call("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero})[
                    "listeFactures"
                ]
            ]
        supplier.advance(3600)
        stories = []
        for invoice_id in ids:
            history = supplier.call("factures/v1/consulter/historique", {"idFacture": invoice_id})
            stories.append([h["histoStatutCode"] for h in history["historiquesDesStatuts"]["histoStatut"]])
        supplier.close()
        return stories


@pytest.mark.timeout(120)
def test_simulator_is_deterministic_and_follows_the_scenario(tmp_path) -> None:
    first = _story(tmp_path / "a", rng_seed=7)
    again = _story(tmp_path / "b", rng_seed=7)
    assert first == again
    last = {s[0] for s in first}
    assert last <= {"MANDATEE", "REJETEE", "SUSPENDUE", "A_RECYCLER"}
    assert "MISE_EN_PAIEMENT" not in {code for s in first for code in s}  # flag: payment not reported
    assert len(last) >= 2
    paid = next(s for s in first if s[0] == "MANDATEE")
    assert paid[::-1] == [
        "DEPOSEE",
        "EN_COURS_ACHEMINEMENT",
        "MISE_A_DISPOSITION",
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "SERVICE_FAIT",
        "MANDATEE",
    ]
