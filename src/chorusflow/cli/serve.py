"""``chorusflow serve``: the main job on the embedded default.

Today it keeps the database current and runs the hot folder; the web app,
the embedded queue worker and the sandbox mount join it in later issues.
"""

from __future__ import annotations

import logging
import signal
import threading

import typer

from chorusflow.cli.common import console, hub
from chorusflow.intake.hotfolder import HotFolder


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        interval: float = typer.Option(1.0, help="Hot-folder polling interval, seconds."),
        settle: float = typer.Option(2.0, help="Seconds a drop must stay unchanged before import."),
    ) -> None:
        """Run the hub: hot-folder intake on the embedded default (SQLite, data home)."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        with hub() as ctx:
            folder = HotFolder(ctx, ctx.settings.inbox, settle_seconds=settle)
            console.print(
                f"chorusflow is running. Data home: [bold]{ctx.settings.resolved_home}[/]\n"
                f"Drop invoice files, folders or ZIPs into [bold]{folder.inbox}[/]; "
                "follow them with `chorusflow flows`. Ctrl+C stops."
            )
            folder.watch(stop, interval=interval)
        console.print("stopped.")
