"""A bounded fuzz of the config loader (issue #14): whatever the file holds, ``load_config`` returns a valid
config or raises one ``ConfigError`` naming the file; never another exception, never a hang."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, KioskConfig, load_config

SECTIONS = ["kiosk", "platform", "devices", "maintenance", "extra"]
KEYS = ["device_id", "centre_name", "language", "idle_timeout_s", "idle_warning_s", "state_dir", "window_size",
        "fullscreen", "large_text", "url", "device_secret", "connect_timeout_s", "read_timeout_s", "printer",
        "printer_profile", "camera", "idreader", "scanner", "required", "pin_hash", "colour"]
URLS = ["http://[::1", "http://[::1]:80", "https://x:99999", "http://:80", "embedded", "ftp://x", "http://a b",
        "serial:///dev/ttyS0?baudrate=fast", "serial:///dev/ttyS0?baudrate=9600", "usb://0x0416:0x5011",
        "v4l2:///dev/video0?width=-1", "sim://", "tcp://192.0.2.10:9100", "file:///dev/usb/lp0", "none", "keyboard",
        "sim://?present=1", "tcp://[::1", "serial://?baudrate=1e9"]

scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).replace("inf", "inf").lower()),
    st.booleans().map(lambda b: "true" if b else "false"),
    st.sampled_from(URLS).map(lambda u: f'"{u}"'),
    st.text(max_size=30).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.just('"                "'),
    st.just("1979-05-27T07:32:00Z"),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    st.dictionaries(st.sampled_from(KEYS), inner, max_size=3).map(
        lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"),
), max_leaves=8)


@st.composite
def toml_documents(draw) -> str:
    lines: list[str] = []
    for section in draw(st.lists(st.sampled_from(SECTIONS), max_size=5, unique=True)):
        lines.append(f"[{section}]")
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=6, unique=True)):
            lines.append(f"{key} = {draw(values)}")
    return "\n".join(lines) + "\n"


def _load(path: Path) -> None:
    try:
        config = load_config(path)
    except ConfigError as error:
        message = str(error)
        assert message.startswith(f"config {path}"), message
        assert "Traceback" not in message
        return
    assert isinstance(config, KioskConfig)
    assert config.kiosk.idle_warning_s < config.kiosk.idle_timeout_s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=toml_documents())
def test_generated_toml_gives_a_config_or_a_config_error(tmp_path: Path, document: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(document, encoding="utf-8")
    _load(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400) | st.text(alphabet=string.printable + "[]=\"'{}中文\x00", max_size=300).map(
    lambda t: t.encode("utf-8")))
def test_arbitrary_bytes_give_a_config_error_not_a_traceback(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    _load(path)


def test_files_that_are_not_config_files(tmp_path: Path) -> None:
    (tmp_path / "dir.toml").mkdir()
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[kiosk]\ncentre_name = "金水区政务服务中心"\n'.encode("gb18030"))
    expected = {"dir.toml": "is a directory", "loop.toml": "loops back", "fifo.toml": "not a regular file",
                "big.toml": "larger than", "gbk.toml": "not UTF-8", "missing.toml": "file not found"}
    for name, words in expected.items():
        with pytest.raises(ConfigError, match=words):
            load_config(tmp_path / name)


@pytest.mark.parametrize(("text", "words"), [
    ('[platform]\nurl = "http://[::1"\n', "not a usable URL"),
    ("[kiosk]\nidle_timeout_s = 30\nidle_warning_s = 60\n", "must be shorter than idle_timeout_s"),
    ('[platform]\ndevice_secret = "                "\n', "no spaces"),
    ('[devices]\nprinter = "serial:///dev/ttyS0?baudrate=fast"\n', "baudrate='fast' is not a whole number"),
    ('[devices]\nprinter = "serial:///dev/ttyS0?baudrate=12345"\n', "not a standard rate"),
    ('[devices]\ncamera = "v4l2:///dev/video0?width=0"\n', "width=0 is outside"),
])
def test_cross_field_and_parameter_checks_at_load(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_config(path)
