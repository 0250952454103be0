"""Issue #16: a kiosk runs for weeks, so nothing a citizen does may leave something behind on a widget that
lives as long as the App. Found by `benchmarks/ui_soak.py --object-census`: every scroll update inside Kivy's
0.5 s bar fade left one more binding on the ScrollView (17 a citizen)."""

from __future__ import annotations

import pytest
from uisteps import open_item

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui


def scroll_views(app) -> list:
    from kivy.uix.scrollview import ScrollView

    return [widget for screen in app.manager.screens for widget in screen.walk() if isinstance(widget, ScrollView)]


def bar_colour_bindings(app) -> int:
    return sum(len(view.get_property_observers("bar_color")) for view in scroll_views(app))


def test_scrolling_a_list_many_times_leaves_no_bindings_behind(ui) -> None:
    app, pilot = ui.app, ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    views = [view for view in scroll_views(app) if view.get_root_window() is not None]
    assert views, "the catalog shows no scrolling list"
    before = bar_colour_bindings(app)
    for step in range(40):  # a finger dragging the list: many position updates inside the bar's 0.5 s fade
        views[0].scroll_y = 1 - (step % 10) / 10
        pilot.frames(1)
    assert all(len(view.get_property_observers("bar_color")) <= 1 for view in views)
    assert bar_colour_bindings(app) - before <= len(views)


def test_visiting_screens_again_and_again_does_not_grow_the_bindings(ui) -> None:
    app, pilot = ui.app, ui.pilot
    counts = []
    for _visit in range(6):
        open_item(ui, "户籍证明开具")  # the catalog, then the item's guide: each sets its list back to the top
        pilot.frames(2)
        app.end_session()
        pilot.wait_for_screen("home")
        pilot.frames(2)
        counts.append(bar_colour_bindings(app))
    # At most one each (bound while a bar fades, 0.5 s after the last scroll), however many visits; with
    # Kivy's leak they were 76, 78, 79, 81 ... over 21 scroll views.
    assert max(counts) <= len(scroll_views(app)), f"bar colour bindings grew visit after visit: {counts}"


def test_a_full_garbage_collection_walks_only_what_came_after_the_warm_up_and_runs_after_a_sessions_end(ui) -> None:
    """A full collection over the ~900,000 objects of a warmed-up kiosk held the GIL for ~190 ms, a frozen screen
    wherever it landed (seen behind a 230 ms frame during material capture). The kiosk freezes what it built at
    start and collects each session's cycles after the session ends, on the idle home screen: not in the middle
    of a tap, nor in the frame that draws home (where it made ~1 session end in 4 a frame over 33 ms)."""
    import gc
    import weakref

    app, pilot = ui.app, ui.pilot
    app.screen("capture")  # every screen built: the warm-up is over
    assert gc.get_freeze_count() > 100_000

    class Papers:  # a cycle that outlived the young collections, as a session's screens' state does
        pass

    papers = Papers()
    papers.itself = papers
    left_behind = weakref.ref(papers)
    gc.collect(1)  # into the oldest generation
    del papers
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    pilot.frames(5)
    assert left_behind() is not None, "a full collection ran in the middle of a session"
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: app.end_session(), 0)  # as the kiosk ends one: inside a frame
    pilot.wait_for_screen("home")
    assert left_behind() is not None, "the collection ran in the frame that ends the session"
    assert not app.housekeeping_done
    pilot.wait_until(lambda: app.housekeeping_done, "the housekeeping after the session", 5)
    assert left_behind() is None, "the session's cycles were not collected after its end"


def _stencil_instructions(app) -> int:
    from kivy.core.window import Window
    from kivy.graphics import StencilPush

    def count(canvas) -> int:
        return sum(isinstance(child, StencilPush) + count(child) for child in getattr(canvas, "children", []))

    return count(Window.canvas) + sum(
        count(part) for screen in app.manager.screens for widget in screen.walk()
        for part in (widget.canvas.before, widget.canvas.after) if part is not None)


def test_a_scrolled_list_shows_nothing_outside_its_box_and_is_clipped_without_a_stencil_pass(ui, tmp_path) -> None:
    """The lists clip with a scissor rectangle (screens/clipping.py): no stencil pass over their pixels each frame
    (issue #16), and the citizen still sees nothing of a scrolled guide above or below its box."""
    from PIL import Image

    app, pilot = ui.app, ui.pilot
    open_item(ui, "户籍证明开具")
    guide = app.screen("guide")
    pilot.wait_until(lambda: guide.complete, "the whole guide")
    scroll = guide.ids.scroll
    assert guide.ids.sections.height > scroll.height * 1.5, "the guide must be long enough to scroll"
    scroll.scroll_y = 0.5  # text runs on past both edges of the box
    pilot.frames(3)
    assert _stencil_instructions(app) == 0
    image = Image.open(pilot.screenshot(tmp_path / "guide-scrolled.png")).convert("RGB")
    x, y = scroll.to_window(scroll.x, scroll.y)
    left, right = int(x) + 4, int(x + scroll.width) - int(scroll.bar_width) - 4
    # Screenshots run top-down; Kivy's y runs up. Three pixel rows just outside each edge of the box.
    for window_y in (int(y + scroll.height) + 1, int(y + scroll.height) + 3, int(y) - 2, int(y) - 4):
        row = {image.getpixel((px, image.height - 1 - window_y)) for px in range(left, right)}
        assert len(row) == 1, f"the scrolled guide shows through at window y={window_y}: {len(row)} colours in the row"
    inside = {image.getpixel((px, image.height - 1 - int(y + scroll.height / 2))) for px in range(left, right)}
    assert len(inside) > 1 or len({image.getpixel((px, image.height - 1 - int(y + scroll.height / 2) + d))
                                   for px in range(left, right) for d in range(-20, 20)}) > 1, "no text inside the box"


