"""``validate``, ``approve``, ``reject``, ``submit``, ``advance``: the pipeline from the shell."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from chorusflow.cli.common import JSON_OPTION_HELP, console, err_console, hub, print_json
from chorusflow.pipeline.approval import ApprovalError, approve_documents, reject_documents
from chorusflow.pipeline.checks import check_bytes
from chorusflow.pipeline.runner import advance_flow
from chorusflow.providers.directory import CachedDirectory
from chorusflow.providers.service import client_for, get_provider
from chorusflow.tasks.jobs import submit_now


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("approve")(approve)
    app.command("reject")(reject)
    app.command("submit")(submit)
    app.command("advance")(advance)
    app.command("retry")(retry)


def validate(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Invoice files to check."),
    provider: str = typer.Option(None, help="Check the Chorus Pro directory through this provider too."),
    lang: str = typer.Option(None, help="en or fr (default: CHORUSFLOW_LANGUAGE)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """EN 16931 (official rules) and Chorus Pro pre-flight checks, without importing anything."""
    results = []
    with hub() as ctx, ctx.sessions() as session:
        chosen = get_provider(session, provider) if provider else None
        if provider and chosen is None:
            err_console.print(f"[red]No provider named {provider!r}.[/]")
            raise typer.Exit(2)
        directory = (
            CachedDirectory(session, chosen.id or 0, lambda: client_for(chosen, ctx.secrets))
            if chosen
            else None
        )
        for path in files:
            checked = check_bytes(
                path.read_bytes(),
                path.name,
                provider_siret=chosen.siret if chosen else None,
                directory=directory,
                lang=lang or ctx.settings.language,
            )
            report = checked.report
            results.append(
                {
                    "file": str(path),
                    "format": report["format"],
                    "profile": report["profile"],
                    "valid": report["valid"],
                    "errors": report["errors"],
                    "warnings": report["warnings"],
                }
            )
        session.commit()
        if directory is not None:
            directory.close()
    if as_json:
        print_json(results)
    else:
        for r in results:
            verdict = "[green]valid[/]" if r["valid"] else "[red]invalid[/]"
            console.print(f"[bold]{r['file']}[/] ({r['format']}, {r['profile'] or '-'}): {verdict}")
            for item in r["errors"] + r["warnings"]:
                colour = "red" if item["severity"] == "fatal" else "yellow"
                field = f" [{item['field']}]" if item.get("field") else ""
                console.print(f"  [{colour}]{item['rule']}[/]{field}: {item['message']}\n    → {item['fix']}")
    if not all(r["valid"] for r in results):
        raise typer.Exit(1)


def _decide(action: str, document_ids: list[int], comment: str | None, as_json: bool) -> None:
    actor = getpass.getuser()
    decide = approve_documents if action == "approve" else reject_documents
    with hub() as ctx, ctx.sessions() as session:
        try:
            decisions = decide(session, document_ids, actor=actor, comment=comment)
        except ApprovalError as exc:
            session.rollback()
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from exc
        session.commit()
        flows = sorted({d.flow_id for d in decisions})
        for flow_id in flows:  # approved documents move on now, not at the next queue pass
            advance_flow(ctx, flow_id)
    rows = [{"document_id": d.document_id, "flow_id": d.flow_id, "status": d.status} for d in decisions]
    if as_json:
        print_json({"validator": actor, "comment": comment, "documents": rows})
    else:
        console.print(f"{len(rows)} document(s) {action}d by {actor}.")


def approve(
    document_ids: list[int] = typer.Argument(..., help="Documents pending validation."),
    comment: str = typer.Option(None, help="Comment kept in the history."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Approve documents waiting for validation (all or none)."""
    _decide("approve", document_ids, comment, as_json)


def reject(
    document_ids: list[int] = typer.Argument(..., help="Documents pending validation."),
    comment: str = typer.Option(..., help="Why: shown to whoever fixes the invoice."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Reject documents waiting for validation, with a comment."""
    _decide("reject", document_ids, comment, as_json)


def submit(
    provider: str = typer.Option(None, help="Only this provider (default: all)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Submit to Chorus Pro now every document waiting for submission."""
    with hub() as ctx:
        try:
            results = submit_now(ctx, provider)
        except LookupError as exc:
            err_console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from exc
    if as_json:
        print_json(results)
    else:
        for name, report in results.items():
            console.print(f"{name}: {report['outcomes'] or 'nothing to submit'}")


def advance(
    flow_id: int = typer.Argument(..., help="Flow to move on."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Run the stages due for a flow now (validation, signature, distribution opening)."""
    with hub() as ctx:
        where = advance_flow(ctx, flow_id)
    if where is None:
        err_console.print(f"[red]No flow {flow_id}.[/]")
        raise typer.Exit(1)
    if as_json:
        print_json({"flow_id": flow_id, "stage": where[0], "state": where[1]})
    else:
        console.print(f"Flow {flow_id}: {where[0]} ({where[1]}).")


def retry(
    flow: int = typer.Option(None, "--flow", help="A flow in error: run its failed stage again."),
    document: int = typer.Option(None, "--document", help="A document that failed to go: send it again."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Retry after fixing the cause (a person decides once automatic retries stop)."""
    from chorusflow.core.entities import Document, Flow
    from chorusflow.pipeline.retry import RetryError, retry_document, retry_flow

    if (flow is None) == (document is None):
        err_console.print("[red]Give either --flow ID or --document ID.[/]")
        raise typer.Exit(2)
    actor = getpass.getuser()
    with hub() as ctx:
        with ctx.sessions() as session:
            try:
                if flow is not None:
                    target = session.get(Flow, flow)
                    if target is None:
                        raise RetryError(f"No flow {flow}.")
                    retry_flow(session, target, actor=actor)
                    flow_id = flow
                else:
                    doc = session.get(Document, document)
                    if doc is None:
                        raise RetryError(f"No document {document}.")
                    retry_document(session, doc, actor=actor)
                    flow_id = doc.flow_id or 0
            except RetryError as exc:
                err_console.print(f"[red]{exc}[/]")
                raise typer.Exit(1) from exc
            session.commit()
        where = advance_flow(ctx, flow_id)
    out = {"flow_id": flow_id, "stage": where[0] if where else None, "state": where[1] if where else None}
    if as_json:
        print_json(out)
    else:
        console.print(f"Flow {flow_id}: {out['stage']} ({out['state']}).")
