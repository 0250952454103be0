"""``kiosk screenshots``: walk through every screen with demo data and save one PNG each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.i18n import translate as _
from screens.pilot import Pilot

DEMO_ID = "410105195003152015"  # the fictitious demo citizen 张建国
BAD_CREDIT_ID = "110101198501010025"  # 陈静


MODES = ("normal", "elder", "contrast", "en")  # --mode: 长辈模式, 高对比, English (issue #13)


def apply_mode(app, mode: str) -> None:
    """Turn on what a citizen would turn on from the top bar; every session end turns it off again."""
    if mode == "elder":
        app.access.set_elder(True)
    elif mode == "contrast":
        app.access.set_contrast(True)
    elif mode == "en":
        app.access.set_language("en")
    elif mode != "normal":
        raise ValueError(f"screenshots: mode {mode!r} is unknown; use one of {', '.join(MODES)}")


def browse(app, pilot: Pilot) -> None:
    """From the home screen to the catalog, as a citizen would: 点击开始办理, or the 更多事项 tile in 长辈模式."""
    pilot.frames(2)  # the tiles of a home just switched to 长辈模式 are laid out
    pilot.tap_text(_("elder.more") if app.access.elder else _("home.start"), exact=app.access.elder)
    pilot.wait_for_screen("catalog")


def tap_item(app, pilot: Pilot, name: str) -> None:
    """Tap a catalog item by its (Chinese) name, found by its code so the English list works too; in 长辈模式
    turn the pages (six items each) until it is on one."""
    code = next(item.code for item in app.catalog_state.catalog.items if item.name == name)
    catalog = app.screen("catalog")
    catalog.turn_page(-catalog.pages)  # from the first page
    pilot.frames(2)

    def button():
        return next((b for b in catalog.ids.item_list.children if getattr(b, "code", None) == code), None)

    while button() is None and catalog.page < catalog.pages - 1:
        page = catalog.page
        pilot.tap(catalog.ids.next_page)
        if catalog.page == page:
            raise LookupError(f"screenshots: 下一页 did not turn page {page + 1} of the catalog")
    if button() is None:
        raise LookupError(f"screenshots: item {name} ({code}) is not in the catalog list")
    # The cards take their height from their text once it is drawn (long English names take two lines): the
    # list settles over a few frames, so scroll to the card until it stays in view.
    scroller = catalog.ids.item_list.parent
    for _attempt in range(10):
        pilot.frames(2)
        _x, y = button().to_window(*button().center)
        _left, bottom = scroller.to_window(scroller.x, scroller.y)
        if bottom <= y <= bottom + scroller.height:
            break
        scroller.scroll_to(button(), animate=False)
    pilot.tap(button())


def tick_material(app, pilot: Pilot, name: str) -> None:
    """Tap the row of the material the catalog calls ``name``, whatever language it is shown in."""
    rows = app.screen("materials").ids.material_list.children
    pilot.tap(next(row for row in rows if getattr(row, "material", None) == name))


def choose(app, pilot: Pilot, value: str) -> None:
    """Tap the form's choice whose value is ``value`` (the catalog's Chinese), shown in the citizen's words."""
    buttons = app.screen("form").ids.editor.children
    pilot.tap(next(button for button in buttons if getattr(button, "choice", None) == value))


