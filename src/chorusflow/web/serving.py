"""What ``chorusflow serve`` runs over HTTP: the web app, and on demand the sandbox and a demo provider.

The sandbox is its own FastAPI application (it never imports the hub): it is
only *mounted* under ``/sandbox`` in the same server, and the demo provider
talks to it over HTTP like to the real PISTE gateway.
"""

from __future__ import annotations

from fastapi import FastAPI

from chorusflow.context import HubContext
from chorusflow.providers.service import ProviderSecrets, add_provider, list_providers
from chorusflow.tasks.queue import get_queue
from chorusflow.web.app import create_app

__all__ = ["DEMO_PROVIDER", "build_server_app", "ensure_demo_provider"]

DEMO_PROVIDER = "demo"
#: Sandbox time runs this much faster than real time, so a demo invoice reaches
#: payment statuses within minutes instead of weeks.
DEMO_TIME_FACTOR = 120.0


def ensure_demo_provider(ctx: HubContext, base_url: str, credentials: dict[str, str]) -> bool:
    """Create the demo provider on the mounted sandbox, unless providers already exist."""
    with ctx.sessions() as session:
        if list_providers(session):
            return False
        add_provider(
            session,
            ctx.secrets,
            name=DEMO_PROVIDER,
            siret=credentials["supplier_siret"],
            login=credentials["login"],
            secrets=ProviderSecrets(
                password=credentials["password"], client_secret=credentials["client_secret"]
            ),
            client_id=credentials["client_id"],
            api_url=base_url,
            token_url=f"{base_url}/api/oauth/token",
        )
        session.commit()
    return True


def build_server_app(
    ctx: HubContext, *, host: str, port: int, with_sandbox: bool
) -> tuple[FastAPI, list[str]]:
    queue = get_queue()
    app = create_app(ctx, after_intake=queue.advance, submit=queue.submit)
    notes: list[str] = []
    if with_sandbox:
        from chorusflow.sandbox import create_app as create_sandbox
        from chorusflow.sandbox.seed import DEFAULT_CLIENT, DEFAULT_SUPPLIER, make_siret

        sandbox = create_sandbox(ctx.settings.resolved_home / "sandbox", time_factor=DEMO_TIME_FACTOR)
        app.mount("/sandbox", sandbox)
        base_url = f"http://{host}:{port}/sandbox"
        credentials = {
            "supplier_siret": make_siret(50),
            "login": DEFAULT_SUPPLIER["login"],
            "password": DEFAULT_SUPPLIER["password"],
            "client_id": DEFAULT_CLIENT["client_id"],
            "client_secret": DEFAULT_CLIENT["client_secret"],
        }
        if ensure_demo_provider(ctx, base_url, credentials):
            notes.append(f"Demo provider '{DEMO_PROVIDER}' created on the local Chorus Pro at {base_url}.")
        notes.append(f"Local Chorus Pro sandbox: {base_url} (time x{DEMO_TIME_FACTOR:g}).")
    return app, notes
