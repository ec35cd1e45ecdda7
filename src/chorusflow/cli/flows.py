"""``chorusflow import``, ``flows`` and ``flow``: intake and tracking from the shell."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chorusflow.cli.common import JSON_OPTION_HELP, console, err_console, hub, print_json
from chorusflow.core.transitions import IllegalTransition, set_history
from chorusflow.intake.service import import_items
from chorusflow.intake.sources import count_files, from_paths
from chorusflow.storage.flow_queries import Tab, count_tab, flow_events, get_flow, list_flows
from chorusflow.tasks.queue import get_queue
from chorusflow.tracking.views import file_view, flow_detail, flow_summary

flow_app = typer.Typer(help="One flow: details, History.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("flows")(flows_cmd)
    app.add_typer(flow_app, name="flow")


def import_cmd(
    paths: list[Path] = typer.Argument(..., help="Files, directories or ZIP archives: one flow in all."),
    submitter: str = typer.Option(None, help="Name shown as the flow's submitter (default: your login)."),
    provider: str = typer.Option(None, help="Provider (supplier establishment) the flow belongs to."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Import invoice files as one flow (Import and Preparation stages)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[red]Not found:[/] {', '.join(missing)}. Check the path and try again.")
        raise typer.Exit(2)
    submitter = submitter or getpass.getuser()
    with hub() as ctx:
        total = count_files(paths)
        items = from_paths(paths, max_bytes=ctx.settings.max_file_bytes)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=total < 20 or not err_console.is_terminal,
            transient=True,
        ) as bar:
            tasks = {
                "import": bar.add_task("Import", total=total),
                "preparation": bar.add_task("Preparation", total=total),
            }

            def advance(stage: str, _name: str) -> None:
                bar.advance(tasks[stage])

            result = import_items(ctx, items, submitter=submitter, provider=provider, progress=advance)
        get_queue(ctx.settings).advance(result.flow_id)  # a running `serve`/worker takes it from here
        with ctx.sessions() as session:
            flow = get_flow(session, result.flow_id)
            assert flow is not None
            summary = flow_summary(flow)
            summary["files"] = [file_view(f) for f in flow.files]
    summary.update({"errors": result.errors, "duplicates": result.duplicates})
    if as_json:
        print_json(summary)
        return
    console.print(
        f"Flow [bold]{result.flow_id}[/]: {result.files} file(s), {result.documents} document(s), "
        f"{result.errors} in error, {result.duplicates} duplicate(s). "
        f"Stage {summary['stage']} ({summary['state']})."
    )
    for f in summary["files"]:
        if f["error"]:
            console.print(f"  [red]{f['name']}[/]: {f['error']['message']}\n    → {f['error']['resolution']}")


def flows_cmd(
    tab: Tab = typer.Option(Tab.ACTIVE, "--tab", help="Active, To check or History."),
    limit: int = typer.Option(100, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """List flows of a tracking tab, newest first."""
    with hub() as ctx, ctx.sessions() as session:
        rows = [flow_summary(f) for f in list_flows(session, tab, limit=limit)]
        badge = count_tab(session, Tab.TO_CHECK)
    if as_json:
        print_json({"tab": tab.value, "to_check_count": badge, "flows": rows})
        return
    table = Table(title=f"{tab.value} — to check: {badge}")
    for column in ("flow", "stage", "state", "imported", "files", "docs", "interval", "submitter"):
        table.add_column(column)
    for row in rows:
        interval = row["invoice_interval"]
        style = "red" if row["to_check"] else None
        table.add_row(
            str(row["flow_id"]),
            row["stage"],
            row["state"],
            row["imported_at"][:19],
            str(row["file_count"]),
            str(row["document_count"]),
            f"{interval['first_number'] or ''} – {interval['last_number'] or ''}",
            row["submitter"],
            style=style,
        )
    console.print(table)


@flow_app.command("show")
def show(
    flow_id: int = typer.Argument(..., help="Flow id."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """A flow with its files, documents, errors and history."""
    with hub() as ctx, ctx.sessions() as session:
        flow = get_flow(session, flow_id)
        if flow is None:
            err_console.print(f"[red]No flow {flow_id}.[/] List flows with `chorusflow flows`.")
            raise typer.Exit(1)
        detail = flow_detail(flow, flow_events(session, flow))
    if as_json:
        print_json(detail)
        return
    console.print(
        f"[bold]Flow {flow_id}[/] — {detail['stage']} ({detail['state']}), by {detail['submitter']}"
    )
    if detail["error"]:
        e = detail["error"]
        console.print(f"[red]Error[/] at {e['at']} in {e['stage']}: {e['type']}")
        console.print(f"  {e['message']}\n  → {e['resolution']}")
    files = Table("file", "size", "format", "problem", title="Files")
    for f in detail["files"]:
        files.add_row(f["name"], str(f["size"]), f["format"], (f["error"] or {}).get("type") or "")
    console.print(files)
    docs = Table(
        "id",
        "number",
        "date",
        "type",
        "customer",
        "recipient",
        "total",
        "status",
        "chorus",
        title="Documents",
    )
    for d in detail["documents"]:
        docs.add_row(
            str(d["document_id"]),
            d["number"] or "",
            d["issue_date"] or "",
            d["type"],
            d["customer_code"] or "",
            d["recipient_name"] or "",
            f"{d['total_with_vat'] or ''} {d['currency'] or ''}",
            d["distribution_status"] or "",
            d["chorus_status"] or "",
        )
    console.print(docs)
    for d in detail["documents"]:
        for item in (d.get("validation") or {}).get("errors", []):
            console.print(f"  [red]{d['number'] or d['document_id']}[/] {item['rule']}: {item['message']}")
            console.print(f"    → {item.get('fix')}")


def _move(flow_id: int, to_history: bool, as_json: bool) -> None:
    with hub() as ctx, ctx.sessions() as session:
        flow = get_flow(session, flow_id)
        if flow is None:
            err_console.print(f"[red]No flow {flow_id}.[/]")
            raise typer.Exit(1)
        try:
            set_history(flow, to_history, actor=getpass.getuser())
        except IllegalTransition as exc:
            err_console.print(f"[yellow]{exc}[/]")
            raise typer.Exit(1) from exc
        session.commit()
        summary = flow_summary(flow)
    if as_json:
        print_json(summary)
    else:
        console.print(f"Flow {flow_id} {'moved to History' if to_history else 'restored'}.")


@flow_app.command("history")
def to_history(flow_id: int, as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """Move a flow to the History tab."""
    _move(flow_id, True, as_json)


@flow_app.command("restore")
def restore(flow_id: int, as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP)) -> None:
    """Bring a flow back from History to Active (and To check if it needs it)."""
    _move(flow_id, False, as_json)
