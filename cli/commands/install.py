"""``kiosk install --systemd``: put the units, udev rules, tmpfiles and sysusers files in place on a kiosk box.

Idempotent: a file is only written when its content or mode differs, and the reload commands only run when
something they read changed, so a second run reports "nothing changed". Files a technician is expected to
edit on the box (the config, the local udev roles) are written only when missing, never overwritten.
``--prefix DIR`` installs into a staging root and runs no system commands (tests, image builds).
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import socket
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The repository's systemd/ folder; the box runs from a checkout at /opt/kiosk (see systemd/README.md).
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "systemd"
CONFIG_PATH = Path("etc/kiosk/kiosk.toml")


@dataclass(frozen=True)
class Target:
    source: str  # file name in systemd/, or "" for a generated file
    dest: Path  # relative to the prefix
    mode: int
    # False: the technician owns it after the first install; never overwrite.
    replace: bool = True
    # What must be reloaded when it changes: "units", "udev", "tmpfiles", "sysusers".
    reload: str = ""


TARGETS = (
    Target("kiosk.sysusers", Path("etc/sysusers.d/kiosk.conf"), 0o644, reload="sysusers"),
    Target("kiosk.tmpfiles", Path("etc/tmpfiles.d/kiosk.conf"), 0o644, reload="tmpfiles"),
    Target("kiosk.service", Path("etc/systemd/system/kiosk.service"), 0o644, reload="units"),
    Target("kiosk-display.service", Path("etc/systemd/system/kiosk-display.service"), 0o644, reload="units"),
    Target("99-kiosk.rules", Path("etc/udev/rules.d/99-kiosk.rules"), 0o644, reload="udev"),
    Target("98-kiosk-local.rules", Path("etc/udev/rules.d/98-kiosk-local.rules"), 0o644, replace=False,
           reload="udev"),
    # Root writes it, group kiosk reads it (tmpfiles' `z` line sets root:kiosk once the user exists).
    Target("", CONFIG_PATH, 0o640, replace=False),
)


@dataclass
class Report:
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"changed    {item}" for item in self.changed]
        out += [f"unchanged  {item}" for item in self.unchanged]
        out += [f"ran        {item}" for item in self.ran]
        out += [f"FAILED     {item}" for item in self.failed]
        out += [f"note       {item}" for item in self.notes]
        if not self.changed:
            out.append("nothing changed")
        return out


def example_config(hostname: str | None = None) -> str:
    """A valid /etc/kiosk/kiosk.toml for a new box: real device names, the demo platform until set.

    It is checked against the config model (kiosk.config) before it is written, so a field renamed there
    fails here, at install time, instead of at the kiosk's first boot.
    """
    name = re.sub(r"[^A-Za-z0-9_-]", "-", hostname or socket.gethostname())[:33].strip("-") or "BOX"
    secret = os.urandom(24).hex()
    text = f"""\
# /etc/kiosk/kiosk.toml, written by `kiosk install --systemd` because none existed; it is never overwritten.
# Every setting and its allowed values: kiosk/config.py. After editing: systemctl restart kiosk

[kiosk]
device_id = "KIOSK-{name}"          # unique per box; the platform knows the box by it
centre_name = "示范区政务服务中心"   # TODO: the service centre or station shown on screen and receipts
language = "zh_CN"
idle_timeout_s = 90
idle_warning_s = 20
state_dir = "/var/lib/kiosk"
window_size = [1080, 1920]          # portrait touchscreen
fullscreen = true
large_text = false

[platform]
# TODO: the provincial platform's https:// base URL. "embedded" runs the demo sandbox on the box itself.
url = "embedded"
# Random for this box; register it with the platform together with device_id.
device_secret = "{secret}"
connect_timeout_s = 3.0
read_timeout_s = 10.0

[devices]
# Device URLs; /dev/kiosk-* names come from /etc/udev/rules.d/98-kiosk-local.rules (see systemd/README.md).
# The kernel's usblp node (99-kiosk.rules gives group kiosk access); "usb://0x0416:0x5011" goes through
# libusb instead, "serial:///dev/ttyS0?baudrate=9600" or "tcp://192.0.2.10:9100" for other printers.
printer = "file:///dev/usb/lp0"
printer_profile = "80mm"
camera = "none"                     # or "v4l2:///dev/kiosk-camera?width=1920&height=1080"
idreader = "serial:///dev/kiosk-idreader?baudrate=115200"
scanner = "keyboard"                # or "evdev:///dev/input/kiosk-scanner" / "serial:///dev/kiosk-scanner"
required = ["printer"]

