"""Transport behaviour over real HTTP on loopback: headers, token cache, error split, retries."""

from __future__ import annotations

import json
import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest

from chorusflow.chorus import (
    ChorusAuthError,
    ChorusFunctionalError,
    ChorusPermanentError,
    ChorusTransientError,
    RetryPolicy,
)
from chorusflow.chorus.models.factures import CompleteInvoiceRequest
from chorusflow.chorus.transport import parse_retry_after

from .helpers import CLIENT_SECRET, CPRO_ACCOUNT, LOGIN, PASSWORD, make_client
from .loopback import Reply, ScriptedServer

CR = "/cpro/transverses/v1/consulterCR"
SOUMETTRE = "/cpro/factures/v1/soumettre"
COMPLETER = "/cpro/factures/v1/completer"
OK_CR = {
    "codeRetour": 0,
    "libelle": "TRA_MSG_00.000",
    "etatCourantFlux": "IN_RECU",
    "numeroFluxDepot": "CPP1",
}


@pytest.fixture
def server():
    with ScriptedServer() as srv:
        yield srv


def client_for(server: ScriptedServer, **kw):
    return make_client(server.base_url, server.token_url, **kw)


def _submit(client):
    """Send a minimal soumettre body through the raw transport (the body shape is not under test)."""
    return client.transport.call("factures", "soumettre", {"modeDepot": "SAISIE_API"}, idempotent=False)


def test_headers_body_and_one_token_for_many_calls(server):
    server.script(CR, Reply(body=OK_CR))
    client, _ = client_for(server)
    for _ in range(3):
        report = client.transverses.get_flow_report("CPP1")
    assert report.etatCourantFlux == "IN_RECU"
    assert server.token_count == 1
    token_req = server.calls("/token")[0]
    form = parse_qs(token_req.body.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["cid-1"],
        "client_secret": [CLIENT_SECRET],
        "scope": ["openid"],
    }
    call = server.calls(CR)[0]
    assert call.method == "POST"
    assert call.headers["Authorization"] == "Bearer tok-1"
    assert call.headers["cpro-account"] == CPRO_ACCOUNT
    assert call.headers["Content-Type"] == "application/json;charset=utf-8"
    assert json.loads(call.body) == {"numeroFluxDepot": "CPP1"}
    assert client.calls["transverses/consulterCR"] == 3
    assert client.calls["oauth/token"] == 1


def test_token_renewed_only_after_safety_margin(server):
    server.token_ttl = 600
    client, clock = client_for(server, token_safety_margin_s=60)
    client.transverses.get_flow_report("CPP1")
    clock.offset += 530  # 70 s of validity left: still good
    client.transverses.get_flow_report("CPP1")
    assert server.token_count == 1
    clock.offset += 15  # 55 s left, inside the 60 s margin: renew
    client.transverses.get_flow_report("CPP1")
    assert server.token_count == 2
    assert server.calls(CR)[-1].headers["Authorization"] == "Bearer tok-2"


def test_401_renews_token_once_and_retries(server):
    server.script(CR, Reply(401, {}, {"WWW-Authenticate": 'Bearer error="invalid_token"'}), Reply(body=OK_CR))
    client, clock = client_for(server)
    assert client.transverses.get_flow_report("CPP1").numeroFluxDepot == "CPP1"
    assert server.token_count == 2
    assert [c.headers["Authorization"] for c in server.calls(CR)] == ["Bearer tok-1", "Bearer tok-2"]
    assert clock.sleeps == []


def test_persistent_401_is_an_auth_error_with_the_gateway_explanation(server):
    www = 'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"'
    server.script(CR, Reply(401, {}, {"WWW-Authenticate": www}))
    client, _ = client_for(server)
    with pytest.raises(ChorusAuthError) as info:
        client.transverses.get_flow_report("CPP1")
    assert info.value.status == 401
    assert "login or password incorrects" in info.value.detail
    assert len(server.calls(CR)) == 2  # the original and one retry with a fresh token


