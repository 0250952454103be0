"""The sandbox platform over real HTTP on loopback, through the kiosk's own client (proofs enforced)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from kiosk.catalog_cache import CatalogCache
from kiosk.platform_client import PlatformClient, PlatformError, new_idempotency_key
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.sandbox.server import EmbeddedSandbox
from kiosk.signing import HmacSigner

BODY = {"item_code": "HJ-001", "applicant": {"id_number": "410105195003152015", "name": "张建国", "phone": ""},
        "form": {"phone": "13912345678", "purpose": "出国（境）"}, "materials_present": [], "channel": "kiosk"}


@pytest.fixture(autouse=True)
def enforced(sandbox: EmbeddedSandbox) -> None:
    sandbox.app.state.identity.enforce = True


@pytest.fixture
def proof(sandbox: EmbeddedSandbox, client: PlatformClient) -> str:
    """张建国's verification proof for the test kiosk, as after a face check."""
    return sandbox.app.state.identity.issue(BODY["applicant"]["id_number"], client.device_id, "face").proof




def test_catalog_has_etag_and_answers_304(client: PlatformClient) -> None:
    first = client.catalog()
    assert first.catalog is not None and len(first.catalog.items) >= 5
    assert first.etag
    again = client.catalog(first.etag)
    assert again.catalog is None  # 304 Not Modified


def test_same_key_same_body_gives_the_same_receipt_once(client: PlatformClient, sandbox: EmbeddedSandbox,
                                                        proof: str) -> None:
    key = new_idempotency_key()
    first = client.submit_application(BODY, key, proof=proof)
    second = client.submit_application(BODY, key, proof=proof)
    assert first.receipt_number == second.receipt_number
    assert first.receipt_number.startswith("ZW")
    rows = list(sandbox.app.state.store.db["applications"].rows_where("idempotency_key = ?", [key]))
    assert len(rows) == 1  # the sandbox also holds seeded demo applications: count only this key's


def test_same_key_other_body_is_422_and_missing_key_is_400(client: PlatformClient, sandbox: EmbeddedSandbox,
                                                           proof: str) -> None:
    key = new_idempotency_key()
    client.submit_application(BODY, key, proof=proof)
    with pytest.raises(PlatformError) as caught:
        client.submit_application({**BODY, "form": {**BODY["form"], "purpose": "就业"}}, key, proof=proof)
    assert caught.value.kind == "rejected" and caught.value.status == 422
    signer = HmacSigner("KIOSK-TEST-01", DEMO_DEVICE_SECRET)
    response = requests.post(f"{sandbox.url}/v1/applications", json=BODY, timeout=5, auth=signer)
    assert response.status_code == 400  # signed, but no Idempotency-Key
    unsigned = requests.post(f"{sandbox.url}/v1/applications", json=BODY, timeout=5,
                             headers={"Idempotency-Key": new_idempotency_key()})
    assert unsigned.status_code == 401  # the platform takes nothing from an unsigned kiosk


def test_rating_is_recorded_once_per_key(client: PlatformClient, sandbox: EmbeddedSandbox) -> None:
    body = {"item_code": "HJ-001", "receipt_number": None, "level": 2, "reasons": ["等待时间长"], "callback": True}
    client.submit_rating(body, "rating-1")
    client.submit_rating(body, "rating-1")
    rows = list(sandbox.app.state.store.db["ratings"].rows)
    assert len(rows) == 1 and rows[0]["level"] == 2 and json.loads(rows[0]["reasons"]) == ["等待时间长"]


def test_openapi_is_published(sandbox: EmbeddedSandbox) -> None:
    spec = requests.get(f"{sandbox.url}/openapi.json", timeout=5).json()
    assert {"/v1/catalog", "/v1/applications", "/v1/ratings"} <= set(spec["paths"])


def test_unreachable_platform_is_a_clear_error() -> None:
    client = PlatformClient("http://127.0.0.1:9", "KIOSK-TEST-01", 1, 1, device_secret=DEMO_DEVICE_SECRET)
    with pytest.raises(PlatformError) as caught:
        client.submit_application(BODY, new_idempotency_key())
    assert caught.value.kind == "unreachable"
    assert "127.0.0.1:9" in str(caught.value)


def test_catalog_cache_serves_the_last_copy_when_offline(tmp_path: Path, sandbox: EmbeddedSandbox) -> None:
    cache = CatalogCache(tmp_path / "catalog.db")
    online = cache.refresh(PlatformClient(sandbox.url, "K-1", device_secret=DEMO_DEVICE_SECRET))
    assert online.catalog is not None and not online.from_cache
    offline = cache.refresh(PlatformClient("http://127.0.0.1:9", "K-1", 1, 1, device_secret=DEMO_DEVICE_SECRET))
    assert offline.from_cache and offline.error
    assert offline.catalog == online.catalog