[maintenance]
# TODO: run `kiosk hash-pin` and paste its pin_hash line here.
"""
    from kiosk.config import parse_config

    parse_config(tomllib.loads(text), "<example config>")
    return text


def _content(target: Target, source_dir: Path) -> bytes:
    if not target.source:
        from kiosk.config import ConfigError

        try:
            return example_config().encode("utf-8")
        except ConfigError as error:
            raise SystemExit(
                f"kiosk install: the example config no longer matches kiosk/config.py ({error}); "
                "this is a bug in cli/commands/install.py, please report it"
            ) from None
    path = source_dir / target.source
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SystemExit(
            f"kiosk install: {path} not found; run from the source checkout (/opt/kiosk) or pass --source DIR"
        ) from None


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kiosk-install")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def install_files(prefix: Path, source_dir: Path, dry_run: bool, report: Report) -> set[str]:
    """Install every target; return the reload kinds whose files changed."""
    to_reload: set[str] = set()
    for target in TARGETS:
        dest = prefix / target.dest
        shown = "/" + str(target.dest)
        exists = dest.exists()
        if exists and not target.replace:
            report.unchanged.append(f"{shown} (exists; the box's own copy is never overwritten)")
            continue
        data = _content(target, source_dir)
        same = exists and dest.read_bytes() == data
        if same and (dest.stat().st_mode & 0o7777) == target.mode:
            report.unchanged.append(shown)
            continue
        if not dry_run:
            if target.dest == CONFIG_PATH:
                # /etc/kiosk must not be world-readable even for the moment before tmpfiles fixes it.
                dest.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
            _write_atomic(dest, data, target.mode)
        verb = "mode fixed" if same else ("updated" if exists else "created")
        report.changed.append(f"{shown} ({verb}{', dry run' if dry_run else ''})")
        if target.reload:
            to_reload.add(target.reload)
    return to_reload


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


Runner = Callable[[list[str]], subprocess.CompletedProcess[str]]


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def apply_to_system(to_reload: set[str], report: Report, run: Runner = _run) -> None:
    """Create the user and folders, reload what changed, enable the service. Only for --prefix /."""

    def step(argv: list[str]) -> bool:
        if shutil.which(argv[0]) is None:
            report.failed.append(f"{' '.join(argv)}: {argv[0]} is not installed")
            return False
        result = run(argv)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            report.failed.append(f"{' '.join(argv)}: exit {result.returncode}: {detail[-1] if detail else ''}")
            return False
        report.ran.append(" ".join(argv))
        return True

    # sysusers and tmpfiles are idempotent by design; running them every time also repairs drift
    # (a deleted /var/lib/kiosk, a config made world-readable by hand). They report no change here.
    had_user = _user_exists("kiosk")
    if step(["systemd-sysusers", "/etc/sysusers.d/kiosk.conf"]) and not had_user and _user_exists("kiosk"):
        report.changed.append("user and group kiosk created")
    step(["systemd-tmpfiles", "--create", "/etc/tmpfiles.d/kiosk.conf"])
    if "units" in to_reload:
        step(["systemctl", "daemon-reload"])
    enabled = shutil.which("systemctl") and run(["systemctl", "is-enabled", "--quiet", "kiosk.service"]).returncode == 0
    if not enabled and step(["systemctl", "enable", "kiosk.service"]):
        report.changed.append("kiosk.service enabled (starts at boot)")
    if "udev" in to_reload and step(["udevadm", "control", "--reload"]):
        # Apply the new rules to devices already plugged in, not only to the next hot-plug.
        step(["udevadm", "trigger", "--action=change", "--subsystem-match=usb", "--subsystem-match=usbmisc",
              "--subsystem-match=tty", "--subsystem-match=input", "--subsystem-match=video4linux"])


def _install_command(args: argparse.Namespace) -> int:
    if not args.systemd:
        print("kiosk install: say what to install; only --systemd exists so far")
        return 2
    prefix = Path(args.prefix)
    live = prefix.resolve() == Path("/")
    if live and not args.dry_run and os.geteuid() != 0:
        print("kiosk install: installing into / needs root; run it with sudo (or use --prefix DIR to stage)")
        return 1
    report = Report()
    to_reload = install_files(prefix, Path(args.source), args.dry_run, report)
    if live and not args.dry_run:
        apply_to_system(to_reload, report)
    else:
        why = "dry run" if args.dry_run else f"--prefix {prefix}"
        report.notes.append(f"no user created, nothing reloaded or enabled ({why})")
    for line in report.lines():
        print(line)
    return 1 if report.failed else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "install",
        help="install the systemd units, udev rules, user and folders on a kiosk box",
        description="Install the kiosk's systemd units, udev rules, tmpfiles.d and sysusers.d files, create "
        "the kiosk user and folders, and write an example /etc/kiosk/kiosk.toml if there is none. "
        "Running it again changes nothing unless the shipped files changed.",
    )
    parser.add_argument("--systemd", action="store_true", help="install for systemd (the only target)")
    parser.add_argument("--prefix", default="/", help="install below this root instead of / (no system commands)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
    parser.add_argument("--source", default=str(DEFAULT_SOURCE), help="folder with the shipped unit files")
    parser.set_defaults(handler=_install_command)