def test_403_is_an_auth_error_and_not_retried(server):
    server.script(CR, Reply(403, {}))
    client, clock = client_for(server)
    with pytest.raises(ChorusAuthError) as info:
        client.transverses.get_flow_report("CPP1")
    assert info.value.status == 403
    assert len(server.calls(CR)) == 1
    assert clock.sleeps == []


def test_token_endpoint_refusal_is_an_auth_error(server):
    server.token_reply = Reply(
        400, {"error": "invalid_client", "error_description": "Client authentication failed"}
    )
    client, _ = client_for(server)
    with pytest.raises(ChorusAuthError) as info:
        client.transverses.get_flow_report("CPP1")
    assert info.value.detail == "invalid_client: Client authentication failed"
    assert "cid-1" in str(info.value)
    assert server.calls(CR) == []


@pytest.mark.parametrize("status", [200, 400])
def test_code_retour_is_a_functional_error_whatever_the_status(server, status):
    server.script(COMPLETER, Reply(status, {"codeRetour": 20002, "libelle": "GDP_MSG_11.033"}))
    client, clock = client_for(server)
    with pytest.raises(ChorusFunctionalError) as info:
        client.factures.complete_invoice(CompleteInvoiceRequest(identifiantFactureCPP=12, commentaire="ok"))
    err = info.value
    assert (err.code_retour, err.libelle, err.operation, err.http_status) == (
        20002,
        "GDP_MSG_11.033",
        "factures/completer",
        status,
    )
    assert len(server.calls(COMPLETER)) == 1
    assert clock.sleeps == []


def test_5xx_on_a_read_is_retried_with_jittered_backoff(server):
    server.script(CR, Reply(500), Reply(502), Reply(504), Reply(body=OK_CR))
    client, clock = client_for(server, retry=RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=3.0))
    assert client.transverses.get_flow_report("CPP1").etatCourantFlux == "IN_RECU"
    assert len(server.calls(CR)) == 4
    assert len(clock.sleeps) == 3
    caps = [1.0, 2.0, 3.0]  # base * 2**(n-1), capped by max_delay
    assert all(0 <= s <= cap for s, cap in zip(clock.sleeps, caps, strict=True))


def test_retry_after_is_honoured_on_429(server):
    server.script(CR, Reply(429, {}, {"Retry-After": "7"}), Reply(body=OK_CR))
    client, clock = client_for(server)
    client.transverses.get_flow_report("CPP1")
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 7


def test_retries_stop_after_max_attempts(server):
    server.script(CR, Reply(503, {"codeRetour": 1, "libelle": "down"}))
    client, clock = client_for(server, retry=RetryPolicy(max_attempts=3, base_delay=0.1))
    with pytest.raises(ChorusTransientError) as info:
        client.transverses.get_flow_report("CPP1")
    assert info.value.attempts == 3
    assert info.value.status == 503
    assert len(server.calls(CR)) == 3
    assert len(clock.sleeps) == 2


def test_retries_stop_when_the_total_time_budget_is_spent(server):
    server.script(CR, Reply(429, {}, {"Retry-After": "8"}))
    client, clock = client_for(server, retry=RetryPolicy(max_attempts=10, max_total=20))
    with pytest.raises(ChorusTransientError) as info:
        client.transverses.get_flow_report("CPP1")
    assert info.value.retry_after == 8
    assert clock.sleeps == [8, 8]  # a third wait would end past 20 s
    assert info.value.attempts == 3


def test_a_write_is_not_resent_after_a_500(server):
    server.script(SOUMETTRE, Reply(500))
    client, clock = client_for(server)
    with pytest.raises(ChorusTransientError) as info:
        _submit(client)
    assert info.value.maybe_processed is True
    assert len(server.calls(SOUMETTRE)) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("reply", [Reply(503), Reply(429, {}, {"Retry-After": "1"})])
def test_a_write_refused_before_processing_is_retried(server, reply):
    server.script(SOUMETTRE, reply, Reply(body={"codeRetour": 0, "identifiantFactureCPP": 9}))
    client, _ = client_for(server)
    assert _submit(client)["identifiantFactureCPP"] == 9
    assert len(server.calls(SOUMETTRE)) == 2


