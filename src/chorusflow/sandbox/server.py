"""Serve the sandbox with uvicorn, with access to the TCP connection for fault injection.

A connection reset or a lost response must look like a network failure to
the client, not like an HTTP error, so the fault middleware needs the
connection's transport to abort it. Uvicorn does not put the transport in
the ASGI scope; this protocol subclass does, per connection.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["TransportH11Protocol", "make_server"]


class _WithTransport:
    def __init__(self, app: ASGIApp, transport: asyncio.Transport) -> None:
        self.app = app
        self.transport = transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["sandbox.transport"] = self.transport
        await self.app(scope, receive, send)


class TransportH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # Sockets handed to uvicorn pre-bound miss asyncio's TCP_NODELAY: without it every
            # answer waits ~40 ms for the client's delayed ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self.app = _WithTransport(self.app, transport)


def make_server(app: ASGIApp, host: str, port: int, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=TransportH11Protocol,
        loop="asyncio",
        ws="none",
        lifespan="on",
        log_level=log_level,
        access_log=False,
    )
    return uvicorn.Server(config)
