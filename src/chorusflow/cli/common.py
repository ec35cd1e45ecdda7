"""What every command shares: the hub context, JSON output and the console."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from chorusflow.context import HubContext
from chorusflow.settings import get_settings

__all__ = ["JSON_OPTION_HELP", "console", "err_console", "hub", "print_json"]

console = Console()
err_console = Console(stderr=True)
JSON_OPTION_HELP = "Print machine-readable JSON instead of a table."


@contextmanager
def hub() -> Iterator[HubContext]:
    ctx = HubContext.open(get_settings())
    try:
        yield ctx
    finally:
        ctx.close()


def print_json(data: Any) -> None:
    """JSON on stdout, nothing else, so scripts can pipe it into ``jq``."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
