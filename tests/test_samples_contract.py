"""材料样本 pictures over real HTTP on loopback (issue #17): the sandbox serves a watermarked PNG for every
``sample_image`` the catalog names and a 404 problem for any other name; the kiosk's client refuses an answer
that is not a PNG (whatever its Content-Type says) or is larger than a sample may be."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from PIL import Image

from kiosk.catalog import load_catalog_file
from kiosk.platform_client import PNG_SIGNATURE, SAMPLE_IMAGE_MAX_BYTES, PlatformClient, PlatformError
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.sandbox.server import EmbeddedSandbox
from kiosk.sandbox.store import DATA_DIR
from kiosk.signing import HmacSigner

DEVICE = "KIOSK-TEST-07"


def catalog_sample_images() -> set[str]:
    catalog = load_catalog_file(DATA_DIR / "catalog.json")
    return {m.sample_image for item in catalog.items for m in item.guide.materials if m.sample_image}


def test_the_catalog_names_a_picture_for_each_kind_of_sample() -> None:
    assert catalog_sample_images() == {"household-register.png", "rental-contract.png", "bank-card.png",
                                       "couple-photo.png"}


def test_the_sandbox_serves_a_png_for_every_catalog_sample_image(client: PlatformClient) -> None:
    for name in sorted(catalog_sample_images()):
        png = client.sample_image(name)
        assert png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(png)) as picture:
            assert picture.format == "PNG" and picture.width >= 600 and picture.height >= 400, name


def test_the_specimen_is_crossed_by_a_red_watermark(client: PlatformClient) -> None:
    with Image.open(io.BytesIO(client.sample_image("household-register.png"))) as picture:
        middle = picture.convert("RGB").crop((picture.width // 3, picture.height // 3,
                                              2 * picture.width // 3, 2 * picture.height // 3))
    # The cream page, the brown frame and the black ink are never this red; the translucent 样本 strokes are.
    colours = middle.getcolors(maxcolors=middle.width * middle.height) or []
    red = sum(count for count, (r, g, b) in colours if r - g > 50 and r - b > 50)
    assert red > middle.width * middle.height // 20


def test_an_unknown_sample_is_a_404_problem(sandbox: EmbeddedSandbox, client: PlatformClient) -> None:
    session = requests.Session()
    session.auth = HmacSigner(DEVICE, DEMO_DEVICE_SECRET)
    session.headers["X-Kiosk-Device"] = DEVICE
    response = session.get(f"{sandbox.url}/v1/catalog/samples/no-such-sample.png", timeout=30)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 404 and "no-such-sample.png" in problem["detail"]
    with pytest.raises(PlatformError) as refused:
        client.sample_image("no-such-sample.png")
    assert refused.value.status == 404 and not refused.value.is_outage


def test_the_published_contract_declares_the_png_and_the_problem(sandbox: EmbeddedSandbox) -> None:
    spec = requests.get(f"{sandbox.url}/openapi.json", timeout=30).json()
    answers = spec["paths"]["/v1/catalog/samples/{picture}"]["get"]["responses"]
    assert "image/png" in answers["200"]["content"]
    assert "application/problem+json" in answers["404"]["content"]


# -- a platform that answers badly -------------------------------------------------------------------------------
HTML = b"<html><body>maintenance</body></html>"
BIG = PNG_SIGNATURE + b"\0" * (SAMPLE_IMAGE_MAX_BYTES + 1)


class _BadPictures(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        name = self.path.rsplit("/", 1)[-1]
        if name == "html.png":  # a portal's maintenance page, labelled as a picture
            self._whole(HTML, "image/png")
        elif name == "big.png":  # a PNG that says it is larger than a sample may be
            self._whole(BIG, "image/png")
        else:  # endless.png: chunked, no length announced, and far more than a sample
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = PNG_SIGNATURE + b"\0" * (64 * 1024 - len(PNG_SIGNATURE))
            try:
                for _ in range(200):  # 12.5 MB if the client read it all
                    self.wfile.write(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client hung up: what a refusing client should do

    def _whole(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may hang up once it has seen enough
            self.wfile.write(body)


@pytest.fixture
def bad_platform() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadPictures)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def test_the_client_refuses_an_answer_that_is_not_a_png(bad_platform: str) -> None:
    client = PlatformClient(bad_platform, DEVICE, 2, 5)
    with pytest.raises(PlatformError) as refused:
        client.sample_image("html.png")
    assert refused.value.kind == "bad_answer"
    assert f"{bad_platform}/v1/catalog/samples/html.png" in str(refused.value) and "not a PNG" in str(refused.value)


def test_the_client_refuses_a_picture_larger_than_a_sample_may_be(bad_platform: str) -> None:
    client = PlatformClient(bad_platform, DEVICE, 2, 5)
    with pytest.raises(PlatformError) as refused:
        client.sample_image("big.png")  # announced by its Content-Length
    assert refused.value.kind == "bad_answer" and "big.png" in str(refused.value)
    assert str(SAMPLE_IMAGE_MAX_BYTES) in str(refused.value)
    with pytest.raises(PlatformError) as refused:
        client.sample_image("endless.png")  # no length announced: the client stops reading past the limit
    assert refused.value.kind == "bad_answer" and "endless.png" in str(refused.value)
    client.close()
