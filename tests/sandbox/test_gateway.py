"""PISTE gateway behaviour over real HTTP: tokens, Bearer, cpro-account, roles, media types, sizes."""

from __future__ import annotations

import base64

import httpx

from chorusflow.sandbox.runner import SandboxServer
from tests.sandbox.cpro_client import Cpro, b64


def _token(server: SandboxServer, **overrides: str) -> httpx.Response:
    creds = server.credentials
    form = {
        "grant_type": "client_credentials",
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        "scope": "openid",
        **overrides,
    }
    return httpx.post(server.token_url, data=form)


def test_token_endpoint_answers_like_piste(server: SandboxServer) -> None:
    response = _token(server)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "openid"


def test_bad_client_secret_is_invalid_client_400(server: SandboxServer) -> None:
    response = _token(server, client_secret="wrong")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_other_grant_type_is_refused(server: SandboxServer) -> None:
    response = _token(server, grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_or_unknown_bearer_is_401_with_www_authenticate(
    server: SandboxServer, supplier: Cpro
) -> None:
    url = f"{server.base_url}/cpro/transverses/v1/recuperer/modedepot"
    headers = {**supplier.headers}
    del headers["Authorization"]
    response = httpx.post(url, json={}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="PISTE"')
    response = httpx.post(url, json={}, headers={**supplier.headers, "Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_wrong_cpro_account_is_piste_401(server: SandboxServer, supplier: Cpro) -> None:
    bad = base64.b64encode(b"TECH_FOURNISSEUR@cpro.fr:wrong").decode()
    response = httpx.post(
        f"{server.base_url}/cpro/transverses/v1/recuperer/modedepot",
        json={},
        headers={**supplier.headers, "cpro-account": bad},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"'
    )


def test_json_answers_use_the_piste_content_type(supplier: Cpro) -> None:
    response = supplier.raw("transverses/v1/recuperer/modedepot", {})
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.json()["codeRetour"] == 0 and response.json()["libelle"] == "TRA_MSG_00.000"


def test_supplier_account_gets_403_on_recipient_operations(supplier: Cpro) -> None:
    for path in (
        "factures/v1/rechercher/recipiendaire",
        "factures/v1/traiter/recue",
        "factures/v1/consulter/recipiendaire",
    ):
        assert supplier.raw(path, {}).status_code == 403, path


def test_recipient_account_gets_403_on_supplier_operations(recipient: Cpro) -> None:
    for path in (
        "factures/v1/deposer/flux",
        "factures/v1/soumettre",
        "factures/v1/rechercher/fournisseur",
        "factures/v1/recycler",
        "factures/v1/completer",
    ):
        assert recipient.raw(path, {}).status_code == 403, path


def test_non_json_request_is_415(server: SandboxServer, supplier: Cpro) -> None:
    headers = {**supplier.headers, "Content-Type": "text/plain"}
    response = httpx.post(
        f"{server.base_url}/cpro/transverses/v1/recuperer/modedepot", content=b"{}", headers=headers
    )
    assert response.status_code == 415


def test_pdf_over_10_mb_is_413(supplier: Cpro) -> None:
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    response = supplier.raw(
        "factures/v1/deposer/pdf",
        {"fichierFacture": b64(big), "formatDepot": "PDF_NON_SIGNE", "nomFichier": "big.pdf"},
    )
    assert response.status_code == 413


def test_flux_over_10_mb_is_413(supplier: Cpro) -> None:
    big = b"<x>" + b"0" * (10 * 1024 * 1024) + b"</x>"
    response = supplier.raw(
        "factures/v1/deposer/flux",
        {"fichierFlux": b64(big), "nomFichier": "big.xml", "syntaxeFlux": "IN_DP_E1_UBL_INVOICE"},
    )
    assert response.status_code == 413


def test_health_check_needs_only_a_token(server: SandboxServer, supplier: Cpro) -> None:
    response = httpx.get(
        f"{server.base_url}/cpro/transverses/v1/health-check",
        headers={"Authorization": supplier.headers["Authorization"]},
    )
    assert response.status_code == 200
    assert set(response.json()) == {"body", "statusCodeValue", "statusCode"}
    assert httpx.get(f"{server.base_url}/cpro/transverses/v1/health-check").status_code == 401
