"""A thin Chorus Pro client over httpx, as a client of the real API would call it."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from chorusflow.sandbox.runner import SandboxServer


class Cpro:
    """What a client of the real API does: a token, then POSTs with Bearer + cpro-account."""

    def __init__(self, server: SandboxServer, login: str | None = None, password: str | None = None) -> None:
        creds = server.credentials
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=10)
        token = self.http.post(
            "/api/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "scope": "openid",
            },
        ).json()["access_token"]
        account = f"{login or creds['login']}:{password or creds['password']}"
        self.headers = {
            "Authorization": f"Bearer {token}",
            "cpro-account": base64.b64encode(account.encode()).decode(),
            "Content-Type": "application/json;charset=utf-8",
        }

    def raw(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(f"/cpro/{path}", content=json.dumps(body or {}), headers=self.headers)

    def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.raw(path, body)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["codeRetour"] == 0, data
        return data

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.http.post("/sandbox/admin/clock/advance", json={"seconds": seconds}).json()

    def close(self) -> None:
        self.http.close()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def deposit(client: Cpro, data: bytes, name: str, syntax: str) -> str:
    answer = client.call(
        "factures/v1/deposer/flux",
        {"fichierFlux": b64(data), "nomFichier": name, "syntaxeFlux": syntax, "avecSignature": False},
    )
    return answer["numeroFluxDepot"]


def report(client: Cpro, numero: str) -> dict[str, Any]:
    return client.call("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero})


def settle(client: Cpro, numero: str) -> dict[str, Any]:
    """Advance sandbox time past the integration delays and return the detailed report."""
    client.advance(60)
    return report(client, numero)
