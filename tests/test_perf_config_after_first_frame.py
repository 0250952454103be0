"""Issue #16: the config is validated in full after the first frame (cli/first_frame.py). The first frame's
plain reading must show what the validated config holds, and a bad config must still stop the program with
the same clear message and exit 78, whether the bad value is one the first frame reads or not."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings

from cli import first_frame
from cli.commands import diagnose
from kiosk import config as full
from kiosk.config import ConfigError, KioskConfig, load_config, parse_config
from tests.test_config_fuzz import toml_documents

ROOT = Path(__file__).resolve().parent.parent
REAL_PLATFORM = '[platform]\nurl = "https://platform.example.gov.cn"\ndevice_secret = "k1osk-s3cret-0123456789"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_same_values(view: first_frame.FirstFrameConfig, config: KioskConfig) -> None:
    for section in ("kiosk", "voice", "devices", "platform"):
        seen, validated = getattr(view, section), getattr(config, section)
        for name in seen._fields:
            assert getattr(seen, name) == getattr(validated, name), f"[{section}] {name}"
    assert view.written_sections == config.written_sections
    assert view.real_kiosk_problems() == config.real_kiosk_problems()


@pytest.mark.parametrize("text", [
    "",
    REAL_PLATFORM,
    '[platform]\nurl = "embedded"\n',
    '[kiosk]\ndevice_id = "KIOSK-ZZ-07"\ncentre_name = "金水区政务服务中心"\nlanguage = "en"\nidle_timeout_s = 300\n'
    'idle_warning_s = 30\nstate_dir = "/srv/kiosk"\nwindow_size = [768, 1366]\nfullscreen = false\nlarge_text = true\n'
    '[voice]\nenabled = true\nrate = 180\nvolume = 1\nplayer = "aplay"\nauto_on_headset = false\n'
    '[devices]\nprinter = "tcp://192.0.2.10:9100"\nprinter_profile = "58mm"\ncamera = "v4l2:///dev/video0"\n'
    'scanner = "none"\nrequired = ["printer", "idreader"]\n' + REAL_PLATFORM,
])
def test_the_first_frame_reads_what_the_validated_config_holds(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    view = first_frame.read_first_frame_config(path)
    assert isinstance(view, first_frame.FirstFrameConfig)  # read without pydantic
    assert_same_values(view, load_config(path))
    assert view.validated() == load_config(path)


def test_the_readme_example_and_the_demo_are_read_the_same_way(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    path = write(tmp_path, readme.split("```toml\n", 1)[1].split("```", 1)[0])
    view = first_frame.read_first_frame_config(path)
    assert isinstance(view, first_frame.FirstFrameConfig)
    assert_same_values(view, load_config(path))
    demo = first_frame.demo_first_frame_config(tmp_path / "state", (600, 1000))
    assert demo.validated() == full.demo_config(tmp_path / "state", (600, 1000))
    assert_same_values(demo, full.demo_config(tmp_path / "state", (600, 1000)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=toml_documents())
def test_whatever_the_file_holds_the_first_frame_never_shows_other_values(tmp_path: Path, document: str) -> None:
    """The plain checks accept only what kiosk.config accepts with the same value; anything else goes to
    kiosk.config at once (its ConfigError, its coercions)."""
    path = write(tmp_path, document)
    try:
        validated = load_config(path)
    except ConfigError as error:
        expected = str(error)
        try:
            view = first_frame.read_first_frame_config(path)
        except ConfigError as same:
            assert str(same) == expected  # found before the window: the very same message
            return
        assert isinstance(view, first_frame.FirstFrameConfig)  # found after the first frame, by:
        with pytest.raises(ConfigError) as later:
            view.validated()
        assert str(later.value) == expected
        return
    view = first_frame.read_first_frame_config(path)
    if isinstance(view, first_frame.FirstFrameConfig):
        assert_same_values(view, validated)
    else:
        assert view == validated


def test_a_bad_first_frame_value_is_reported_before_the_window_with_the_usual_message(tmp_path: Path) -> None:
    path = write(tmp_path, "[kiosk]\nidle_timeout_s = 5\n")
    with pytest.raises(ConfigError) as caught:
        first_frame.read_first_frame_config(path)
    assert str(caught.value) == f"config {path}: [kiosk] idle_timeout_s = 5: Input should be greater than or equal to 20"
    # a value pydantic coerces is left to pydantic: the first frame shows the coerced value
    coerced = first_frame.read_first_frame_config(write(tmp_path, '[kiosk]\nidle_timeout_s = "300"\n'))
    assert isinstance(coerced, KioskConfig) and coerced.kiosk.idle_timeout_s == 300
    with pytest.raises(ConfigError, match="file not found"):
        first_frame.read_first_frame_config(tmp_path / "missing.toml")


def test_the_plain_constants_are_kiosk_configs() -> None:
    assert first_frame.DEFAULT_CONFIG_PATH == full.DEFAULT_CONFIG_PATH
    assert first_frame.EMBEDDED == full.EMBEDDED
    assert first_frame.DEMO_DEVICE_SECRET == full.DEMO_DEVICE_SECRET
    assert first_frame.MAX_CONFIG_BYTES == full.MAX_CONFIG_BYTES
    required = full.DevicesSection.model_fields["required"].annotation
    assert get_args(get_args(required)[0]) == first_frame.REQUIRED_CHOICES
    assert first_frame.DEMO_PIN_HASH == full.DEMO_PIN_HASH
    from kiosk import diagnostics

    assert (diagnose.DEVICE_TIMEOUT_S, diagnose.STALE_PENDING_S) == (diagnostics.DEVICE_TIMEOUT_S,
                                                                       diagnostics.STALE_PENDING_S)
    assert parse_config(first_frame.demo_raw_config(Path("/s")), "<demo>") == full.demo_config(Path("/s"))


def test_kiosk_run_with_a_value_found_bad_after_the_first_frame_stops_with_the_message(kiosk_display: Path,
                                                                                        tmp_path: Path) -> None:
    """The real `kiosk run`: the home screen comes (READY=1), the full validation finds the bad duty phone,
    the window closes and the program exits 78 with the message naming the file, the key and the fix."""
    path = write(tmp_path, f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\nfullscreen = false\n'
                           'window_size = [540, 960]\n' + REAL_PLATFORM + '[help]\nduty_phone = "call the desk"\n')
    notify = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    sock.settimeout(120)
    env = {**os.environ, "NOTIFY_SOCKET": str(notify), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--config", str(path)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert b"READY=1" in sock.recv(4096)  # the first frame came before the validation
        _out, err = process.communicate(timeout=120)
    finally:
        process.kill()
        sock.close()
    assert process.returncode == 78, err[-2000:]
    assert f"kiosk: config {path}: [help] duty_phone = 'call the desk': String should match pattern" in err
    assert "Traceback" not in err
