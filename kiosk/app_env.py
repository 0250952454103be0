"""Environment Kivy reads at import time; set before the first ``import kivy`` (no Kivy import here). And the
process's memory housekeeping between citizens (``release_freed_memory``)."""

from __future__ import annotations

import os
import shutil
import sys
import types
from pathlib import Path
from typing import Any

DESIGN_SIZE = (1080, 1920)  # the portrait screen the layout is designed for


def prepare_kivy_environment(state_dir: Path, window_size: tuple[int, int]) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our CLI owns the command line
    os.environ.setdefault("KIVY_NO_FILELOG", "1")  # logs go to stderr / the journal, never to ~/.kivy
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs through Python logging: our redaction applies
    kivy_home = state_dir / "kivy"
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(kivy_home))
    # A smaller window shows the same layout scaled down: dp/sp scale with the density.
    scale = min(window_size[0] / DESIGN_SIZE[0], window_size[1] / DESIGN_SIZE[1])
    os.environ["KIVY_METRICS_DENSITY"] = f"{scale:.4f}"
    quiet_clipboard_probe()


class NoCutBuffer:
    """The X "cut buffer" (select to copy, middle-click to paste) of a kiosk: there is none. A touchscreen has no
    middle button, and a citizen's typed ID number must not linger in an X selection for the next person."""

    def get_cutbuffer(self) -> str:
        return ""

    def set_cutbuffer(self, data: str) -> None:
        return None


def quiet_clipboard_probe() -> None:
    """Stop Kivy's clipboard probing from printing ~20 lines of xclip/xsel tracebacks and a CRITICAL
    "Cutbuffer" line at every start (issue #14).

    Why it happens: on Linux every TextInput imports kivy.core.clipboard, which tries the xclip and xsel
    programs for the clipboard and again for the cut buffer; a kiosk image (and a fresh Debian) has neither,
    so each attempt logs a FileNotFoundError traceback and finally "Unable to find any valuable Cutbuffer
    provider" at CRITICAL. The clipboard itself is SDL2's (always there with the SDL2 window: KIVY_CLIPBOARD);
    the cut buffer, which Kivy looks up only under the xclip/xsel module names, is answered with NoCutBuffer
    when neither program is installed. With xclip or xsel installed Kivy uses the real one as before."""
    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2,dummy")
    if shutil.which("xclip") or shutil.which("xsel"):
        return
    name = "kivy.core.clipboard.clipboard_xclip"
    if name not in sys.modules:
        module = types.ModuleType(name, NoCutBuffer.__doc__)
        module.ClipboardXclip = NoCutBuffer  # type: ignore[attr-defined]  # the class name Kivy looks up
        sys.modules[name] = module


def prepare_window(window_size: tuple[int, int], fullscreen: bool) -> None:
    """Kivy reads KCFG_<SECTION>_<KEY> overrides when its config loads: no Kivy import needed here."""
    os.environ["KCFG_GRAPHICS_WIDTH"] = str(window_size[0])
    os.environ["KCFG_GRAPHICS_HEIGHT"] = str(window_size[1])
    os.environ["KCFG_GRAPHICS_FULLSCREEN"] = "auto" if fullscreen else "0"
    os.environ["KCFG_GRAPHICS_RESIZABLE"] = "0"
    os.environ["KCFG_KIVY_EXIT_ON_ESCAPE"] = "0"  # Escape never closes a kiosk
    os.environ["KCFG_INPUT_MOUSE"] = "mouse,multitouch_on_demand"  # no red dots from right clicks
    os.environ["KCFG_KIVY_KEYBOARD_MODE"] = "system"  # no Kivy virtual keyboard popping up
    # No multisample anti-aliasing (Kivy's default is 2x): it only smooths the edges of the drawn shapes (text
    # comes anti-aliased in its textures) and it costs every frame: with software OpenGL (llvmpipe) a frame's
    # wall time fell from ~140 to ~85 ms median (issue #16), and a kiosk's low-power GPU pays for it too. A box
    # that wants it back sets KCFG_GRAPHICS_MULTISAMPLES=2 in the unit's environment.
    os.environ.setdefault("KCFG_GRAPHICS_MULTISAMPLES", "0")


def release_freed_memory() -> None:
    """Give the memory freed during a citizen's session back to the system (glibc's ``malloc_trim(0)``).

    Why (issue #16): glibc keeps freed blocks in its arenas for reuse, and with the kiosk's many threads
    (platform calls, devices, printing, the decoder) the freed pages of one session are scattered across
    arenas that the next session does not reuse exactly, so the RSS crept up by ~0.1-0.4 MB a citizen while
    neither Python (tracemalloc) nor glibc's in-use count grew. Called at each session's end on a worker thread
    (it walks every arena: tens of ms, off the UI thread; ctypes lets the UI thread run meanwhile). A no-op
    where the C library is not glibc."""
    global _libc
    if _libc is None:
        import ctypes  # here: app_env is imported before the first frame

        try:
            _libc = ctypes.CDLL("libc.so.6")
            _libc.malloc_trim.argtypes = (ctypes.c_size_t,)
        except (OSError, AttributeError):  # musl, macOS: nothing to do
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


_libc: Any = None  # ctypes.CDLL of glibc once looked up; False where there is none


# Full collections only when a session ends (collect_session_garbage), never in the middle of a citizen's tap.
_FULL_COLLECTIONS_ONLY_AT_SESSION_END = 1_000_000


def freeze_long_lived_objects() -> int:
    """Move every object alive now out of the garbage collector's reach (``gc.freeze()``) and leave full
    collections to the session's end; returns how many objects were frozen.

    Why (issue #16/#17): the kiosk holds ~900,000 objects that live as long as it does (the screens and their
    widgets, the catalog, the pinyin lexicon, Kivy itself). Python's full (generation 2) collection walks all of
    them, holding the GIL for ~190 ms on this 2-core machine, every few minutes of use; whichever frame it
    lands in freezes the screen (`benchmarks/capture_ui_bench.py --profile` found it behind a 230 ms frame as
    a page arrived). Frozen objects are never scanned, and the automatic full collection is put off (threshold)
    to ``collect_session_garbage`` at each session's end. Call once, when the last screen is built. Garbage of
    the start-up itself stays (a one-off, bounded)."""
    import gc

    gc.freeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, _FULL_COLLECTIONS_ONLY_AT_SESSION_END)
    return gc.get_freeze_count()


def collect_session_garbage() -> float:
    """A full collection at a session's end, of what is not frozen (the cycles one citizen's screens and
    journeys left), while the home screen comes back; returns its milliseconds.

    Not frozen again afterwards: a widget alive at one session's end and dropped in a later session would then
    be cyclic garbage the collector never visits (tried: +0.5 MB a citizen in the soak)."""
    import gc
    import time

    started = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - started) * 1000
