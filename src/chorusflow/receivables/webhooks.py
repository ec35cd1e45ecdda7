"""Signed webhooks for an ERP or a dunning tool: an outbox, delivered with HMAC-SHA256.

Events are written to ``webhook_deliveries`` in the transaction that caused
them (outbox pattern), then posted by :func:`deliver_pending`; a receiver
down for a while loses nothing. Each request carries
``X-Chorusflow-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``
so the receiver can check origin and freshness (:func:`verify_signature`).
Delivery stops after ``max_attempts`` tries: the row stays ``failed`` for a
person to look at instead of being retried forever.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from chorusflow.receivables.tables import webhook_deliveries

__all__ = ["SIGNATURE_HEADER", "WebhookSettings", "deliver_pending", "enqueue", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Chorusflow-Signature"


class WebhookSettings(BaseSettings):
    """Where receivables events go: ``CHORUSFLOW_RECEIVABLES_WEBHOOK_URL`` and ``_SECRET``."""

    model_config = SettingsConfigDict(env_prefix="CHORUSFLOW_RECEIVABLES_", env_file=".env", extra="ignore")

    webhook_url: str | None = Field(default=None, description="ERP or dunning tool endpoint; unset: not sent")
    webhook_secret: SecretStr | None = Field(default=None, description="HMAC-SHA256 signing secret")
    max_attempts: int = Field(default=5, ge=1)


def enqueue(session: Session, event: str, payload: dict[str, Any]) -> None:
    """Queue one event; it is sent by :func:`deliver_pending`."""
    session.execute(
        insert(webhook_deliveries).values(
            event=event, payload=payload, state="pending", attempts=0, created_at=datetime.now(UTC)
        )
    )


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for ``body``."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify_signature(
    secret: str, body: bytes, header: str | None, *, tolerance_s: int = 300, now: float | None = None
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is at most ``tolerance_s`` old."""
    if not header:
        return False
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance_s:
        return False
    expected = sign(secret, body, ts).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def deliver_pending(
    sessions: sessionmaker[Session],
    url: str,
    secret: str,
    *,
    http: httpx.Client | None = None,
    max_attempts: int = 5,
    limit: int = 500,
) -> dict[str, int]:
    """Post every pending event once; returns how many were delivered, retried later, or gave up."""
    if not secret:
        raise ValueError("Webhooks need a signing secret: set CHORUSFLOW_RECEIVABLES_WEBHOOK_SECRET.")
    table = webhook_deliveries
    counts = {"delivered": 0, "pending": 0, "failed": 0}
    own = http is None
    client = http or httpx.Client(timeout=10)
    try:
        with sessions() as session:
            rows = (
                session.execute(
                    select(table).where(table.c.state == "pending").order_by(table.c.id).limit(limit)
                )
                .mappings()
                .all()
            )
        for row in rows:
            body = json.dumps(
                {"id": row["id"], "event": row["event"], "data": row["payload"]},
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
            status, error = None, None
            try:
                response = client.post(url, content=body, headers=headers)
                status = response.status_code
                if status >= 300:
                    error = f"HTTP {status}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            attempts = row["attempts"] + 1
            state = "delivered" if error is None else "failed" if attempts >= max_attempts else "pending"
            counts[state] += 1
            with sessions.begin() as session:
                session.execute(
                    update(table)
                    .where(table.c.id == row["id"])
                    .values(
                        state=state,
                        attempts=attempts,
                        status_code=status,
                        last_error=error,
                        delivered_at=datetime.now(UTC) if error is None else None,
                    )
                )
    finally:
        if own:
            client.close()
    return counts
