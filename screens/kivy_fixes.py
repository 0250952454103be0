"""Fixes for Kivy 2.3.1 behaviour that costs a kiosk running for weeks; each says what and why.

Applied once, when the App module is imported (``apply()``); no other module patches Kivy.
"""

from __future__ import annotations

from typing import Any

from kivy.uix.scrollview import ScrollView

from screens.clipping import clip_with_scissor

_applied = False


def update_from_scroll(self: ScrollView, *largs: object) -> None:
    # Kivy 2.3.1's ScrollView.update_from_scroll does ``fbind('bar_color', _change_bar_color)`` on every call
    # and the 0.5 s trigger that fades the bar unbinds it once: every further scroll position update inside
    # those 0.5 s leaves one more binding (a BoundCallback and a bound method) on the ScrollView for good.
    # A finger dragging a list updates it dozens of times a second, and a screen that sets its scroll
    # position on arrival does it every visit — 17 leaked bindings per citizen in the 1,000-session soak
    # (issue #16: found by `benchmarks/ui_soak.py --object-census`). Unbinding first keeps it at one.
    # Named update_from_scroll: Kivy's Clock keeps a weak method and finds it again by its __name__.
    self.funbind("bar_color", self._change_bar_color)
    _kivy_update_from_scroll(self, *largs)


_kivy_update_from_scroll = ScrollView.update_from_scroll


def scroll_view_init(self: ScrollView, **kwargs: Any) -> None:
    # Every scrolling list clips its rows with a scissor rectangle, not Kivy's stencil mask: two passes over
    # its pixels a frame fewer (screens/clipping.py says why and how much). A ScrollView made in Python has
    # its class rules (the stencil) when Kivy's __init__ returns; one declared in a kv rule gets them later,
    # from the rule that declares it, and hears on_kv_post after that.
    _kivy_scroll_view_init(self, **kwargs)
    if not clip_with_scissor(self):
        self.fbind("on_kv_post", _clip_once_styled)


def _clip_once_styled(widget: ScrollView, *_args: Any) -> None:
    clip_with_scissor(widget)


_kivy_scroll_view_init = ScrollView.__init__


def apply() -> None:
    global _applied
    if _applied:
        return
    ScrollView.update_from_scroll = update_from_scroll  # type: ignore[method-assign]
    ScrollView.__init__ = scroll_view_init  # type: ignore[method-assign]
    _applied = True
