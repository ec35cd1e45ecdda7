"""``chorusflow sync``, ``receivables``, ``document`` and ``credentials``: life after deposit."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from chorusflow.cli.common import JSON_OPTION_HELP, console, err_console, hub, print_json
from chorusflow.core.entities import Document
from chorusflow.lifecycle.actions import ActionError, action_states, complete, recycle, rejected_guidance
from chorusflow.lifecycle.credentials import credential_health
from chorusflow.lifecycle.refresh import refresh_document
from chorusflow.lifecycle.sync import sync_provider
from chorusflow.notifications.service import collect
from chorusflow.providers.service import get_provider, list_providers
from chorusflow.receivables.reports import (
    DUNNING_COLUMNS,
    STATEMENT_COLUMNS,
    dispute_list,
    dunning_list,
    statement,
    to_csv,
)
from chorusflow.receivables.service import close_dispute, exclude_from_dunning

receivables_app = typer.Typer(help="Receivables that follow Chorus Pro (statement, disputes, dunning).")
document_app = typer.Typer(help="One document's Chorus Pro life: show, complete, recycle.")

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_cmd)
    app.command("credentials")(credentials_cmd)
    app.add_typer(receivables_app, name="receivables")
    app.add_typer(document_app, name="document")


def _providers(ctx: Any, name: str | None) -> list[Any]:
    with ctx.sessions() as session:
        if name:
            found = get_provider(session, name)
            if found is None:
                err_console.print(
                    f"[red]No provider named {name!r}.[/] List them with `chorusflow provider list`."
                )
                raise typer.Exit(2)
            chosen = [found]
        else:
            chosen = list(list_providers(session))
        for p in chosen:
            session.expunge(p)
    return chosen


def sync_cmd(
    provider: str = typer.Option(None, "--provider", help="Only this provider (default: all)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Follow deposits and bring Chorus Pro statuses up to date now."""
    with hub() as ctx:
        reports = [sync_provider(ctx, p) for p in _providers(ctx, provider)]
        with ctx.sessions.begin() as session:
            notified = collect(session)
    if as_json:
        print_json({"providers": [r.as_dict() for r in reports], "notifications": notified})
    else:
        table = Table(
            "provider", "mode", "changed", "status changes", "integrated", "rejected", "calls", "error"
        )
        for r in reports:
            table.add_row(
                r.provider,
                r.mode,
                str(r.changed),
                str(r.status_changes),
                str(len(r.followup.integrated)),
                str(len(r.followup.rejected)),
                str(sum(r.calls.values())),
                r.error or "",
            )
        console.print(table)
    if any(r.error for r in reports):
        raise typer.Exit(1)


