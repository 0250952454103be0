"""A screen change that is complete in the frame that asks for it.

Kivy's NoTransition is a zero-length Animation: the new screen is added at once, but the leaving one is removed
only at the next clock tick, when the animation "completes". The frame that first shows the new screen paints
the old one under it too — the heaviest frame of a tap (its new labels rendered and uploaded) also fills the
window twice, and a second frame follows to draw the same screen without the old one (issue #16: ~11 % of the
soak's drawn frames were these second frames). InstantTransition removes the leaving screen before that frame is
drawn, and the screens hear on_enter / on_leave at once, as Kivy's own transitions tell them when they end.
It finishes through TransitionBase's own ``_anim`` and ``_on_complete`` (Kivy 2.3.1), so the manager's
bookkeeping stays Kivy's; tests/test_ui_lean.py fails if a Kivy upgrade changes them.
"""

from __future__ import annotations

from kivy.uix.screenmanager import NoTransition, ScreenManager


class InstantTransition(NoTransition):
    def start(self, manager: ScreenManager) -> None:
        super().start(manager)
        self._anim.cancel(self)  # nothing to animate: what its completion would do, done now
        self._on_complete()
