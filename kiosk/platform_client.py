"""The one HTTP client to the provincial platform (requests, explicit timeouts, a reused session).

Every failure becomes a ``PlatformError`` whose ``kind`` says what a person can do about it:
``unreachable`` (network or platform down: try later, or the outbox keeps it), ``rejected`` (the platform
said no to this request: 4xx), ``server`` (5xx: try later), ``bad_answer`` (not the contract).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import requests

from kiosk.catalog import Catalog, parse_catalog

log = logging.getLogger(__name__)

ErrorKind = Literal["unreachable", "rejected", "server", "bad_answer"]


class PlatformError(Exception):
    def __init__(self, kind: ErrorKind, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class CatalogAnswer:
    catalog: Catalog | None  # None when the platform answered 304 Not Modified
    etag: str | None
    raw: dict | None


@dataclass(frozen=True, slots=True)
class Submission:
    receipt_number: str
    accepted_at: str
    promised_limit_days: int


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class PlatformClient:
    def __init__(self, base_url: str, device_id: str, connect_timeout: float = 3.0, read_timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self.timeout = (connect_timeout, read_timeout)
        self._http = requests.Session()
        self._http.headers.update({"User-Agent": "gov-kiosk/0.1", "X-Kiosk-Device": device_id})

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None,
                 ok: tuple[int, ...] = (200, 201)) -> requests.Response:
        url = f"{self.base_url}/v1{path}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        send_headers = {"Content-Type": "application/json"} if data is not None else {}
        send_headers.update(headers or {})
        try:
            response = self._http.request(method, url, data=data, headers=send_headers, timeout=self.timeout)
        except requests.Timeout:
            raise PlatformError("unreachable", f"platform {self.base_url}: no answer within {self.timeout[1]:.0f} s") from None
        except requests.ConnectionError:
            raise PlatformError("unreachable", f"platform {self.base_url}: cannot connect") from None
        if response.status_code in ok:
            return response
        retry_after = _retry_after(response.headers.get("Retry-After"))
        detail = _detail(response)
        log.warning("platform %s %s answered %s: %s", method, path, response.status_code, detail)
        if response.status_code >= 500:
            raise PlatformError("server", f"platform error {response.status_code}: {detail}", response.status_code, retry_after)
        raise PlatformError("rejected", f"platform refused ({response.status_code}): {detail}", response.status_code, retry_after)

    def health(self) -> dict:
        return self._request("GET", "/health").json()

    def catalog(self, etag: str | None = None) -> CatalogAnswer:
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", "/catalog", headers=headers, ok=(200, 304))
        if response.status_code == 304:
            return CatalogAnswer(None, etag, None)
        try:
            raw = response.json()
            catalog = parse_catalog(raw, f"{self.base_url}/v1/catalog")
        except ValueError as error:
            raise PlatformError("bad_answer", f"catalog from the platform is not valid: {error}") from None
        return CatalogAnswer(catalog, response.headers.get("ETag"), raw)

    def submit_application(self, body: dict, idempotency_key: str) -> Submission:
        response = self._request("POST", "/applications", body=body, headers={"Idempotency-Key": idempotency_key})
        try:
            answer = response.json()
            return Submission(answer["receipt_number"], answer["accepted_at"], int(answer["promised_limit_days"]))
        except (ValueError, KeyError, TypeError):
            raise PlatformError("bad_answer", "the platform's answer to an application lacks a receipt number") from None

    def verify_identity(self, kind: str, token: str) -> dict:
        """Ask the platform whose identity QR token this is (e-ID, e-social-security card, provincial app)."""
        return self._request("POST", "/identity/verify", body={"kind": kind, "token": token}).json()

    def progress(self, receipt_number: str) -> dict:
        return self._request("GET", f"/applications/{receipt_number}").json()

    def submit_rating(self, body: dict, idempotency_key: str) -> None:
        self._request("POST", "/ratings", body=body, headers={"Idempotency-Key": idempotency_key})

    def heartbeat(self, body: dict) -> None:
        self._request("POST", f"/devices/{self.device_id}/heartbeat", body=body, ok=(200, 204))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _detail(response: requests.Response) -> str:
    try:
        detail = response.json().get("detail", "")
    except ValueError:
        detail = response.text[:200]
    return str(detail)