def clipped_labels(app) -> list[dict]:
    """Every label on the glass whose text is wider or taller than the label (it spills over its
    neighbours or is cut off): its text, the text's size and the label's size, in pixels."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from screens.pilot import walk

    found = []
    for root in list(Window.children):
        for widget in walk(root):
            if not isinstance(widget, Label) or not widget.text.strip() or widget.shorten:
                continue
            if not _on_glass(widget) or widget.width <= 1 or widget.height <= 1:
                continue
            widget.texture_update()
            text_w, text_h = widget.texture_size
            if text_w > widget.width + 2 or text_h > widget.height + 2:
                found.append({"text": widget.text[:60], "text_size": [round(text_w), round(text_h)],
                              "size": [round(widget.width), round(widget.height)],
                              "widget": type(widget).__name__})
            elif not widget.markup and (broken := _word_broken(widget)):
                found.append({"text": widget.text[:60], "text_size": [round(text_w), round(text_h)],
                              "size": [round(widget.width), round(widget.height)],
                              "widget": f"{type(widget).__name__} breaks the word {broken!r} in two"})
            elif _outside_screen(widget, app.manager):
                found.append({"text": widget.text[:60], "text_size": [round(text_w), round(text_h)],
                              "size": [round(widget.width), round(widget.height)],
                              "widget": f"{type(widget).__name__} pushed outside the screen (under the top bar)"})
    return found


def _word_broken(widget) -> str:
    """A Latin word wider than the label's wrapping width, which Kivy breaks in two ("Appointmen" / "t")."""
    width = widget.text_size[0]
    if not width:
        return ""
    from screens.widgets import one_line_width

    available = width - 2 * widget.padding_x
    for word in widget.text.split():
        if word.isascii() and one_line_width(word, widget.font_name, widget.font_size, widget.bold) > available + 1:
            return word
    return ""


