"""Credentials, environments and the certificate mode (client TLS from a PKCS#12 we generate)."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from chorusflow.chorus import (
    AuthMode,
    CertificateAuth,
    ChorusClient,
    ChorusConfig,
    ChorusConfigError,
    Environment,
    TechnicalAccount,
    resolve_endpoints,
)
from chorusflow.chorus.environments import PathStyle


def self_signed(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            False,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def client_identity():
    key, cert = self_signed("chorusflow-test-client")
    p12 = pkcs12.serialize_key_and_certificates(
        b"client", key, cert, None, serialization.BestAvailableEncryption(b"p12-pass")
    )
    return p12, cert


def test_cpro_account_is_base64_of_login_colon_password():
    account = TechnicalAccount("TECH_é@cpro.fr", "p:w")
    assert base64.b64decode(account.cpro_account_header()).decode() == "TECH_é@cpro.fr:p:w"
    assert "p:w" not in repr(account)


def test_piste_environments_have_fixed_hosts():
    q = resolve_endpoints("qualification")
    p = resolve_endpoints(Environment.PRODUCTION)
    assert (q.api_base_url, q.token_url) == (
        "https://sandbox-api.piste.gouv.fr",
        "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
    )
    assert (p.api_base_url, p.token_url) == (
        "https://api.piste.gouv.fr",
        "https://oauth.piste.gouv.fr/api/oauth/token",
    )
    assert p.url("factures", "deposer/flux") == "https://api.piste.gouv.fr/cpro/factures/v1/deposer/flux"


def test_sandbox_takes_any_url_and_requires_both():
    e = resolve_endpoints(
        "sandbox", api_url="http://127.0.0.1:8999/", token_url="http://127.0.0.1:8999/oauth"
    )
    assert (
        e.url("transverses", "consulterCRDetaille")
        == "http://127.0.0.1:8999/cpro/transverses/v1/consulterCRDetaille"
    )
    with pytest.raises(ChorusConfigError, match="token_url is required"):
        resolve_endpoints("sandbox", api_url="http://127.0.0.1:8999")
    with pytest.raises(ChorusConfigError, match="not an http"):
        resolve_endpoints("sandbox", api_url="ftp://x", token_url="http://x/t")
    with pytest.raises(ChorusConfigError, match="use one of sandbox, qualification, production"):
        resolve_endpoints("prod")


def test_certificate_mode_uses_the_legacy_layout_on_piste_environments(client_identity):
    p12, _ = client_identity
    config = ChorusConfig.create(
        environment="production",
        auth_mode="certificate",
        pkcs12=p12,
        pkcs12_password="p12-pass",
        login="T",
        password="x",
    )
    assert config.auth_mode is AuthMode.CERTIFICATE
    assert config.endpoints.path_style is PathStyle.LEGACY
    assert (
        config.endpoints.url("factures", "deposer/flux")
        == "https://chorus-pro.gouv.fr:5443/service/factures/deposer/flux"
    )


def test_pkcs12_loads_into_an_ssl_context_and_wrong_password_is_explained(client_identity, tmp_path):
    p12, _ = client_identity
    path = tmp_path / "id.p12"
    path.write_bytes(p12)
    auth = CertificateAuth.from_file(path, "p12-pass")
    assert isinstance(auth.ssl_context(), ssl.SSLContext)
    assert auth.subject() == "CN=chorusflow-test-client"
    assert "p12-pass" not in repr(auth)
    with pytest.raises(ChorusConfigError, match="check its password"):
        CertificateAuth.from_file(path, "wrong").ssl_context()
    with pytest.raises(ChorusConfigError, match="cannot read"):
        CertificateAuth.from_file(tmp_path / "missing.p12", "x")
    with pytest.raises(ChorusConfigError, match="check its password"):
        ChorusConfig.create(
            auth_mode="certificate", pkcs12=path, pkcs12_password="nope", login="T", password="x"
        )


def test_oauth_mode_names_what_is_missing():
    with pytest.raises(ChorusConfigError, match="client id and client secret"):
        ChorusConfig.create(api_url="http://a", token_url="http://a/t", login="T", password="x")


def test_client_presents_the_pkcs12_certificate_over_mutual_tls(client_identity, tmp_path):
    p12, client_cert = client_identity
    server_key, server_cert = self_signed("127.0.0.1")
    (tmp_path / "srv.pem").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        + server_cert.public_bytes(serialization.Encoding.PEM)
    )
    (tmp_path / "srv-ca.pem").write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "srv.pem")
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.load_verify_locations(cadata=client_cert.public_bytes(serialization.Encoding.PEM).decode())
    seen: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            peer = self.connection.getpeercert()
            seen["subject"] = dict(x[0] for x in peer["subject"])
            seen["authorization"] = self.headers.get("Authorization")
            seen["path"] = self.path
            data = json.dumps({"body": "OK", "statusCodeValue": 200, "statusCode": "OK"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        config = ChorusConfig.create(
            environment="sandbox",
            auth_mode="certificate",
            api_url=f"https://127.0.0.1:{httpd.server_address[1]}",
            pkcs12=p12,
            pkcs12_password="p12-pass",
            login="TECH_cert@cpro.fr",
            password="pw",
            verify=str(tmp_path / "srv-ca.pem"),
        )
        with ChorusClient(config) as client:
            assert client.transverses.health_check().statusCodeValue == 200
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert seen["subject"] == {"commonName": "chorusflow-test-client"}
    assert seen["authorization"] == "Basic " + base64.b64encode(b"TECH_cert@cpro.fr:pw").decode()
    assert seen["path"] == "/cpro/transverses/v1/health-check"
