"""The kiosk's configuration: one TOML file, validated at start.

A bad value stops the program with a message naming the file, the key, the bad value and what is allowed:

    config /etc/kiosk/kiosk.toml: [kiosk] idle_timeout_s = 5: must be at least 20 (seconds)

Every problem with the file is a ``ConfigError`` (one line per problem), never a traceback: a file that is
not UTF-8, a directory, a symlink loop, unreadable, not TOML. Values are checked together where they
depend on each other (the idle warning is shorter than the idle timeout), a platform URL must be one
``requests`` can use, a secret may not be blank, and device URL parameters (``baudrate=9600``) are parsed
at load, not when the device first opens.

The built-in defaults are the demo (the embedded sandbox, the public demo secret). A real kiosk must name
its platform: ``real_kiosk_problems`` lists what ``kiosk run`` refuses and ``kiosk diagnose`` reports as a
fault (no ``[platform]`` section, ``url = "embedded"``, the demo secret).
"""

from __future__ import annotations

import datetime as dt
import errno
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from devices.urls import DeviceUrlError, parse_device_url
from kiosk.consumables import DEFAULT_ROLL_MM, ConsumableSpec
from kiosk.demo_settings import (  # noqa: F401 - re-exported
    DEMO_DEVICE_SECRET,
    DEMO_PIN_HASH,
    EMBEDDED,
    demo_raw_config,
    real_kiosk_problems,
)
from kiosk.places import Places
from kiosk.staffed_hours import HelpSettings, StaffedPeriod, office_hours

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/kiosk.toml")

PRINTER_SCHEMES = ("usb", "serial", "tcp", "file", "sim")
CAMERA_SCHEMES = ("v4l2", "sim", "none")
IDREADER_SCHEMES = ("serial", "sim", "none")
SCANNER_SCHEMES = ("evdev", "serial", "keyboard", "none")
DEVICE_NAMES = ("printer", "camera", "doc_camera", "idreader", "scanner")
# Device URL parameters with a type, checked at load: name -> (kind, smallest, largest).
DEVICE_PARAMS: dict[str, tuple[type, float, float]] = {
    "baudrate": (int, 300, 4_000_000), "width": (int, 16, 8192), "height": (int, 16, 8192), "fps": (int, 1, 240),
    "timeout": (float, 0.0, 600.0), "columns": (int, 16, 96),
}
STANDARD_BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


