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


rule_app = typer.Typer(
    help="Preparation rules of a provider (first match wins, per kind).", no_args_is_help=True
)
provider_app.add_typer(rule_app, name="rule")


def _provider_id(session, name: str) -> int:  # type: ignore[no-untyped-def]
    provider = get_provider(session, name)
    if provider is None:
        err_console.print(f"[red]No provider named {name!r}.[/]")
        raise typer.Exit(1)
    return provider.id or 0


@rule_app.command("add")
def rule_add(
    provider: str = typer.Argument(..., help="Provider name."),
    kind: str = typer.Option(..., help="submission, recipient, service, bank or attachment."),
    field: str = typer.Option(
        ..., help="customer_code, recipient_name, recipient_siret, number, file_name or metadata.<key>."
    ),
    pattern: str = typer.Option(..., help="Shell-style pattern, case-blind (e.g. 'MAIRIE DE VALMONT*')."),
    value: str = typer.Option(
        ..., help='JSON: {"send": false} | {"siret": "...", "service_code": "..."} | {"bank_account_id": 1}'
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Add a rule at the end of its kind's list."""
    import json

    from chorusflow.providers.rules import add_rule, rule_view

    try:
        parsed = json.loads(value)
        if not isinstance(parsed, dict):
            raise ValueError("the value must be a JSON object")
    except ValueError as exc:
        err_console.print(f"[red]--value is not a JSON object: {exc}[/]")
        raise typer.Exit(2) from exc
    with hub() as ctx, ctx.sessions() as session:
        try:
            rule = add_rule(
                session,
                _provider_id(session, provider),
                kind=kind,
                field=field,
                pattern=pattern,
                value=parsed,
            )
        except ValueError as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from exc
        session.commit()
    if as_json:
        print_json(rule_view(rule))
    else:
        console.print(f"Rule {rule.id} added ({kind} #{rule.position}).")


@rule_app.command("list")
def rule_list(provider: str, as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """The provider's rules, in the order they are tried."""
    from chorusflow.providers.rules import list_rules, rule_view

    with hub() as ctx, ctx.sessions() as session:
        rows = [rule_view(r) for r in list_rules(session, _provider_id(session, provider))]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "kind", "#", "field", "pattern", "value")
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], str(r["position"]), r["field"], r["pattern"], str(r["value"]))
    console.print(table)


@rule_app.command("remove")
def rule_remove(provider: str, rule_id: int) -> None:
    """Remove one rule."""
    from chorusflow.providers.rules import remove_rule

    with hub() as ctx, ctx.sessions() as session:
        if not remove_rule(session, _provider_id(session, provider), rule_id):
            err_console.print(f"[red]Provider {provider} has no rule {rule_id}.[/]")
            raise typer.Exit(1)
        session.commit()
    console.print(f"Rule {rule_id} removed.")
