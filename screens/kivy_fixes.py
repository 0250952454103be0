"""Fixes for Kivy 2.3.1 behaviour that costs a kiosk running for weeks; each says what and why.

Applied once, when the App module is imported (``apply()``); no other module patches Kivy.
"""

from __future__ import annotations

from kivy.uix.scrollview import ScrollView

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


def apply() -> None:
    global _applied
    if _applied:
        return
    ScrollView.update_from_scroll = update_from_scroll  # type: ignore[method-assign]
    _applied = True
