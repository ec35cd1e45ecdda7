"""The watched hot folder: whatever is dropped in it becomes a flow.

Each top-level entry (a file, a ZIP, or a sub-folder) is one intake, hence
one flow. An entry is taken only once it has stopped changing for
``settle_seconds`` (a copy over SMB or SFTP takes time), then moved to
``processed/<date>/`` whatever the outcome: the blob store holds the
original, and the hot folder never re-imports the same drop in a loop.
Polling rather than inotify keeps it working on network shares.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from chorusflow.context import HubContext
from chorusflow.intake.service import IntakeResult, import_items
from chorusflow.intake.sources import from_paths

__all__ = ["HotFolder"]

log = logging.getLogger(__name__)
PROCESSED = "processed"


class HotFolder:
    def __init__(
        self,
        ctx: HubContext,
        inbox: Path,
        *,
        settle_seconds: float = 2.0,
        on_flow: Callable[[int], None] | None = None,
    ) -> None:
        self.ctx, self.inbox, self.settle_seconds, self.on_flow = ctx, inbox, settle_seconds, on_flow
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._seen: dict[Path, tuple[tuple[int, float], float]] = {}

    @staticmethod
    def _signature(entry: Path) -> tuple[int, float]:
        files = [p for p in entry.rglob("*") if p.is_file()] if entry.is_dir() else [entry]
        stats = [p.stat() for p in files]
        return sum(st.st_size for st in stats), max((st.st_mtime for st in stats), default=0.0)

    def _ready(self, entry: Path, now: float) -> bool:
        """Seen with the same sizes and times for ``settle_seconds`` (copies preserve mtime)."""
        try:
            signature = self._signature(entry)
        except FileNotFoundError:
            return False
        seen = self._seen.get(entry)
        if seen is None or seen[0] != signature:
            self._seen[entry] = (signature, now)
            return False
        return now - seen[1] >= self.settle_seconds

    def scan_once(self, *, now: float | None = None) -> list[IntakeResult]:
        """Import every settled entry; returns one result per flow created."""
        now = time.time() if now is None else now
        results = []
        for entry in sorted(self.inbox.iterdir()):
            if entry.name == PROCESSED or entry.name.startswith("."):
                continue
            if not self._ready(entry, now):
                continue
            try:
                result = import_items(
                    self.ctx,
                    from_paths([entry], max_bytes=self.ctx.settings.max_file_bytes),
                    submitter="hot-folder",
                    source="hot_folder",
                )
                results.append(result)
                if self.on_flow is not None:
                    self.on_flow(result.flow_id)
            except Exception:  # keep watching: one broken drop must not stop the folder
                log.exception("hot folder: import of %s failed", entry)
                continue
            finally:
                self._seen.pop(entry, None)
            self._archive(entry)
        return results

    def _archive(self, entry: Path) -> None:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        target_dir = self.inbox / PROCESSED / day
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / entry.name
        n = 1
        while target.exists():
            target = target_dir / f"{entry.stem}.{n}{entry.suffix}"
            n += 1
        shutil.move(str(entry), target)

    def watch(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Poll until ``stop`` is set."""
        log.info("watching hot folder %s", self.inbox)
        while not stop.is_set():
            try:
                self.scan_once()
            except Exception:
                log.exception("hot folder scan failed")
            stop.wait(interval)
