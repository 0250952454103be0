"""Keypad focus for the accessible mode (CUSS 2 accessible mode, VotingWorks vxsuite style).

A citizen who cannot see uses a physical keypad (or a USB number pad) and a headset: focus moves through the
current screen's controls in reading order, each focused control's label is spoken, Enter activates it, help
repeats the screen's prompt, +/- change the volume. A thick two-band ring shows the focus to partially sighted
people. The App only has to:

    focus = KeypadFocus()
    focus.attach(Window, voice)             # once, after the App's own key bindings (on_start)
    focus.screen_changed(screen)            # on every screen change (speaks the screen's prompt)
    focus.end_session()                     # when the session ends (back to touch mode, ring hidden)

Screens declare what they say and, if the automatic order is wrong, their order:

    class TicketScreen(KioskScreen):
        spoken_prompt = "voice.prompt.ticket"        # an i18n key, spoken on arrival and on help
        focus_order = ["social", "housing", "back"]  # optional: ids in screen.ids, or a callable -> widgets
        def keypad_back(self): ...                    # optional: what Back does here (else on_back / nothing)

Controls are found automatically: every visible, enabled ``ButtonBehavior`` widget with a text (or a
``spoken_label``) under the screen, or under the top-most popup when one is open, plus the ``chrome``
widgets given to ``attach`` (the top bar). Reading order is top-to-bottom, then left-to-right within a row.

Keys (Kivy keycodes; a USB number pad works with NumLock on or off):
    next      Down, Right, Tab, numpad 2, numpad 6
    previous  Up, Left, numpad 8, numpad 4
    activate  Enter, numpad Enter, numpad 5, Space
    back      Backspace, Escape, Delete, numpad . (Del)
    help      F1, numpad 0 (Ins), numpad *  (twice quickly: how the keypad works)
    volume    numpad +, numpad -, the keyboard's volume keys
Key handlers never swallow a key (they return False), so the App's idle timer and scanner still see it. A
keyboard-wedge scanner's Enter, which ends a burst of characters, is not taken as "activate".
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from kivy.clock import Clock
from kivy.graphics import Color, InstructionGroup, Line
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior, ToggleButtonBehavior
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.i18n import join, translate
from screens import theme

NEXT_KEYS = {274, 275, 9, 258, 262}
PREVIOUS_KEYS = {273, 276, 264, 260}
ACTIVATE_KEYS = {13, 271, 261, 32}
BACK_KEYS = {8, 27, 127, 266}
HELP_KEYS = {282, 256, 268}
VOLUME_UP_KEYS = {270, 0x40000080}      # numpad +, SDL's VOLUMEUP
VOLUME_DOWN_KEYS = {269, 0x40000081}    # numpad -, SDL's VOLUMEDOWN
KEYPAD_KEYS = NEXT_KEYS | PREVIOUS_KEYS | ACTIVATE_KEYS | BACK_KEYS | HELP_KEYS | VOLUME_UP_KEYS | VOLUME_DOWN_KEYS

SCANNER_BURST_S = 0.05  # a wedge scanner types faster than this; a person never does
HELP_TWICE_S = 2.0
_MARKUP = re.compile(r"\[/?[a-z_]+(?:=[^\]]*)?\]")


class Voice(Protocol):  # what KeypadFocus needs from kiosk.voice.VoiceEngine
    enabled: bool

    def enable(self, on: bool = True) -> None: ...
    def say_screen(self, key: str, **values: object) -> Any: ...
    def say_label(self, text: str, key: str = "") -> Any: ...
    def say(self, text: str, *, interrupt: bool = False, cache: bool = False) -> Any: ...
    def repeat_prompt(self) -> Any: ...
    def volume_up(self) -> float: ...
    def volume_down(self) -> float: ...


def spoken_label(widget: Widget) -> str:
    """What a control says when focused: its ``spoken_label`` or its text (markup removed), and its state."""
    label = getattr(widget, "spoken_label", "") or getattr(widget, "text", "") or ""
    label = _MARKUP.sub("", str(label))
    label = join("clause", [part.strip() for part in label.splitlines() if part.strip()])
    checked = getattr(widget, "checked", None)
    if isinstance(checked, bool):
        label += translate("voice.selected" if checked else "voice.not_selected")
    elif isinstance(widget, ToggleButtonBehavior):
        label += translate("voice.selected" if widget.state == "down" else "voice.not_selected")
    return label


def _shown(widget: Widget, root: Widget) -> bool:
    node: Widget | None = widget
    while node is not None:
        if node.opacity == 0 or node.disabled:
            return False
        if node is root or node is node.parent:  # the Window is its own parent
            return True
        node = node.parent
    return True


def _walk(widget: Widget) -> Iterable[Widget]:
    yield widget
    for child in reversed(widget.children):  # Kivy keeps the last added first
        yield from _walk(child)


def find_controls(root: Widget) -> list[Widget]:
    """The controls a keypad user can reach under ``root``: shown, enabled buttons with something to say."""
    found = []
    for widget in _walk(root):
        if widget is root or not isinstance(widget, ButtonBehavior):
            continue
        if widget.width <= 1 or widget.height <= 1 or not _shown(widget, root):
            continue
        if spoken_label(widget):
            found.append(widget)
    return found


def reading_order(widgets: list[Widget]) -> list[Widget]:
    """Top-to-bottom; controls whose vertical extents mostly overlap form a row, read left to right."""
    placed = []
    for widget in widgets:
        x, y = widget.to_window(widget.x, widget.y)
        placed.append((y + widget.height, x, widget.height, widget))
    placed.sort(key=lambda item: (-item[0], item[1]))
    rows: list[list[tuple[float, float, float, Widget]]] = []
    for item in placed:
        if rows:
            top, _x, height, _w = rows[-1][0]
            if abs(item[0] - top) < min(height, item[2]) / 2:
                rows[-1].append(item)
                continue
        rows.append([item])
    return [item[3] for row in rows for item in sorted(row, key=lambda item: item[1])]


class FocusRing:
    """Two thick bands (dark outside, light inside in the default theme) drawn over everything."""

    def __init__(self) -> None:
        self.group = InstructionGroup()
        self.outer_colour = Color(*theme.live.focus_ring)
        self.outer = Line(width=1)
        self.inner_colour = Color(*theme.live.focus_ring_inner)
        self.inner = Line(width=1)
        for instruction in (self.outer_colour, self.outer, self.inner_colour, self.inner):
            self.group.add(instruction)
        self.canvas = None

    def show(self, canvas, widget: Widget) -> None:
        if self.canvas is not canvas:
            self.hide()
            canvas.add(self.group)
            self.canvas = canvas
        band = dp(float(theme.FOCUS_RING_WIDTH.removesuffix("dp")))
        x, y = widget.to_window(widget.x, widget.y)
        self.outer_colour.rgba = theme.live.focus_ring
        self.inner_colour.rgba = theme.live.focus_ring_inner
        # Lines are centred on their rectangle: the outer band sits just outside the control, the inner
        # band just inside its edge, so the ring is 2 bands thick whatever the control's colour.
        self.outer.width = band / 2
        self.outer.rectangle = (x - band / 2, y - band / 2, widget.width + band, widget.height + band)
        self.inner.width = band / 2
        self.inner.rectangle = (x + band / 2, y + band / 2, widget.width - band, widget.height - band)

    def hide(self) -> None:
        if self.canvas is not None:
            self.canvas.remove(self.group)
            self.canvas = None

    @property
    def visible(self) -> bool:
        return self.canvas is not None


class KeypadFocus:
    def __init__(self) -> None:
        self.window: Any = None
        self.voice: Voice | None = None
        self.screen: Widget | None = None
        self.focused: Widget | None = None
        self.active = False  # accessible mode: on from the first keypad key until the session ends
        self.ring = FocusRing()
        self._chrome: Callable[[], list[Widget]] = list
        self._on_back: Callable[[], None] | None = None
        self._last_key_at = 0.0
        self._last_help_at = 0.0
        self._follow = None

    # -- what the App calls --------------------------------------------------------------------------------
    def attach(self, window: Any, voice: Voice, *, chrome: Callable[[], list[Widget]] | None = None,
               on_back: Callable[[], None] | None = None) -> KeypadFocus:
        self.window = window
        self.voice = voice
        self._chrome = chrome or list
        self._on_back = on_back
        window.bind(on_key_down=self._on_key_down)
        # The focused control can move (scrolling, layout): the ring follows it a few times a second.
        self._follow = Clock.schedule_interval(lambda _dt: self._redraw(), 0.1)
        return self

    def detach(self) -> None:
        if self.window is not None:
            self.window.unbind(on_key_down=self._on_key_down)
        if self._follow is not None:
            self._follow.cancel()
        self.ring.hide()
        self.window = None

    def screen_changed(self, screen: Widget) -> None:
        """A new screen is shown: focus starts before its first control; its prompt is spoken."""
        self.screen = screen
        self.focused = None
        self.ring.hide()
        self.say_prompt()

    def end_session(self) -> None:
        self.active = False
        self.focused = None
        self.ring.hide()

    # -- actions (also callable directly, e.g. from on-screen accessibility buttons) ------------------------
    def controls(self) -> list[Widget]:
        root = self._root()
        if root is None:
            return []
        declared = getattr(root, "focus_order", None)
        if callable(declared):
            widgets = [w for w in declared() if _shown(w, root)]
            return widgets + [w for w in self._chrome_controls() if w not in widgets]
        if declared:
            ids = getattr(root, "ids", {})
            widgets = [ids[name] for name in declared if name in ids and _shown(ids[name], root)]
            return widgets + [w for w in self._chrome_controls() if w not in widgets]
        widgets = find_controls(root)
        if not isinstance(root, ModalView):
            widgets += self._chrome_controls()
        return reading_order(widgets)

    def move(self, step: int) -> Widget | None:
        controls = self.controls()
        if not controls:
            self._say(translate("voice.nothing_to_focus"))
            return None
        if self.focused in controls:
            index = (controls.index(self.focused) + step) % len(controls)
        else:
            index = 0 if step > 0 else len(controls) - 1
        self.focus(controls[index])
        return self.focused

    def focus(self, widget: Widget) -> None:
        self.focused = widget
        self._scroll_into_view(widget)
        self._redraw()
        if self.voice is not None:
            self.voice.say_label(spoken_label(widget))

    def activate(self) -> None:
        widget = self.focused
        if widget is None or widget not in self.controls():
            self.move(1)  # nothing focused yet: Enter first says where it is
            return
        widget.trigger_action(duration=0.05)
        if getattr(widget, "checked", None) is not None or isinstance(widget, ToggleButtonBehavior):
            # Same screen, new state: say it once the release has happened.
            Clock.schedule_once(lambda _dt: self._announce_if_still(widget), 0.1)

    def back(self) -> None:
        handler = getattr(self.screen, "keypad_back", None) or self._on_back
        if handler is not None:
            handler()

    def help(self) -> None:
        now = time.monotonic()
        twice = now - self._last_help_at < HELP_TWICE_S
        self._last_help_at = now
        if twice:
            self._say(translate("voice.keypad_hint"), interrupt=True)
        else:
            self.say_prompt()

    def say_prompt(self) -> None:
        key = getattr(self.screen, "spoken_prompt", "")
        if self.voice is not None and key and self.voice.enabled:
            self.voice.say_screen(key)

    # -- internals -----------------------------------------------------------------------------------------
    def _root(self) -> Widget | None:
        if self.window is not None:
            popups = [w for w in self.window.children if isinstance(w, ModalView)]
            if popups:
                return popups[0]  # the top-most (Kivy keeps the last added first)
        return self.screen

    def _chrome_controls(self) -> list[Widget]:
        found: list[Widget] = []
        for root in self._chrome():
            found += find_controls(root)
        return found

    def _on_key_down(self, _window: Any, key: int, _scancode: int, _codepoint: str | None, modifiers: Any) -> bool:
        now = time.monotonic()
        burst = now - self._last_key_at < SCANNER_BURST_S
        self._last_key_at = now
        if key not in KEYPAD_KEYS or burst:
            return False
        if not self.active:
            # The first keypad key turns on the accessible mode: voice on, the screen says what it is.
            self.active = True
            if self.voice is not None:
                already_speaking = self.voice.enabled  # a headset turned voice on: the prompt was said
                self.voice.enable(True)
                if not already_speaking:
                    self.say_prompt()
            self._say(translate("voice.keypad_hint"))
            return False
        if key in NEXT_KEYS:
            self.move(-1 if key == 9 and "shift" in (modifiers or ()) else 1)
        elif key in PREVIOUS_KEYS:
            self.move(-1)
        elif key in ACTIVATE_KEYS:
            self.activate()
        elif key in BACK_KEYS:
            self.back()
        elif key in HELP_KEYS:
            self.help()
        elif key in VOLUME_UP_KEYS | VOLUME_DOWN_KEYS and self.voice is not None:
            volume = self.voice.volume_up() if key in VOLUME_UP_KEYS else self.voice.volume_down()
            self._say(translate("voice.volume", percent=round(volume * 100)), interrupt=True)
        return False

    def _say(self, text: str, interrupt: bool = False) -> None:
        if self.voice is not None:
            self.voice.say(text, interrupt=interrupt, cache=True)

    def _announce_if_still(self, widget: Widget) -> None:
        if self.focused is widget and self.voice is not None:
            self.voice.say_label(spoken_label(widget))

    def _redraw(self) -> None:
        widget = self.focused
        if widget is None or self.window is None or not self.active:
            self.ring.hide()
            return
        if widget.get_root_window() is None:  # the control went away (screen rebuilt)
            self.focused = None
            self.ring.hide()
            return
        self.ring.show(self.window.canvas.after, widget)

    @staticmethod
    def _scroll_into_view(widget: Widget) -> None:
        node = widget.parent
        while node is not None and node is not node.parent:  # the Window is its own parent
            if isinstance(node, ScrollView):
                node.scroll_to(widget, padding=dp(20), animate=False)
                return
            node = node.parent
