"""Device URLs: one config string names the driver and where the device is.

    printer  = "usb://0x0416:0x5011" | "serial:///dev/ttyS0?baudrate=9600" | "tcp://192.0.2.10:9100"
               | "file:///dev/usb/lp0" | "sim://"
    camera   = "v4l2:///dev/video0?width=1920&height=1080" | "sim://path/to/images" | "none"
    idreader = "serial:///dev/ttyUSB0?baudrate=115200" | "sim://path/to/card.json"
    scanner  = "evdev:///dev/input/by-id/...-kbd" | "serial:///dev/ttyACM0" | "keyboard" | "none"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


class DeviceUrlError(ValueError):
    """A device URL that cannot be used; the message names the URL and what is allowed."""


@dataclass(frozen=True, slots=True)
class DeviceUrl:
    raw: str
    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        """Where the device is, for messages: the path, or host[:port]."""
        if self.path:
            return self.path
        return f"{self.host}:{self.port}" if self.port else self.host

    def int_param(self, name: str, default: int) -> int:
        value = self.params.get(name)
        if value is None:
            return default
        try:
            return int(value, 0)
        except ValueError:
            raise DeviceUrlError(f"{self.raw}: parameter {name}={value!r} is not a whole number") from None


def parse_device_url(raw: str, allowed_schemes: tuple[str, ...]) -> DeviceUrl:
    """Parse ``raw``; raise DeviceUrlError naming the URL and the allowed schemes if it does not fit."""
    text = raw.strip()
    if text in ("none", "keyboard"):
        if text not in allowed_schemes:
            raise DeviceUrlError(f"{raw!r}: not allowed here; use one of {', '.join(allowed_schemes)}")
        return DeviceUrl(raw=text, scheme=text)
    if "://" not in text:
        raise DeviceUrlError(
            f"{raw!r} is not a device URL; write it as SCHEME://LOCATION with SCHEME one of "
            f"{', '.join(allowed_schemes)}"
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in allowed_schemes:
        raise DeviceUrlError(f"{raw!r}: unknown scheme {scheme!r}; use one of {', '.join(allowed_schemes)}")
    if scheme == "usb":
        # usb://VID:PID (hex, e.g. 0x0416:0x5011) is not a host and port: keep it whole.
        return DeviceUrl(raw=text, scheme=scheme, host=parts.netloc, path=parts.path,
                         params=dict(parse_qsl(parts.query)))
    try:
        port = parts.port
    except ValueError:
        raise DeviceUrlError(f"{raw!r}: the port is not a number between 0 and 65535") from None
    # sim://relative/dir puts the first path segment into netloc; keep it as a path.
    path = parts.path
    host = parts.hostname or ""
    if scheme in ("sim", "file", "serial", "v4l2", "evdev") and parts.netloc:
        path = parts.netloc + parts.path
        host = ""
    return DeviceUrl(raw=text, scheme=scheme, host=host, port=port, path=path, params=dict(parse_qsl(parts.query)))
