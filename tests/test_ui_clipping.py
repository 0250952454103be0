"""No label clips, in any mode a citizen can turn on (issue #13): ``kiosk screenshots DIR --mode …`` walks the
screens of the tour, and at each one every label on the glass is measured: its text may be neither wider nor
taller than the label, nor pushed out of the screen's area (under the top bar). The screenshots stay in the
test's folder for a person to look at.

Each mode runs the real ``kiosk screenshots`` command in its own process (Kivy has one window per process, and
the other UI tests hold this one). A whole tour takes about 1.5 to 2.5 minutes here, so:

- normal, elder (长辈模式: text at 1.5x, where clipping starts) and 长辈模式 in English (the longest words at
  the largest size: the top bar's toggles and titles, the ID screen's error, the rating levels, the
  e-certificate button clipped, ran together or broke a word in two there) walk the whole tour (65 screens);
- contrast and en walk the citizen's journeys only (home, catalog, guide, identify, face, materials, form,
  confirm, receipt, rating, countdown, notices, query, progress, pickup, ticket: about 26 screens) with
  ``--journeys-only``; `kiosk screenshots DIR --mode contrast|en` (without it) walks the rest by hand.

"Clips" also means a Latin word wider than its label (Kivy breaks it in two: "Appointmen" / "t"; screens/tour.py
``clipped_labels``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

FULL_TOUR = (("normal", "zh_CN"), ("elder", "zh_CN"), ("elder", "en"))
JOURNEYS_ONLY = (("contrast", "zh_CN"), ("en", "zh_CN"))
COMMAND = "import sys; from cli.main import main; sys.exit(main(sys.argv[1:]))"  # the `kiosk` command


@pytest.mark.parametrize(("mode", "language"), FULL_TOUR + JOURNEYS_ONLY)
def test_no_label_clips_on_any_screen(mode: str, language: str, tmp_path: Path) -> None:
    out = tmp_path / f"{mode}-{language}"
    quicker = [] if (mode, language) in FULL_TOUR else ["--journeys-only"]
    run = subprocess.run([sys.executable, "-c", COMMAND, "screenshots", str(out), "--mode", mode, "--language",
                          language, *quicker],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "KIVY_NO_ARGS": "1"})
    assert run.returncode == 0, f"kiosk screenshots --mode {mode} --language {language} failed:\n{run.stderr[-3000:]}"
    pngs = sorted(out.glob("*.png"))
    least = 24 if quicker else 60
    assert len(pngs) >= least, f"only {len(pngs)} screens were shot in mode {mode}"
    names = {png.stem.split("-", 1)[1] for png in pngs}
    assert {"home", "catalog", "guide", "form-phone", "result-receipt", "rating"} <= names
    report = json.loads((out / "clipping.json").read_text(encoding="utf-8"))
    assert report["mode"] == mode
    clipped = [f"{shot}: {entry['widget']} {entry['text']!r} needs {entry['text_size']} px, has {entry['size']}"
               for shot, entries in report["clipped"].items() for entry in entries]
    assert not clipped, f"{len(clipped)} labels clip in mode {mode} (screenshots in {out}):\n" + "\n".join(clipped[:40])
