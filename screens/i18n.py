"""An observable ``_()`` for kv rules: ``text: tr._("home.start")`` re-evaluates when the language changes.

This is the fixed form of Kivy's classic translation example (as in KivyMD's MVC pattern): kv binds to the
pseudo-property ``_`` and ``switch()`` calls every bound callback so each label re-renders.
"""

from __future__ import annotations

from kivy.event import Observable

from kiosk import i18n


class Translator(Observable):
    """Each binding has a uid, and ``unbind_uid`` drops it: Kivy unbinds a kv rule's bindings by uid when its
    widget dies (Builder.unbind_widget). Without it every label ever made with ``tr._`` (a catalog row, a
    material, a key of the keyboard) stayed in this list for the life of the process: lasting growth per citizen
    (issue #16)."""

    def __init__(self) -> None:
        super().__init__()
        self._observers: dict[int, tuple] = {}
        self._last_uid = 0

    def _(self, key: str, **values: object) -> str:
        return i18n.translate(key, **values)

    def join(self, kind: str, parts: list[str] | tuple[str, ...]) -> str:
        return i18n.join(kind, parts)

    def fbind(self, name, func, *largs, **kwargs):  # type: ignore[override]
        if name != "_":
            return super().fbind(name, func, *largs, **kwargs)
        self._last_uid += 1
        self._observers[self._last_uid] = (func, largs, kwargs)
        return self._last_uid

    def funbind(self, name, func, *largs, **kwargs):  # type: ignore[override]
        if name != "_":
            return super().funbind(name, func, *largs, **kwargs)
        for uid, (bound, bound_largs, _kwargs) in list(self._observers.items()):
            # identity, not ==: the arguments may hold proxies of widgets that are gone
            if bound is func and len(bound_largs) == len(largs) and all(a is b for a, b in zip(bound_largs, largs, strict=True)):
                del self._observers[uid]
                break
        return None

    def unbind_uid(self, name, uid):  # type: ignore[override]
        if name != "_":
            return super().unbind_uid(name, uid)
        self._observers.pop(uid, None)
        return None

    @property
    def bindings(self) -> int:
        """How many ``tr._`` bindings are alive (tests and the soak benchmark watch it stay flat)."""
        return len(self._observers)

    def switch(self, language: str) -> None:
        i18n.set_language(language)
        for uid, (func, largs, _kwargs) in list(self._observers.items()):
            try:
                func(*largs, None, None)  # as EventDispatcher calls it: kv's call_fn(args, instance, value)
            except ReferenceError:  # the widget that bound it is gone
                self._observers.pop(uid, None)


tr = Translator()
