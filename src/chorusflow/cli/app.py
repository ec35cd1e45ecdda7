"""Entry point of the ``chorusflow`` command: registers each command group."""

from __future__ import annotations

import typer

from chorusflow.cli import flows as flows_cmd
from chorusflow.cli import lifecycle as lifecycle_cmd
from chorusflow.cli import pipeline as pipeline_cmd
from chorusflow.cli import providers as providers_cmd
from chorusflow.cli import sandbox as sandbox_cmd
from chorusflow.cli import serve as serve_cmd
from chorusflow.cli import users as users_cmd
from chorusflow.cli.db import db_app

app = typer.Typer(
    name="chorusflow",
    help="Chorus Pro connector and invoice-flow hub.",
    no_args_is_help=True,
    add_completion=False,
)

serve_cmd.register(app)
flows_cmd.register(app)
pipeline_cmd.register(app)
providers_cmd.register(app)
app.add_typer(db_app, name="db")
sandbox_cmd.register(app)
users_cmd.register(app)
lifecycle_cmd.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
