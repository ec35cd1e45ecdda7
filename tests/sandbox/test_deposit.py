"""Deposits: real invoices through deposer/flux, asynchronous integration, every rejection reason."""

from __future__ import annotations

import base64
import io
import tarfile
import zipfile

import pytest

from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import builtin_seed, make_siret
from tests.sandbox import invoices
from tests.sandbox.cpro_client import Cpro, b64, deposit, report, settle

PUBLIC = [s for s in builtin_seed()["structures"] if s["typeStructure"] == "PUBLIQUE"]
PLAIN = PUBLIC[0]["siret"]  # no requirement flag
SERVICE_REQUIRED = PUBLIC[1]["siret"]
EJ_REQUIRED = PUBLIC[2]["siret"]
EJ_OR_SERVICE = PUBLIC[4]["siret"]
INACTIVE = PUBLIC[16]["siret"]
OTHER_SUPPLIER = builtin_seed()["structures"][18]["siret"]


@pytest.fixture(scope="module")
def seller(server: SandboxServer) -> str:
    return server.credentials["supplier_siret"]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _targz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _invoices_of(client: Cpro, numero: str, per_page: int | None = None) -> list[dict]:
    rows, page = [], 1
    while True:
        params = {"pageResultatDemandee": page, **({"nbResultatsParPage": per_page} if per_page else {})}
        answer = client.call(
            "factures/v1/rechercher/fournisseur",
            {"numeroFluxDepot": numero, "rechercheFactureParFournisseur": params},
        )
        rows += answer["listeFactures"]
        if page >= answer["parametresRetour"]["pages"]:
            return rows
        page += 1


def test_deposit_answers_at_once_and_integrates_later(supplier: Cpro, seller: str) -> None:
    answer = supplier.call(
        "factures/v1/deposer/flux",
        {
            "fichierFlux": b64(invoices.ubl("UBL-001", seller, PLAIN)),
            "nomFichier": "UBL-001.xml",
            "syntaxeFlux": "IN_DP_E1_UBL_INVOICE",
            "avecSignature": False,
        },
    )
    assert set(answer) == {"codeRetour", "libelle", "numeroFluxDepot", "dateDepot", "syntaxeFlux"}
    numero = answer["numeroFluxDepot"]
    assert numero.startswith("CPP") and len(numero) == 25
    pending = report(supplier, numero)
    assert pending["etatCourantDepotFlux"] == "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP"
    assert set(pending) == {
        "codeRetour",
        "libelle",
        "nomFichier",
        "codeInterfaceDepotFlux",
        "dateDepotFlux",
        "dateHeureEtatCourantFlux",
        "etatCourantDepotFlux",
        "listeErreurDP",
        "listeErreurTechnique",
    }
    supplier.advance(6)
    assert report(supplier, numero)["etatCourantDepotFlux"] == "IN_TRAITE_SE_CPP"
    final = settle(supplier, numero)
    assert final["etatCourantDepotFlux"] == "IN_INTEGRE" and final["listeErreurDP"] == []
    rows = _invoices_of(supplier, numero)
    assert [r["numeroFacture"] for r in rows] == ["UBL-001"]
    assert rows[0]["montantTTC"] == 120.0 and rows[0]["codeDestinataire"] == PLAIN
    cr = supplier.call("transverses/v1/consulterCR", {"numeroFluxDepot": numero})
    assert cr["etatCourantFlux"] == "IN_INTEGRE" and cr["numeroFluxDepot"] == numero
    assert base64.b64decode(cr["fichierCR"]).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("maker", "syntax", "name"),
    [
        (invoices.cii, "IN_DP_E1_CII_16B", "inv.xml"),
        (invoices.facturx, "IN_DP_E2_CII_FACTURX", "inv.pdf"),
        (invoices.cen_example, "IN_DP_E1_UBL_INVOICE", "cen.xml"),
    ],
)
def test_each_syntax_integrates(supplier: Cpro, seller: str, maker, syntax: str, name: str) -> None:
    number = f"S-{syntax[-8:]}".replace("_", "-")
    numero = deposit(supplier, maker(number, seller, PLAIN, "SERV-FIN", "EJ-42"), name, syntax)
    final = settle(supplier, numero)
    assert final["etatCourantDepotFlux"] == "IN_INTEGRE", final
    row = _invoices_of(supplier, numero)[0]
    assert row["numeroFacture"] == number and row["codeServiceExecutant"] == "SERV-FIN"
    assert row["numeroBonCommande"] == "EJ-42"


