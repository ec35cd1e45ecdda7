"""Directory: built-in seed, seed files, Structures and Transverses operations, pagination."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from chorusflow.sandbox.runner import SandboxServer
from chorusflow.sandbox.seed import SeedError, builtin_seed, luhn_valid
from tests.sandbox.cpro_client import Cpro

FLAGS = (
    "codeServiceDoitEtreRenseigne",
    "numeroEJDoitEtreRenseigne",
    "gestionNumeroEJOuCodeService",
    "statutMiseEnPaiementNestPasRemonte",
)


def test_builtin_directory_has_luhn_sirets_and_every_flag_combination() -> None:
    seed = builtin_seed()
    for s in seed["structures"]:
        assert len(s["siret"]) == 14 and luhn_valid(s["siret"]) and luhn_valid(s["siret"][:9])
    combos = {
        tuple(s["parametres"].get(f, False) for f in FLAGS)
        for s in seed["structures"]
        if s["typeStructure"] == "PUBLIQUE" and s["statut"] == "ACTIF"
    }
    assert len(combos) == 16


def _find(client: Cpro, siret: str) -> int:
    answer = client.call(
        "structures/v1/rechercher",
        {"structure": {"identifiantStructure": siret, "typeIdentifiantStructure": "SIRET"}},
    )
    assert answer["parametresRetour"]["total"] == 1
    return answer["listeStructures"][0]["idStructureCPP"]


def test_rechercher_and_consulter_structure_expose_the_flags(supplier: Cpro) -> None:
    public = [s for s in builtin_seed()["structures"] if s["typeStructure"] == "PUBLIQUE"]
    target = next(
        s
        for s in public
        if s["parametres"].get("codeServiceDoitEtreRenseigne")
        and s["parametres"].get("statutMiseEnPaiementNestPasRemonte")
    )
    found = supplier.call(
        "structures/v1/rechercher",
        {"structure": {"identifiantStructure": target["siret"], "typeIdentifiantStructure": "SIRET"}},
    )
    assert set(found) == {"codeRetour", "libelle", "listeStructures", "parametresRetour"}
    item = found["listeStructures"][0]
    assert set(item) == {
        "idStructureCPP",
        "identifiantStructure",
        "typeIdentifiantStructure",
        "designationStructure",
        "statut",
    }
    assert item["statut"] == "ACTIVE"
    answer = supplier.call(
        "structures/v1/consulter", {"idStructureCPP": item["idStructureCPP"], "codeLangue": "FR"}
    )
    assert answer["libelle"] == "GCU_MSG_01_000"
    assert answer["informationGenerales"]["identifiantStructure"] == target["siret"]
    assert answer["informationGenerales"]["structurePriveePublique"] == "PUBLIQUE"
    for flag in FLAGS:
        assert answer["parametres"][flag] is bool(target["parametres"][flag])
    assert {"codePostal", "ville", "pays"} <= set(answer["adressePostaleDuSiege"])


def test_services_and_service_level_engagement_flag(supplier: Cpro) -> None:
    structure_id = _find(supplier, builtin_seed()["structures"][0]["siret"])
    services = supplier.call(
        "structures/v1/rechercher/services",
        {
            "idStructure": structure_id,
            "parametresRechercherServicesStructure": {"pageResultatDemandee": 1, "nbResultatsParPage": 10},
        },
    )
    assert services["parametresRetour"] == {
        "pageCourante": 1,
        "pages": 1,
        "nbResultatsParPage": 10,
        "total": 4,
    }
    first = services["listeServices"][0]
    assert {"idService", "codeService", "libelleService", "estActif", "statutService"} <= set(first)
    tech = next(s for s in services["listeServices"] if s["codeService"] == "SERV-TECH")
    detail = supplier.call(
        "structures/v1/consulter/service",
        {"idStructure": structure_id, "idService": tech["idService"], "codeLangue": "FR"},
    )
    assert detail["parametres"]["numeroEngagement"] is True
    assert detail["informationsGenerales"]["codeService"] == "SERV-TECH"
    inactive = next(s for s in services["listeServices"] if s["codeService"] == "SERV-ARCH")
    assert inactive["estActif"] is False and inactive["statutService"] == "INACTIF"


def test_structure_search_pagination_is_one_based_default_ten(supplier: Cpro) -> None:
    first = supplier.call("structures/v1/rechercher", {"structure": {"typeStructure": "PUBLIQUE"}})
    total = first["parametresRetour"]["total"]
    assert total == 17
    assert first["parametresRetour"] == {"pageCourante": 1, "pages": 2, "nbResultatsParPage": 10, "total": 17}
    assert len(first["listeStructures"]) == 10
    second = supplier.call(
        "structures/v1/rechercher",
        {"structure": {"typeStructure": "PUBLIQUE"}, "parametres": {"pageResultatDemandee": 2}},
    )
    assert len(second["listeStructures"]) == 7 and second["parametresRetour"]["pageCourante"] == 2
    ids = {s["idStructureCPP"] for s in first["listeStructures"] + second["listeStructures"]}
    assert len(ids) == 17
    sorted_page = supplier.call(
        "structures/v1/rechercher",
        {
            "structure": {"typeStructure": "PUBLIQUE"},
            "parametres": {
                "nbResultatsParPage": 5,
                "triColonne": "DesignationStructure",
                "triSens": "Ascendant",
            },
        },
    )
    names = [s["designationStructure"] for s in sorted_page["listeStructures"]]
    assert names == sorted(names) and sorted_page["parametresRetour"]["pages"] == 4


def test_private_structures_are_hidden_unless_restriction_lifted(supplier: Cpro) -> None:
    restricted = supplier.call("structures/v1/rechercher", {"structure": {"typeStructure": "PRIVEE"}})
    assert restricted["parametresRetour"]["total"] == 1  # only the user's own structure
    lifted = supplier.call(
        "structures/v1/rechercher",
        {"structure": {"typeStructure": "PRIVEE"}, "restreindreStructuresPrivees": False},
    )
    assert lifted["parametresRetour"]["total"] == 3


def test_supplier_finds_its_own_structure_and_bank_accounts(server: SandboxServer, supplier: Cpro) -> None:
    mine = supplier.call("transverses/v1/recuperer/structures/actives/fournisseur", {})
    assert mine["listeStructures"] == [
        {
            "idStructureCPP": server.credentials["supplier_id"],
            "identifiant": server.credentials["supplier_siret"],
            "designationStructure": "ACME FOURNITURES SAS",
        }
    ]
    banks = supplier.call(
        "transverses/v1/recuperer/coordbanc/valides", {"idStructure": server.credentials["supplier_id"]}
    )
    assert banks["listeCoordonneeBancaire"] == [
        {"idCoordonneeBancaire": 4000001, "nomCoordonneeBancaire": "Compte principal"}
    ]
    assert {"pageCourante", "pages", "nbResultatsParPage", "total"} <= set(banks)


def test_destinataire_and_service_search(supplier: Cpro) -> None:
    siret = builtin_seed()["structures"][1]["siret"]
    found = supplier.call("transverses/v1/rechercher/destinataire", {"identifiant": siret})
    assert found["listeDestinataires"][0]["siret"] == siret
    assert set(found["listeDestinataires"][0]) == {
        "idStructureCPP",
        "siret",
        "nomDestinataire",
        "adresseCodePostal",
        "adresseVille",
    }
    services = supplier.call(
        "transverses/v1/rechercher/serviceexecutant",
        {"idDestinataireCPP": found["listeDestinataires"][0]["idStructureCPP"], "actif": True},
    )
    assert {s["codeServiceExecutant"] for s in services["listeServices"]} == {
        "FACTURES_PUBLIQUES",
        "SERV-FIN",
        "SERV-TECH",
    }


def test_etats_traitement_matches_aife_example(supplier: Cpro) -> None:
    answer = supplier.call(
        "transverses/v1/recuperer/etats/traitement", {"statutCourant": "MISE_A_DISPOSITION"}
    )
    got = [s["statutPossiblePourTraitement"] for s in answer["listeStatutsPossiblesPourTraitement"]]
    assert got[:8] == [
        "MISE_A_DISPOSITION",
        "SUSPENDUE",
        "REJETEE",
        "MANDATEE",
        "MISE_EN_PAIEMENT",
        "COMPTABILISEE",
        "MISE_A_DISPOSITION_COMPTABLE",
        "A_RECYCLER",
    ]
    none = supplier.call("transverses/v1/recuperer/etats/traitement", {"statutCourant": "MISE_EN_PAIEMENT"})
    assert none["listeStatutsPossiblesPourTraitement"] == []


@pytest.mark.parametrize(
    ("path", "key", "item_key", "expected"),
    [
        ("recuperer/syntaxeflux", "listeSyntaxeFlux", "syntaxeFlux", "IN_DP_E2_CII_FACTURX"),
        ("recuperer/formatflux", "listeFormatFlux", "formatFlux", "IN_DP_E1_STRUCT"),
        ("recuperer/etat/typedp", "listeEtatDemandePaiement", "etatDemandePaiement", "MISE_EN_PAIEMENT"),
        ("recuperer/tauxtva", "listeTauxTva", "codeTauxTva", "TVA20"),
        ("recuperer/devises", "listeDevises", "codeDevise", "EUR"),
        (
            "recuperer/cadrefacturation",
            "listeCadreFacturation",
            "codeCadreFacturation",
            "A1_FACTURE_FOURNISSEUR",
        ),
        ("recuperer/modereglements", "listeModePaiement", "modePaiement", "VIREMENT"),
        ("recuperer/modedepot", "listeModeDepot", "modeDepot", "SAISIE_API"),
        ("recuperer/typeidentifiant/structure", "listeTypeIdentifiant", "typeIdentifiantStructure", "SIRET"),
    ],
)
def test_reference_lists(supplier: Cpro, path: str, key: str, item_key: str, expected: str) -> None:
    answer = supplier.call(f"transverses/v1/{path}", {"codeLangue": "FR"})
    assert expected in [item[item_key] for item in answer[key]]


def test_syntaxes_list_has_the_thirteen_deposit_values(supplier: Cpro) -> None:
    answer = supplier.call("transverses/v1/recuperer/syntaxeflux", {})
    assert len(answer["listeSyntaxeFlux"]) == 13


def test_directory_download_is_a_zip_of_public_recipients(supplier: Cpro) -> None:
    answer = supplier.call("transverses/v1/telecharger/annuaire/destinataire", {})
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(answer["fichierResultat"])))
    text = archive.read("annuaire_destinataires.csv").decode("utf-8")
    assert builtin_seed()["structures"][0]["siret"] in text


def test_seed_file_loads_and_ignores_unknown_keys(tmp_path: Path) -> None:
    seed = {
        "comment": "unknown keys are ignored",
        "oauthClients": [{"client_id": "app", "client_secret": "s3cret", "extra": 1}],
        "structures": [
            {
                "siret": "11111111111116",
                "designation": "VILLE TEST",
                "typeStructure": "PUBLIQUE",
                "statut": "ACTIF",
                "parametres": {"numeroEJDoitEtreRenseigne": True, "foo": 1},
                "services": [
                    {
                        "codeService": "S1",
                        "libelleService": "Service 1",
                        "estActif": True,
                        "numeroEngagement": False,
                        "bar": 2,
                    }
                ],
                "unknown": {},
            },
            {
                "siret": "22222222222224",
                "designation": "FOURNISSEUR TEST",
                "typeStructure": "PRIVEE",
                "statut": "ACTIF",
                "technicalUser": {"login": "tech@test.fr", "password": "pw"},
                "bankAccounts": [
                    {
                        "idCoordonneeBancaire": 77,
                        "nomCoordonneeBancaire": "CB",
                        "iban": "FR7630006000011234567890189",
                        "bic": "AGRIFRPPXXX",
                    }
                ],
            },
        ],
    }
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    with SandboxServer(tmp_path / "data", seed_file=path) as server:
        creds = server.credentials
        assert (creds["client_id"], creds["login"], creds["supplier_siret"]) == (
            "app",
            "tech@test.fr",
            "22222222222224",
        )
        client = Cpro(server)
        found = client.call(
            "structures/v1/rechercher", {"structure": {"identifiantStructure": "11111111111116"}}
        )
        sid = found["listeStructures"][0]["idStructureCPP"]
        flags = client.call("structures/v1/consulter", {"idStructureCPP": sid})["parametres"]
        assert flags["numeroEJDoitEtreRenseigne"] is True and flags["codeServiceDoitEtreRenseigne"] is False
        banks = client.call(
            "transverses/v1/recuperer/coordbanc/valides", {"idStructure": creds["supplier_id"]}
        )
        assert banks["listeCoordonneeBancaire"][0]["idCoordonneeBancaire"] == 77
        client.close()


def test_bad_seed_says_what_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"structures": [{"designation": "NO SIRET"}]}))
    with pytest.raises(SeedError, match=r"structures\[0\] has no 'siret'"):
        SandboxServer(tmp_path / "data", seed_file=path).start()
