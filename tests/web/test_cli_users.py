"""``chorusflow user add/list`` and ``token create``: password from stdin, token usable by the API."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chorusflow.cli.app import app
from chorusflow.context import HubContext
from chorusflow.settings import Settings
from chorusflow.web.app import create_app


def test_user_add_list_and_token(settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHORUSFLOW_HOME", str(settings.home))
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["user", "add", "ann", "--role", "chorus_user", "--provider", "acme", "--label", "north"],
        input="long-password\n",
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(app, ["user", "add", "bob", "--role", "admin"], input="short\n")
    assert short.exit_code == 2 and "at least 8" in short.output
    bad_role = runner.invoke(app, ["user", "add", "bob", "--role", "boss"], input="long-password\n")
    assert bad_role.exit_code == 2
    listed = json.loads(runner.invoke(app, ["user", "list", "--json"]).stdout)
    assert listed == [
        {
            "id": 1,
            "login": "ann",
            "role": "chorus_user",
            "providers": ["acme"],
            "label": "north",
            "active": True,
        }
    ]
    token = json.loads(runner.invoke(app, ["token", "create", "ann", "--json"]).stdout)["token"]
    assert runner.invoke(app, ["token", "create", "nobody"]).exit_code == 2
    hub = HubContext.open(settings)
    try:
        with TestClient(create_app(hub)) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["login"] == "ann" and me.json()["label"] == "north"
    finally:
        hub.close()
