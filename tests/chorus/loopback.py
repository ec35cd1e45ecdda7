"""A tiny scripted HTTP server on loopback, for transport behaviour the sandbox cannot make deterministic.

Each path gets a queue of ``Reply`` objects (the last one repeats); every
request is recorded with its headers and body so tests can assert what went
over the wire. ``drop=True`` closes the socket without answering, which is
what a response lost after the server committed looks like to the client.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=lambda: {"codeRetour": 0, "libelle": "TRA_MSG_00.000"})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    raw: bytes | None = None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply]] = defaultdict(list)
        self.requests: list[Seen] = []
        self.token_count = 0
        self.token_reply: Reply | None = None
        self.token_ttl = 3600
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer._lock:
                    outer.requests.append(Seen(self.command, self.path, dict(self.headers), body))
                    reply = outer._next(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.token_url = self.base_url + "/token"

    def _next(self, path: str) -> Reply:
        if path == "/token":
            if self.token_reply is not None:
                return self.token_reply
            self.token_count += 1
            return Reply(
                body={
                    "access_token": f"tok-{self.token_count}",
                    "token_type": "Bearer",
                    "expires_in": self.token_ttl,
                }
            )
        queue = self.scripts.get(path)
        if not queue:
            return Reply()
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def script(self, path: str, *replies: Reply) -> None:
        self.scripts[path] = list(replies)

    def calls(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> ScriptedServer:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
