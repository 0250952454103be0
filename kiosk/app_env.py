"""Environment Kivy reads at import time; set before the first ``import kivy`` (no Kivy import here)."""

from __future__ import annotations

import os
from pathlib import Path

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


def prepare_window(window_size: tuple[int, int], fullscreen: bool) -> None:
    """Kivy reads KCFG_<SECTION>_<KEY> overrides when its config loads: no Kivy import needed here."""
    os.environ["KCFG_GRAPHICS_WIDTH"] = str(window_size[0])
    os.environ["KCFG_GRAPHICS_HEIGHT"] = str(window_size[1])
    os.environ["KCFG_GRAPHICS_FULLSCREEN"] = "auto" if fullscreen else "0"
    os.environ["KCFG_GRAPHICS_RESIZABLE"] = "0"
    os.environ["KCFG_KIVY_EXIT_ON_ESCAPE"] = "0"  # Escape never closes a kiosk
    os.environ["KCFG_INPUT_MOUSE"] = "mouse,multitouch_on_demand"  # no red dots from right clicks
    os.environ["KCFG_KIVY_KEYBOARD_MODE"] = "system"  # no Kivy virtual keyboard popping up
