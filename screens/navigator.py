"""One way to move between screens: a stack. ``go`` pushes (or returns to a screen already on the stack),
``back`` pops, ``home`` clears. A screen that asks something (identify) is opened with ``ask`` and hands its
typed answer to the caller with ``answer`` — the continuation lives on the stack entry, not on the App."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kivy.uix.screenmanager import ScreenManager

HOME = "home"


@dataclass(slots=True)
class _Entry:
    name: str
    then: Callable[[Any], None] | None = None  # set on a screen opened with ``ask``


class Navigator:
    def __init__(self, manager: ScreenManager, ensure: Callable[[str], Any]) -> None:
        self.manager = manager
        self._ensure = ensure  # builds a screen on demand if a citizen is faster than the background build
        self._stack: list[_Entry] = [_Entry(HOME)]

    @property
    def current(self) -> str:
        return self._stack[-1].name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self._stack)

    def go(self, name: str) -> None:
        """Show ``name``: back to it when it is already on the stack (the journey's earlier step), else on top."""
        if name == HOME:
            self.home()
            return
        for index, entry in enumerate(self._stack):
            if entry.name == name:
                del self._stack[index + 1:]
                break
        else:
            self._stack.append(_Entry(name))
        self._show()

    def back(self) -> None:
        """The previous step of this journey (上一步); from the first step, home. A screen with steps of its own
        (the form's fields) steps back inside itself first: its ``back_within()`` is True when it did."""
        within = getattr(self.manager.current_screen, "back_within", None)
        if self.manager.current == self.current and within is not None and within():
            return
        if len(self._stack) > 1:
            self._stack.pop()
        self._show()

    def home(self) -> None:
        self._stack = [_Entry(HOME)]
        self._show()

    def ask(self, name: str, then: Callable[[Any], None]) -> None:
        """Open a screen that answers a question; ``then(answer)`` runs when it does."""
        self.go(name)
        self._stack[-1].then = then

    def answer(self, result: Any) -> bool:
        """The asking screen on top has its answer: pop it and continue its caller. False when nobody asked."""
        entry = self._stack[-1]
        if entry.then is None:
            return False
        self._stack.pop()
        entry.then(result)
        if self._stack and self.manager.current != self.current and self.manager.current == entry.name:
            self._show()  # the caller did not move on: show where the journey was
        return True

    def _show(self) -> None:
        name = self.current
        self._ensure(name)
        self.manager.current = name
