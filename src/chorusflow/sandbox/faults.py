"""Fault injection: the failures a Chorus Pro client must survive, on demand and replayable.

Faults are configured per operation with shell-style patterns on the
operation path (``factures/deposer/*``, ``transverses/consulterCRDetaille``,
``oauth/token``, ``*``). Every matching pattern applies, the more specific
(more literal characters) overriding the less specific key by key. Draws come
from one generator seeded at start, so a sequential run replays exactly.

``lost_response`` is the important one for exactly-once delivery: the
operation runs and commits, then the connection is dropped before any byte of
the answer is sent, so the client cannot know whether its deposit exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import socket
import struct
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "FAULT_KEYS",
    "FaultError",
    "FaultMiddleware",
    "effective_fault",
    "load_faults",
    "operation_of",
    "validate_faults",
]

FAULT_KEYS = {
    "latency_ms",
    "error_rate",
    "error_status",
    "rate_limit_rate",
    "retry_after_s",
    "reset_rate",
    "lost_response_rate",
    "token_ttl_s",
}
_RATES = {"error_rate", "rate_limit_rate", "reset_rate", "lost_response_rate"}


class FaultError(ValueError):
    """The fault configuration is malformed; the message names the pattern and key."""


def validate_faults(data: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(data, dict):
        raise FaultError(
            "faults must be a JSON object mapping an operation pattern to settings, e.g. "
            '{"factures/deposer/*": {"error_rate": 0.5}}'
        )
    result: dict[str, dict[str, Any]] = {}
    for pattern, settings in data.items():
        if not isinstance(settings, dict):
            raise FaultError(f"faults[{pattern!r}] must be an object of settings")
        clean = {}
        for key, value in settings.items():
            if key not in FAULT_KEYS:
                continue
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise FaultError(f"faults[{pattern!r}].{key} must be a number >= 0")
            if key in _RATES and value > 1:
                raise FaultError(f"faults[{pattern!r}].{key} is a rate: use a value from 0 to 1")
            if key == "error_status" and not 400 <= value <= 599:
                raise FaultError(
                    f"faults[{pattern!r}].error_status must be an HTTP error status (e.g. 500, 503)"
                )
            clean[key] = value
        result[str(pattern)] = clean
    return result


def load_faults(path: Path) -> dict[str, dict[str, Any]]:
    try:
        return validate_faults(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise FaultError(f"faults file {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise FaultError(f"faults file {path} is not valid JSON: {exc}") from exc


def operation_of(path: str) -> str | None:
    """``/cpro/factures/v1/deposer/flux`` → ``factures/deposer/flux``; admin paths have none."""
    if path.startswith("/api/oauth/"):
        return "oauth/" + path[len("/api/oauth/") :]
    if not path.startswith("/cpro/"):
        return None
    family, _, rest = path[len("/cpro/") :].partition("/")
    version, _, operation = rest.partition("/")
    return f"{family}/{operation}" if version == "v1" else f"{family}/{rest}"


def _specificity(pattern: str) -> int:
    return sum(1 for ch in pattern if ch not in "*?[]")


def effective_fault(faults: dict[str, dict[str, Any]], operation: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for pattern in sorted((p for p in faults if fnmatch.fnmatchcase(operation, p)), key=_specificity):
        merged.update(faults[pattern])
    return merged


def _abort(scope: Scope) -> bool:
    """Reset the client's TCP connection (RST, no answer); False when not served by our server."""
    transport = scope.get("sandbox.transport")
    if transport is None:
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True


async def _json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json;charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class FaultMiddleware:
    def __init__(self, app: ASGIApp, sandbox: Any) -> None:
        self.app = app
        self.sandbox = sandbox

    def _hit(self, fault: dict[str, Any], key: str) -> bool:
        rate = fault.get(key, 0)
        return rate > 0 and self.sandbox.fault_rng.random() < rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation = operation_of(scope["path"]) if scope["type"] == "http" else None
        fault = effective_fault(self.sandbox.faults, operation) if operation else {}
        if not fault:
            await self.app(scope, receive, send)
            return
        scope["sandbox.fault"] = fault
        if fault.get("latency_ms"):
            await asyncio.sleep(fault["latency_ms"] / 1000)
        if self._hit(fault, "reset_rate"):
            if not _abort(scope):
                raise ConnectionResetError("sandbox fault: connection reset")
            return
        if self._hit(fault, "rate_limit_rate"):
            retry = fault.get("retry_after_s", 1)
            await _json(
                send,
                429,
                {"error": "too_many_requests", "error_description": "Quota exceeded, retry later"},
                [(b"retry-after", str(int(retry)).encode())],
            )
            return
        if self._hit(fault, "error_rate"):
            status = int(fault.get("error_status", 500))
            await _json(send, status, {"codeRetour": status, "libelle": "Erreur technique (bac à sable)"}, [])
            return
        if self._hit(fault, "lost_response_rate"):

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            if not _abort(scope):
                raise ConnectionResetError("sandbox fault: response lost after commit")
            return
        await self.app(scope, receive, send)
