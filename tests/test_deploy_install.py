"""`kiosk install --systemd --prefix DIR`: files in place, and a second run changes nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cli.commands.install import example_config
from cli.main import main
from kiosk.config import load_config, parse_config

SYSTEMD_DIR = Path(__file__).resolve().parents[1] / "systemd"
SHIPPED = {
    "etc/systemd/system/kiosk.service": "kiosk.service",
    "etc/systemd/system/kiosk-display.service": "kiosk-display.service",
    "etc/udev/rules.d/99-kiosk.rules": "99-kiosk.rules",
    "etc/udev/rules.d/98-kiosk-local.rules": "98-kiosk-local.rules",
    "etc/tmpfiles.d/kiosk.conf": "kiosk.tmpfiles",
    "etc/sysusers.d/kiosk.conf": "kiosk.sysusers",
}


def install(prefix: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    assert main(["install", "--systemd", "--prefix", str(prefix), *extra]) == 0
    return capsys.readouterr().out.splitlines()


def test_install_twice_second_run_changes_nothing(tmp_path: Path, capsys) -> None:
    first = install(tmp_path, capsys)
    assert sum(line.startswith("changed") for line in first) == len(SHIPPED) + 1  # + the example config
    for dest, source in SHIPPED.items():
        assert (tmp_path / dest).read_bytes() == (SYSTEMD_DIR / source).read_bytes(), dest
        assert (tmp_path / dest).stat().st_mode & 0o777 == 0o644
    config = tmp_path / "etc/kiosk/kiosk.toml"
    assert config.stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "etc/kiosk").stat().st_mode & 0o777 == 0o750
    assert load_config(config).kiosk.state_dir == Path("/var/lib/kiosk")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    second = install(tmp_path, capsys)
    assert not any(line.startswith("changed") for line in second)
    assert "nothing changed" in second
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_dry_run_reports_and_writes_nothing(tmp_path: Path, capsys) -> None:
    lines = install(tmp_path, capsys, "--dry-run")
    assert any("kiosk.service (created, dry run)" in line for line in lines)
    assert list(tmp_path.iterdir()) == []


def test_technician_edits_are_kept_and_shipped_files_are_brought_back(tmp_path: Path, capsys) -> None:
    install(tmp_path, capsys)
    local_rules = tmp_path / "etc/udev/rules.d/98-kiosk-local.rules"
    local_rules.write_text('SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ENV{KIOSK_ROLE}="idreader"\n')
    config = tmp_path / "etc/kiosk/kiosk.toml"
    config.write_text('[kiosk]\ndevice_id = "KIOSK-VILLAGE-07"\n')
    unit = tmp_path / "etc/systemd/system/kiosk.service"
    unit.write_text("[Service]\nExecStart=/bin/false\n")
    unit.chmod(0o600)

    lines = install(tmp_path, capsys)
    assert [line for line in lines if line.startswith("changed")] == [
        "changed    /etc/systemd/system/kiosk.service (updated)"
    ]
    assert unit.read_bytes() == (SYSTEMD_DIR / "kiosk.service").read_bytes()
    assert unit.stat().st_mode & 0o777 == 0o644
    assert "1a86" in local_rules.read_text()
    assert "KIOSK-VILLAGE-07" in config.read_text()


def test_example_config_is_valid_and_unique_per_box() -> None:
    first, second = example_config("village-07.example"), example_config("village-07.example")
    config = parse_config(tomllib.loads(first), "<example>")
    assert config.kiosk.device_id == "KIOSK-village-07-example"
    assert config.platform.device_secret != parse_config(tomllib.loads(second), "<x>").platform.device_secret
    assert "kiosk hash-pin" in first
