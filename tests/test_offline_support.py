"""Shared by the offline tests (no tests here): a small platform that speaks HTTP on loopback, and the
adapter that turns its answers into the outbox's outcome types.

The server keeps the rules of the platform contract that matter to the outbox: an Idempotency-Key is
required, the same key with the same body gets the same answer, the same key with another body gets 422,
and image chunks must arrive at the offset the server already holds (409 with the current length otherwise).
It counts every request so tests can prove nothing was applied twice and no acknowledged chunk was resent.
Scripted answers (status, headers) can be queued to play an outage, a 429 or a 4xx.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from offline.errors import Rejected, RetryLater
from offline.model import EntryMeta, UploadedImage


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients killed mid-request (the crash test) reset their connection; that is expected


class LoopbackPlatform:
    """Run with ``with LoopbackPlatform() as platform: ...``; ``platform.url`` is the base URL."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.applied: dict[str, dict[str, Any]] = {}  # idempotency key -> first body accepted
        self.receipts: dict[str, str] = {}
        self.order: list[str] = []  # keys in the order they were first applied
        self.posts: Counter[str] = Counter()  # requests per key, resends included
        self.uploads: dict[tuple[str, int], bytearray] = {}
        self.chunk_offsets: list[tuple[str, int, int]] = []  # (key, image index, offset) of every chunk received
        self.scripted: list[tuple[int, dict[str, str]]] = []
        self.fail_chunk_at: set[int] = set()  # chunk offsets that answer 503 once
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackPlatform:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, status: int, headers: Mapping[str, str] | None = None, times: int = 1) -> None:
        """The next ``times`` entry submissions get ``status`` instead of being applied."""
        with self.lock:
            self.scripted.extend([(status, dict(headers or {}))] * times)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _answer(self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", "0")))

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self._body()
                key = self.headers.get("Idempotency-Key")
                if not key:
                    return self._answer(400, {"error": "Idempotency-Key required"})
                if platform.delay:
                    time.sleep(platform.delay)
                with platform.lock:
                    platform.posts[key] += 1
                    if platform.scripted:
                        status, headers = platform.scripted.pop(0)
                        return self._answer(status, {"error": "scripted"}, headers)
                    document = json.loads(body)
                    if key in platform.applied:
                        if platform.applied[key] != document:
                            return self._answer(422, {"error": "same key, other body"})
                    else:
                        platform.applied[key] = document
                        platform.receipts[key] = f"R{len(platform.receipts) + 1:06d}"
                        platform.order.append(key)
                    return self._answer(200, {"receipt_no": platform.receipts[key]})

            def do_PUT(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                key, index = parts.path.rsplit("/", 2)[-2:]
                offset, total = int(query["offset"][0]), int(query["total"][0])
                chunk = self._body()
                with platform.lock:
                    if offset in platform.fail_chunk_at:
                        platform.fail_chunk_at.discard(offset)
                        return self._answer(503, {"error": "scripted"})
                    held = platform.uploads.setdefault((key, int(index)), bytearray())
                    platform.chunk_offsets.append((key, int(index), offset))
                    if offset > len(held):
                        return self._answer(409, {"error": "gap before offset", "have": len(held)})
                    # A chunk we already hold (the kiosk died before recording our answer) is accepted
                    # again without being stored twice: resends are harmless.
                    held[offset : offset + len(chunk)] = chunk
                    if len(held) >= total:
                        return self._answer(200, {"material_id": f"{key}/{index}"})
                    return self._answer(202, {"have": len(held)})

        return Handler


class HttpAdapter:
    """What the lead's platform client does for the outbox, reduced to the loopback platform above."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.session = requests.Session()

    def deliver(self, entry: EntryMeta, payload: dict[str, Any], images: list[UploadedImage]) -> dict[str, Any]:
        document = {
            "kind": str(entry.kind),
            "payload": payload,
            "images": [image.ref if image.ref is not None else {"inline": len(image.data or b"")} for image in images],
        }
        response = self._call("POST", "/v1/entries", json=document, headers={"Idempotency-Key": entry.idempotency_key})
        return {"receipt_no": response.json()["receipt_no"]}

    def deliver_chunk(self, entry: EntryMeta, index: int, offset: int, chunk: bytes, total: int) -> dict[str, Any] | None:
        response = self._call(
            "PUT", f"/v1/uploads/{entry.idempotency_key}/{index}", params={"offset": offset, "total": total}, data=chunk
        )
        return response.json() if response.status_code == 200 else None

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise RetryLater(f"network: {type(exc).__name__}") from None
        status = response.status_code
        if status < 300:
            return response
        if status >= 500 or status in (408, 409, 429):
            retry_after = response.headers.get("Retry-After")
            raise RetryLater(f"HTTP {status}", float(retry_after) if retry_after else None)
        raise Rejected(f"HTTP {status}", status)
