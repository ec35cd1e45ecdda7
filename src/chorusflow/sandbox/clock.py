"""Sandbox time: wall-clock time, sped up by a factor and movable by tests.

Everything the platform does on its own (flow integration, routing, the
recipient simulator) is scheduled in sandbox time, so a test can run a week
of invoice life in a second either with ``time_factor`` or by advancing the
clock through the admin endpoint. The clock never goes backwards, even across
a restart: the last time seen is persisted.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone

from chorusflow.sandbox.store import Store

__all__ = ["PARIS", "SandboxClock", "as_datetime", "fmt_date", "fmt_iso", "fmt_minute"]

#: Chorus Pro answers in French local time; a fixed +01:00 keeps outputs stable.
PARIS = timezone(timedelta(hours=1))


class SandboxClock:
    def __init__(self, store: Store, time_factor: float = 1.0) -> None:
        if time_factor <= 0:
            raise ValueError("time_factor must be > 0 (1.0 = real time)")
        self._store = store
        self._lock = threading.Lock()
        self.time_factor = time_factor
        persisted = float(store.get_meta("clock:last") or 0.0)
        self._anchor_sandbox = max(time.time(), persisted)
        self._anchor_mono = time.monotonic()

    def now(self) -> float:
        """Current sandbox time, as epoch seconds."""
        with self._lock:
            elapsed = time.monotonic() - self._anchor_mono
            return self._anchor_sandbox + elapsed * self.time_factor

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._anchor_sandbox += seconds
        current = self.now()
        self.persist(current)
        return current

    def persist(self, current: float | None = None) -> None:
        self._store.set_meta("clock:last", repr(current if current is not None else self.now()))


def as_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC).astimezone(PARIS)


def fmt_date(ts: float) -> str:
    """``YYYY-MM-DD`` (request/response dates)."""
    return as_datetime(ts).strftime("%Y-%m-%d")


def fmt_minute(ts: float) -> str:
    """``YYYY-MM-DD HH:MM`` (dateDepot of recycler, dateTraitement...)."""
    return as_datetime(ts).strftime("%Y-%m-%d %H:%M")


def fmt_iso(ts: float) -> str:
    """ISO-8601 with milliseconds and offset, as in the CR examples."""
    return as_datetime(ts).isoformat(timespec="milliseconds")
