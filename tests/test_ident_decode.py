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


def test_a_paused_worker_decodes_nothing_and_reads_the_code_held_up_meanwhile_on_resume(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "01.png"), qr_frame(b"GOVKIOSK:R:ZW20261101000002"))
    camera = open_camera(f"sim://{tmp_path}?fps=30").start()
    seen: list[str | None] = []
    got = threading.Event()

    def on_code(detection: Detection) -> None:
        seen.append(detection.text)
        got.set()

    worker = DecodeWorker(camera, on_code, repeat_after=0.2)
    worker.pause()  # e.g. the catalog is on the glass when the camera starts
    worker.start()
    try:
        while (camera.latest() or (0,))[0] < 15:  # half a second of frames, the code in every one
            threading.Event().wait(0.02)
        assert worker.frames_decoded == 0 and seen == [] and not worker.decoding
        worker.resume()  # the identify screen: the code held up all along is read at once
        assert got.wait(5)
        assert seen == ["GOVKIOSK:R:ZW20261101000002"]
        worker.pause()
        decoded = worker.frames_decoded
        threading.Event().wait(0.5)  # longer than repeat_after: it would be reported again if decoded
        assert worker.frames_decoded <= decoded + 1  # at most the frame in hand when paused
        assert seen == ["GOVKIOSK:R:ZW20261101000002"]
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
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, timeout=120, check=False
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


# --- camera streams: the full-resolution search spread over frames -------------------------------------------


def grainy(frame: np.ndarray, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, 8, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def test_strips_cover_the_frame_and_overlap() -> None:
    from devices.decode.pipeline import strips

    columns = strips(1920, 3, 256)
    assert columns[0][0] == 0 and columns[-1][1] == 1920 and len(columns) == 3
    assert all(a[1] - b[0] >= 256 for a, b in zip(columns, columns[1:], strict=False))
    assert strips(1920, 1, 256) == [(0, 1920)] and strips(200, 3, 256) == [(0, 200)]


def test_grain_tells_a_noisy_frame_from_a_clean_one() -> None:
    from devices.decode.pipeline import grain

    clean = cv2.cvtColor(qr_frame(b"GOVKIOSK:R:ABC123"), cv2.COLOR_BGR2GRAY)
    assert grain(clean) < 0.05 and grain(grainy(clean)) > 0.3


def test_stream_reads_a_small_code_in_a_clean_frame_at_once() -> None:
    pipeline = DecodePipeline("zxing", stream=True)
    found = pipeline.decode(qr_frame(b"GOVKIOSK:R:ZZ-12345678", box=1, at=(1500, 900)))  # 1 px modules
    assert found and pipeline.last_pass == "full"


@pytest.mark.parametrize("x", [40, 700, 1500])
def test_stream_reads_a_small_code_in_a_grainy_frame_within_one_strip_rotation(x: int) -> None:
    payload = b"CTID:1:" + b"A" * 60
    pipeline = DecodePipeline("zxing", stream=True, tiles=3)
    frames = [grainy(qr_frame(payload, box=1, at=(x, 700)), seed) for seed in range(3)]  # too small for half
    found_in, passes = [], []
    for frame in frames:
        found_in.append(any(d.raw == payload for d in pipeline.decode(frame)))
        passes.append(pipeline.last_pass)
    assert any(found_in) and passes[found_in.index(True)] == "full"
    # Once found, the region pass keeps it at full resolution.
    assert found_in[found_in.index(True) :] == [True] * (3 - found_in.index(True))
    # A still decode of a grainy frame still searches the whole frame.
    assert DecodePipeline("zxing").decode(frames[0])


# --- a second look where a symbol was located but not read -----------------------------------------------------


def blurred_tiny_code(payload: bytes) -> np.ndarray:
    """2-pixel modules, slightly out of focus: zxing-cpp finds the symbol in the full frame but cannot read it."""
    code = qrcode.QRCode(box_size=2, border=4)
    code.add_data(payload)
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    frame = np.full((1080, 1920), 170, dtype=np.uint8)
    frame[500 : 500 + image.shape[0], 900 : 900 + image.shape[1]] = image
    return cv2.GaussianBlur(frame, (0, 0), 1.0)


def test_a_located_but_unread_code_is_read_on_a_second_closer_look() -> None:
    import zxingcpp

    payload = b"GOVKIOSK:R:ZZ-20261130-0042"
    frame = blurred_tiny_code(payload)
    bare = zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode)
    assert not any(bytes(b.bytes) == payload for b in bare)  # bare zxing-cpp on the full frame misses it
    pipeline = DecodePipeline("zxing")
    found = pipeline.decode(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    assert [d.text for d in found] == [payload.decode()] and pipeline.last_pass == "second"
    x, y, w, h = found[0].rect
    assert 890 <= x <= 915 and 490 <= y <= 515 and 50 <= w <= 90  # in frame pixels, where the code is