def test_targz_batch_of_twelve_needs_two_pages(supplier: Cpro, seller: str) -> None:
    files = {f"B12-{i:02d}.xml": invoices.ubl(f"B12-{i:02d}", seller, PLAIN) for i in range(12)}
    numero = deposit(supplier, _targz(files), "batch.tar.gz", "IN_DP_E1_UBL_INVOICE")
    assert settle(supplier, numero)["etatCourantDepotFlux"] == "IN_INTEGRE"
    first = supplier.call("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero})
    assert first["parametresRetour"] == {"pageCourante": 1, "pages": 2, "nbResultatsParPage": 10, "total": 12}
    assert len(first["listeFactures"]) == 10
    assert sorted(r["numeroFacture"] for r in _invoices_of(supplier, numero)) == sorted(
        f.removesuffix(".xml") for f in files
    )


def test_zip_batch_partial_integration_lists_each_reason(supplier: Cpro, seller: str) -> None:
    unknown = make_siret(999)
    bad_total = invoices.ubl("R-TOTAL", seller, PLAIN, payable="999.00")
    files = {
        "ok.xml": invoices.ubl("R-OK", seller, PLAIN),
        "dup.xml": invoices.ubl("R-OK", seller, PLAIN),
        "unknown.xml": invoices.ubl("R-UNKNOWN", seller, unknown),
        "inactive.xml": invoices.ubl("R-INACTIVE", seller, INACTIVE),
        "nosvc.xml": invoices.ubl("R-NOSVC", seller, SERVICE_REQUIRED),
        "badsvc.xml": invoices.ubl("R-BADSVC", seller, PLAIN, service="NOPE"),
        "closed.xml": invoices.ubl("R-CLOSED", seller, PLAIN, service="SERV-ARCH"),
        "noej.xml": invoices.ubl("R-NOEJ", seller, EJ_REQUIRED),
        "svcej.xml": invoices.ubl("R-SVCEJ", seller, PLAIN, service="SERV-TECH"),
        "either.xml": invoices.ubl("R-EITHER", seller, EJ_OR_SERVICE),
        "other.xml": invoices.ubl("R-OTHER", OTHER_SUPPLIER, PLAIN),
        "total.xml": bad_total,
        "syntax.xml": invoices.cii("R-CII", seller, PLAIN),
        "reserved.xml": invoices.ubl("R-RESERVED", seller, PLAIN, service="FACTURES_PUBLIQUES"),
    }
    numero = deposit(supplier, _zip(files), "lot.zip", "IN_DP_E1_UBL_INVOICE")
    final = settle(supplier, numero)
    assert final["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    errors = {e["numeroDP"]: e["libelleErreurDP"] for e in final["listeErreurDP"]}
    for e in final["listeErreurDP"]:
        assert set(e) == {"numeroDP", "identifiantFournisseur", "identifiantDestinataire", "libelleErreurDP"}
    expected = {
        "R-UNKNOWN": "n'est pas référencé",
        "R-INACTIVE": "n'est pas actif",
        "R-NOSVC": "code service est obligatoire",
        "R-BADSVC": "NOPE n'existe pas",
        "R-CLOSED": "SERV-ARCH du destinataire",
        "R-NOEJ": "numéro d'engagement est obligatoire",
        "R-SVCEJ": "service SERV-TECH",
        "R-EITHER": "numéro d'engagement ou le code service",
        "R-OTHER": "ne correspond pas à la structure du compte technique",
        "R-TOTAL": "EN 16931",
        "R-OK": "déjà été utilisé",
        "R-RESERVED": "FACTURES_PUBLIQUES",
    }
    for number, fragment in expected.items():
        assert fragment in errors[number], (number, errors.get(number))
    assert "syntax.xml" in errors and "IN_DP_E1_UBL_INVOICE" in errors["syntax.xml"]
    assert [r["numeroFacture"] for r in _invoices_of(supplier, numero)] == ["R-OK"]


def test_number_already_used_in_an_earlier_flow_is_rejected(supplier: Cpro, seller: str) -> None:
    first = deposit(supplier, invoices.ubl("TWICE-001", seller, PLAIN), "first.xml", "IN_DP_E1_UBL_INVOICE")
    assert settle(supplier, first)["etatCourantDepotFlux"] == "IN_INTEGRE"
    numero = deposit(supplier, invoices.ubl("TWICE-001", seller, PLAIN), "again.xml", "IN_DP_E1_UBL_INVOICE")
    final = settle(supplier, numero)
    assert final["etatCourantDepotFlux"] == "IN_REJETE"
    assert "TWICE-001 a déjà été utilisé" in final["listeErreurDP"][0]["libelleErreurDP"]


def test_unknown_syntax_is_refused_at_once(supplier: Cpro, seller: str) -> None:
    response = supplier.raw(
        "factures/v1/deposer/flux",
        {
            "fichierFlux": b64(invoices.ubl("X", seller, PLAIN)),
            "nomFichier": "x.xml",
            "syntaxeFlux": "IN_DP_E2_UBL_INVOICE",
        },
    )
    assert response.status_code == 400 and response.json()["codeRetour"] != 0


def test_accepted_but_not_emulated_syntax_is_rejected_with_a_technical_error(
    supplier: Cpro, seller: str
) -> None:
    numero = deposit(supplier, b"<PES/>", "pes.xml", "IN_DP_E1_PES_FACTURE")
    final = settle(supplier, numero)
    assert final["etatCourantDepotFlux"] == "IN_REJETE"
    assert final["listeErreurTechnique"][0]["codeErreur"] == "SYNTAXE_NON_EMULEE"


def test_other_structures_cannot_read_a_flow(server: SandboxServer, supplier: Cpro, seller: str) -> None:
    numero = deposit(supplier, invoices.ubl("PRIV-1", seller, PLAIN), "p.xml", "IN_DP_E1_UBL_INVOICE")
    other = Cpro(server, "TECH_BATI@cpro.fr", "Bati-2024!")
    response = other.raw("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero})
    assert response.status_code == 400 and response.json()["codeRetour"] != 0
    other.close()


def _soumettre(server: SandboxServer, number: str | None, **overrides) -> dict:
    body = {
        "modeDepot": "SAISIE_API",
        "numeroFactureSaisi": number,
        "dateFacture": "2024-03-01",
        "destinataire": {"codeDestinataire": PLAIN, "codeServiceExecutant": "SERV-FIN"},
        "fournisseur": {
            "idFournisseur": server.credentials["supplier_id"],
            "codeCoordonneesBancairesFournisseur": 4000001,
        },
        "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
        "references": {
            "deviseFacture": "EUR",
            "typeFacture": "FACTURE",
            "typeTva": "TVA_SUR_DEBIT",
            "modePaiement": "VIREMENT",
            "numeroBonCommande": "EJ-7",
        },
        "lignePoste": [
            {
                "lignePosteNumero": 1,
                "lignePosteDenomination": "Conseil",
                "lignePosteQuantite": 1,
                "lignePosteUnite": "lot",
                "lignePosteMontantUnitaireHT": 100,
                "lignePosteTauxTva": "TVA20",
            }
        ],
        "ligneTva": [
            {"ligneTvaTaux": "TVA20", "ligneTvaMontantBaseHtParTaux": 100, "ligneTvaMontantTvaParTaux": 20}
        ],
        "montantTotal": {
            "montantHtTotal": 100,
            "montantTVA": 20,
            "montantTtcTotal": 120,
            "montantAPayer": 120,
        },
    }
    body.update(overrides)
    return body


def test_soumettre_gives_the_invoice_id_at_once(server: SandboxServer, supplier: Cpro) -> None:
    answer = supplier.call("factures/v1/soumettre", _soumettre(server, "SAISIE-1"))
    assert set(answer) == {
        "codeRetour",
        "libelle",
        "identifiantFactureCPP",
        "numeroFacture",
        "identifiantStructure",
        "dateDepot",
        "statutFacture",
        "empreinteCertificatDepot",
    }
    assert answer["statutFacture"] == "DEPOSEE"
    view = supplier.call(
        "factures/v1/consulter/fournisseur", {"identifiantFactureCPP": answer["identifiantFactureCPP"]}
    )
    facture = view["facture"]
    assert facture["numeroFacture"] == "SAISIE-1" and facture["montantTotal"]["montantTtcTotal"] == 120.0
    assert facture["lignesDePoste"]["lignePoste"][0]["lignePosteDenomination"] == "Conseil"
    assert facture["fournisseur"]["coordBancairesFournisseurIban"] == "FR7630006000011234567890189"
    again = supplier.raw("factures/v1/soumettre", _soumettre(server, "SAISIE-1"))
    assert again.status_code == 400 and again.json()["codeRetour"] == 20013
    wrong = supplier.raw(
        "factures/v1/soumettre",
        _soumettre(server, "SAISIE-2", destinataire={"codeDestinataire": SERVICE_REQUIRED}),
    )
    assert wrong.json()["codeRetour"] == 20304


def test_deposer_pdf_then_soumettre(server: SandboxServer, supplier: Cpro, seller: str) -> None:
    pdf = invoices.facturx("OCR-1", seller, PLAIN, "SERV-FIN", "EJ-9")
    ocr = supplier.call(
        "factures/v1/deposer/pdf",
        {"fichierFacture": b64(pdf), "formatDepot": "PDF_NON_SIGNE", "nomFichier": "OCR-1.pdf"},
    )
    assert (
        ocr["numeroFacture"] == "OCR-1" and ocr["codeDestinataire"] == PLAIN and ocr["montantAPayer"] == 120.0
    )
    answer = supplier.call(
        "factures/v1/soumettre",
        _soumettre(
            server,
            "OCR-1",
            modeDepot="DEPOT_PDF_API",
            pieceJointePrincipale=[
                {
                    "pieceJointePrincipaleDesignation": "facture",
                    "pieceJointePrincipaleId": ocr["pieceJointeId"],
                }
            ],
        ),
    )
    download = supplier.call(
        "factures/v1/telecharger/groupe",
        {"listeFacture": [{"idFacture": answer["identifiantFactureCPP"]}], "format": "PDF"},
    )
    assert base64.b64decode(download["fichierResultat"]) == pdf
