"""The GA 467 ID card reader driver: a polling thread over pyserial (find → select → read base message, with
fingerprints when asked → read latest address).

One worker thread owns the serial port. It reports each card once (until the card is lifted), and a card
whose data cannot be parsed (an unknown card type, a damaged chip) once as an error, not on every poll; it keeps a
``DeviceStatus`` that says in words what is wrong (no answer, bad checksum, SAM fault), reopens the port after
an unplug, and recovers by itself when the reader answers again. Callbacks run on the worker thread; the UI
layer marshals them to its own thread. Card fields are never logged.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import serial

from devices.idreader import frames
from devices.idreader.card import (
    CardKind,
    IdCard,
    parse_base_message,
    parse_fingerprint_message,
    parse_latest_address,
    with_latest_address,
)
from devices.idreader.frames import Command, FrameError, Response
from devices.status import DeviceStatus

log = logging.getLogger(__name__)

# A card counts as lifted after this many "no card" answers in a row: one miss can be a card at the edge of
# the field, and reporting the same citizen twice would restart their flow.
REMOVAL_MISSES = 2
# How long to wait before reopening a port that could not be opened (unplugged USB adapter).
REOPEN_DELAY = 1.0


class NoAnswer(FrameError):
    """Nothing came back before the timeout."""


class CardReadFailed(FrameError):
    """One card read failed for a card-side reason (moved, lifted, damaged): not a reader fault."""


class UnparsableCard(CardReadFailed):
    """The card answered, but its data is not a card this driver can parse (reading again will not help)."""


class SamFault(FrameError):
    """The SAM answered with a status that means the reader itself cannot work."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"{response.reason} (SAM status 0x{response.sw3:02X})")
        self.sw3 = response.sw3


CardCallback = Callable[[IdCard], None]
StatusCallback = Callable[[DeviceStatus], None]
CardErrorCallback = Callable[[str], None]


