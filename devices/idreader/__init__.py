"""GA 467 ID card readers (SAM_V over serial), and a simulator that speaks the same frames. They read resident
ID cards, Hong Kong/Macau/Taiwan residence permits (J) and foreign permanent-resident ID cards (I); the card's
``kind`` says which.

    reader = open_id_reader("serial:///dev/ttyUSB0?baudrate=115200")   # or "sim://", "sim://card.json"
    reader.start(on_card=..., on_status=..., on_card_error=...)       # callbacks run on the reader thread
    reader.simulator.present()   # sim:// only: put the demo citizen (or the URL's card file) on the reader
    reader.stop()

URL parameters: ``baudrate`` (serial, default 115200), ``timeout`` seconds the reader may take before it answers
(default 1.5, sim 0.5; the wire time of each answer at the baud rate is added: a base message takes 1.35 s at
9600 baud), ``poll`` seconds between polls (default 0.1), ``fingerprint=1`` (read with the fingerprint command;
templates are dropped), ``latest_address=0`` (do not ask for the newest appended address), ``present=1`` (sim:
start with the card on the reader), ``silent=1`` (sim: start as a reader that answers nothing, for diagnostics
tests and demos).
"""

from __future__ import annotations

from pathlib import Path

from devices.idreader.card import CardKind, IdCard
from devices.idreader.driver import IdCardReader
from devices.idreader.frames import FrameError
from devices.idreader.simulator import DEMO_CARD_FILE, DEMO_FOREIGN_FILE, DEMO_PERMIT_FILE, IdReaderSimulator
from devices.urls import DeviceUrl, DeviceUrlError, parse_device_url

__all__ = [
    "DEMO_CARD_FILE",
    "DEMO_FOREIGN_FILE",
    "DEMO_PERMIT_FILE",
    "CardKind",
    "FrameError",
    "IdCard",
    "IdCardReader",
    "IdReaderSimulator",
    "open_id_reader",
]

SCHEMES = ("serial", "sim")


def _seconds(url: DeviceUrl, name: str, default: float) -> float:
    value = url.params.get(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise DeviceUrlError(f"{url.raw}: parameter {name}={value!r} is not a number of seconds") from None
    if not 0 < seconds <= 60:
        raise DeviceUrlError(f"{url.raw}: parameter {name}={value!r} must be between 0 and 60 seconds")
    return seconds


def _flag(url: DeviceUrl, name: str, default: bool) -> bool:
    value = url.params.get(name)
    if value is None:
        return default
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise DeviceUrlError(f"{url.raw}: parameter {name}={value!r} must be 1 or 0")


def open_id_reader(url: str) -> IdCardReader:
    """Make a reader for ``url`` (not started). For sim:// the simulator runs on a pty and is ``.simulator``."""
    parsed = parse_device_url(url, SCHEMES)
    poll = _seconds(parsed, "poll", 0.1)
    options = {
        "fingerprint": _flag(parsed, "fingerprint", False),
        "latest_address": _flag(parsed, "latest_address", True),
    }
    if parsed.scheme == "serial":
        if not parsed.path:
            raise DeviceUrlError(f"{url!r}: name the serial port, e.g. serial:///dev/ttyUSB0?baudrate=115200")
        return IdCardReader(
            parsed.path,
            baudrate=parsed.int_param("baudrate", 115200),
            timeout=_seconds(parsed, "timeout", 1.5),
            poll_interval=poll,
            **options,
        )
    card_file = Path(parsed.path) if parsed.path else None
    if card_file is not None and not card_file.is_file():
        raise DeviceUrlError(
            f"{url!r}: card file {card_file} not found (a JSON file like {DEMO_CARD_FILE.name})"
        )
    simulator = IdReaderSimulator(card_file).start()
    reader = IdCardReader(
        simulator.port,
        timeout=_seconds(parsed, "timeout", 0.5),
        poll_interval=poll,
        location=f"simulator (pty {simulator.port})",
        **options,
    )
    reader.simulator = simulator
    if parsed.params.get("present") in ("1", "true", "yes"):
        simulator.present()
    if parsed.params.get("silent") in ("1", "true", "yes"):
        simulator.go_silent()
    return reader
