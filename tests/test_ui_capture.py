"""Photographing paper materials on the document camera (高拍仪), in the real window: an application with two
photographed materials is submitted while the platform is unreachable, the pages wait encrypted in the
outbox, and once the platform is back they arrive at the sandbox exactly once and the kiosk's copies are gone.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from uisteps import (
    apply_from_guide,
    fill_form,
    identify_with_card_and_face,
    materials_next,
    open_item,
    submit,
    tick_materials,
)

from kiosk.i18n import translate as _
from kiosk.outbox_adapter import outbox_paths

pytestmark = pytest.mark.ui

PAPERS = ["居民身份证", "本人名下银行借记卡"]  # the rental contract is at home: 容缺


def _image_rows(config) -> int:
    database, _key = outbox_paths(config)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM outbox_image_data").fetchone()[0]


def test_two_photographed_materials_arrive_after_an_offline_spell(ui, doc_camera) -> None:
    pilot, runtime, app = ui.pilot, ui.runtime, ui.app
    chaos = runtime.sandbox.app.state.chaos
    chaos.paths, chaos.fail_rate = ("/v1/uploads", "/v1/applications"), 1.0  # the platform's intake is down
    try:
        open_item(ui, "住房公积金租房提取")
        apply_from_guide(ui)
        identify_with_card_and_face(ui)
        tick_materials(ui, PAPERS)
        materials_next(ui)
        pilot.wait_for_screen("commitment")
        pilot.tap(app.screen("commitment").ids.agree_toggle)
        pilot.tap(app.screen("commitment").ids.commitment_next)

        screen = app.screen("capture")
        pilot.wait_for_screen("capture")
        assert PAPERS[0] in screen.progress_text and "1/2" in screen.progress_text
        pilot.tap(screen.ids.capture_next)  # nothing photographed yet: refused, named
        pilot.wait_until(lambda: screen.alert and PAPERS[0] in screen.message_text, "the refusal")
        pilot.wait_until(lambda: screen.ids.preview.outline_points, "the page outline in the preview", 20)
        pilot.wait_until(lambda: len(app.session.pages) >= 1, "the first page captured automatically", 30)
        assert len(screen.ids.page_strip.children) >= 1

        pilot.tap(screen.ids.capture_next)
        pilot.wait_until(lambda: PAPERS[1] in screen.progress_text, "the second material")
        assert screen.ids.capture_next.text == _("capture.done")
        first = len(app.session.pages)  # the demo citizen may have laid a second page of the first one
        pilot.wait_until(lambda: len(app.session.pages) == first + 1, "the second paper captured automatically", 30)
        pilot.tap(screen.ids.capture_shoot)  # 拍照: one more page by hand ...
        pilot.wait_until(lambda: len(app.session.pages) >= first + 2, "the page taken by hand", 30)
        pilot.wait_until(lambda: len(screen.ids.page_strip.children) >= 2, "two thumbnails")
        pilot.tap_text(_("capture.delete_button"))  # ... and one deleted again
        pilot.wait_until(lambda: len(screen.ids.page_strip.children) == len(app.session.pages) - first,
                         "the thumbnails to follow")

        pilot.tap(screen.ids.capture_next)  # 完成: the camera stops; a page still on its way is dropped
        fill_form(ui, ["13912345678", "3000"])
        materials = [material for material, _page in app.session.pages]
        assert sorted(set(materials), key=materials.index) == PAPERS
        sent = [hashlib.sha256(page.jpeg).hexdigest() for _material, page in app.session.pages]
        sizes = [len(page.jpeg) for _material, page in app.session.pages]
        assert all(20_000 < size <= 150_000 for size in sizes), sizes
        submit(ui)
        pilot.wait_for_screen("result", timeout=30)
        pilot.wait_until(lambda: app.session.local_reference, "saved on this kiosk", 30)
        reference = app.session.local_reference
        assert _image_rows(runtime.config) == len(sent)  # waiting in the outbox, encrypted ...
        database, _key = outbox_paths(runtime.config)
        stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*") if p.is_file())
        assert all(page.jpeg[600:700] not in stored for _material, page in app.session.pages)  # ... not in clear
    finally:
        chaos.calm()
    app.end_session()  # the citizen leaves; the pages go with the session, the outbox keeps its sealed copy
    pilot.frames(3)
    assert app.session.pages == []

    runtime.sync_worker.wake()
    pilot.wait_until(lambda: runtime.submitter.receipt_for(reference) is not None, "the upload", 60)
    receipt = runtime.submitter.receipt_for(reference)
    row = next(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt]))
    key = row["idempotency_key"]
    assert len(list(ui.sandbox_db["applications"].rows_where("idempotency_key = ?", [key]))) == 1  # exactly once
    assert json.loads(row["body"])["photographed"] == materials
    listing = runtime.client._request("GET", f"/applications/{receipt}/materials").json()
    assert [(p["index"], p["material"], p["complete"]) for p in listing["pages"]] == \
        [(index, material, True) for index, material in enumerate(materials)]
    assert [p["sha256"] for p in listing["pages"]] == sent  # the bytes photographed, whole, once
    assert [p["bytes"] for p in listing["pages"]] == sizes
    pilot.wait_until(lambda: _image_rows(runtime.config) == 0, "the kiosk's copies erased after the ack", 10)


def test_deleting_and_retaking_a_page_changes_only_its_thumbnail(ui, doc_camera) -> None:
    """删除 and 重拍 on the page strip: the other thumbnails stay (their widgets are not built again, which made
    each 删除 a ~50 ms frame with seven pages), renumbered 第1页, 第2页 … in the order the pages were taken."""
    import numpy as np

    from devices.doccam.encode import encode_page
    from kiosk.desk.outcomes import ShowConfirm

    app, pilot = ui.app, ui.pilot
    routes = app.capture
    app.desk.apply.choose("GJJ-002")  # 住房公积金租房提取: its materials on paper
    app.session.materials_present = {"居民身份证", "本人名下银行借记卡", "房屋租赁合同"}
    app.presenter.show(routes.desk.begin(ShowConfirm()))
    pilot.wait_for_screen("capture")
    routes.stop()  # the camera off: the pages are laid in by hand below, as the worker hands them over
    screen = app.screen("capture")
    strip = screen.ids.page_strip
    paper = np.full((1100, 800, 3), 235, np.uint8)
    pages = []
    for shade in range(4):  # four different pages, as the worker hands them over
        paper[100:200, 100:700] = 40 * shade
        pages.append(encode_page(paper.copy()))
        routes._page(pages[-1], app.session.id, routes._worker)
    pilot.frames(2)

    def shown() -> list[tuple[int, bytes]]:  # (the number under it, its picture), left to right
        return [(thumb.number, bytes(thumb.texture.pixels)) for thumb in reversed(strip.children)]

    assert [number for number, _pixels in shown()] == [1, 2, 3, 4]
    before = list(reversed(strip.children))
    routes.delete(1)  # 删除 under 第2页
    pilot.frames(2)
    after = list(reversed(strip.children))
    assert after == [before[0], before[2], before[3]], "the other thumbnails were built again"
    assert [number for number, _pixels in shown()] == [1, 2, 3]
    assert [page for _material, page in app.session.pages] == [pages[0], pages[2], pages[3]]

    routes.retake(0)  # 重拍 第1页: it goes, the camera is re-armed for its replacement
    pilot.frames(2)
    assert list(reversed(strip.children)) == [before[2], before[3]]
    assert [number for number, _pixels in shown()] == [1, 2]
    app.end_session()
    pilot.frames(2)
    assert strip.children == [], "a citizen's papers left on the strip"
