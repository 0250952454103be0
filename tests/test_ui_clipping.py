"""No label clips, in any mode a citizen can turn on (issue #13): ``kiosk screenshots DIR --mode …`` walks every
screen of the tour, and at each one every label on the glass is measured: its text may be neither wider nor
taller than the label. The screenshots stay in the test's folder for a person to look at.

Each mode runs the real ``kiosk screenshots`` command in its own process (Kivy has one window per process,
and the other UI tests hold this one). Slow: about three minutes a mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MODES = ("normal", "elder", "contrast", "en")


@pytest.mark.parametrize("mode", MODES)
def test_no_label_clips_on_any_screen(mode: str, tmp_path: Path) -> None:
    out = tmp_path / mode
    command = "import sys; from cli.main import main; sys.exit(main(sys.argv[1:]))"  # the `kiosk` command
    run = subprocess.run([sys.executable, "-c", command, "screenshots", str(out), "--mode", mode],
                         capture_output=True, text=True, timeout=900, env={**os.environ, "KIVY_NO_ARGS": "1"})
    assert run.returncode == 0, f"kiosk screenshots --mode {mode} failed:\n{run.stderr[-3000:]}"
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) >= 40, f"only {len(pngs)} screens were shot in mode {mode}"
    report = json.loads((out / "clipping.json").read_text(encoding="utf-8"))
    assert report["mode"] == mode
    clipped = [f"{shot}: {entry['widget']} {entry['text']!r} needs {entry['text_size']} px, has {entry['size']}"
               for shot, entries in report["clipped"].items() for entry in entries]
    assert not clipped, f"{len(clipped)} labels clip in mode {mode} (screenshots in {out}):\n" + "\n".join(clipped[:40])
