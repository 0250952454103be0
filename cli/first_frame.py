"""The config as the first frame needs it, read without pydantic (issue #16).

Importing pydantic and building the config's models costs about 200 ms here, a third of the kiosk's cold
start, and the home screen needs only a few plain values (the centre's name, the language, the window, the
idle times, the voice, which devices are configured). So ``kiosk run`` and ``kiosk demo`` parse the TOML,
check those few values with plain code and show the home screen; the App validates the whole file with
kiosk.config right after the first frame (``FirstFrameConfig.validated``) and swaps the result in before
anything else reads the config. kiosk.config stays the one authority:

- a file that cannot be read or parsed, or a first-frame value this module cannot vouch for (a wrong type,
  out of range, a "20" string pydantic would coerce), goes through ``kiosk.config.load_config`` at once, so a
  bad value stops the program before any window with exactly the message it always had (exit 78);
- any other bad value is found by the validation after the first frame, which stops the App and makes
  ``kiosk run`` print the same message and exit 78 (tests/test_perf_config_after_first_frame.py).

The checks here accept only a subset of what kiosk.config accepts, so the values the first frame used are
the values the validated config holds (tests/test_perf_config_after_first_frame.py compares them).
No pydantic, requests or kiosk.config import here.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kiosk.demo_settings import (  # noqa: F401 - plain Python, no pydantic; DEMO_PIN_HASH re-exported
    DEMO_DEVICE_SECRET,
    DEMO_PIN_HASH,
    EMBEDDED,
    demo_raw_config,
    real_kiosk_problems,
)

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

# The same values as kiosk.config (a test compares them); repeated so that this module never imports pydantic.
DEFAULT_CONFIG_PATH = Path("/etc/kiosk/kiosk.toml")
MAX_CONFIG_BYTES = 1024 * 1024
# The devices [devices] required may name (kiosk.config.DevicesSection.required)
REQUIRED_CHOICES = ("printer", "camera", "idreader", "scanner")
_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,39}")


def is_config_error(error: BaseException) -> bool:
    """Whether ``error`` is kiosk.config's ConfigError, without importing kiosk.config (it raised it, so it
    is loaded when it is one)."""
    module = sys.modules.get("kiosk.config")
    return module is not None and isinstance(error, module.ConfigError)


class NeedsFullValidation(Exception):
    """A value the plain checks cannot vouch for: kiosk.config decides (and words the message)."""


class KioskView(NamedTuple):
    device_id: str = "KIOSK-DEMO-01"
    centre_name: str = "示范区政务服务中心"
    language: str = "zh_CN"
    idle_timeout_s: int = 90
    idle_warning_s: int = 20
    state_dir: Path = Path("/var/lib/kiosk")
    window_size: tuple[int, int] = (1080, 1920)
    fullscreen: bool = True
    large_text: bool = False


class VoiceView(NamedTuple):
    enabled: bool = False
    rate: int = 220
    volume: float = 0.8
    player: str = "auto"
    auto_on_headset: bool = True


class DevicesView(NamedTuple):
    printer: str = "sim://"
    printer_profile: str = "80mm"
    camera: str = "none"
    doc_camera: str = "none"
    idreader: str = "sim://"
    scanner: str = "keyboard"
    required: tuple[str, ...] = ("printer",)


class PlatformView(NamedTuple):
    url: str = EMBEDDED
    device_secret: str = DEMO_DEVICE_SECRET


class FirstFrameConfig(NamedTuple):
    """Duck-types the parts of kiosk.config.KioskConfig that the runtime and the App read before READY=1.
    (NamedTuples, not dataclasses: the dataclasses module and the inspect module it loads cost ~10 ms.)"""

    raw: dict[str, Any]
    source: str
    kiosk: KioskView = KioskView()
    voice: VoiceView = VoiceView()
    devices: DevicesView = DevicesView()
    platform: PlatformView = PlatformView()
    written_sections: tuple[str, ...] = ()

    def validated(self) -> KioskConfig:
        """The full config from the same TOML (raises kiosk.config.ConfigError with the usual message)."""
        from kiosk.config import parse_config

        return parse_config(self.raw, self.source)

    def real_kiosk_problems(self) -> list[str]:
        """As KioskConfig.real_kiosk_problems (the same function), from the plain values."""
        return real_kiosk_problems(self.source, self.written_sections, self.platform.url,
                                   self.platform.device_secret)


# -- plain checks: each returns the value or raises NeedsFullValidation ---------------------------------------
def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise NeedsFullValidation(name)
    return value


def _int(section: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = section.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise NeedsFullValidation(key)
    return value


def _float(section: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = section.get(key, default)
    if type(value) not in (int, float) or not math.isfinite(value) or not low <= value <= high:
        raise NeedsFullValidation(key)
    return float(value)


def _bool(section: dict[str, Any], key: str, default: bool) -> bool:
    value = section.get(key, default)
    if type(value) is not bool:
        raise NeedsFullValidation(key)
    return value


def _text(section: dict[str, Any], key: str, default: str, choices: tuple[str, ...] = ()) -> str:
    value = section.get(key, default)
    if type(value) is not str or (choices and value not in choices):
        raise NeedsFullValidation(key)
    return value


def first_frame_config(raw: dict[str, Any], source: str) -> FirstFrameConfig:
    """The first frame's values from a parsed TOML document (raises NeedsFullValidation)."""
    kiosk_raw, voice_raw = _section(raw, "kiosk"), _section(raw, "voice")
    devices_raw, platform_raw = _section(raw, "devices"), _section(raw, "platform")
    base = KioskView()
    device_id = _text(kiosk_raw, "device_id", base.device_id)
    centre_name = _text(kiosk_raw, "centre_name", base.centre_name)
    if not _DEVICE_ID.fullmatch(device_id) or not 2 <= len(centre_name) <= 40:
        raise NeedsFullValidation("kiosk")
    size = kiosk_raw.get("window_size", list(base.window_size))
    if not isinstance(size, list) or len(size) != 2 or any(type(n) is not int for n in size) \
            or not (240 <= size[0] <= 4320 and 320 <= size[1] <= 7680):
        raise NeedsFullValidation("window_size")
    kiosk = KioskView(
        device_id=device_id, centre_name=centre_name,
        language=_text(kiosk_raw, "language", base.language, ("zh_CN", "en")),
        idle_timeout_s=_int(kiosk_raw, "idle_timeout_s", base.idle_timeout_s, 20, 3600),
        idle_warning_s=_int(kiosk_raw, "idle_warning_s", base.idle_warning_s, 5, 120),
        state_dir=Path(_text(kiosk_raw, "state_dir", str(base.state_dir))),
        window_size=(size[0], size[1]),
        fullscreen=_bool(kiosk_raw, "fullscreen", base.fullscreen),
        large_text=_bool(kiosk_raw, "large_text", base.large_text),
    )
    if kiosk.idle_warning_s >= kiosk.idle_timeout_s or "\0" in str(kiosk.state_dir) or not str(kiosk.state_dir):
        raise NeedsFullValidation("kiosk")
    voice_base = VoiceView()
    voice = VoiceView(
        enabled=_bool(voice_raw, "enabled", voice_base.enabled),
        rate=_int(voice_raw, "rate", voice_base.rate, 80, 400),
        volume=_float(voice_raw, "volume", voice_base.volume, 0.0, 1.0),
        player=_text(voice_raw, "player", voice_base.player, ("auto", "aplay", "paplay", "none")),
        auto_on_headset=_bool(voice_raw, "auto_on_headset", voice_base.auto_on_headset),
    )
    device_base = DevicesView()
    required = devices_raw.get("required", list(device_base.required))
    if not isinstance(required, list) or any(name not in REQUIRED_CHOICES for name in required):
        raise NeedsFullValidation("required")
    devices = DevicesView(
        printer=_text(devices_raw, "printer", device_base.printer),
        printer_profile=_text(devices_raw, "printer_profile", device_base.printer_profile, ("58mm", "80mm")),
        camera=_text(devices_raw, "camera", device_base.camera),
        doc_camera=_text(devices_raw, "doc_camera", device_base.doc_camera),
        idreader=_text(devices_raw, "idreader", device_base.idreader),
        scanner=_text(devices_raw, "scanner", device_base.scanner),
        required=tuple(required),
    )
    platform_base = PlatformView()
    platform = PlatformView(url=_text(platform_raw, "url", platform_base.url),
                            device_secret=_text(platform_raw, "device_secret", platform_base.device_secret))
    written = tuple(key for key in ("kiosk", "platform", "devices", "maintenance") if key in raw)
    return FirstFrameConfig(raw=raw, source=source, kiosk=kiosk, voice=voice, devices=devices, platform=platform,
                            written_sections=written)


def read_first_frame_config(path: Path) -> FirstFrameConfig | KioskConfig:
    """The config file for the first frame: a FirstFrameConfig when the plain reading and checks succeed,
    else the fully validated KioskConfig (or kiosk.config's ConfigError, with its usual message)."""
    try:
        if not path.is_file():  # missing, a directory, a FIFO, a device: kiosk.config words it
            raise NeedsFullValidation("file")
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise NeedsFullValidation("size")
        return first_frame_config(tomllib.loads(data.decode("utf-8")), str(path))
    except (OSError, ValueError, RecursionError, NeedsFullValidation):  # ValueError: UTF-8, TOML, a NUL
        from kiosk.config import load_config

        return load_config(path)


def demo_first_frame_config(state_dir: Path, window_size: tuple[int, int] = (540, 960)) -> FirstFrameConfig:
    return first_frame_config(demo_raw_config(state_dir, window_size), "<demo>")
