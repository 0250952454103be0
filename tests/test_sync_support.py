"""Shared by the sync tests (no tests here): the real sandbox with signing, chaos and uploads installed,
served by uvicorn on a loopback port, and a signed kiosk client for it.

``create_test_app`` does exactly what ``create_app`` will do once hooked up (the three installers), so the
tests keep passing after that; the installers are idempotent, so it is harmless if create_app already did.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from kiosk.outbox_adapter import OutboxAdapter
from kiosk.platform_client import PlatformClient
from kiosk.sandbox.app import create_app
from kiosk.sandbox.chaos import ChaosSettings, install_chaos
from kiosk.sandbox.security import SecuritySettings, install_security, single_secret
from kiosk.signing import HmacSigner

DEVICE_ID = "KIOSK-DEMO-01"
SECRET = "demo-device-secret-change-me"
CITIZEN = {"id_number": "410105195003152015", "name": "张建国", "phone": "13912345678"}


def application_body(seq: int = 0, citizen: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "item_code": "HJ-001",
        "applicant": dict(citizen or CITIZEN),
        # Valid for the item's fields (the platform checks them with the kiosk's contract); the landline makes
        # each body distinct and shows a landline goes through end to end (issue #14).
        "form": {"purpose": "就业", "phone": f"0371-6555{seq % 10000:04d}"},
        "materials_present": [],
        "channel": "kiosk",
    }


def create_test_app(db_path: Path, chaos: ChaosSettings | None = None, secret: str = SECRET) -> Any:
    app = create_app(db_path)
    # create_app already installs security, chaos and the upload routes; these calls only change settings.
    install_security(app, single_secret(secret))
    install_chaos(app, chaos or ChaosSettings(seed=1))
    # These tests exercise the outbox, signing and sync, with bodies made here rather than by a verified
    # citizen at the desk; identity proofs have their own tests (test_identity_contract, test_desk_journeys).
    app.state.identity.enforce = False
    return app


class TestSandbox:
    """``with TestSandbox(db) as sandbox:``: the app on a loopback port in a thread, like EmbeddedSandbox."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, db_path: Path, chaos: ChaosSettings | None = None, port: int = 0) -> None:
        self.db_path = db_path
        self.app = create_test_app(db_path, chaos)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="critical", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def chaos(self) -> ChaosSettings:
        return self.app.state.chaos

    @property
    def security(self) -> SecuritySettings:
        return self.app.state.security

    @property
    def store(self) -> Any:
        return self.app.state.store

    def applications(self) -> list[dict[str, Any]]:
        return list(self.store.db.query("SELECT receipt_number, idempotency_key, item_code FROM applications"))

    def __enter__(self) -> TestSandbox:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline and self._thread.is_alive(), "test sandbox did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


def signed_client(url: str, secret: str = SECRET, device_id: str = DEVICE_ID, **signer: Any) -> PlatformClient:
    client = PlatformClient(url, device_id, connect_timeout=2.0, read_timeout=5.0)
    client._http.auth = HmacSigner(device_id, secret, **signer)
    return client


def adapter_for(url: str, **kwargs: Any) -> OutboxAdapter:
    return OutboxAdapter(signed_client(url, **kwargs))
