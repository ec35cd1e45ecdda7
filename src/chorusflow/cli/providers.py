"""``chorusflow provider``: supplier establishments and their Chorus Pro credentials.

Secrets are accepted on the command line, from environment variables, or from
standard input (give ``-`` as the value: one line is read per secret, in the
order password, client secret, certificate password), so they need not
appear in shell history or ``ps``. They are never printed back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from chorusflow.cli.common import JSON_OPTION_HELP, console, err_console, hub, print_json
from chorusflow.providers.service import (
    ProviderError,
    ProviderSecrets,
    add_provider,
    get_provider,
    list_providers,
    provider_view,
)
from chorusflow.providers.testing import test_provider

provider_app = typer.Typer(
    help="Providers: supplier establishments filing on Chorus Pro.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(provider_app, name="provider")


def _secret(value: str | None) -> str | None:
    if value == "-":
        line = sys.stdin.readline()
        if not line:
            err_console.print("[red]Expected a secret on standard input.[/]")
            raise typer.Exit(2)
        return line.rstrip("\r\n")
    return value


@provider_app.command("add")
def add(
    name: str = typer.Argument(..., help="A short name for this establishment."),
    siret: str = typer.Option(..., help="The establishment's SIRET (14 digits)."),
    api_url: str = typer.Option(None, help="Chorus Pro API base URL (sandbox: http://127.0.0.1:PORT)."),
    token_url: str = typer.Option(None, help="PISTE OAuth token URL."),
    client_id: str = typer.Option(None, envvar="CHORUSFLOW_CLIENT_ID", help="PISTE application client id."),
    client_secret: str = typer.Option(
        None, envvar="CHORUSFLOW_CLIENT_SECRET", help="PISTE secret, or - for stdin."
    ),
    login: str = typer.Option(..., envvar="CHORUSFLOW_TECH_LOGIN", help="Technical account login."),
    password: str = typer.Option(
        ..., envvar="CHORUSFLOW_TECH_PASSWORD", help="Technical account password, or -."
    ),
    environment: str = typer.Option("sandbox", help="sandbox, qualification or production."),
    auth_mode: str = typer.Option("oauth", help="oauth or certificate."),
    pkcs12: Path = typer.Option(
        None, exists=True, dir_okay=False, help="PKCS#12 file (certificate mode/signing)."
    ),
    pkcs12_password: str = typer.Option(
        None, envvar="CHORUSFLOW_PKCS12_PASSWORD", help="Its password, or -."
    ),
    auto_submit: bool = typer.Option(True, "--auto-submit/--no-auto-submit", help="Submit every 10 minutes."),
    send_attachments: bool = typer.Option(True, "--send-attachments/--no-send-attachments"),
    require_approval: bool = typer.Option(False, "--require-approval/--no-require-approval"),
    sign_pdf: bool = typer.Option(False, "--sign/--no-sign", help="PAdES-seal PDFs before deposit."),
    batch_deposits: bool = typer.Option(False, "--batch/--no-batch", help="Several invoices per deposit."),
    upload_mode: str = typer.Option("remote", help="Status sync: remote (live) or local (nightly)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Add a provider; its secrets are encrypted at rest."""
    secrets = ProviderSecrets(
        password=_secret(password) or "",
        client_secret=_secret(client_secret),
        pkcs12=pkcs12.read_bytes() if pkcs12 else None,
        pkcs12_password=_secret(pkcs12_password),
    )
    with hub() as ctx, ctx.sessions() as session:
        try:
            provider = add_provider(
                session,
                ctx.secrets,
                name=name,
                siret=siret,
                login=login,
                secrets=secrets,
                api_url=api_url,
                token_url=token_url,
                client_id=client_id,
                environment=environment,
                auth_mode=auth_mode,
                auto_submit=auto_submit,
                send_attachments=send_attachments,
                require_approval=require_approval,
                sign_pdf=sign_pdf,
                batch_deposits=batch_deposits,
                upload_mode=upload_mode,
            )
        except (ProviderError, ValueError) as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from exc
        session.commit()
        view = provider_view(provider)
    if as_json:
        print_json(view)
    else:
        console.print(f"Provider [bold]{name}[/] added. Check it with `chorusflow provider test {name}`.")


@provider_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """All providers (secrets are never shown)."""
    with hub() as ctx, ctx.sessions() as session:
        rows = [provider_view(p) for p in list_providers(session)]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "siret", "environment", "auto submit", "approval", "sign", "sync")
    for r in rows:
        table.add_row(
            r["name"],
            r["siret"],
            r["environment"],
            str(r["auto_submit"]),
            str(r["require_approval"]),
            str(r["sign_pdf"]),
            r["upload_mode"],
        )
    console.print(table)


@provider_app.command("show")
def show(name: str, as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """One provider's settings; secrets appear only as set / not set."""
    with hub() as ctx, ctx.sessions() as session:
        provider = get_provider(session, name)
        if provider is None:
            err_console.print(f"[red]No provider named {name!r}.[/] See `chorusflow provider list`.")
            raise typer.Exit(1)
        view = provider_view(provider)
    if as_json:
        print_json(view)
        return
    for key, value in view.items():
        console.print(f"{key}: {value}")


@provider_app.command("test")
def test(name: str, as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """Check the credentials and the supplier structure against Chorus Pro, and say what is wrong."""
    with hub() as ctx, ctx.sessions() as session:
        provider = get_provider(session, name)
        if provider is None:
            err_console.print(f"[red]No provider named {name!r}.[/]")
            raise typer.Exit(1)
        checks = test_provider(provider, ctx.secrets)
    ok = all(c["ok"] for c in checks)
    if as_json:
        print_json({"provider": name, "ok": ok, "checks": checks})
    else:
        for c in checks:
            mark = "[green]✔[/]" if c["ok"] else "[red]✘[/]"
            console.print(f"{mark} {c['check']}: {c['message']}")
    if not ok:
        raise typer.Exit(1)
