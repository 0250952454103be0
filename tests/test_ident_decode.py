"""Decoding QR codes: Chinese payloads in UTF-8 and GB18030 (no ECI, as Chinese apps print them), and
light-on-dark codes from phone screens, with both backends."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode

from devices.camera import open_camera
from devices.decode import BACKENDS, DecodePipeline, DecodeWorker, Detection, decode_payload
from devices.status import DeviceState

TEXT = "张建国 社保缴费回执 郑州市金水区"


def qr_frame(
    payload: bytes, *, box: int = 6, invert: bool = False, at: tuple[int, int] = (700, 300)
) -> np.ndarray:
    """A 1920x1080 BGR frame with the code pasted in; payload bytes go into byte mode as they are (no ECI)."""
    code = qrcode.QRCode(box_size=box, border=4)
    code.add_data(payload)
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    if invert:
        image = 255 - image
    frame = np.full((1080, 1920), 30 if invert else 190, dtype=np.uint8)
    x, y = at
    frame[y : y + image.shape[0], x : x + image.shape[1]] = image
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_chinese_payloads_come_out_right(backend: str, encoding: str) -> None:
    payload = TEXT.encode(encoding)
    found = DecodePipeline(backend).decode(qr_frame(payload))
    assert [d.text for d in found] == [TEXT]
    assert found[0].raw == payload and found[0].format == "QR_CODE"
    x, y, w, h = found[0].rect
    assert 690 <= x <= 760 and 290 <= y <= 360 and w > 50 and h > 50


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_light_on_dark_code_from_a_phone_screen(backend: str) -> None:
    pipeline = DecodePipeline(backend)
    found = pipeline.decode(qr_frame(b"GOVKIOSK:R:ZZ-20250601-0042", invert=True))
    assert [d.text for d in found] == ["GOVKIOSK:R:ZZ-20250601-0042"]


def test_small_code_in_a_large_frame_needs_full_resolution() -> None:
    pipeline = DecodePipeline("zxing")
    found = pipeline.decode(qr_frame(b"CTID:1:" + b"A" * 60, box=2, at=(1500, 900)))
    assert found and found[0].text == "CTID:1:" + "A" * 60


def test_code_is_found_again_in_the_next_frame_where_it_was() -> None:
    pipeline = DecodePipeline("zxing")
    pipeline.decode(qr_frame(b"GOVKIOSK:R:ABC123"))
    found = pipeline.decode(qr_frame(b"GOVKIOSK:R:ABC123", at=(705, 304)))  # the hand moved a little
    assert found and pipeline.last_pass == "roi"


def test_empty_frame_finds_nothing() -> None:
    assert DecodePipeline("zxing").decode(np.full((1080, 1920, 3), 128, np.uint8)) == []


def test_payload_text_rule() -> None:
    assert decode_payload(TEXT.encode("utf-8")) == TEXT
    assert decode_payload(TEXT.encode("gb18030")) == TEXT
    assert decode_payload(b"\xff\xfe\x00") == "\xff\xfe\x00"  # neither: bytes kept visible, no exception


def test_detection_repr_hides_the_payload() -> None:
    found = DecodePipeline("zxing").decode(qr_frame(b"410105195003152015"))
    assert "410105195003152015" not in repr(found[0])


def test_unknown_backend_is_named() -> None:
    with pytest.raises(ValueError, match="zxing"):
        DecodePipeline("opencv")


# --- simulated camera -> decode worker -> callback ------------------------------------------------------------


def test_simulated_camera_feeds_the_worker_which_reports_each_code_once(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "01.png"), qr_frame("医保参保证明".encode("gb18030")))
    cv2.imwrite(str(tmp_path / "02.png"), qr_frame("医保参保证明".encode("gb18030"), at=(702, 301)))
    camera = open_camera(f"sim://{tmp_path}?fps=30").start()
    seen: list[Detection] = []
    got = threading.Event()

    def on_code(detection: Detection) -> None:
        seen.append(detection)
        got.set()

    worker = DecodeWorker(camera, on_code, repeat_after=60).start()
    try:
        assert got.wait(10)
        while worker.frames_decoded < 10:  # the same code in many more frames
            threading.Event().wait(0.05)
        assert [d.text for d in seen] == ["医保参保证明"]
        assert camera.status.state is DeviceState.OK
        latest = camera.latest()
        assert latest is not None and latest[0] >= 10 and latest[1].shape == (1080, 1920, 3)
    finally:
        worker.stop()
        camera.stop()


def test_missing_image_directory_is_a_camera_fault(tmp_path: Path) -> None:
    camera = open_camera(f"sim://{tmp_path / 'nothing-here'}").start()
    try:
        for _ in range(100):
            if camera.status.state is DeviceState.FAULT:
                break
            threading.Event().wait(0.02)
        assert camera.status.state is DeviceState.FAULT
        assert "nothing-here" in camera.status.reason and "does not exist" in camera.status.reason
    finally:
        camera.stop()


def test_black_frames_are_reported(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "black.png"), np.zeros((120, 160, 3), np.uint8))
    camera = open_camera(f"sim://{tmp_path}?fps=120").start()
    try:
        for _ in range(200):
            if camera.status.state is DeviceState.DEGRADED and "black" in camera.status.reason:
                break
            threading.Event().wait(0.02)
        assert "black" in camera.status.reason
    finally:
        camera.stop()


def test_unplugged_v4l2_camera_is_a_fault_naming_the_device() -> None:
    camera = open_camera("v4l2:///dev/video-not-here").start()
    try:
        for _ in range(100):
            if camera.status.state is DeviceState.FAULT:
                break
            threading.Event().wait(0.02)
        assert "/dev/video-not-here" in camera.status.reason
    finally:
        camera.stop()


# --- kiosk scan ------------------------------------------------------------------------------------------------


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_kiosk_scan_prints_each_code_and_reports_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "receipt.png"
    cv2.imwrite(str(good), qr_frame(TEXT.encode("gb18030")))
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    result = kiosk("scan", str(bad), str(good))
    assert result.returncode == 1
    assert f"{good}: QR_CODE at x=" in result.stdout and TEXT in result.stdout
    assert f"{bad}: error: not a readable image" in result.stderr


def test_kiosk_scan_json(tmp_path: Path) -> None:
    import json

    good = tmp_path / "code.png"
    cv2.imwrite(str(good), qr_frame(b"GOVKIOSK:R:ABC123"))
    result = kiosk("scan", "--json", "--backend", "zbar", str(good))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["backend"] == "zbar"
    (code,) = report["files"][0]["codes"]
    assert code["text"] == "GOVKIOSK:R:ABC123" and code["format"] == "QR_CODE" and len(code["rect"]) == 4