class ConfigError(Exception):
    """A configuration problem, already phrased for the person who edits the file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Strict):
    device_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")] = "KIOSK-DEMO-01"
    centre_name: Annotated[str, Field(min_length=2, max_length=40)] = "示范区政务服务中心"
    language: Literal["zh_CN", "en"] = "zh_CN"
    idle_timeout_s: Annotated[int, Field(ge=20, le=3600)] = 90
    idle_warning_s: Annotated[int, Field(ge=5, le=120)] = 20  # must be shorter than idle_timeout_s
    state_dir: Path = Path("/var/lib/kiosk")
    # Designed for a 1080x1920 portrait screen; a smaller window scales everything down to fit.
    window_size: tuple[Annotated[int, Field(ge=240, le=4320)], Annotated[int, Field(ge=320, le=7680)]] = (1080, 1920)
    fullscreen: bool = True
    large_text: bool = False
    # The platform's id of the service point this kiosk books appointments at (issue #17); the demo's point.
    service_point: Annotated[str, Field(pattern=r"^[A-Z0-9-]{2,40}$")] = "JINSHUI-CENTRE"
    # Queue-ticket services as this hall's windows are arranged: {"社保医保" = "市人力资源和社会保障局", …}
    # (service name -> the catalog department whose queue it takes). Empty: derived from the catalog.
    ticket_services: dict[Annotated[str, Field(min_length=2, max_length=20)], str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _warning_inside_timeout(self) -> KioskSection:
        if self.idle_warning_s >= self.idle_timeout_s:
            raise ValueError(f"idle_warning_s = {self.idle_warning_s} must be shorter than idle_timeout_s = "
                             f"{self.idle_timeout_s} (the countdown is the last part of the idle time)")
        return self


class PlatformSection(_Strict):
    # "embedded" starts the sandbox platform in-process on loopback (demo); otherwise an http(s) base URL.
    url: Annotated[str, Field(pattern=r"^(embedded|https?://[^\s/]+(:\d+)?(/[^\s]*)?)$")] = EMBEDDED
    device_secret: Annotated[str, Field(min_length=16, max_length=512)] = DEMO_DEVICE_SECRET
    connect_timeout_s: Annotated[float, Field(gt=0, le=30)] = 3.0
    read_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0

    @field_validator("url")
    @classmethod
    def _usable_url(cls, value: str) -> str:
        if value == EMBEDDED:
            return value
        try:
            parts = urlsplit(value)
            port = parts.port  # raises on "http://[::1" or a port that is not a number
            host = parts.hostname
        except ValueError as error:
            raise ValueError(f"not a usable URL ({error}); write it as https://HOST[:PORT][/PATH]") from None
        if not host:
            raise ValueError("the URL names no host; write it as https://HOST[:PORT][/PATH]")
        if port == 0:
            raise ValueError("port 0 cannot be connected to; give the platform's port or leave it out")
        return value

    @field_validator("device_secret")
    @classmethod
    def _secret_not_blank(cls, value: str) -> str:
        if value != value.strip() or len(value.strip()) < 16 or any(c.isspace() for c in value):
            raise ValueError("the device secret must be at least 16 characters with no spaces; copy the secret "
                             "issued for this kiosk exactly")
        if not value.isprintable() or not value.isascii():
            raise ValueError("the device secret must be printable ASCII; copy the secret issued for this kiosk")
        return value


class DevicesSection(_Strict):
    printer: str = "sim://"
    printer_profile: Literal["58mm", "80mm"] = "80mm"
    camera: str = "none"
    # The document camera (高拍仪) that photographs paper materials (issue #17): v4l2://…, sim:// (demo papers)
    # or none (no capture step; the materials are only ticked, as before).
    doc_camera: str = "none"
    idreader: str = "sim://"
    scanner: str = "keyboard"
    # Devices whose fault makes the services that need them unavailable (shown on the home screen).
    required: tuple[Literal["printer", "camera", "idreader", "scanner"], ...] = ("printer",)

    @field_validator("printer")
    @classmethod
    def _printer(cls, value: str) -> str:
        return _device_url(value, PRINTER_SCHEMES)

    @field_validator("camera", "doc_camera")
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


class HelpSection(_Strict):
    """呼叫工作人员 and consumables. The hours and duty phone here are used until the platform has answered
    once (GET /v1/devices/{id}/help-settings, cached in the state dir); the platform's answer wins."""

    # Kept so that older files still load; the kiosk's point is [kiosk] service_point (one setting, one place).
    # A different value here is refused (KioskConfig._one_service_point).
    service_point: Annotated[str, Field(max_length=40)] = ""
    service_point_name: Annotated[str, Field(max_length=40)] = ""
    duty_phone: Annotated[str, Field(pattern=r"^[0-9][0-9 -]{4,19}$|^$")] = ""  # printed on the help slip
    staffed: tuple[StaffedPeriod, ...] = office_hours().periods  # [[help.staffed]] weekdays, start, end
    holidays: tuple[dt.date, ...] = ()
    paper_roll_m: Annotated[float, Field(gt=0, le=500)] = DEFAULT_ROLL_MM / 1000  # the roll fitted, in metres
    consumables: tuple[ConsumableSpec, ...] = ()  # [[help.consumables]] name, unit, limit (e.g. lamp hours)
    notice_poll_s: Annotated[float, Field(ge=5, le=3600)] = 120.0
    assist_poll_s: Annotated[float, Field(ge=1, le=60)] = 5.0

    def settings(self, service_point: str) -> HelpSettings:
        """The local hours and phone, for ``service_point`` (the config's [kiosk] service_point)."""
        return HelpSettings(service_point=service_point, service_point_name=self.service_point_name,
                            duty_phone=self.duty_phone, periods=self.staffed, holidays=self.holidays)


class VoiceSection(_Strict):
    """The Mandarin voice (issue #13). Off until a citizen turns it on (top bar 声音), uses the keypad or plugs
    in a headset; espeak-ng and aplay come from Debian (espeak-ng, alsa-utils)."""

    enabled: bool = False  # on for every session from the start (a station for the blind, say)
    rate: Annotated[int, Field(ge=80, le=400)] = 220  # espeak-ng words (syllables) a minute
    volume: Annotated[float, Field(ge=0, le=1)] = 0.8
    player: Literal["auto", "aplay", "paplay", "none"] = "auto"
    auto_on_headset: bool = True  # a headset plugged in turns the voice on


class KioskConfig(_Strict):
    kiosk: KioskSection = KioskSection()
    platform: PlatformSection = PlatformSection()
    devices: DevicesSection = DevicesSection()
    maintenance: MaintenanceSection = MaintenanceSection()
    help: HelpSection = HelpSection()
    voice: VoiceSection = VoiceSection()
    places: Places | None = None  # county → township → village choices for address fields (kiosk/places.py)
    source: str = Field(default="<built-in defaults>", exclude=True)
    # The sections the file wrote (the others are defaults): a real kiosk must write [platform] itself.
    written_sections: tuple[str, ...] = Field(default=(), exclude=True)

    @model_validator(mode="after")
    def _one_service_point(self) -> KioskConfig:
        if self.help.service_point and self.help.service_point != self.kiosk.service_point:
            raise ValueError(f"[help] service_point = {self.help.service_point!r} differs from [kiosk] service_point "
                             f"= {self.kiosk.service_point!r}; the kiosk has one service point: delete "
                             "service_point from [help] and set it in [kiosk]")
        return self

    def help_settings(self) -> HelpSettings:
        """The local help settings (hours, duty phone) of this kiosk's service point."""
        return self.help.settings(self.kiosk.service_point)

    def real_kiosk_problems(self) -> list[str]:
        """What makes this config a demo rather than a real kiosk (kiosk/demo_settings.py)."""
        return real_kiosk_problems(self.source, self.written_sections, self.platform.url,
                                   self.platform.device_secret)

    @property
    def outbox_dir(self) -> Path:
        return self.kiosk.state_dir / "outbox"


