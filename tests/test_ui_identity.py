"""Trusted identity in the real window (issue #11): a typed ID number opens nobody's records; the card and
the card holder's live face do; another person's face or a printed photo does not, and nothing prints."""

from __future__ import annotations

import pytest
from uisteps import apply_from_guide, open_item

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

ZHANG = "410105195003152015"  # 张建国, whose card the simulated reader holds


def jobs(ui) -> int:
    return len(ui.runtime.virtual_printer.jobs)


def test_a_typed_id_number_cannot_open_a_credit_report_but_card_and_face_can(ui) -> None:
    pilot, app = ui.pilot, ui.app
    before = jobs(ui)
    open_item(ui, "个人信用报告打印")
    apply_from_guide(ui)
    pilot.wait_for_screen("identify")
    pilot.wait_for_text(_("identify.need_card"))
    pilot.type_keys(ZHANG)
    pilot.tap_text(_("identify.confirm"), exact=True)
    pilot.wait_for_text(_("identify.typed_not_enough"))
    assert pilot.current == "identify" and app.session.citizen is None  # the number opened nothing

    pilot.tap_text(_("identify.demo_card"))  # the card on the reader: level "card", not yet enough
    pilot.wait_for_screen("face")
    pilot.wait_until(lambda: app.session.citizen is not None and app.session.citizen.level.name == "CARD", "the card")
    pilot.wait_for_screen("query", timeout=60)  # the live face (the demo plays the card holder) was matched
    assert app.session.citizen.level.name == "VERIFIED"
    pilot.wait_until(lambda: app.screen("query").state == "ready", "the credit report", 30)
    pilot.tap(app.screen("query").ids.query_print)
    pilot.wait_until(lambda: app.screen("query").state == "printed", "the printout")
    text = ui.runtime.virtual_printer.jobs[-1].data.decode("gb18030", "replace")
    assert jobs(ui) == before + 1 and "信用" in text and "4101**********2015" in text and ZHANG not in text


@pytest.mark.parametrize("who, says", [("other", "face.error.not_matched"), ("photo", "face.fail.no_blink")])
def test_another_face_or_a_printed_photo_is_refused_and_nothing_prints(ui, who: str, says: str) -> None:
    pilot, app = ui.pilot, ui.app
    before = jobs(ui)
    open_item(ui, "个人信用报告打印")
    apply_from_guide(ui)
    pilot.wait_for_screen("identify")
    app.demo.face_with_next_card = who  # someone else stands in front of the camera
    pilot.tap_text(_("identify.demo_card"))
    pilot.wait_for_screen("face")
    face = app.screen("face")
    pilot.wait_until(lambda: face.failed, "the refusal", 60)
    pilot.wait_for_text(_(says))
    assert pilot.current == "face" and app.session.citizen.level.name == "CARD"
    assert jobs(ui) == before  # nothing printed
