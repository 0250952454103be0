"""Export the kiosk's log, redacted, to a folder or a USB stick for a technician to take away.

The source is the journal (``journalctl -u kiosk --since … -o short-iso``) or a given log file. Every line
goes through ``kiosk.logging_setup.redact`` before it is written: the log should hold no personal data in the
first place, but an export leaves the machine, so the safety net is applied again on the way out.

The file is written under a temporary name, flushed to the device and only then renamed: a stick pulled out
half-way leaves a ``.part`` file, never a log that looks complete but is not.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.logging_setup import redact

DEFAULT_SINCE = "24 hours ago"
DEFAULT_UNIT = "kiosk"
JOURNAL_TIMEOUT_S = 120.0  # a slow SD card and a big journal take a while; a hung journald must not block us


class LogExportError(Exception):
    """The export cannot be done; the message names the source or target and the fix."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    lines: int
    redacted_lines: int  # lines where the safety net masked something: worth a bug report


def check_target(target: Path) -> None:
    """Refuse a target we cannot write to, saying why and what to do."""
    if not target.exists():
        raise LogExportError(f"log export target {target}: no such folder; plug in and mount the USB stick "
                             "(e.g. /media/usb) or create the folder first")
    if not target.is_dir():
        raise LogExportError(f"log export target {target}: not a folder; give the folder to write the log into")
    # os.access says yes to root even on a stick mounted read-only; creating a file is the real test.
    try:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".kiosk-write-test-"):
            pass
    except OSError as exc:
        raise LogExportError(
            f"log export target {target}: not writable ({exc.strerror}); check that the stick is not "
            "write-protected or mounted read-only, and that this user may write there (or use sudo)"
        ) from None


def file_lines(path: Path) -> Iterator[str]:
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise LogExportError(f"log file {path}: not found; give the path of an existing log file") from None
    except OSError as exc:
        raise LogExportError(f"log file {path}: cannot read ({exc.strerror}); check its permissions") from None
    with handle:
        yield from handle


def journal_lines(unit: str = DEFAULT_UNIT, since: str = DEFAULT_SINCE,
                  journalctl: str = "journalctl", timeout: float = JOURNAL_TIMEOUT_S) -> Iterator[str]:
    exe = shutil.which(journalctl)
    if exe is None:
        raise LogExportError(f"{journalctl} not found: this machine has no systemd journal; export a log file "
                             "with --file PATH instead")
    command = [exe, "-u", unit, "--since", since, "-o", "short-iso", "--no-pager", "-q"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LogExportError(f"{' '.join(command)}: no end after {timeout:.0f} s; try a shorter --since") from None
    if done.returncode != 0:
        detail = redact(done.stderr.decode("utf-8", "replace").strip())[:300]
        raise LogExportError(f"{' '.join(command)} failed ({detail or f'exit {done.returncode}'}); "
                             "is this user in the systemd-journal or adm group (or use sudo)?")
    yield from done.stdout.decode("utf-8", "replace").splitlines(keepends=True)


def export_name(now: dt.datetime, host: str | None = None) -> str:
    # The host name tells apart logs of several kiosks collected on one stick.
    return f"kiosk-log-{host or socket.gethostname()}-{now:%Y%m%d-%H%M%S}.log"


def export_logs(
    target: Path,
    *,
    source: Path | None = None,
    unit: str = DEFAULT_UNIT,
    since: str = DEFAULT_SINCE,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
    journalctl: str = "journalctl",
) -> ExportResult:
    """Write the redacted log (from ``source``, else from the journal) into ``target``; return the file."""
    target = Path(target)
    check_target(target)
    lines = file_lines(Path(source)) if source is not None else journal_lines(unit, since, journalctl)
    final = target / export_name(now())
    part = final.with_name(final.name + ".part")
    count = changed = 0
    try:
        with part.open("w", encoding="utf-8") as out:
            for line in lines:
                clean = redact(line)
                count += 1
                changed += clean != line
                out.write(clean if clean.endswith("\n") else clean + "\n")
            out.flush()
            os.fsync(out.fileno())  # a USB stick is pulled the moment the technician sees "done"
        os.replace(part, final)
    except LogExportError:
        part.unlink(missing_ok=True)
        raise
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise LogExportError(f"log export to {final}: writing failed ({exc.strerror}); is the stick full or "
                             "was it removed?") from None
    return ExportResult(final, count, changed)
