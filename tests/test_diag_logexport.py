"""Log export: every line redacted on the way out, a clear refusal for a target that cannot be written."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.logexport import LogExportError, export_logs

ROOT = Path(__file__).resolve().parents[1]
ID_NUMBER, PHONE = "410105195003152015", "13912345678"
LOG = f"""\
2026-11-21T08:00:01+0800 kiosk INFO kiosk ready
2026-11-21T08:03:12+0800 kiosk WARNING flow: bug printed the applicant {ID_NUMBER} in a message
2026-11-21T08:03:13+0800 kiosk WARNING flow: and the phone {PHONE}, then 21001{PHONE}9 in a longer number
2026-11-21T08:04:00+0800 kiosk INFO printer status: ok
"""


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.log"
    path.write_text(LOG, encoding="utf-8")
    return path


def test_export_masks_id_numbers_and_phones(tmp_path: Path, source: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    result = export_logs(stick, source=source, now=lambda: dt.datetime(2026, 11, 21, 9, 30, 5))
    text = result.path.read_text(encoding="utf-8")
    assert ID_NUMBER not in text and PHONE not in text.replace(f"21001{PHONE}9", "")
    assert "4101**********2015" in text and "139****5678" in text
    assert "kiosk ready" in text and "printer status: ok" in text
    assert result.lines == 4 and result.redacted_lines == 2
    assert result.path.parent == stick and result.path.name.endswith("-20261121-093005.log")
    assert [p.name for p in stick.iterdir()] == [result.path.name]  # no .part or test file left behind


@pytest.mark.parametrize("make", ["missing", "file"])
def test_a_target_that_is_not_a_folder_is_refused_by_name(tmp_path: Path, source: Path, make: str) -> None:
    target = tmp_path / "usb"
    if make == "file":
        target.write_text("", encoding="utf-8")
    with pytest.raises(LogExportError) as error:
        export_logs(target, source=source)
    assert str(target) in str(error.value)
    assert ("no such folder" if make == "missing" else "not a folder") in str(error.value)


def test_a_read_only_target_is_refused(tmp_path: Path, source: Path) -> None:
    # /proc/sys is read-only for everyone, root included, like a write-protected stick.
    with pytest.raises(LogExportError, match=r"/proc/sys: not writable .*write-protected"):
        export_logs(Path("/proc/sys"), source=source)


def test_a_missing_source_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LogExportError, match="nothere.log: not found"):
        export_logs(tmp_path, source=tmp_path / "nothere.log")
    assert list(tmp_path.iterdir()) == []


def test_export_logs_command(tmp_path: Path, source: Path) -> None:
    run = [sys.executable, "-m", "cli.main", "export-logs"]
    done = subprocess.run([*run, str(tmp_path), "--file", str(source)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0 and "exported 4 line(s)" in done.stdout and "2 line(s) had personal" in done.stdout
    exported = next(tmp_path.glob("kiosk-log-*.log")).read_text(encoding="utf-8")
    assert ID_NUMBER not in exported
    done = subprocess.run([*run, str(tmp_path / "no-stick"), "--file", str(source)], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1 and "no such folder" in done.stderr