def test_lost_response_on_a_write_is_reported_as_maybe_processed(server):
    server.script(SOUMETTRE, Reply(drop=True))
    client, _ = client_for(server)
    with pytest.raises(ChorusTransientError) as info:
        _submit(client)
    assert info.value.maybe_processed is True
    assert len(server.calls(SOUMETTRE)) == 1


def test_lost_response_on_a_write_is_resent_when_the_policy_allows_it(server):
    server.script(SOUMETTRE, Reply(drop=True), Reply(body={"codeRetour": 0, "identifiantFactureCPP": 3}))
    client, _ = client_for(server, retry=RetryPolicy(retry_ambiguous_writes=True))
    assert _submit(client)["identifiantFactureCPP"] == 3


def test_lost_response_and_timeout_on_a_read_are_retried(server):
    server.script(CR, Reply(drop=True), Reply(delay=1.0, body=OK_CR), Reply(body=OK_CR))
    client, clock = client_for(server, timeout_s=0.3)
    assert client.transverses.get_flow_report("CPP1").numeroFluxDepot == "CPP1"
    assert len(server.calls(CR)) == 3
    assert len(clock.sleeps) == 2


def test_connection_refused_is_retried_even_for_a_write():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    client, clock = make_client(url, url + "/token", retry=RetryPolicy(max_attempts=3, base_delay=0.1))
    with pytest.raises(ChorusTransientError) as info:
        _submit(client)
    assert info.value.maybe_processed is False
    assert info.value.attempts == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize(
    "reply",
    [
        Reply(raw=b"<html>oops</html>"),
        Reply(404, {"codeRetour": 404, "libelle": "API non trouvée"}),
        Reply(415, raw=b"unsupported"),
        Reply(body=[1, 2]),
    ],
    ids=["not-json", "404", "415", "json-array"],
)
def test_bad_bodies_and_other_4xx_are_permanent(server, reply):
    server.script(CR, reply)
    client, clock = client_for(server)
    with pytest.raises(ChorusPermanentError):
        client.transverses.get_flow_report("CPP1")
    assert len(server.calls(CR)) == 1
    assert clock.sleeps == []


def test_threads_share_one_token(server):
    server.script(CR, Reply(body=OK_CR, delay=0.05))
    client, _ = client_for(server)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: client.transverses.get_flow_report("CPP1"), range(48)))
    assert all(r.numeroFluxDepot == "CPP1" for r in results)
    assert server.token_count == 1
    assert client.calls["transverses/consulterCR"] == 48


def test_parse_retry_after_accepts_seconds_and_http_dates():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=lambda: now) == 30.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


def test_secrets_never_reach_logs_errors_or_reprs(server, caplog):
    caplog.set_level(logging.DEBUG)
    # A gateway that echoes the request headers back in a 403 body.
    server.script(
        CR,
        Reply(500),
        Reply(403, {"echo": f"Authorization: Bearer tok-1 cpro-account: {CPRO_ACCOUNT} pw={PASSWORD}"}),
    )
    client, _ = client_for(server)
    with pytest.raises(ChorusAuthError) as info:
        client.transverses.get_flow_report("CPP1")
    server.token_reply = Reply(
        401, {"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"}
    )
    client2, _ = client_for(server)
    with pytest.raises(ChorusAuthError) as info2:
        client2.transverses.get_flow_report("CPP1")
    texts = [
        caplog.text,
        str(info.value),
        repr(info.value),
        str(info.value.detail),
        str(info2.value),
        str(info2.value.detail),
        repr(client),
        repr(client.config),
        repr(client.transport),
        repr(client.transport._tokens),
    ]
    for secret in (CLIENT_SECRET, PASSWORD, CPRO_ACCOUNT, "tok-1"):
        for text in texts:
            assert secret not in text
    assert LOGIN in repr(client)  # the login is not a secret and helps to find the provider
