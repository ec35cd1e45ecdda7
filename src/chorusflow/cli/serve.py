"""``chorusflow serve`` (the main job) and ``chorusflow worker`` (extra queue consumers).

``serve`` on a fresh data home needs no configuration: SQLite, an embedded
huey consumer with the schedules (automatic submission, reconciler), the hot
folder, the web app, and a local Chorus Pro sandbox mounted at ``/sandbox``
with a demo provider pointing at it, so a newcomer sees an invoice go from
upload to Chorus Pro statuses without any account.
"""

from __future__ import annotations

import logging
import signal
import threading

import typer

from chorusflow.cli.common import console, err_console, hub
from chorusflow.intake.hotfolder import HotFolder
from chorusflow.tasks.queue import get_queue


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("pypdf", "pyhanko", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING if noisy == "httpx" else logging.ERROR)


def _start_consumer(workers: int, periodic: bool):  # type: ignore[no-untyped-def]
    """huey's consumer installs its own signal handlers: keep the host's (uvicorn's) ones."""
    queue = get_queue()
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    return consumer


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="Port of the web app (and the mounted sandbox)."),
    workers: int = typer.Option(2, min=1, max=32, help="Embedded queue worker threads."),
    sandbox: bool = typer.Option(
        True, "--sandbox/--no-sandbox", help="Mount the local Chorus Pro at /sandbox."
    ),
    interval: float = typer.Option(1.0, help="Hot-folder polling interval, seconds."),
    settle: float = typer.Option(2.0, help="Seconds a drop must stay unchanged before import."),
) -> None:
    """Run the hub: web app, embedded queue worker and schedules, hot folder (embedded default)."""
    import uvicorn

    from chorusflow.web.serving import build_server_app

    _logging()
    stop = threading.Event()
    with hub() as ctx:
        app, notes = build_server_app(ctx, host=host, port=port, with_sandbox=sandbox)
        consumer = _start_consumer(workers, periodic=True)
        folder = HotFolder(ctx, ctx.settings.inbox, settle_seconds=settle, on_flow=get_queue().advance)
        watcher = threading.Thread(
            target=folder.watch, args=(stop,), kwargs={"interval": interval}, daemon=True
        )
        watcher.start()
        console.print(f"chorusflow on [bold]http://{host}:{port}[/] — data home {ctx.settings.resolved_home}")
        console.print(f"Hot folder: [bold]{folder.inbox}[/]")
        for note in notes:
            console.print(note)
        try:
            uvicorn.run(app, host=host, port=port, log_level="info")
        finally:
            stop.set()
            consumer.stop(graceful=True)
            watcher.join(5)
    console.print("stopped.")


def worker(
    workers: int = typer.Option(2, min=1, max=64, help="Worker threads in this process."),
    scheduler: bool = typer.Option(
        False, "--scheduler/--no-scheduler", help="Also run the schedules (exactly one process should)."
    ),
) -> None:
    """Consume the shared queue (CHORUSFLOW_QUEUE_URL: redis://... or postgresql://...)."""
    _logging()
    with hub() as ctx:
        if not ctx.settings.queue_url:
            err_console.print(
                "[yellow]No CHORUSFLOW_QUEUE_URL: this worker shares the embedded SQLite queue of this "
                "data home only. Set redis://... or postgresql://... to spread work over machines.[/]"
            )
        queue = get_queue(ctx.settings)
        consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=scheduler)
        console.print(f"worker: {workers} thread(s), schedules {'on' if scheduler else 'off'}")
        consumer.run()
