"""Config validation: a bad value names the file, the key, the value and what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, KioskConfig, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_in_readme_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_config(write(tmp_path, example))
    assert config.devices.printer.startswith("usb://")
    assert config.platform.url.startswith("https://")


def test_defaults_are_a_working_demo() -> None:
    config = KioskConfig()
    assert config.platform.url == "embedded"
    assert config.devices.idreader == "sim://"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[kiosk]\nidle_timeout_s = 5\n", ["[kiosk] idle_timeout_s = 5", "greater than or equal to 20"]),
        ('[devices]\nprinter = "lpt://1"\n', ["[devices] printer = 'lpt://1'", "usb, serial, tcp, file, sim"]),
        ('[devices]\ncamera = "/dev/video0"\n', ["[devices] camera", "SCHEME://LOCATION"]),
        ('[kiosk]\nlanguage = "fr"\n', ["[kiosk] language = 'fr'", "'zh_CN' or 'en'"]),
        ('[kiosk]\ncolour = "red"\n', ["[kiosk] colour is not a known setting"]),
        ('[platform]\nurl = "ftp://x"\n', ["[platform] url = 'ftp://x'"]),
        ('[devices]\nrequired = ["toaster"]\n', ["[devices] required.0 = 'toaster'"]),
    ],
)
def test_bad_values_name_file_key_value_and_allowed(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"config {path}: ")
    for part in expected:
        assert part in message


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[kiosk\n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_kiosk_run_with_bad_config_stops_with_the_message(tmp_path: Path) -> None:
    path = write(tmp_path, "[kiosk]\nidle_timeout_s = 5\n")
    result = subprocess.run([sys.executable, "-m", "cli.main", "run", "--config", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 78  # EX_CONFIG: systemd does not restart-loop on it
    assert f"config {path}: [kiosk] idle_timeout_s = 5" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_pin_hash_is_the_hash_of_the_published_demo_pin(tmp_path: Path) -> None:
    from kiosk.config import DEMO_MAINTENANCE_PIN, demo_config
    from kiosk.maintenance.pin import verify_pin

    assert verify_pin(DEMO_MAINTENANCE_PIN, demo_config(tmp_path).maintenance.pin_hash)
    assert not verify_pin("0000", demo_config(tmp_path).maintenance.pin_hash)