def test_a_session_that_ends_in_normal_mode_does_not_rescale_every_text(ui) -> None:
    """Kivy's fontscale dispatches on every set, and each dispatch re-evaluates every sp() of every screen: set
    back to normal at each session's end, it was 6 ms of the frame that ends every session (issue #16). Only a
    session that turned 长辈模式 on pays for turning it off."""
    from kivy.metrics import Metrics

    app, pilot = ui.app, ui.pilot
    rescaled: list[float] = []

    def note(*_args: object) -> None:
        rescaled.append(Metrics.fontscale)

    Metrics.fbind("fontscale", note)
    try:
        open_item(ui, "户籍证明开具")
        app.end_session()
        pilot.frames(2)
        assert rescaled == [], "a session in normal mode rescaled every text at its end"
        app.access.set_elder(True)
        pilot.frames(2)
        app.end_session()
        pilot.frames(2)
        assert len(rescaled) == 2 and rescaled[-1] == app.access._base_fontscale  # on, then back to normal once
    finally:
        Metrics.funbind("fontscale", note)


def test_the_camera_threads_give_the_cores_to_the_ui_thread_and_the_gil_holders_do_not_wait(ui) -> None:
    """A frame is due while the camera grabs and the decoder searches a frame: those threads, whose heavy work
    runs in native code without the GIL, run at a lower CPU priority than the UI thread (devices/priority.py).
    The threads whose work is Python (platform calls, the outbox, printing) keep the UI's priority: starved
    while holding the GIL, they would hold the UI thread up with them."""
    import os
    import threading

    from devices.priority import BACKGROUND_NICE

    app = ui.app
    app.runtime.executor.submit(lambda: None).result(timeout=10)  # a platform-call worker exists
    ui.pilot.frames(2)
    by_name = {thread.name: thread for thread in threading.enumerate()}

    def nice(name: str) -> int:
        return os.getpriority(os.PRIO_PROCESS, by_name[name].native_id)

    ui_thread_nice = os.getpriority(os.PRIO_PROCESS, threading.main_thread().native_id)
    assert ui_thread_nice < BACKGROUND_NICE
    assert {"decode", "camera"} <= set(by_name), sorted(by_name)
    assert nice("decode") >= BACKGROUND_NICE and nice("camera") >= BACKGROUND_NICE
    python_work = ["outbox-sync", "print-worker"] + [name for name in by_name if name.startswith("kiosk-worker")]
    assert len(python_work) >= 3 and all(nice(name) == ui_thread_nice for name in python_work)


def test_the_frame_that_shows_the_next_screen_paints_only_that_screen(ui) -> None:
    """Kivy's NoTransition kept the leaving screen on the glass for one more frame (its zero-length animation
    ends at the next clock tick): the heaviest frame of every tap painted two screens, and a second frame
    repainted the new one alone. The switch is complete before the frame is drawn, and the screen hears
    on_enter in it."""
    from kivy.core.window import Window

    app, pilot = ui.app, ui.pilot
    painted: list[list[str]] = []
    entered: list[str] = []

    def at_draw(*_args) -> None:
        painted.append([screen.name for screen in app.manager.children])

    from kivy.tests.common import UnitTestTouch

    catalog = app.screen("catalog")
    catalog.bind(on_enter=lambda *_a: entered.append("catalog"))
    start = pilot.find(_("home.start"))
    pilot.frames(1)
    Window.bind(on_draw=at_draw)
    try:
        touch = UnitTestTouch(*start.to_window(*start.center))
        touch.touch_down()
        pilot.frames(1)
        touch.touch_up()  # the button acts on release: the switch happens here, between two frames
        assert app.manager.current == "catalog"
        assert [screen.name for screen in app.manager.children] == ["catalog"], "the home screen is still there"
        assert entered == ["catalog"], "the catalog did not hear on_enter when it came"
        pilot.frames(2)
    finally:
        Window.unbind(on_draw=at_draw)
    # The pressed button's frame, then the catalog alone in every frame drawn after the switch (a second one is
    # drawn only when something on the catalog still changed: it is not what this test is about).
    assert painted[:2] == [["home"], ["catalog"]], f"screens painted, frame by frame: {painted}"
    assert all(screens == ["catalog"] for screens in painted[1:]), f"screens painted, frame by frame: {painted}"