def credentials_cmd(
    provider: str = typer.Option(None, "--provider", help="Only this provider (default: all)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Token state and technical password expiry of each provider (warned 15 days ahead)."""
    with hub() as ctx:
        results = [credential_health(ctx, p) for p in _providers(ctx, provider)]
    if as_json:
        print_json(results)
    else:
        table = Table("provider", "token", "password", "expires", "last retrieved", "warnings")
        for r in results:
            table.add_row(
                r["provider"],
                r["token"],
                r["password"],
                r["password_expires_at"] or "",
                r["sync"]["last_retrieved_at"] or "never",
                "\n".join(r["warnings"]),
            )
        console.print(table)
    if any(r["warnings"] for r in results):
        raise typer.Exit(1)


def _write(rows: list[dict[str, Any]], columns: list[str], csv_path: Path | None) -> bool:
    if csv_path is None:
        return False
    csv_path.write_text(to_csv(rows, columns), encoding="utf-8")
    err_console.print(f"Wrote {len(rows)} row(s) to {csv_path}")
    return True


def _print_rows(rows: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)


AS_OF = typer.Option(None, "--as-of", help="Date for overdue computations, YYYY-MM-DD (default: today).")
CSV = typer.Option(None, "--csv", help="Also write the rows as CSV (semicolon-separated) to this file.")


@receivables_app.command("statement")
def statement_cmd(
    customer: str = typer.Option(None, "--customer", help="Customer code (or recipient SIRET)."),
    as_of: str = AS_OF,
    csv_path: Path = CSV,
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Customer account statement: invoices with their Chorus status and comments."""
    with hub() as ctx, ctx.sessions() as session:
        data = statement(session, customer, as_of=_date(as_of))
    rows = [row for entry in data for row in entry["invoices"]]
    _write(rows, STATEMENT_COLUMNS, csv_path)
    if as_json:
        print_json(data)
    else:
        _print_rows(rows, ["customer_code", "number", "due_date", "amount", "chorus_status_label", "comment"])


@receivables_app.command("disputes")
def disputes_cmd(
    include_closed: bool = typer.Option(False, "--all", help="Closed disputes too."),
    csv_path: Path = CSV,
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Invoices the recipient sent back (to recycle, suspended, rejected)."""
    with hub() as ctx, ctx.sessions() as session:
        rows = dispute_list(session, include_closed=include_closed)
    columns = ["dispute_id", "number", "customer_code", "chorus_status", "comment", "opened_at", "closed_at"]
    _write(rows, columns, csv_path)
    print_json(rows) if as_json else _print_rows(rows, columns)


@receivables_app.command("dunning")
def dunning_cmd(
    as_of: str = AS_OF,
    csv_path: Path = CSV,
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Invoices to remind: overdue, not paid, not excluded, not in dispute."""
    with hub() as ctx, ctx.sessions() as session:
        rows = dunning_list(session, as_of=_date(as_of))
    _write(rows, DUNNING_COLUMNS, csv_path)
    print_json(rows) if as_json else _print_rows(rows, DUNNING_COLUMNS)


@receivables_app.command("close-dispute")
def close_dispute_cmd(
    dispute_id: int = typer.Argument(..., help="Dispute id from `receivables disputes`."),
) -> None:
    """Settle a dispute by hand (e.g. the credit note of a rejected invoice was issued)."""
    with hub() as ctx, ctx.sessions.begin() as session:
        try:
            close_dispute(session, dispute_id, actor=getpass.getuser())
        except (LookupError, ValueError) as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
    console.print(f"Dispute {dispute_id} closed.")


@receivables_app.command("exclude")
def exclude_cmd(
    document_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why this invoice must not be dunned."),
) -> None:
    """Keep an invoice out of the dunning list."""
    with hub() as ctx, ctx.sessions.begin() as session:
        exclude_from_dunning(session, document_id, reason=reason, actor=getpass.getuser())
    console.print(f"Document {document_id} excluded from dunning.")


def _date(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]--as-of {value!r} is not a date.[/] Use YYYY-MM-DD.")
        raise typer.Exit(2) from None


@document_app.command("show")
def show_cmd(
    document_id: int = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Status, timeline and integration result; live from Chorus in remote mode."""
    with hub() as ctx:
        try:
            view = refresh_document(ctx, document_id)
        except LookupError as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
        view["actions"] = action_states(ctx, document_id)
        with ctx.sessions() as session:
            doc = session.get(Document, document_id)
            if doc is not None and doc.chorus_status and doc.chorus_status.value == "REJETEE":
                view["guidance"] = rejected_guidance(doc)
    if as_json:
        print_json(view)
        return
    d = view["document"]
    console.print(
        f"[bold]{d['number']}[/] — {d['chorus_status'] or 'not in Chorus Pro'} (reform {view['reform_code']})"
    )
    if view["stale"]:
        console.print(
            f"[yellow]Chorus Pro unreachable ({view['error']}); last retrieved {view['last_retrieved_at']}[/]"
        )
    elif not view["live"]:
        console.print(
            f"Last retrieved at {view['last_retrieved_at'] or view['provider_last_sync_at'] or 'never'}"
        )
    if view["integration"] and view["integration"]["outcome"] == "rejected":
        i = view["integration"]
        console.print(
            f"[red]Rejected by Chorus Pro:[/] {i['message']}\n{i['explanation']}\nFix: {i['resolution']}"
        )
    _print_rows(view["timeline"], ["at", "status", "comment", "author"])
    for step in (view.get("guidance") or {}).get("steps", []):
        console.print(f"• {step}")


def _run_action(run: Any) -> None:
    try:
        result = run()
    except ActionError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    print_json(result.as_dict())
    if result.state != "done":
        raise typer.Exit(1)


@document_app.command("complete")
def complete_cmd(
    document_id: int = typer.Argument(...),
    comment: str = typer.Option("", "--comment", help="Answer to the recipient (≤ 2000 characters)."),
    attach: list[Path] = typer.Option([], "--attach", help="Supporting document to send (repeatable)."),
    decide: bool = typer.Option(False, "--decide", help="Try again after the attempt limit was reached."),
) -> None:
    """Answer a suspended invoice (completer) with documents and a comment."""
    missing = [str(p) for p in attach if not p.is_file()]
    if missing:
        err_console.print(f"[red]Not found:[/] {', '.join(missing)}")
        raise typer.Exit(2)
    files = [(p.name, p.read_bytes()) for p in attach]
    with hub() as ctx:
        _run_action(
            lambda: complete(
                ctx, document_id, comment=comment, attachments=files, actor=getpass.getuser(), decide=decide
            )
        )


@document_app.command("recycle")
def recycle_cmd(
    document_id: int = typer.Argument(...),
    recipient: str = typer.Option(None, "--recipient", help="New recipient SIRET."),
    service: str = typer.Option(None, "--service", help="New service code."),
    engagement: str = typer.Option(None, "--engagement", help="New commitment (engagement) number."),
    comment: str = typer.Option(None, "--comment"),
    decide: bool = typer.Option(False, "--decide", help="Try again after the attempt limit was reached."),
) -> None:
    """Re-route an invoice to recycle (recycler): same number, corrected routing."""
    with hub() as ctx:
        _run_action(
            lambda: recycle(
                ctx,
                document_id,
                actor=getpass.getuser(),
                recipient_siret=recipient,
                service_code=service,
                engagement_number=engagement,
                comment=comment,
                decide=decide,
            )
        )
