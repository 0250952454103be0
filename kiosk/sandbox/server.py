"""Runs the sandbox with uvicorn: in the foreground (``kiosk sandbox``) or embedded in a thread (demo)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from kiosk.sandbox.app import create_app


class EmbeddedSandbox:
    """The sandbox on a loopback port of its own, in a daemon thread, for the demo and the tests."""

    def __init__(self, db_path: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))  # bound before the thread starts: the port is known and ours
        self.host, self.port = self._socket.getsockname()[:2]
        self.app = create_app(db_path)
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="sandbox", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _serve(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self, timeout: float = 10.0) -> EmbeddedSandbox:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"sandbox on {self.url} did not start within {timeout:.0f} s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


def serve_forever(host: str, port: int, db_path: Path) -> None:
    uvicorn.run(create_app(db_path), host=host, port=port, log_level="info")