class IdCardReader:
    """A GA 467 reader on a serial port (or on the simulator's pty: then ``simulator`` is set)."""

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        timeout: float = 1.5,
        poll_interval: float = 0.1,
        location: str | None = None,
        fingerprint: bool = False,
        latest_address: bool = True,
    ) -> None:
        """``timeout``: seconds the reader may take to start answering; the time the answer needs on the wire
        at ``baudrate`` is added per command (a base message is 1,295 bytes: 1.35 s at 9600 baud).
        ``fingerprint``: read with the fingerprint command (the templates are dropped; ``has_fingerprint``
        says they were there). ``latest_address``: ask for the newest appended address after each read."""
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self.fingerprint = fingerprint
        self.latest_address = latest_address
        self.poll_interval = poll_interval
        self.location = location or port
        self.simulator = None  # an IdReaderSimulator when opened from a sim:// URL
        self._serial: serial.Serial | None = None
        self._status = DeviceStatus.degraded(f"ID card reader on {self.location}: not started")
        self._status_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_card: CardCallback | None = None
        self._on_status: StatusCallback | None = None
        self._on_card_error: CardErrorCallback | None = None
        self._reported = False  # the card on the reader has been reported (as a card or as unreadable)
        self._error_reported: str | None = None  # the card-side error already told for the card lying there
        self._misses = 0

    # --- public API ---------------------------------------------------------------------------------------------

    @property
    def status(self) -> DeviceStatus:
        with self._status_lock:
            return self._status

    def start(
        self,
        on_card: CardCallback,
        on_status: StatusCallback | None = None,
        on_card_error: CardErrorCallback | None = None,
    ) -> None:
        """Start polling. ``on_card`` gets each card once; ``on_card_error`` a reason when a card read fails
        (card moved, damaged card), for a "place your card again" hint; ``on_status`` every status change."""
        if self._thread is not None:
            raise RuntimeError("ID card reader already started")
        self._on_card, self._on_status, self._on_card_error = on_card, on_status, on_card_error
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="idreader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.answer_timeout(Command.READ_BASE_FINGERPRINT) + 2)
            self._thread = None
        self._close()
        if self.simulator is not None:
            self.simulator.stop()

    def read_once(self) -> IdCard | None:
        """One synchronous find → select → read (diagnostics, CLI). None if no card; raises FrameError."""
        if self._thread is not None:
            raise RuntimeError("read_once is for a reader that is not polling")
        self._ensure_open()
        try:
            found = self._transact(Command.FIND_CARD)
            if found.sw3 == frames.SW3_FIND_FAILED:
                return None
            self._expect(found, frames.SW3_CARD_FOUND)
            return self._read_card()
        finally:
            self._close()

    # --- worker -----------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._ensure_open()
            except (serial.SerialException, OSError) as exc:
                self._set_status(
                    DeviceStatus.fault(
                        f"ID card reader on {self.location}: cannot open the serial port ({exc}); is it plugged "
                        "in, and may the kiosk user open it (dialout group / udev rule)?"
                    )
                )
                self._stop.wait(REOPEN_DELAY)
                continue
            try:
                self._poll_once()
            except NoAnswer:
                self._set_status(
                    DeviceStatus.fault(
                        f"ID card reader: no answer on {self.location} within "
                        f"{self.answer_timeout(Command.FIND_CARD):.2f} s; check power, the cable and the baud rate "
                        f"({self.baudrate})"
                    )
                )
            except frames.BadChecksum:
                self._set_status(
                    DeviceStatus.fault(
                        f"ID card reader on {self.location}: bad checksum from reader; check the cable and the "
                        f"baud rate ({self.baudrate})"
                    )
                )
            except frames.TruncatedFrame:
                self._set_status(
                    DeviceStatus.fault(
                        f"ID card reader on {self.location}: truncated frame from reader (it stopped mid-answer); "
                        "check the cable and power"
                    )
                )
            except CardReadFailed as exc:
                # The reader works; the card did not read (moved, damaged). Tell the UI, not the technician.
                self._card_error(str(exc))
                self._set_status(DeviceStatus.ok())
            except SamFault as exc:
                self._set_status(DeviceStatus.fault(f"ID card reader on {self.location}: {exc}"))
            except FrameError as exc:
                self._set_status(
                    DeviceStatus.fault(
                        f"ID card reader on {self.location}: garbled answer from reader ({exc})"
                    )
                )
            except (serial.SerialException, OSError) as exc:
                # Unplugged mid-exchange: drop the port; the next round reopens it.
                self._close()
                self._set_status(
                    DeviceStatus.fault(f"ID card reader on {self.location}: serial port lost ({exc})")
                )
            else:
                self._set_status(DeviceStatus.ok())
            self._stop.wait(self.poll_interval)

    def _poll_once(self) -> None:
        found = self._transact(Command.FIND_CARD)
        if found.sw3 == frames.SW3_FIND_FAILED:
            self._misses += 1
            if self._misses >= REMOVAL_MISSES:
                self._reported = False
                self._error_reported = None
            return
        self._expect(found, frames.SW3_CARD_FOUND)
        self._misses = 0
        if self._reported:
            return  # the same card is still lying there: do not read (or report) it again
        try:
            card = self._read_card()
        except UnparsableCard:
            # Reading it again gives the same bytes: report it once, and wait until it is lifted.
            self._reported = True
            raise
        self._reported = True
        # The reader just answered a whole exchange: it is working. Say so before the card is handed on,
        # so whoever reacts to the card never sees a stale fault.
        self._set_status(DeviceStatus.ok())
        if self._on_card is not None:
            try:
                self._on_card(card)
            except Exception as exc:  # a broken callback must not kill the reader thread
                log.error("ID card callback raised %s", type(exc).__name__)

    def _read_card(self) -> IdCard:
        selected = self._transact(Command.SELECT_CARD)
        self._expect(selected, frames.SW3_SUCCESS)
        command, parse = (
            (Command.READ_BASE_FINGERPRINT, parse_fingerprint_message)
            if self.fingerprint
            else (Command.READ_BASE, parse_base_message)
        )
        base = self._transact(command)
        if base.sw3 == frames.SW3_REJECTED and self.fingerprint:
            # A reader without a fingerprint module rejects the command: read without fingerprints from now on.
            log.warning("ID card reader on %s rejects reading with fingerprints; reading without", self.location)
            self.fingerprint = False
            command, parse = Command.READ_BASE, parse_base_message
            base = self._transact(command)
        self._expect(base, frames.SW3_SUCCESS)
        try:
            card = parse(base.data)
        except frames.CardDataError as exc:
            raise UnparsableCard(str(exc)) from None
        if self.latest_address and card.kind is not CardKind.FOREIGN_PERMANENT:
            card = with_latest_address(card, self._read_latest_address())
        return card

    def _read_latest_address(self) -> str | None:
        """The newest appended address, or None: none on the card (0x91), or a reader without the command."""
        try:
            answer = self._transact(Command.READ_LATEST_ADDRESS)
        except NoAnswer:
            # Some readers ignore commands they do not know: the card read must not fail for an extra.
            log.warning("ID card reader on %s does not answer 'read latest address'; not asking again", self.location)
            self.latest_address = False
            return None
        if answer.sw3 != frames.SW3_SUCCESS:
            if answer.sw3 in (frames.SW3_ITEM_EMPTY, frames.SW3_REJECTED):
                return None
            self._expect(answer, frames.SW3_SUCCESS)
        try:
            return parse_latest_address(answer.data)
        except frames.CardDataError as exc:
            raise UnparsableCard(str(exc)) from None

    @staticmethod
    def _expect(response: Response, sw3: int) -> None:
        if response.sw3 == sw3:
            return
        if response.sw3 in frames.DEVICE_FAULT_SW3:
            raise SamFault(response)
        raise CardReadFailed(f"{response.reason} (SAM status 0x{response.sw3:02X})")

    def _card_error(self, reason: str) -> None:
        if reason == self._error_reported:
            return  # the same failure with the same card lying there: told once is enough
        self._error_reported = reason
        log.info("ID card read failed: %s", reason)  # reasons name fields and codes, never card data
        if self._on_card_error is not None:
            try:
                self._on_card_error(reason)
            except Exception as exc:
                log.error("ID card error callback raised %s", type(exc).__name__)

    # --- serial line ------------------------------------------------------------------------------------------

    def _ensure_open(self) -> None:
        if self._serial is None:
            # A short read timeout lets the response loop keep its own deadline and notice stop() quickly.
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0.05, write_timeout=self.timeout)

    def _close(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._serial.close()
            self._serial = None

    def answer_timeout(self, command: Command) -> float:
        """Seconds to wait for the answer to ``command``: the reader's own time plus the wire time."""
        return self.timeout + frames.transfer_seconds(command.cmd, command.param, self.baudrate)

    def _transact(self, command: Command) -> Response:
        assert self._serial is not None
        # Drop whatever is left from an earlier broken or late answer, so it is not taken for this one.
        self._serial.reset_input_buffer()
        self._serial.write(frames.build_command(command))
        return frames.parse_response(self._read_frame(self.answer_timeout(command)))

    def _read_frame(self, timeout: float) -> bytes:
        assert self._serial is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        received = False
        while time.monotonic() < deadline:
            chunk = self._serial.read(self._serial.in_waiting or 1)
            if not chunk:
                continue
            received = True
            buffer += chunk
            frame, buffer = frames.split_frame(buffer)
            if frame is not None:
                return frame
        if received:
            raise frames.TruncatedFrame(f"answer incomplete after {timeout:.2f} s")
        raise NoAnswer(f"no answer within {timeout:.2f} s")

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            if status == self._status:
                return
            self._status = status
        log.info("ID card reader status: %s", status)
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception as exc:
                log.error("ID card status callback raised %s", type(exc).__name__)
