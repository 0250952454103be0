"""Handwriting recognition for the keyboard's writing pad: strokes in, Chinese characters out, best first.

Zinnia (an online recogniser: it reads the strokes as they were drawn, not a picture) with the Tegaki
Simplified Chinese model, both Debian packages (``libzinnia0``, ``tegaki-zinnia-simplified-chinese``), used
through ctypes: no Python binding to build, nothing downloaded. The model is ~5 MB and classifies a character
in a few milliseconds on this CPU. Without the packages ``available()`` is False and the keyboard shows no pad.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Sequence
from pathlib import Path

MODEL_FILE = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
PAD_SIZE = 300  # strokes are scaled into a square of this size, as the model was trained
Stroke = Sequence[tuple[float, float]]  # points of one stroke, pen down to pen up, y growing downwards


class HandwritingUnavailable(RuntimeError):
    pass


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("zinnia") or "libzinnia.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        raise HandwritingUnavailable("handwriting: libzinnia is not installed; install the Debian packages "
                                     "libzinnia0 and tegaki-zinnia-simplified-chinese") from None
    lib.zinnia_recognizer_new.restype = ctypes.c_void_p
    lib.zinnia_recognizer_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.zinnia_recognizer_strerror.argtypes = [ctypes.c_void_p]
    lib.zinnia_recognizer_strerror.restype = ctypes.c_char_p
    lib.zinnia_recognizer_destroy.argtypes = [ctypes.c_void_p]
    lib.zinnia_character_new.restype = ctypes.c_void_p
    lib.zinnia_character_destroy.argtypes = [ctypes.c_void_p]
    lib.zinnia_character_set_width.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    lib.zinnia_character_set_height.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    lib.zinnia_character_add.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]
    lib.zinnia_recognizer_classify.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.zinnia_recognizer_classify.restype = ctypes.c_void_p
    lib.zinnia_result_value.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    lib.zinnia_result_value.restype = ctypes.c_char_p
    lib.zinnia_result_score.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    lib.zinnia_result_score.restype = ctypes.c_float
    lib.zinnia_result_size.argtypes = [ctypes.c_void_p]
    lib.zinnia_result_size.restype = ctypes.c_size_t
    lib.zinnia_result_destroy.argtypes = [ctypes.c_void_p]
    return lib


class HandwritingRecognizer:
    """One recogniser (the model loaded once); ``recognize`` may be called from any one thread at a time."""

    def __init__(self, model: Path = MODEL_FILE) -> None:
        if not model.is_file():
            raise HandwritingUnavailable(f"handwriting model {model}: not found; install the Debian package "
                                         "tegaki-zinnia-simplified-chinese")
        self._lib = _library()
        self._recognizer = self._lib.zinnia_recognizer_new()
        if not self._lib.zinnia_recognizer_open(self._recognizer, str(model).encode()):
            error = self._lib.zinnia_recognizer_strerror(self._recognizer).decode(errors="replace")
            raise HandwritingUnavailable(f"handwriting model {model}: cannot be opened ({error}); reinstall "
                                         "tegaki-zinnia-simplified-chinese")
        self._lock = threading.Lock()

    def recognize(self, strokes: Sequence[Stroke], width: float, height: float, count: int = 16) -> list[str]:
        """Characters for the strokes drawn on a pad of ``width`` x ``height`` (y down), best first."""
        strokes = [stroke for stroke in strokes if len(stroke) > 0]
        if not strokes:
            return []
        scale = PAD_SIZE / max(width, height, 1.0)
        lib = self._lib
        with self._lock:
            character = lib.zinnia_character_new()
            try:
                lib.zinnia_character_set_width(character, PAD_SIZE)
                lib.zinnia_character_set_height(character, PAD_SIZE)
                for number, stroke in enumerate(strokes):
                    for x, y in stroke:
                        lib.zinnia_character_add(character, number, int(x * scale), int(y * scale))
                result = lib.zinnia_recognizer_classify(self._recognizer, character, count)
                if not result:
                    return []
                try:
                    return [lib.zinnia_result_value(result, i).decode("utf-8", "replace")
                            for i in range(lib.zinnia_result_size(result))]
                finally:
                    lib.zinnia_result_destroy(result)
            finally:
                lib.zinnia_character_destroy(character)

    def close(self) -> None:
        if self._recognizer:
            self._lib.zinnia_recognizer_destroy(self._recognizer)
            self._recognizer = None


_shared: HandwritingRecognizer | None = None
_unavailable: str | None = None
_lock = threading.Lock()


def shared_recognizer() -> HandwritingRecognizer | None:
    """The process's recogniser, or None when the packages are missing (the reason in ``unavailable_reason``)."""
    global _shared, _unavailable
    with _lock:
        if _shared is None and _unavailable is None:
            try:
                _shared = HandwritingRecognizer()
            except HandwritingUnavailable as error:
                _unavailable = str(error)
    return _shared


def unavailable_reason() -> str | None:
    return _unavailable


def available() -> bool:
    """Cheap check (no model load) whether a writing pad can be offered."""
    return MODEL_FILE.is_file() and (ctypes.util.find_library("zinnia") is not None
                                     or Path("/usr/lib/x86_64-linux-gnu/libzinnia.so.0").exists())
