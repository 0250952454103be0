"""材料样本 with a picture (issue #17) in the real window: from 户籍证明开具's guide a citizen taps 看样本 for the
居民户口簿, reads the sample text at once, then sees the picture the platform serves; 打印样本 puts the picture
(an ESC/POS raster image) and the words on paper; with the platform down the text stays and one line says the
picture cannot be shown now."""

from __future__ import annotations

import pytest
from uisteps import open_item

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

ITEM = "户籍证明开具"
MATERIAL = "居民户口簿"
SAMPLE_START = "交户口簿原件"
RASTER_IMAGE = b"\x1dv0"  # GS v 0: a raster image on the paper
HOUSEHOLD_REGISTER_SIZE = (900, 660)  # the sandbox's picture (kiosk/sandbox/samples.py), drawn at this size


def open_sample(ui):
    """The guide of ITEM, then the 看样本 button under its materials, tapped as a citizen does."""
    from screens.sample_view import shown_sample_view

    open_item(ui, ITEM)
    ui.pilot.wait_until(lambda: ui.app.screen("guide").complete, "the whole guide")
    ui.pilot.tap_text(_("finish.sample.show_for", name=MATERIAL))
    ui.pilot.wait_until(lambda: shown_sample_view() is not None, "the sample popup")
    return shown_sample_view()


def forget_pictures() -> None:
    from screens.sample_view import PICTURES

    PICTURES.clear()  # the kiosk keeps the last few pictures; each test asks the platform afresh


def test_the_sample_shows_its_text_then_its_picture_and_prints_both(ui) -> None:
    forget_pictures()
    view = open_sample(ui)
    pilot = ui.pilot
    pilot.wait_for_text(SAMPLE_START)  # the text is there at once, the picture is on its way
    assert view.title == MATERIAL
    pilot.wait_until(lambda: view.has_picture, "the sample picture")
    texture = view.ids.picture.texture
    assert texture is not None and tuple(texture.size) == HOUSEHOLD_REGISTER_SIZE
    pilot.frames(2)
    shown = view.ids.picture
    assert shown.height > shown.width / 2, "the picture is shown large, fitted to the popup's width"
    assert _("samples.unavailable") not in pilot.visible_texts()

    jobs_before = ui.runtime.virtual_printer.job_count
    pilot.tap_text(_("finish.sample.print"))
    pilot.wait_until(lambda: view.print_status == _("finish.sample.printed"), "材料样本已打印", timeout=20)
    assert ui.runtime.virtual_printer.job_count > jobs_before
    paper = ui.runtime.virtual_printer.jobs[-1].data
    assert RASTER_IMAGE in paper, "the picture is printed as a raster image"
    words = paper.decode("gb18030", "replace")
    assert "样本，仅供参考" in words and "材料样本" in words and MATERIAL in words
    assert SAMPLE_START in words.replace("\n", "")

    pilot.tap_text(_("samples.close"))
    pilot.wait_until(lambda: view.closed and view.parent is None, "the popup closed")


def test_with_the_platform_down_the_text_stays_and_one_line_says_why_there_is_no_picture(ui) -> None:
    forget_pictures()
    chaos = ui.runtime.sandbox.app.state.chaos
    chaos.paths, chaos.fail_rate = ("/v1/catalog/samples",), 1.0  # the platform's pictures are down
    try:
        view = open_sample(ui)
        pilot = ui.pilot
        pilot.wait_for_text(_("samples.unavailable"))
        assert any(SAMPLE_START in text for text in pilot.visible_texts())
        assert not view.has_picture and view.ids.picture.texture is None
        pilot.tap_text(_("samples.close"))
        pilot.wait_until(lambda: view.parent is None, "the popup closed")
    finally:
        chaos.calm()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_in_elder_mode_the_popup_fits_in_either_language(ui, language: str, tmp_path) -> None:
    from screens.sample_view import shown_sample_view
    from screens.tour import clipped_labels

    forget_pictures()
    pilot = ui.pilot
    open_item(ui, ITEM)
    ui.app.access.set_elder(True)  # 长辈模式: text 1.5 times as large
    ui.app.access.set_language(language)
    pilot.frames(3)
    pilot.wait_until(lambda: ui.app.screen("guide").complete, "the whole guide")
    # The larger text and the other language re-wrap every section over the next frames: tap once the guide
    # stands still, as a citizen does.
    button = pilot.find(_("finish.sample.show_for", name=""))
    positions = []
    pilot.wait_until(lambda: positions.append(tuple(button.to_window(*button.pos))) or positions[-3:].count(
        positions[-1]) == 3, "the guide laid out")
    # 户籍证明开具 has one material with a sample: its button starts with "看样本：" / "Sample: ".
    pilot.tap(button)
    pilot.wait_until(lambda: shown_sample_view() is not None, "the sample popup")
    view = shown_sample_view()
    pilot.wait_until(lambda: view.has_picture, "the sample picture")
    pilot.frames(3)
    pilot.screenshot(tmp_path / f"sample-elder-{language}.png")  # for a person to look at
    from kivy.uix.label import Label

    from screens.pilot import walk

    ours = {widget.text[:60] for widget in walk(view) if isinstance(widget, Label) and widget.text}
    assert [label for label in clipped_labels(ui.app) if label["text"] in ours] == []
    for button in (view.ids.print_button, view.ids.close_button):
        assert button.height >= 96 and button.width >= 160, "touch sized in 长辈模式"
        assert button.to_window(*button.pos)[1] >= 0, "on the glass, not pushed below the window"
    assert view.ids.picture.height > 100, "the picture still shows, fitted"
    pilot.tap_text(_("samples.close"))
