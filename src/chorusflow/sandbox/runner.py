"""``SandboxServer``: a real sandbox on a loopback port, for other test suites.

Tests of a Chorus Pro client must go through real HTTP (connection resets and
lost responses only exist on a socket), so this starts uvicorn in a
background thread on a free port, waits for the health check, and stops it
cleanly, closing the database so the same ``data_dir`` can be reopened to
test persistence across restarts::

    with SandboxServer(tmp_path) as sandbox:
        token = httpx.post(sandbox.token_url, data={...sandbox.credentials...})
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from chorusflow.sandbox.admin import default_credentials
from chorusflow.sandbox.app import create_app
from chorusflow.sandbox.server import make_server

__all__ = ["SandboxServer"]


class SandboxServer:
    def __init__(
        self,
        data_dir: Path,
        seed_file: Path | None = None,
        faults_file: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        time_factor: float = 1.0,
        rng_seed: int = 0,
        startup_timeout_s: float = 20.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.seed_file = seed_file
        self.faults_file = faults_file
        self.host = host
        self.port = port
        self.time_factor = time_factor
        self.rng_seed = rng_seed
        self.startup_timeout_s = startup_timeout_s
        self.app: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/api/oauth/token"

    @property
    def credentials(self) -> dict[str, Any]:
        """client_id, client_secret, login, password, supplier_siret (+ supplier_id, recipient_*)."""
        return default_credentials(self.app.state.sandbox.store)

    def start(self) -> SandboxServer:
        self.app = create_app(
            self.data_dir,
            self.seed_file,
            self.faults_file,
            time_factor=self.time_factor,
            rng_seed=self.rng_seed,
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._server = make_server(self.app, self.host, self.port)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"sandbox-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/sandbox/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if not self._thread.is_alive():
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the sandbox did not answer on {self.base_url} within {self.startup_timeout_s} s")

    def stop(self) -> None:
        """Stop the server and close its database; a second call does nothing."""
        if self._server is None and self._thread is None:
            return
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.app is not None:
            self.app.state.sandbox.clock.persist()
            self.app.state.sandbox.store.close()
        self._server = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
