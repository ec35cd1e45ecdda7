"""``chorusflow db``: schema migrations."""

from __future__ import annotations

import typer

from chorusflow.cli.common import JSON_OPTION_HELP, console, print_json
from chorusflow.settings import get_settings
from chorusflow.storage import migrate
from chorusflow.storage.engine import make_engine

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(
    revision: str = typer.Argument("head", help="Target revision."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Create or migrate the database to the latest schema."""
    settings = get_settings()
    settings.resolved_home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        reached = migrate.upgrade(engine, revision)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    if as_json:
        print_json({"database": url, "revision": reached})
    else:
        console.print(f"Database [bold]{url}[/] at revision [bold]{reached}[/].")


@db_app.command("current")
def current(as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """Show the database's schema revision and the latest one."""
    settings = get_settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        rev, head = migrate.current_revision(engine), migrate.head_revision()
    finally:
        engine.dispose()
    if as_json:
        print_json({"revision": rev, "head": head, "up_to_date": rev == head})
    else:
        console.print(f"revision {rev or '(empty)'}; latest {head}")
