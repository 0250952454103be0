"""The kiosk's configuration: one TOML file, validated at start.

A bad value stops the program with a message naming the file, the key, the bad value and what is allowed:

    config /etc/kiosk/kiosk.toml: [kiosk] idle_timeout_s = 5: must be at least 20 (seconds)
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devices.urls import DeviceUrlError, parse_device_url

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/kiosk.toml")

PRINTER_SCHEMES = ("usb", "serial", "tcp", "file", "sim")
CAMERA_SCHEMES = ("v4l2", "sim", "none")
IDREADER_SCHEMES = ("serial", "sim", "none")
SCANNER_SCHEMES = ("evdev", "serial", "keyboard", "none")
DEVICE_NAMES = ("printer", "camera", "idreader", "scanner")


class ConfigError(Exception):
    """A configuration problem, already phrased for the person who edits the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Strict):
    device_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")] = "KIOSK-DEMO-01"
    centre_name: Annotated[str, Field(min_length=2, max_length=40)] = "示范区政务服务中心"
    language: Literal["zh_CN", "en"] = "zh_CN"
    idle_timeout_s: Annotated[int, Field(ge=20, le=3600)] = 90
    idle_warning_s: Annotated[int, Field(ge=5, le=120)] = 20
    state_dir: Path = Path("/var/lib/kiosk")
    # Designed for a 1080x1920 portrait screen; a smaller window scales everything down to fit.
    window_size: tuple[Annotated[int, Field(ge=240, le=4320)], Annotated[int, Field(ge=320, le=7680)]] = (1080, 1920)
    fullscreen: bool = True
    large_text: bool = False


class PlatformSection(_Strict):
    # "embedded" starts the sandbox platform in-process on loopback (demo); otherwise an http(s) base URL.
    url: Annotated[str, Field(pattern=r"^(embedded|https?://[^\s/]+(:\d+)?(/[^\s]*)?)$")] = "embedded"
    device_secret: Annotated[str, Field(min_length=16)] = "demo-device-secret-change-me"
    connect_timeout_s: Annotated[float, Field(gt=0, le=30)] = 3.0
    read_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0


class DevicesSection(_Strict):
    printer: str = "sim://"
    printer_profile: Literal["58mm", "80mm"] = "80mm"
    camera: str = "none"
    idreader: str = "sim://"
    scanner: str = "keyboard"
    # Devices whose fault makes the services that need them unavailable (shown on the home screen).
    required: tuple[Literal["printer", "camera", "idreader", "scanner"], ...] = ("printer",)

    @field_validator("printer")
    @classmethod
    def _printer(cls, value: str) -> str:
        return _device_url(value, PRINTER_SCHEMES)

    @field_validator("camera")
    @classmethod
    def _camera(cls, value: str) -> str:
        return _device_url(value, CAMERA_SCHEMES)

    @field_validator("idreader")
    @classmethod
    def _idreader(cls, value: str) -> str:
        return _device_url(value, IDREADER_SCHEMES)

    @field_validator("scanner")
    @classmethod
    def _scanner(cls, value: str) -> str:
        return _device_url(value, SCANNER_SCHEMES)


class MaintenanceSection(_Strict):
    # scrypt hash made by `kiosk hash-pin`; empty means maintenance mode cannot be entered from the screen.
    pin_hash: str = ""


class KioskConfig(_Strict):
    kiosk: KioskSection = KioskSection()
    platform: PlatformSection = PlatformSection()
    devices: DevicesSection = DevicesSection()
    maintenance: MaintenanceSection = MaintenanceSection()
    source: str = Field(default="<built-in defaults>", exclude=True)

    @property
    def outbox_dir(self) -> Path:
        return self.kiosk.state_dir / "outbox"


def _device_url(value: str, schemes: tuple[str, ...]) -> str:
    try:
        parse_device_url(value, schemes)
    except DeviceUrlError as error:
        raise ValueError(str(error)) from None
    return value


def _describe_error(source: str, raw: dict[str, Any], error: dict[str, Any]) -> str:
    location = [str(part) for part in error["loc"]]
    section, key = (location[0], ".".join(location[1:])) if len(location) > 1 else ("", location[0])
    where = f"[{section}] {key}" if section else key
    node: Any = raw
    for part in error["loc"]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    if error["type"] == "extra_forbidden":
        return f"config {source}: {where} is not a known setting; remove it or check its spelling"
    if error["type"] == "missing":
        return f"config {source}: {where} is missing"
    allowed = error["msg"].removeprefix("Value error, ")
    return f"config {source}: {where} = {node!r}: {allowed}"


def parse_config(raw: dict[str, Any], source: str) -> KioskConfig:
    try:
        return KioskConfig.model_validate({**raw, "source": source})
    except ValidationError as error:
        problems = [_describe_error(source, raw, item) for item in error.errors()]
        raise ConfigError("\n".join(problems)) from None


def load_config(path: Path) -> KioskConfig:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"config {path}: file not found; create it (see README, 'The config file') or pass --config PATH"
        ) from None
    except PermissionError:
        raise ConfigError(f"config {path}: permission denied; the kiosk user must be able to read it") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {path}: not valid TOML ({error}); fix the syntax at that line") from None
    return parse_config(raw, str(path))


DEMO_MAINTENANCE_PIN = "2468"
# Its scrypt hash, made once with `kiosk hash-pin`: hashing at every demo start would cost ~50 ms of start-up.
DEMO_PIN_HASH = "scrypt$16384$8$1$Cpqsmbw7VZN2w2RU0sGbCw==$KuJrdd5Yg5ZffTiIZ9tNsTgTKpp4/FJAPeC5weJgJ04="


def demo_config(state_dir: Path, window_size: tuple[int, int] = (540, 960)) -> KioskConfig:
    """The built-in demo: simulated devices, the sandbox embedded on loopback, a window that fits a laptop,
    and the maintenance PIN 2468 (documented in the README; a real kiosk sets its own with kiosk hash-pin)."""
    return parse_config(
        {
            "kiosk": {"state_dir": str(state_dir), "window_size": list(window_size), "fullscreen": False,
                      "idle_timeout_s": 120},
            "devices": {"printer": f"sim://{state_dir / 'printer'}", "idreader": "sim://", "camera": "sim://",
                        "scanner": "keyboard"},
            "maintenance": {"pin_hash": DEMO_PIN_HASH},
        },
        "<demo>",
    )
