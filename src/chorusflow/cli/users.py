"""``chorusflow user`` and ``chorusflow token``: web accounts and machine API tokens.

The password is read from standard input (never a command-line argument,
which would land in the shell history and in ``ps``): piped, it is the first
line; on a terminal it is asked twice without echo.
"""

from __future__ import annotations

import getpass
import sys

import typer
from rich.table import Table

from chorusflow.cli.common import JSON_OPTION_HELP, console, err_console, hub, print_json
from chorusflow.web.accounts import AccountError, Role, create_api_token, create_user, get_user, list_users

user_app = typer.Typer(help="Web users: add, list.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machines (Authorization: Bearer ...).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            err_console.print("[red]The two passwords differ.[/] Nothing was created.")
            raise typer.Exit(2)
        return first
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("add")
def add(
    login: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Option(..., "--role", help="tracking, chorus_user, chorus_admin or admin."),
    provider: list[str] = typer.Option([], "--provider", help="Provider the user may file for (repeat)."),
    label: str = typer.Option(None, "--label", help="Only show invoices whose metadata label is this value."),
) -> None:
    """Create a web user; the password is read from standard input."""
    password = _read_password()
    with hub() as ctx, ctx.engine.begin() as conn:
        try:
            user = create_user(conn, login, password, role, providers=provider, label=label)
        except AccountError as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
    console.print(f"User [bold]{user.login}[/] created with role {user.role.value}.")


@user_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """List web users."""
    with hub() as ctx, ctx.engine.connect() as conn:
        rows = [
            {
                "id": u.id,
                "login": u.login,
                "role": u.role.value,
                "providers": list(u.providers),
                "label": u.label,
                "active": u.active,
            }
            for u in list_users(conn)
        ]
    if as_json:
        print_json(rows)
        return
    table = Table(title="users")
    for column in ("login", "role", "providers", "label", "active"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["login"], r["role"], ", ".join(r["providers"]), r["label"] or "", str(r["active"]))
    console.print(table)


@token_app.command("create")
def token_create(
    login: str = typer.Argument(..., help="User the token acts as (same role and providers)."),
    name: str = typer.Option("api", help="A name to recognise the token by."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Create an API token; it is printed once and stored hashed."""
    with hub() as ctx, ctx.engine.begin() as conn:
        user = get_user(conn, login)
        if user is None:
            err_console.print(
                f"[red]No user {login!r}.[/] Create it first: chorusflow user add {login} --role ..."
            )
            raise typer.Exit(2)
        token = create_api_token(conn, user, name)
    if as_json:
        print_json({"login": login, "name": name, "token": token})
        return
    console.print(f"Token for [bold]{login}[/] (shown once, keep it safe):")
    sys.stdout.write(token + "\n")