def _outside_screen(widget, manager) -> bool:
    """A label of the current screen, not in a scroll view, whose box sticks out of the screen's area."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView

    node = widget.parent
    seen: set[int] = set()
    # The Window is its own parent: stop there (a label of the top bar or a popup never reaches the manager).
    while node is not None and node is not manager and node is not Window and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, ScrollView):
            return False
        node = node.parent
    if node is not manager:
        return False  # the top bar or a popup
    _x, bottom = widget.to_window(widget.x, widget.y)
    _mx, manager_bottom = manager.to_window(manager.x, manager.y)
    return bottom + widget.height > manager_bottom + manager.height + 2 or bottom < manager_bottom - 2


def _on_glass(widget) -> bool:
    from kivy.core.window import Window

    node = widget
    while node is not None and node is not Window:
        if node.opacity == 0 or (node.size_hint_y is None and node.height <= 1):
            return False
        node = node.parent
    return True


def take_screenshots(runtime, out_dir: Path, mode: str = "normal",
                     on_shot: Callable[[str, Any], None] | None = None, journeys_only: bool = False) -> list[Path]:
    """Every screen with demo data, one PNG each, in ``mode``. ``on_shot(name, app)`` runs at each screen
    (the clipping test checks every label there). ``journeys_only``: the citizen's journeys (home, catalog,
    guide, identify, face, materials, form, confirm, receipt, rating, countdown, notices, query, progress,
    pickup, ticket) and not help, keyboards, maintenance, capture and the issue #17 services."""
    from screens.app import KioskApp

    app = KioskApp(runtime)
    pilot = Pilot(app).start()
    shots: list[Path] = []
    apply_mode(app, mode)

    clipping: dict[str, list[dict]] = {}

    def shot(name: str) -> None:
        pilot.frames(2)  # a re-wrap scheduled for the next frame
        app.access.recolour_now()  # a citizen sees it 0.3 s after a list was filled; the shot is quicker
        if on_shot is not None:
            on_shot(name, app)
        path = out_dir / f"{len(shots) + 1:02d}-{name}.png"
        clipped = clipped_labels(app)
        if clipped:
            clipping[path.stem] = clipped
        shots.append(pilot.screenshot(path))

    def open_item(name: str) -> None:
        if pilot.current == "home":
            browse(app, pilot)
        tap_item(app, pilot, name)
        pilot.wait_for_screen("guide")

    def identify(id_number: str) -> None:
        """Verified by the citizen's phone code (e-ID / e-social-card / provincial app) that the platform checks."""
        import json

        from kiosk.demo_codes import qr_image
        from kiosk.sandbox.store import DATA_DIR

        tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
        pilot.wait_for_screen("identify")
        runtime.show_to_camera(qr_image(next(t["payload"] for t in tokens if t["id_number"] == id_number)))
        pilot.wait_until(lambda: pilot.current != "identify", "the code to be verified", 30)
        runtime.camera.simulator.hide()

    def card_and_face(shoot: bool = False) -> None:
        pilot.wait_for_screen("identify")
        pilot.tap_text(_("identify.demo_card"))
        pilot.wait_for_screen("face")
        if shoot:
            pilot.wait_until(lambda: app.screen("face").progress > 0, "the face guidance", 30)
            shot("face-check")
        pilot.wait_until(lambda: pilot.current != "face", "the face check", 60)

    def finish() -> None:
        app.end_session()
        apply_mode(app, mode)
        pilot.frames(3)

    try:
        pilot.wait_until(lambda: app.catalog_state is not None, "the catalog")
        shot("home")
        browse(app, pilot)
        shot("catalog")
        catalog = app.screen("catalog")
        if app.access.elder:  # six items a page, no chips: the pages are what a citizen turns
            pilot.tap(catalog.ids.next_page)
            shot("catalog-page-2")
            pilot.tap(catalog.ids.prev_page)
        else:
            first_category = app.catalog_state.catalog.categories()[0]  # 社保 (a chip shows the catalog's words)
            pilot.tap_text(first_category, exact=True)
            shot("catalog-category")
            pilot.tap_text(_("catalog.all"), exact=True)
            keyword = "提取"  # a keyword chip (the same words in every language: they match item names)
            pilot.tap_text(keyword, exact=True)
            shot("catalog-search")
            catalog.close_keyboard()  # the search keyboard's candidate bar may say the keyword too
            pilot.frames(2)
            catalog.toggle_keyword(keyword)  # the keyword chip off again: the whole catalog
            pilot.frames(2)

        # An application: guide → identify (with a mistyped check digit first) → materials → form → confirm.
        open_item("户籍证明开具")
        shot("guide")
        pilot.tap(app.screen("guide").ids.apply_button)
        pilot.wait_for_screen("identify")
        pilot.type_keys("410105195003152019")
        pilot.tap_text(_("identify.confirm"), exact=True)
        pilot.wait_for_text(_("id.error.check_digit"))
        shot("identify-wrong-check-digit")
        pilot.tap_text(_("keyboard.key.back"), exact=True)
        pilot.type_keys("5")
        pilot.tap_text(_("identify.confirm"), exact=True)
        pilot.wait_for_text(_("identify.typed_not_enough"))
        shot("identify-typed-not-enough")
        card_and_face(shoot=True)
        pilot.wait_for_screen("materials")
        pilot.wait_until(lambda: not app.screen("materials").loading, "the materials")
        tick_material(app, pilot, "居民身份证")
        tick_material(app, pilot, "居民户口簿")
        shot("materials")
        pilot.tap(app.screen("materials").ids.materials_next)
        pilot.wait_for_screen("form")
        pilot.type_keys("139123456")
        shot("form-phone")
        pilot.type_keys("78")
        pilot.tap(app.screen("form").ids.form_next)
        shot("form-choice")
        choose(app, pilot, "就业")
        pilot.wait_for_screen("confirm")
        shot("confirm")
        pilot.tap_text(_("confirm.submit"))
        pilot.wait_for_screen("result")
        pilot.wait_until(lambda: bool(app.screen("result").print_text), "the receipt to print")
        shot("result-receipt")
        pilot.tap_text(_("result.next"))
        pilot.wait_for_screen("rating")
        shot("rating")
        pilot.tap_text(_("rating.level.2"), exact=True)
        pilot.tap_text(_("rating.reason.wait"))
        shot("rating-bad-reason")
        app.idle.pretend_idle(runtime.config.kiosk.idle_timeout_s * app.idle.scale - 10)  # jump to the idle warning
        pilot.wait_for_text(_("idle.continue"))
        shot("idle-countdown")
        pilot.tap_text(_("idle.continue"))
        finish()

        # 容缺: the rental contract may follow; then the one-time notice when a main material is missing.
        open_item("住房公积金租房提取")
        pilot.tap(app.screen("guide").ids.apply_button)
        identify(DEMO_ID)
        pilot.wait_for_screen("materials")
        pilot.wait_until(lambda: not app.screen("materials").loading, "the materials")
        tick_material(app, pilot, "居民身份证")
        tick_material(app, pilot, "本人名下银行借记卡")
        pilot.tap(app.screen("materials").ids.materials_next)
        pilot.wait_for_screen("commitment")
        pilot.tap(app.screen("commitment").ids.agree_toggle)
        shot("commitment-rongque")
        pilot.tap(app.top_bar.ids.back_button)  # 上一步
        pilot.wait_for_screen("materials")
        tick_material(app, pilot, "本人名下银行借记卡")  # untick: now a main material is missing
        pilot.tap(app.screen("materials").ids.materials_next)
        pilot.wait_for_screen("notice")
        pilot.wait_until(lambda: bool(app.screen("notice").image), "the notice to print")
        shot("notice-one-time")
        finish()

        # 告知承诺 refused for a bad credit record.
        open_item("户籍证明开具")
        pilot.tap(app.screen("guide").ids.apply_button)
        identify(BAD_CREDIT_ID)
        pilot.wait_for_screen("materials")
        pilot.wait_until(lambda: not app.screen("materials").loading, "the materials")
        shot("materials-commitment-refused")
        finish()

        # A bundle and a query-and-print item.
        open_item("退休“一件事”")
        shot("guide-bundle")
        finish()
        open_item("个人信用报告打印")
        pilot.tap(app.screen("guide").ids.apply_button)
        pilot.wait_for_screen("identify")
        pilot.tap_text(_("identify.demo_qr"))
        pilot.wait_for_screen("query")
        pilot.wait_until(lambda: app.screen("query").state == "ready", "the query result")
        shot("query-preview")
        pilot.tap(app.screen("query").ids.query_print)
        pilot.wait_until(lambda: app.screen("query").state == "printed", "the printout")
        shot("query-printed")
        finish()

        # Progress, pickup and queue tickets.
        app.counter.open_progress()
        pilot.wait_for_screen("progress")
        pilot.type_keys("20261101000001")
        pilot.tap_text(_("desk.entry.confirm"), exact=True)
        pilot.wait_for_text(_("desk.progress.pickup"))
        shot("progress-ready")
        pilot.tap_text(_("desk.progress.pickup"))
        card_and_face()
        pilot.wait_for_screen("pickup")
        pilot.wait_until(lambda: app.screen("pickup").printed == "ok", "the result to print")
        shot("pickup-printed")
        finish()
        app.counter.open_tickets()
        pilot.wait_for_screen("ticket")
        shot("ticket-departments")
        ticket = app.screen("ticket")  # the services by their codes ("户籍"): the words follow the language
        pilot.tap(next(b for b in ticket.ids.departments.children if getattr(b, "code", "") in ("户籍", "市公安局户政管理支队")))
        pilot.wait_until(lambda: app.screen("ticket").print_text == _("desk.ticket.printed"), "the ticket")
        shot("ticket-number")
        finish()
        if journeys_only:
            return shots

        from screens.help_tour import help_screenshots

        help_screenshots(app, pilot, runtime, shot, finish)  # 呼叫工作人员, 诉求反映, notices (issue #15)

        from screens.keyboard_tour import keyboard_screenshots

        keyboard_screenshots(app, pilot, shot, finish)  # every on-screen keyboard layout in use

        # Technicians: the hidden corner, the PIN, the status page, a printer fault.
        pilot.long_press(app.top_bar.ids.maintenance_hotspot, 3.3)
        pilot.wait_for_screen("maintenance_pin")
        pilot.type_keys("24")
        shot("maintenance-pin")
        pilot.type_keys("68")
        pilot.tap_text(_("maintenance.pin.enter"), exact=True)
        pilot.wait_for_screen("maintenance")
        pilot.wait_until(lambda: _("maintenance.devices") in app.screen("maintenance").report_text, "the status page")
        pilot.tap_text(_("maintenance.action.test_page"))
        pilot.wait_until(lambda: app.screen("maintenance").action_text not in ("", _("maintenance.working")),
                         "the test page")
        shot("maintenance-status")
        runtime.virtual_printer.simulate(paper_out=True)
        runtime.print_service.check_status()
        pilot.wait_until(lambda: not runtime.print_service.last_status.usable, "the printer fault")
        runtime._publish_states()
        pilot.tap_text(_("maintenance.action.refresh"))
        pilot.wait_until(lambda: _("help.maint.state.fault") in app.screen("maintenance").report_text, "the fault on the status page")
        shot("maintenance-printer-fault")
        pilot.tap_text(_("maintenance.action.leave"))
        pilot.wait_for_screen("home")
        pilot.wait_until(lambda: bool(app.screen("home").availability_text), "the home availability message")
        shot("home-printer-unavailable")
        runtime.virtual_printer.clear()
        if mode == "normal":  # the top bar's aids, one tap each (the other modes show every screen in them)
            for name, turn in (("elder", app.access.set_elder), ("contrast", app.access.set_contrast)):
                turn(True)
                pilot.frames(3)
                shot(f"home-{name}")
                turn(False)
        capture_tour(runtime, app, pilot, open_item, identify, shot, finish)
        from screens.tour_service import service_tour

        service_tour(runtime, app, pilot, open_item, identify, shot, finish)  # issue #17: fees, slots, 电子证照, 我的办件
        finish()
    finally:
        pilot.stop()
        # What clips, per screenshot (tests/test_ui_clipping.py reads it; empty when nothing does).
        import json

        (out_dir / "clipping.json").write_text(json.dumps({"mode": mode, "clipped": clipping}, ensure_ascii=False,
                                                          indent=1), encoding="utf-8")
    return shots


