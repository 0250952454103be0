"""The shipped systemd units, tmpfiles.d, sysusers.d and udev rules, checked by systemd's own tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEMD_DIR = Path(__file__).resolve().parents[1] / "systemd"
UNITS = ("kiosk.service", "kiosk-display.service")
# Binaries the units name that exist on a kiosk box but not on a build machine.
BOX_ONLY_BINARIES = ("/opt/kiosk/.venv/bin/kiosk", "/usr/lib/xorg/Xorg")


def _settings(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (SYSTEMD_DIR / unit).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_kiosk_service_recovers_by_itself_and_runs_unprivileged() -> None:
    s = _settings("kiosk.service")
    for key, value in {
        "Type": "notify", "NotifyAccess": "main", "WatchdogSec": "30", "Restart": "always", "RestartSec": "2",
        "StartLimitAction": "reboot", "User": "kiosk", "Group": "kiosk", "StateDirectory": "kiosk",
        "LogsDirectory": "kiosk", "CacheDirectory": "kiosk", "ProtectSystem": "strict", "ProtectHome": "yes",
        "PrivateTmp": "yes", "NoNewPrivileges": "yes",
        "ExecStart": "/opt/kiosk/.venv/bin/kiosk run --config /etc/kiosk/kiosk.toml",
    }.items():
        assert s.get(key) == [value], key
    assert {"dialout", "lp", "video", "input"} <= set(s["SupplementaryGroups"][0].split())
    # Settings that would hide /dev/ttyUSB*, /dev/video*, /dev/usb/lp* from the kiosk.
    for forbidden in ("PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock"):
        assert forbidden not in s, forbidden
    assert {"KIVY_NO_FILELOG=1", "KIVY_NO_CONSOLELOG=0", "KIVY_HOME=/var/lib/kiosk/kivy"} <= set(s["Environment"])
    assert "kiosk-display.service" in s["Requires"][0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (apt install systemd)")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart binaries exist; point the box-only ones at /bin/true in a copy and
    # change nothing else, so any remaining message is a real error in our files.
    true = shutil.which("true")
    for unit in UNITS:
        text = (SYSTEMD_DIR / unit).read_text(encoding="utf-8")
        for binary in BOX_ONLY_BINARIES:
            text = text.replace(binary, true)
        (tmp_path / unit).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stdout + result.stderr


def _staging_root_tools_available() -> bool:
    return os.geteuid() == 0 and bool(shutil.which("systemd-sysusers")) and bool(shutil.which("systemd-tmpfiles"))


@pytest.mark.skipif(not _staging_root_tools_available(),
                    reason="needs root and systemd-sysusers/systemd-tmpfiles (chown in a staging root)")
def test_sysusers_and_tmpfiles_create_the_user_and_private_folders(tmp_path: Path) -> None:
    (tmp_path / "etc/sysusers.d").mkdir(parents=True)
    (tmp_path / "etc/tmpfiles.d").mkdir(parents=True)
    shutil.copy(SYSTEMD_DIR / "kiosk.sysusers", tmp_path / "etc/sysusers.d/kiosk.conf")
    shutil.copy(SYSTEMD_DIR / "kiosk.tmpfiles", tmp_path / "etc/tmpfiles.d/kiosk.conf")
    for argv in (["systemd-sysusers", f"--root={tmp_path}", "kiosk.conf"],
                 ["systemd-tmpfiles", f"--root={tmp_path}", "--create", "kiosk.conf"]):
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
    passwd = {line.split(":")[0]: line.split(":") for line in (tmp_path / "etc/passwd").read_text().splitlines()}
    uid, gid = int(passwd["kiosk"][2]), int(passwd["kiosk"][3])
    assert passwd["kiosk"][6] == "/usr/sbin/nologin"
    for folder in ("var/lib/kiosk", "var/lib/kiosk/outbox", "var/lib/kiosk/kivy"):
        st = (tmp_path / folder).stat()
        assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o700, uid, gid), folder
    st = (tmp_path / "etc/kiosk").stat()
    assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o750, 0, gid)


# One udev assignment or match: KEY, optional {attr}, operator, quoted value.
_UDEV_PAIR = re.compile(r'\s*[A-Z_]+(\{[A-Za-z0-9_.-]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"[^"]*"\s*')


@pytest.mark.parametrize("rules", ["99-kiosk.rules", "98-kiosk-local.rules"])
def test_udev_rules_are_well_formed(rules: str) -> None:
    # udevadm verify only exists from systemd 254 on; this catches the usual slips (a missing quote or
    # comma) on every build machine.
    for number, line in enumerate((SYSTEMD_DIR / rules).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs = line.split(",")
        assert all(_UDEV_PAIR.fullmatch(pair) for pair in pairs), f"{rules}:{number}: {line}"
        assert any("==" in pair for pair in pairs), f"{rules}:{number}: a rule with no match applies to every device"


def test_udev_rules_cover_the_kiosk_devices() -> None:
    text = (SYSTEMD_DIR / "99-kiosk.rules").read_text(encoding="utf-8")
    for needle in ('ATTR{idVendor}=="0416", ATTR{idProduct}=="5011"', 'ATTR{idVendor}=="0483", ATTR{idProduct}=="5743"',
                   'KERNEL=="lp[0-9]*"', 'SYMLINK+="kiosk-idreader"', 'SYMLINK+="input/kiosk-scanner"',
                   'SUBSYSTEM=="video4linux"'):
        assert needle in text, needle
