"""Credential health: token, technical password expiry (warned 15 days ahead), sync health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chorusflow.lifecycle.config import LifecycleSettings
from chorusflow.lifecycle.credentials import credential_health, password_state
from chorusflow.providers.service import ProviderSecrets, add_provider

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_password_state_warns_fifteen_days_ahead():
    assert password_state(None, NOW) == "unknown"
    assert password_state(NOW + timedelta(days=16), NOW) == "ok"
    assert password_state(NOW + timedelta(days=15), NOW) == "expiring"
    assert password_state(NOW + timedelta(hours=1), NOW) == "expiring"
    assert password_state(NOW - timedelta(seconds=1), NOW) == "expired"
    assert password_state(NOW + timedelta(days=20), NOW, warning_days=30) == "expiring"


def test_health_of_a_working_provider(ctx, provider, client):
    health = credential_health(ctx, provider, client=client)
    assert health["token"] == "ok" and health["token_error"] is None
    assert health["password_expires_at"].startswith("2099-12-3")  # what the sandbox reports
    assert health["password"] == "ok" and health["warnings"] == []
    expiring = credential_health(
        ctx, provider, client=client, now=datetime(2099, 12, 20, tzinfo=UTC), settings=LifecycleSettings()
    )
    assert expiring["password"] == "expiring" and "expires in" in expiring["warnings"][0]


def test_wrong_password_is_reported_with_what_to_do(ctx, sandbox):
    c = sandbox.creds
    with ctx.sessions.begin() as session:
        provider = add_provider(
            session,
            ctx.secrets,
            name="wrong",
            siret=c["supplier_siret"],
            login=c["login"],
            secrets=ProviderSecrets(password="not-the-password", client_secret=c["client_secret"]),
            client_id=c["client_id"],
            api_url=sandbox.server.base_url,
            token_url=sandbox.server.token_url,
        )
        session.flush()
        session.expunge(provider)
    health = credential_health(ctx, provider)
    assert health["token"] == "refused" and health["token_error"]
    assert "technical account" in health["warnings"][0]
