"""Clip scrolling lists and the screen area with a scissor rectangle instead of Kivy's stencil mask.

Why (issue #16): Kivy clips a ScrollView (and the ScreenManager) by drawing its rectangle into the stencil
buffer before its children and again after them, and every pixel drawn inside is stencil-tested. With software
OpenGL (llvmpipe, as under Xvfb) and a kiosk's low-power GPU alike, those are full passes over the pixels: the
screen manager alone drew 1.8 window areas of stencil a frame, the catalog's lists another 1.3. A scissor
rectangle clips at no cost per pixel (fragments outside it are never made). Measured side by side in one run,
frames alternating, per screen: draw + flip 5-20 % shorter (issue #16 note; `benchmarks/draw_cost.py` prints
each screen's overdraw and draw/flip time).

A scissor rectangle is in window pixels and cannot follow a rotation or scale; the kiosk has neither (no
Scatter, no Window.rotation), and the widget's window position is read again each time it is drawn, so a
screen or popup that moves takes its clip along. Nested lists intersect their rectangles (Kivy's scissor stack).
"""

from __future__ import annotations

from typing import Any

from kivy.graphics import (
    BindTexture,
    Callback,
    Canvas,
    ScissorPop,
    ScissorPush,
    StencilPop,
    StencilPush,
    StencilUnUse,
    StencilUse,
)
from kivy.uix.widget import Widget


class _ScissorToWidget:
    """Moves a ScissorPush onto its widget's rectangle in window pixels, just before it applies."""

    __slots__ = ("push", "widget_ref")

    def __init__(self, widget: Widget, push: ScissorPush) -> None:
        self.widget_ref = widget.proxy_ref  # the canvas must not keep its widget alive
        self.push = push

    def __call__(self, _instruction: Any) -> None:
        widget = self.widget_ref
        x, y = widget.to_window(widget.x, widget.y)
        # Round outwards: a clip one pixel short shows as a hairline gap at the list's edge.
        rect = (int(x), int(y), int(widget.width + 0.999), int(widget.height + 0.999))
        if (self.push.x, self.push.y, self.push.width, self.push.height) != rect:
            # Only on a change: setting it flags the canvas, which asks for one more frame.
            self.push.x, self.push.y, self.push.width, self.push.height = rect


def _stencil_group(canvas: Canvas, first: type, last: type) -> list[Any] | None:
    """The instructions from a ``first`` (StencilPush/StencilUnUse) to its ``last`` (StencilUse/StencilPop)."""
    children = list(canvas.children)
    for start, instruction in enumerate(children):
        if isinstance(instruction, first):
            for end in range(start + 1, len(children)):
                if isinstance(children[end], last):
                    return children[start:end + 1]
            return None
    return None


def clip_with_scissor(widget: Widget) -> bool:
    """Replace the stencil clip Kivy's style put on ``widget`` (StencilView's rule: push, rectangle, use ...
    unuse, rectangle, pop) by a scissor rectangle; returns whether it found one to replace."""
    before, after = widget.canvas.before, widget.canvas.after
    if before is None or after is None:
        return False
    opening = _stencil_group(before, StencilPush, StencilUse)
    closing = _stencil_group(after, StencilUnUse, StencilPop)
    if opening is None or closing is None:
        return False
    at = before.indexof(opening[0])
    for instruction in opening:
        if not isinstance(instruction, BindTexture):  # a Rectangle takes its own BindTexture with it
            before.remove(instruction)
    push = ScissorPush(x=0, y=0, width=0, height=0)
    before.insert(at, Callback(_ScissorToWidget(widget, push), reset_context=False))
    before.insert(at + 1, push)
    at = after.indexof(closing[0])
    for instruction in closing:
        if not isinstance(instruction, BindTexture):
            after.remove(instruction)
    after.insert(at, ScissorPop())
    return True
