"""The document camera's capture pipeline (devices/doccam) on the demo papers: the page outline is found,
the page is straightened, it is captured automatically once it lies still and never while a hand moves, and
every page fits the upload budget. The worker test runs the real capture thread on the simulated camera."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from devices.camera import Camera
from devices.doccam import (
    PAGE_BUDGET_BYTES,
    CaptureWorker,
    StillnessGate,
    clean,
    encode_page,
    find_outline,
    rectify,
)
from devices.doccam.autocapture import STILL_FRAMES
from devices.doccam.outline import grey_thumbnail
from devices.doccam.papers import (
    DEMO_PAPERS,
    HAND_FRAMES,
    PaperDesk,
    desk_frame,
    frame_at,
    page_corners,
    render_paper,
)
from devices.doccam.rectify import PORTRAIT_SIZE

PAPERS = range(len(DEMO_PAPERS))


@pytest.mark.parametrize("paper", PAPERS)
def test_outline_found_at_the_page_corners(paper: int) -> None:
    outline = find_outline(desk_frame(paper))
    assert outline is not None
    error = np.linalg.norm(outline.corners - page_corners(paper), axis=1)
    assert error.max() < 8, f"corners off by {error.round(1)} px"


def test_no_page_while_a_hand_lies_over_it() -> None:
    assert find_outline(desk_frame(0, reach=1.0)) is None
    assert find_outline(np.full((720, 1280, 3), 40, np.uint8)) is None  # an empty desk


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    # On a blurred quarter-size copy: the text must be where it belongs, not match stroke for stroke.
    a, b = (cv2.GaussianBlur(cv2.resize(x, (x.shape[1] // 4, x.shape[0] // 4)), (0, 0), 2) for x in (a, b))
    return float(cv2.matchTemplate(a.astype(np.float32), b.astype(np.float32), cv2.TM_CCOEFF_NORMED)[0, 0])


@pytest.mark.parametrize("paper", PAPERS)
def test_page_straightened_to_the_standard_size(paper: int) -> None:
    frame = desk_frame(paper)
    page = clean(rectify(frame, find_outline(frame)))
    assert (page.shape[1], page.shape[0]) == PORTRAIT_SIZE and page.ndim == 2
    flat = clean(cv2.resize(render_paper(paper), PORTRAIT_SIZE, interpolation=cv2.INTER_AREA))
    # The text lines land where they are on the flat sheet; the same pixels merely cut out of the frame
    # (rotated, skewed) do not.
    corners = page_corners(paper)
    x0, y0 = corners.min(axis=0).astype(int)
    x1, y1 = corners.max(axis=0).astype(int)
    uncorrected = clean(cv2.resize(frame[y0:y1, x0:x1], PORTRAIT_SIZE))
    assert _similarity(page, flat) > 0.8
    assert _similarity(uncorrected, flat) < 0.5
    # Paper comes out white and ink dark, whatever the lighting of the desk was.
    assert np.median(page) >= 245 and page.min() <= 40


def _gate_run(frames: list[np.ndarray], gate: StillnessGate | None = None) -> list[int]:
    gate = gate or StillnessGate()
    captured = []
    for index, frame in enumerate(frames):
        small = grey_thumbnail(frame)
        if gate.update(find_outline(frame, small), small).capture:
            captured.append(index)
    return captured


def test_captured_once_when_the_page_is_still() -> None:
    frames = [frame_at(step) for step in range(HAND_FRAMES + 20)]
    captured = _gate_run(frames)
    assert len(captured) == 1, captured
    # Not while the hand was in view; soon after it left (STILL_FRAMES of stillness, plus the frame the
    # outline first appears).
    assert HAND_FRAMES <= captured[0] <= HAND_FRAMES + STILL_FRAMES + 1


def test_not_captured_while_a_hand_moves_beside_the_page() -> None:
    reaches = [0.08, 0.16, 0.24, 0.16] * 10  # a hand waving at the edge, never on the page
    frames = [desk_frame(0, reach=r) for r in reaches]
    assert all(find_outline(f) is not None for f in frames[:4]), "the page stays in view beside the hand"
    assert _gate_run(frames) == []
    assert _gate_run(frames + [desk_frame(0)] * (STILL_FRAMES + 2)) != []  # the hand gone: captured


def test_next_paper_captured_and_retake_rearms() -> None:
    gate = StillnessGate()
    first = _gate_run([frame_at(s) for s in range(HAND_FRAMES + 20)], gate)
    assert len(first) == 1
    assert _gate_run([desk_frame(0)] * 20, gate) == []  # the same page lying there: not again
    gate.rearm()  # 重拍
    assert len(_gate_run([desk_frame(0)] * (STILL_FRAMES + 2), gate)) == 1
    start = HAND_FRAMES + 25  # the second paper put down by the hand
    assert len(_gate_run([frame_at(start + s) for s in range(HAND_FRAMES + 20)], gate)) == 1


@pytest.mark.parametrize("paper", PAPERS)
def test_each_page_fits_the_upload_budget(paper: int) -> None:
    frame = desk_frame(paper)
    page = encode_page(clean(rectify(frame, find_outline(frame))))
    assert 10_000 < len(page.jpeg) <= PAGE_BUDGET_BYTES
    assert page.jpeg[:3] == b"\xff\xd8\xff" and page.quality >= 60  # a text page needs no heavy compression
    decoded = cv2.imdecode(np.frombuffer(page.jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert (decoded.shape[1], decoded.shape[0]) == PORTRAIT_SIZE
    assert len(page.thumb) == page.thumb_size[0] * page.thumb_size[1]
    assert "\\x" not in repr(page) and str(len(page.jpeg)) in repr(page)  # never the bytes in a log line


def test_even_a_noisy_photo_fits_the_budget() -> None:
    noise = np.random.default_rng(3).integers(0, 255, (1400, 990), dtype=np.uint8)
    page = encode_page(noise)
    assert len(page.jpeg) <= PAGE_BUDGET_BYTES


def test_worker_previews_and_captures_on_the_simulated_camera() -> None:
    scene = PaperDesk(fps=30)
    camera = Camera(scene, stall_timeout=2.0)
    pages, previews = [], []
    got_page = threading.Event()

    def on_page(page) -> None:
        pages.append(page)
        got_page.set()

    worker = CaptureWorker(camera, previews.append, on_page, preview_fps=10)
    camera.start()
    worker.start()
    started = time.monotonic()
    try:
        assert got_page.wait(10), "no page captured from the simulated document camera"
        took = time.monotonic() - started
        time.sleep(0.5)  # the page lies still on: no second capture of it
        assert len(pages) == 1
        worker.capture_now()  # the 拍照 button
        deadline = time.monotonic() + 3
        while len(pages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(pages) == 2
    finally:
        worker.stop()
        camera.stop()
    assert took < (HAND_FRAMES + STILL_FRAMES + 10) / 30 + 2
    outlined = [p for p in previews if p.outline]
    assert outlined and len(outlined[-1].outline) == 8 and "b'" not in repr(outlined[-1])
    assert len(previews[-1].rgb) == previews[-1].size[0] * previews[-1].size[1] * 3
    elapsed = time.monotonic() - started
    assert len(previews) <= 10 * elapsed + 2, "previews are paced to at most 10 a second"


# -- the desk's capture step (kiosk/desk/capture.py), without a window --------------------------------------
def _capture_desk(tmp_path, doc_camera):  # noqa: ANN001, ANN202
    from types import SimpleNamespace

    from kiosk.catalog import load_catalog_file
    from kiosk.config import demo_config
    from kiosk.desk.capture import CaptureDesk
    from kiosk.desk.context import DeskContext
    from kiosk.sandbox.store import DATA_DIR

    services = SimpleNamespace(client=None, submitter=None, doc_camera=doc_camera)  # what KioskRuntime offers
    context = DeskContext(demo_config(tmp_path), services, catalog=load_catalog_file(DATA_DIR / "catalog.json"))
    context.session.item_code = "GJJ-002"  # 住房公积金租房提取
    context.session.materials_present = {"居民身份证", "本人名下银行借记卡", "房屋租赁合同", "本人及配偶无房证明"}
    return CaptureDesk(context), context.session


def test_shared_and_certificate_materials_are_never_photographed(tmp_path) -> None:
    from devices.doccam import open_doc_camera
    from kiosk.desk.outcomes import ShowConfirm
    from kiosk.desk.outcomes_capture import CaptureRefused, CaptureUpdated, ShowCapture

    desk, session = _capture_desk(tmp_path, open_doc_camera("sim://"))
    session.service["certificates"] = [{"material": "居民身份证", "certificate_id": "EC-ID-0001"}]  # 电子证照
    then = ShowConfirm()
    shown = desk.begin(then)
    assert isinstance(shown, ShowCapture)
    # 无房证明 is fetched by data sharing, the ID card is used as an electronic certificate: not photographed.
    assert shown.view.materials == ("本人名下银行借记卡", "房屋租赁合同")
    assert isinstance(desk.next(), CaptureRefused)  # no page yet
    page = encode_page(clean(rectify(desk_frame(0), find_outline(desk_frame(0)))))
    assert isinstance(desk.page_taken(page), CaptureUpdated)
    assert isinstance(desk.next(), CaptureUpdated) and desk.page_taken(page).view.counts == (1, 1)
    retaken = desk.delete(0, retake=True)
    assert retaken.rearm and retaken.view.counts == (1, 0)
    desk.page_taken(page)
    assert desk.next() is then  # after the last material: what followed the materials
    assert [m for m, _p in session.pages] == ["本人名下银行借记卡", "房屋租赁合同"]
    session.wipe()
    desk.forget()
    assert session.pages == [] and desk.page_taken(page) is None  # a late page after the session: dropped


def test_no_document_camera_no_capture_step(tmp_path) -> None:
    from kiosk.desk.outcomes import ShowConfirm

    desk, _session = _capture_desk(tmp_path, None)
    then = ShowConfirm()
    assert desk.begin(then) is then


def test_an_electronic_material_is_asked_for_as_a_print_or_a_phone_and_names_read_in_english(tmp_path) -> None:
    """社会保障卡申领 asks for the newborn's electronic photo: the camera asks for a print of it or the phone
    showing it (not "text up"); in English the material is named in English."""
    from devices.doccam import open_doc_camera
    from kiosk.desk.outcomes import ShowConfirm
    from kiosk.i18n import set_language, translate

    desk, session = _capture_desk(tmp_path, open_doc_camera("sim://"))
    session.item_code = "SB-002"  # 社会保障卡申领
    session.materials_present = {"新生儿近期免冠电子照片"}
    shown = desk.begin(ShowConfirm())
    assert shown.view.materials == ("新生儿近期免冠电子照片",)
    assert shown.view.message.key == "capture.place_electronic"
    assert "手机" in shown.view.message.text() and "文字朝上" not in shown.view.message.text()
    set_language("en")
    try:
        shown = desk.begin(ShowConfirm())
        english = shown.view.shown_material
        assert english and english != "新生儿近期免冠电子照片" and not any("\u4e00" <= c <= "\u9fff" for c in english)
        assert english in shown.view.message.text() and "phone" in shown.view.message.text()
        assert shown.view.materials == ("新生儿近期免冠电子照片",)  # the pages keep the catalog's name
    finally:
        set_language("zh_CN")
    assert translate("capture.place_electronic", material="x") != translate("capture.place", material="x")