def _device_url(value: str, schemes: tuple[str, ...]) -> str:
    try:
        parsed = parse_device_url(value, schemes)
    except DeviceUrlError as error:
        raise ValueError(str(error)) from None
    for name, text in parsed.params.items():
        rule = DEVICE_PARAMS.get(name)
        if rule is None:
            continue  # a driver's own parameter (sim://?present=1 …): the driver names what it accepts
        kind, low, high = rule
        try:
            number = int(text, 10) if kind is int else float(text)
        except ValueError:
            raise ValueError(f"parameter {name}={text!r} is not a {'whole ' if kind is int else ''}number") from None
        if not low <= number <= high:
            raise ValueError(f"parameter {name}={text} is outside {low:g}..{high:g}")
        if name == "baudrate" and number not in STANDARD_BAUDRATES:
            raise ValueError(f"parameter baudrate={text} is not a standard rate; use one of "
                             + ", ".join(str(rate) for rate in STANDARD_BAUDRATES))
    return value


def _describe_error(source: str, raw: dict[str, Any], error: dict[str, Any]) -> str:
    location = [str(part) for part in error["loc"]]
    if not location:  # a check across sections (KioskConfig's own validators): the message names the keys
        return f"config {source}: {error['msg'].removeprefix('Value error, ')}"
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
    if len(location) == 1 and location[0] in KioskConfig.model_fields and isinstance(node, dict):
        return f"config {source}: [{location[0]}] {allowed}"  # a check across the keys of one section
    shown = repr(node)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"config {source}: {where} = {shown}: {allowed}"


def parse_config(raw: dict[str, Any], source: str) -> KioskConfig:
    written = tuple(key for key in ("kiosk", "platform", "devices", "maintenance") if key in raw)
    try:
        return KioskConfig.model_validate({**raw, "source": source, "written_sections": written})
    except ValidationError as error:
        problems = [_describe_error(source, raw, item) for item in error.errors()]
        raise ConfigError("\n".join(problems)) from None


MAX_CONFIG_BYTES = 1024 * 1024  # a kiosk.toml is a few KB; a bigger file is the wrong file


def load_config(path: Path) -> KioskConfig:
    raw = parse_toml(read_config_text(path), path)
    return parse_config(raw, str(path))


def read_config_text(path: Path) -> str:
    """The file's text, or a ConfigError naming the file, what is wrong and the fix."""
    where = f"config {path}"
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            # A FIFO or a device would block or stream forever: a config is a plain file.
            raise ConfigError(f"{where}: not a regular file (a pipe or a device?); pass the kiosk.toml file")
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found; create it (see README, 'The config file') or pass "
                          "--config PATH") from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a directory, not a file; pass the kiosk.toml inside it") from None
    except PermissionError:
        raise ConfigError(f"{where}: permission denied; the kiosk user must be able to read it") from None
    except ValueError:  # e.g. a NUL byte in the path
        raise ConfigError(f"{where}: not a usable file name; pass the path of the kiosk.toml file") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ConfigError(f"{where}: a symbolic link that loops back on itself; point it at the real "
                              "file (ls -l shows where it goes)") from None
        raise ConfigError(f"{where}: cannot be read ({error.strerror or type(error).__name__}); check the file "
                          "and the disk") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{where}: larger than {MAX_CONFIG_BYTES // 1024} KB, not a kiosk config; pass the "
                          "right file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(f"{where}: not UTF-8 text (line {line}, byte {error.start}); save it as UTF-8 (e.g. "
                          "iconv -f GB18030 -t UTF-8)") from None


def parse_toml(text: str, path: Path | str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {path}: not valid TOML ({error}); fix the syntax at that line") from None
    except RecursionError:
        raise ConfigError(f"config {path}: nested too deeply to be a kiosk config; fix the file") from None


DEMO_MAINTENANCE_PIN = "2468"
# Its scrypt hash, made once with `kiosk hash-pin`: hashing at every demo start would cost ~50 ms of start-up.


def demo_config(state_dir: Path, window_size: tuple[int, int] = (540, 960)) -> KioskConfig:
    """The built-in demo: simulated devices, the sandbox embedded on loopback, a window that fits a laptop,
    and the maintenance PIN 2468 (documented in the README; a real kiosk sets its own with kiosk hash-pin)."""
    return parse_config(demo_raw_config(state_dir, window_size), "<demo>")
