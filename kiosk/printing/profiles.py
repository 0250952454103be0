"""Printer profiles: how much fits on a line and what the printer can draw by itself.

Thermal heads are 8 dots/mm: 58 mm paper has 384 printable dots, 80 mm has 576. Font A is 12 x 24 dots, so a
line holds 32 or 48 ASCII characters, or half as many Chinese characters (24 x 24 dots each).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    name: str
    dots_width: int
    columns: int  # in ASCII cells; a Chinese character takes two
    native_qr: bool = True  # GS ( k; without it the QR is sent as a raster image (GS v 0)
    qr_target_dots: int = 240  # a QR this wide (~30 mm) scans easily from a phone or the kiosk camera
    cut: bool = True  # printers without an autocutter get a longer feed instead (tear-off)
    # Models without DLE EOT real-time status (some panel printers): every job is "status unknown", never
    # "printed", whatever the connection could carry.
    realtime_status: bool = True

    def __post_init__(self) -> None:
        if self.columns < 16:
            raise ValueError(f"printer profile {self.name}: {self.columns} columns is too narrow for a receipt")
        if self.dots_width % 8:
            raise ValueError(f"printer profile {self.name}: dots_width must be a multiple of 8")


PROFILES: dict[str, PrinterProfile] = {
    "58mm": PrinterProfile("58mm", dots_width=384, columns=32, qr_target_dots=208),
    "80mm": PrinterProfile("80mm", dots_width=576, columns=48, qr_target_dots=256),
}


def get_profile(name: str = "80mm", **overrides: object) -> PrinterProfile:
    """A built-in profile, optionally adjusted (``get_profile("58mm", native_qr=False)``)."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown printer profile {name!r}; use one of {', '.join(PROFILES)}") from None
    return replace(profile, **overrides) if overrides else profile  # type: ignore[arg-type]
