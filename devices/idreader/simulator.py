"""A simulated GA 467 reader: the SAM_V side of the serial line, over a pseudo-terminal.

The driver opens the pty's slave path through pyserial exactly as it opens /dev/ttyUSB0, so every byte the
driver sends and parses is the real protocol. Used by ``open_id_reader("sim://...")`` for the demo and by the
protocol tests, with fault injection for the failure modes a real reader shows in the field.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import tty
from collections.abc import Mapping
from pathlib import Path

from devices.idreader import card as card_codec
from devices.idreader import frames
from devices.idreader.frames import Command

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
DEMO_CARD_FILE = DATA_DIR / "demo_citizen.json"
# Fictitious holders of the other legal ID cards (see the files' _comment), for the demo and the tests.
DEMO_PERMIT_FILE = DATA_DIR / "demo_hk_permit.json"  # J: Hong Kong resident's residence permit
DEMO_FOREIGN_FILE = DATA_DIR / "demo_foreign_permanent.json"  # I: foreign permanent-resident ID card
# What a reader hands over as fingerprint data: two 512-byte templates (here a recognisable fill, not a finger).
DEMO_FINGERPRINTS = bytes(range(256)) * 4

# What a real SAM_V returns with its "card found" and "card selected" answers (4 and 8 opaque bytes).
_FIND_DATA = bytes(4)
_SELECT_DATA = bytes(8)


class IdReaderSimulator:
    """The reader end of a pty. ``port`` is the path the driver opens."""

    def __init__(self, default_card: Mapping[str, str] | str | Path | None = None) -> None:
        self._default = self._fields(default_card) if default_card is not None else None
        self._lock = threading.Lock()
        self._card: dict[str, str] | None = None  # chip fields of the card on the reader (card_codec.load_card_file)
        self._selected = False
        self._found = False
        self._silent = False
        self._lifting = 0  # find answers "no card" this many more times: a card swap is lift, then place
        self._corrupt_next = False
        self._truncate_next = False
        # Older readers: no fingerprint module (rejects 0x30 0x10), no "read latest address" (ignores 0x30 0x03).
        self.fingerprint_module = True
        self.answers_latest_address = True
        self._stop = threading.Event()
        self._master, self._slave = os.openpty()
        # Raw mode before anyone opens the slave: no echo, no CR/LF translation, no line buffering.
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._run, name="idreader-sim", daemon=True)
        self.commands_seen = 0

    # --- control (any thread) ---------------------------------------------------------------------------------

    def start(self) -> IdReaderSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def present(self, card: Mapping[str, str] | str | Path | None = None) -> None:
        """Put a card on the reader: a dict of chip fields, a JSON card file, or None for the default card."""
        fields = self._fields(card) if card is not None else (self._default or self._fields(DEMO_CARD_FILE))
        card_codec.encode_text_block(fields)  # a field too long for its card fails here, in the caller's thread
        with self._lock:
            # Swapping one card for another on a real reader means lifting the first one; show the driver that.
            self._lifting = 2 if self._card is not None else 0
            self._card = fields
            self._found = self._selected = False

    def remove(self) -> None:
        with self._lock:
            self._card = None
            self._lifting = 0
            self._found = self._selected = False

    def corrupt_next_checksum(self) -> None:
        with self._lock:
            self._corrupt_next = True

    def truncate_next_frame(self) -> None:
        with self._lock:
            self._truncate_next = True

    def go_silent(self, silent: bool = True) -> None:
        """A silent reader reads and ignores every command (unplugged power, hung firmware)."""
        with self._lock:
            self._silent = silent

    @staticmethod
    def _fields(card: Mapping[str, object] | str | Path) -> dict[str, str]:
        """Chip fields plus the simulator options (card_type, fingerprint "1"/"", latest_address)."""
        if isinstance(card, str | Path):
            return card_codec.load_card_file(card)
        kind = card_codec.kind_of_fields(card)
        fields = {name: str(card[name]) for name in card_codec.CARD_FILE_FIELDS_BY_KIND[kind]}
        fields["card_type"] = str(card.get("card_type", "") or "")
        fields["fingerprint"] = "1" if card.get("fingerprint") not in (None, "", False, "0") else ""
        fields["latest_address"] = str(card.get("latest_address", "") or "")
        return fields

    # --- the reader side of the line ------------------------------------------------------------------------

    def _run(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._master], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self._master, 4096)
            except OSError:
                if self._stop.is_set():
                    return
                continue
            buffer += chunk
            while True:
                frame, buffer = frames.split_frame(buffer)
                if frame is None:
                    break
                reply = self._answer(frame)
                if reply:
                    self._send(reply)

    def _answer(self, frame: bytes) -> bytes | None:
        with self._lock:
            self.commands_seen += 1
            if self._silent:
                return None
            try:
                command = frames.parse_command(frame)
            except frames.BadChecksum:
                return frames.build_response(0x10)
            except frames.FrameError:
                return frames.build_response(0x11)
            if command.is_(Command.FIND_CARD):
                self._found = self._card is not None and self._lifting == 0
                self._lifting = max(0, self._lifting - 1)
                self._selected = False
                if self._found:
                    return frames.build_response(frames.SW3_CARD_FOUND, _FIND_DATA)
                return frames.build_response(frames.SW3_FIND_FAILED)
            if command.is_(Command.SELECT_CARD):
                self._selected = self._found and self._card is not None
                if self._selected:
                    return frames.build_response(frames.SW3_SUCCESS, _SELECT_DATA)
                return frames.build_response(frames.SW3_SELECT_FAILED)
            if command.is_(Command.READ_BASE):
                if self._selected and self._card is not None:
                    return frames.build_response(frames.SW3_SUCCESS, card_codec.encode_base_message(self._card))
                return frames.build_response(frames.SW3_READ_FAILED)
            if command.is_(Command.READ_BASE_FINGERPRINT):
                if not self.fingerprint_module:
                    return frames.build_response(frames.SW3_REJECTED)
                if self._selected and self._card is not None:
                    prints = DEMO_FINGERPRINTS if self._card.get("fingerprint") else b""
                    data = card_codec.encode_fingerprint_message(self._card, prints)
                    return frames.build_response(frames.SW3_SUCCESS, data)
                return frames.build_response(frames.SW3_READ_FAILED)
            if command.is_(Command.READ_LATEST_ADDRESS):
                if not self.answers_latest_address:
                    return None
                if not (self._selected and self._card is not None):
                    return frames.build_response(frames.SW3_READ_FAILED)
                address = self._card.get("latest_address", "")
                if not address:
                    return frames.build_response(frames.SW3_ITEM_EMPTY)
                return frames.build_response(frames.SW3_SUCCESS, card_codec.encode_latest_address(address))
            if command.is_(Command.RESET) or command.is_(Command.STATUS):
                return frames.build_response(frames.SW3_SUCCESS)
            return frames.build_response(0x21)

    def _send(self, reply: bytes) -> None:
        with self._lock:
            if self._corrupt_next:
                self._corrupt_next = False
                reply = reply[:-1] + bytes((reply[-1] ^ 0xFF,))
            elif self._truncate_next:
                self._truncate_next = False
                reply = reply[: max(frames.HEADER_LEN + 1, len(reply) // 2)]
        view = memoryview(reply)
        while view:
            try:
                written = os.write(self._master, view)
            except OSError:
                return
            view = view[written:]