def capture_tour(runtime, app, pilot, open_item, identify, shot, finish) -> None:
    """拍摄材料 (issue #17) on the simulated document camera (opened for the tour when the config has none)."""
    from devices.doccam import open_doc_camera

    opened_here = runtime.doc_camera is None
    if opened_here:
        runtime.doc_camera = open_doc_camera("sim://")
    try:
        finish()  # after the technician's pages: a citizen's session, in the tour's mode
        open_item("住房公积金租房提取")
        pilot.tap(app.screen("guide").ids.apply_button)
        identify(DEMO_ID)
        pilot.wait_for_screen("materials")
        pilot.wait_until(lambda: not app.screen("materials").loading, "the materials")
        tick_material(app, pilot, "居民身份证")
        tick_material(app, pilot, "本人名下银行借记卡")
        pilot.tap(app.screen("materials").ids.materials_next)
        pilot.wait_for_screen("commitment")
        pilot.tap(app.screen("commitment").ids.agree_toggle)
        pilot.tap(app.screen("commitment").ids.commitment_next)
        pilot.wait_for_screen("capture")
        pilot.wait_until(lambda: app.screen("capture").ids.preview.outline_points, "the page outline", 20)
        shot("capture-outline")
        pilot.wait_until(lambda: len(app.session.pages) == 1, "the page captured", 20)
        pilot.frames(3)
        shot("capture-page-taken")
        finish()  # the session ends and the tour's mode (长辈模式 …) is on again, as for the next citizen who turns it on
    finally:
        if opened_here:
            camera, runtime.doc_camera = runtime.doc_camera, None
            camera.stop()
