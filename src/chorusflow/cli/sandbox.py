"""``chorusflow sandbox``: the local Chorus Pro (owned by the sandbox application)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("sandbox")
    def sandbox(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(
            8090, help="TCP port; the API is under /cpro/..., tokens at /api/oauth/token."
        ),
        data: Path = typer.Option(
            Path("./sandbox-data"), "--data", help="Directory of the sandbox database."
        ),
        seed: Path | None = typer.Option(
            None, "--seed", help="JSON directory to load (see docs/sandbox.md)."
        ),
        faults: Path | None = typer.Option(None, "--faults", help="JSON fault injection settings."),
        time_factor: float = typer.Option(1.0, help="Sandbox time speed (60 = one minute per second)."),
        rng_seed: int = typer.Option(0, help="Seed of the simulator and fault generators."),
    ) -> None:
        """Run the local Chorus Pro sandbox (PISTE gateway + Chorus Pro API)."""
        from chorusflow.sandbox.admin import default_credentials
        from chorusflow.sandbox.app import create_app
        from chorusflow.sandbox.faults import FaultError
        from chorusflow.sandbox.scenario import ScenarioError
        from chorusflow.sandbox.seed import SeedError
        from chorusflow.sandbox.server import make_server

        try:
            application = create_app(data, seed, faults, time_factor=time_factor, rng_seed=rng_seed)
        except (SeedError, FaultError, ScenarioError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        base = f"http://{host}:{port}"
        typer.echo(f"Chorus Pro sandbox on {base} (API {base}/cpro/..., token {base}/api/oauth/token)")
        typer.echo(f"data: {data.resolve()}")
        if seed is None:
            creds = default_credentials(application.state.sandbox.store)
            typer.echo("credentials (built-in directory):")
            typer.echo(f"  OAuth client_id={creds['client_id']} client_secret={creds['client_secret']}")
            typer.echo(
                f"  supplier technical user {creds['login']} / {creds['password']} "
                f"(SIRET {creds['supplier_siret']}, idStructureCPP {creds['supplier_id']})"
            )
            typer.echo(
                f"  recipient technical user {creds['recipient_login']} / {creds['recipient_password']} "
                f"(SIRET {creds['recipient_siret']})"
            )
        make_server(application, host, port, log_level="info").run()
