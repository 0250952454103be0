"""Drives the real app window the way a citizen would: taps by visible text, waits for what appears.

Touches go through Kivy's real input path (``UnitTestTouch`` posts begin/end events into the EventLoop,
which dispatches them to the window like a touchscreen would). Used by the UI tests and by
``kiosk screenshots``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kivy.base import EventLoop, ExceptionManager, runTouchApp, stopTouchApp
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget


class PilotError(AssertionError):
    pass


def walk(widget: Widget) -> Iterator[Widget]:
    yield widget
    for child in widget.children:
        yield from walk(child)


def _visible(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None and node is not Window:
        if node.opacity == 0 or node.disabled:
            return False
        node = node.parent
    return True


class Pilot:
    def __init__(self, app) -> None:
        self.app = app

    def start(self) -> Pilot:
        self.app._run_prepare()
        runTouchApp(embedded=True)  # input providers and the loop, without blocking: we step it
        self.frames(3)
        return self

    def stop(self) -> None:
        self.app.stop()
        stopTouchApp()

    # -- time ---------------------------------------------------------------------------------------------
    def frames(self, count: int = 1) -> None:
        for _ in range(count):
            self._idle()

    @staticmethod
    def _idle() -> None:
        # As EventLoop.mainloop does: an exception in a frame goes to the ExceptionManager handlers.
        try:
            EventLoop.idle()
        except BaseException as error:
            if ExceptionManager.handle_exception(error) == ExceptionManager.RAISE:
                raise

    def wait_until(self, predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise PilotError(f"timed out after {timeout:.0f} s waiting for {what} (screen: {self.current})")
            self._idle()
            time.sleep(0.005)

    def wait_for_screen(self, name: str, timeout: float = 15.0) -> None:
        self.wait_until(lambda: self.current == name, f"screen {name!r}", timeout)
        self.frames(2)

    def wait_for_text(self, text: str, timeout: float = 15.0) -> None:
        self.wait_until(lambda: any(text in t for t in self.visible_texts()), f"text {text!r}", timeout)

    # -- looking ------------------------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.app.manager.current

    def visible_widgets(self) -> Iterator[Widget]:
        for root in list(Window.children):
            for widget in walk(root):
                if _visible(widget):
                    yield widget

    def visible_texts(self) -> list[str]:
        # A WrappingLabel's text has the line breaks it chose; its source_text is what the screen said.
        return [getattr(w, "source_text", "") or w.text for w in self.visible_widgets()
                if isinstance(getattr(w, "text", None), str) and w.text]

    def all_texts(self) -> list[str]:
        """Every text of every widget of every screen (shown or not) and of every open popup."""
        roots = list(Window.children) + list(self.app.manager.screens)
        return [getattr(w, "source_text", "") or w.text for root in roots for w in walk(root)
                if isinstance(getattr(w, "text", None), str)]

    def find(self, text: str, exact: bool = False) -> Widget:
        matches = [
            w for w in self.visible_widgets()
            if hasattr(w, "on_release") and isinstance(getattr(w, "text", None), str)
            and (w.text == text if exact else text in w.text)
        ]
        exact_matches = [w for w in matches if w.text == text]
        matches = exact_matches or matches  # "满意" means 满意, not 非常满意
        if not matches:
            raise PilotError(f"no visible button with text {text!r} on screen {self.current!r}; "
                             f"visible: {self.visible_texts()[:30]}")
        return matches[-1]  # the top-most (popups are added last)

    # -- acting -------------------------------------------------------------------------------------------
    def scroll_into_view(self, widget: Widget) -> None:
        from kivy.uix.scrollview import ScrollView

        node = widget.parent
        while node is not None and node is not Window:
            if isinstance(node, ScrollView):
                # Again while the list is still laying out (a guide's later sections, a font change): the
                # widget may have moved since the last scroll, as a citizen's eye would follow it.
                for _attempt in range(4):
                    x, y = widget.to_window(*widget.center)
                    left, bottom = node.parent.to_window(node.x, node.y)
                    if left <= x <= left + node.width and bottom <= y <= bottom + node.height:
                        return  # as a citizen would: scroll only when the widget is out of view
                    node.scroll_to(widget, animate=False)
                    self.frames(2)
                return
            node = node.parent

    def tap(self, widget: Widget) -> None:
        # A finger lands on the screen as laid out, at least a frame after it appeared: a bar that reflows
        # on a screen change (a button shown) must not move the target from under the tap.
        self.frames(1)
        self.scroll_into_view(widget)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(2)
        touch.touch_up()
        self.frames(3)

    def long_press(self, widget: Widget, seconds: float) -> None:
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.frames(1)
            time.sleep(0.01)
        touch.touch_up()
        self.frames(3)

    def tap_text(self, text: str, exact: bool = False) -> None:
        self.tap(self.find(text, exact))

    def type_keys(self, keys: str) -> None:
        for key in keys:
            self.tap_text(key, exact=True)

    # -- the on-screen keyboard (screens/keyboard.py) ---------------------------------------------------
    def keyboard_key(self, key: str) -> Widget:
        """The visible key that types ``key`` (a character, or a command: back, clear, sep, space, hide)."""
        from screens.keyboard import KeyboardKey

        for widget in self.visible_widgets():
            if isinstance(widget, KeyboardKey) and widget.key == key:
                return widget
        raise PilotError(f"no visible on-screen key {key!r} on screen {self.current!r}")

    def tap_keys(self, keys: str) -> None:
        """Type on the on-screen keyboard, one tap per character (pinyin letters stay lower case)."""
        for key in keys:
            self.tap(self.keyboard_key(key))

    def tap_key(self, key: str) -> None:
        self.tap(self.keyboard_key(key))

    def draw(self, widget: Widget, stroke: list[tuple[float, float]]) -> None:
        """One finger stroke on ``widget`` (the keyboard's writing pad); points as fractions of its size,
        (0, 0) top left, as on paper."""
        def at(point: tuple[float, float]) -> tuple[float, float]:
            return widget.to_window(widget.x + point[0] * widget.width, widget.top - point[1] * widget.height)

        touch = UnitTestTouch(*at(stroke[0]))
        touch.touch_down()
        self.frames(1)
        for point in stroke[1:]:
            touch.touch_move(*at(point))
            self.frames(1)
        touch.touch_up()
        self.frames(2)

    def choose_candidate(self, text: str, max_pages: int = 10) -> None:
        """Tap the pinyin candidate ``text``, turning the candidate pages forward until it shows."""
        from screens.keyboard import CandidateButton

        for _ in range(max_pages):
            for widget in self.visible_widgets():
                if isinstance(widget, CandidateButton) and widget.text == text:
                    self.tap(widget)
                    return
            shown = [w.text for w in self.visible_widgets() if isinstance(w, CandidateButton) and w.text]
            try:
                next_page = self.keyboard_key("next")
            except PilotError:
                next_page = None
            if next_page is None or next_page.disabled:
                raise PilotError(f"no candidate {text!r}; shown: {shown}")
            self.tap(next_page)
        raise PilotError(f"no candidate {text!r} in the first {max_pages} pages")

    def screenshot(self, path: Path) -> Path:
        self.frames(4)
        path.parent.mkdir(parents=True, exist_ok=True)
        stem = path.with_suffix("")
        # Kivy appends a counter (name0001.png) and never overwrites: clear old shots of this name first.
        for old in path.parent.glob(f"{stem.name}[0-9][0-9][0-9][0-9].png"):
            old.unlink()
        saved = Path(Window.screenshot(name=str(path)))
        os.replace(saved, path)
        return path
