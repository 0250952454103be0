"""An observable ``_()`` for kv rules: ``text: tr._("home.start")`` re-evaluates when the language changes.

This is the fixed form of Kivy's classic translation example (as in KivyMD's MVC pattern): kv binds to the
pseudo-property ``_`` and ``switch()`` calls every bound callback so each label re-renders.
"""

from __future__ import annotations

import contextlib

from kivy.event import Observable

from kiosk import i18n


class Translator(Observable):
    def __init__(self) -> None:
        super().__init__()
        self._observers: list[tuple] = []

    def _(self, key: str, **values: object) -> str:
        return i18n.translate(key, **values)

    def fbind(self, name, func, *largs, **kwargs):  # type: ignore[override]
        if name != "_":
            return super().fbind(name, func, *largs, **kwargs)
        self._observers.append((func, largs, kwargs))
        return len(self._observers)

    def funbind(self, name, func, *largs, **kwargs):  # type: ignore[override]
        if name != "_":
            return super().funbind(name, func, *largs, **kwargs)
        self._observers = [o for o in self._observers if o[0] is not func]
        return None

    def switch(self, language: str) -> None:
        i18n.set_language(language)
        for func, largs, _kwargs in list(self._observers):
            with contextlib.suppress(ReferenceError):  # the widget that bound it is gone
                func(largs, None, None)


tr = Translator()
