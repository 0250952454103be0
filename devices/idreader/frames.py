"""GA 467 (SAM_V) serial frames: build command frames, parse response frames, name the status codes.

Both directions share one layout:

    AA AA AA 96 69 | LEN_HI LEN_LO | BODY (LEN - 1 bytes) | CHECK

LEN counts everything after itself, the check byte included. CHECK is the XOR of every byte after the 5-byte
preamble, the two length bytes included. A command body is ``CMD PARAM [DATA]``; a response body is
``SW1 SW2 SW3 [DATA]``, and SW3 carries the status (0x90 success, 0x9F card found, the rest below).

Everything here is pure (bytes in, values out) so the driver and the simulator share it and a property test
can throw arbitrary bytes at it. Parsing raises only ``FrameError`` subclasses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

PREAMBLE = bytes((0xAA, 0xAA, 0xAA, 0x96, 0x69))
HEADER_LEN = len(PREAMBLE) + 2  # preamble + two length bytes
# The largest legitimate frame is "read base message + fingerprint" (~2.3 KB); anything far beyond is noise.
MAX_LEN = 4096
# Bytes of the longest answer to each command, frame included: what the line must carry before the deadline.
# Base message: 7 header + 3 status + 4 lengths + 256 text + 1024 photo + 1 check = 1,295 bytes.
ANSWER_BYTES: dict[tuple[int, int], int] = {
    (0x30, 0x01): 1295,
    (0x30, 0x10): 1295 + 2 + 1024,
    (0x30, 0x03): 7 + 3 + 70 + 1,
}
SHORT_ANSWER_BYTES = 24  # status, find (4 bytes of data), select (8 bytes)
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit


def transfer_seconds(cmd: int, param: int, baudrate: int) -> float:
    """How long the longest answer to (cmd, param) takes on the wire at ``baudrate``."""
    return ANSWER_BYTES.get((cmd, param), SHORT_ANSWER_BYTES) * BITS_PER_BYTE / baudrate


class Command(enum.Enum):
    """The (CMD, PARAM) pairs this driver speaks."""

    RESET = (0x10, 0xFF)
    STATUS = (0x11, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)
    READ_LATEST_ADDRESS = (0x30, 0x03)  # the newest appended address (追加住址), 70 bytes
    READ_BASE_FINGERPRINT = (0x30, 0x10)  # base message plus the fingerprint file

    @property
    def cmd(self) -> int:
        return self.value[0]

    @property
    def param(self) -> int:
        return self.value[1]


# SW3 status codes of the SAM_V module (GA 467 / the SAM_V interface spec), with a reason a technician reads.
SW3_SUCCESS = 0x90
SW3_CARD_FOUND = 0x9F
SW3_FIND_FAILED = 0x80
SW3_SELECT_FAILED = 0x81
SW3_READ_FAILED = 0x41
SW3_ITEM_EMPTY = 0x91
SW3_REJECTED = 0x21

SW3_REASONS: dict[int, str] = {
    0x90: "operation succeeded",
    0x9F: "card found",
    0x10: "the SAM received a command with a bad checksum (noise on the line or wrong baud rate)",
    0x11: "the SAM received a command with a wrong length (noise on the line or wrong baud rate)",
    0x21: "the SAM rejected the command (unknown command or parameter combination)",
    0x23: "the SAM refused an operation it is not entitled to perform",
    0x24: "the SAM reported an error it could not identify",
    0x31: "the card failed to authenticate the SAM (card moved during reading, or a damaged card)",
    0x32: "the SAM failed to authenticate the card (not a genuine resident ID card, or a damaged card)",
    0x33: "the card data failed verification (card moved during reading, or a damaged card)",
    0x40: "the card type is not recognised (not a second-generation resident ID card)",
    0x41: "reading the card failed (card moved or lifted during reading)",
    0x47: "the SAM could not get a random number from the card (card moved during reading)",
    0x60: "the SAM failed its self-test and accepts no commands (reader needs service)",
    0x66: "the SAM is not authorised for use (reader not activated; contact the supplier)",
    0x80: "no card found on the reader",
    0x81: "selecting the card failed (card moved or lifted)",
    0x91: "this item is empty on the card",
    0xFF: "communication failure inside the reader",
}

# Codes that mean the reader itself cannot work (a technician must act), as opposed to one bad card read.
DEVICE_FAULT_SW3 = frozenset({0x10, 0x11, 0x21, 0x23, 0x24, 0x60, 0x66, 0xFF})


def sw3_reason(sw3: int) -> str:
    return SW3_REASONS.get(sw3, f"unknown status code 0x{sw3:02X} from the SAM")


class FrameError(Exception):
    """A frame that cannot be used. The message is for a technician and never contains card data."""


class BadPreamble(FrameError):
    pass


class BadLength(FrameError):
    pass


class TruncatedFrame(FrameError):
    pass


class BadChecksum(FrameError):
    pass


class CardDataError(FrameError):
    """A well-formed frame whose card data cannot be parsed (the reason names the field, never its value)."""


def checksum(covered: bytes) -> int:
    value = 0
    for byte in covered:
        value ^= byte
    return value


def encode_frame(body: bytes) -> bytes:
    """Wrap a body (command or response) in preamble, length and check byte."""
    length = len(body) + 1
    if length > MAX_LEN:
        raise BadLength(f"frame body of {len(body)} bytes exceeds the {MAX_LEN}-byte limit")
    covered = length.to_bytes(2, "big") + body
    return PREAMBLE + covered + bytes((checksum(covered),))


def build_command(command: Command, data: bytes = b"") -> bytes:
    return encode_frame(bytes((command.cmd, command.param)) + data)


def build_response(sw3: int, data: bytes = b"") -> bytes:
    return encode_frame(bytes((0x00, 0x00, sw3)) + data)


def declared_length(header: bytes) -> int:
    """Validate a 7-byte header and return LEN (the number of bytes still to read)."""
    if len(header) < HEADER_LEN:
        raise TruncatedFrame(f"frame header has {len(header)} of {HEADER_LEN} bytes")
    if header[: len(PREAMBLE)] != PREAMBLE:
        raise BadPreamble("frame does not start with AA AA AA 96 69")
    length = int.from_bytes(header[5:7], "big")
    if length < 1 or length > MAX_LEN:
        raise BadLength(f"frame declares {length} bytes, outside 1..{MAX_LEN}")
    return length


def decode_frame(raw: bytes) -> bytes:
    """Return the body of one complete frame (exactly one: trailing bytes are an error)."""
    length = declared_length(raw[:HEADER_LEN])
    total = HEADER_LEN + length
    if len(raw) < total:
        raise TruncatedFrame(f"frame has {len(raw)} of {total} bytes")
    if len(raw) > total:
        raise BadLength(f"frame has {len(raw) - total} bytes after its check byte")
    covered = raw[5:-1]
    if checksum(covered) != raw[-1]:
        raise BadChecksum("frame check byte does not match its contents")
    return raw[HEADER_LEN:-1]


def split_frame(buffer: bytes) -> tuple[bytes | None, bytes]:
    """Find the first complete frame in a stream buffer: (frame or None, the bytes left over).

    Bytes before a preamble are dropped (line noise, or the tail of an earlier broken frame); a preamble with
    an impossible length is skipped (resynchronise on the next one); an incomplete frame stays in the buffer.
    The frame returned may still have a bad checksum: ``decode_frame`` checks that.
    """
    while True:
        start = buffer.find(PREAMBLE)
        if start < 0:
            # Keep a possible partial preamble at the end so a frame split across reads is not lost.
            keep = next((k for k in range(len(PREAMBLE) - 1, 0, -1) if buffer.endswith(PREAMBLE[:k])), 0)
            return None, buffer[len(buffer) - keep :] if keep else b""
        buffer = buffer[start:]
        if len(buffer) < HEADER_LEN:
            return None, buffer
        try:
            length = declared_length(buffer[:HEADER_LEN])
        except BadLength:
            buffer = buffer[1:]
            continue
        total = HEADER_LEN + length
        if len(buffer) < total:
            return None, buffer
        return buffer[:total], buffer[total:]


@dataclass(frozen=True, slots=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def reason(self) -> str:
        return sw3_reason(self.sw3)


def parse_response(raw: bytes) -> Response:
    body = decode_frame(raw)
    if len(body) < 3:
        raise BadLength(f"response body has {len(body)} bytes; a response needs SW1 SW2 SW3")
    return Response(sw1=body[0], sw2=body[1], sw3=body[2], data=bytes(body[3:]))


@dataclass(frozen=True, slots=True)
class CommandFrame:
    cmd: int
    param: int
    data: bytes

    def is_(self, command: Command) -> bool:
        return (self.cmd, self.param) == command.value


def parse_command(raw: bytes) -> CommandFrame:
    body = decode_frame(raw)
    if len(body) < 2:
        raise BadLength(f"command body has {len(body)} bytes; a command needs CMD PARAM")
    return CommandFrame(cmd=body[0], param=body[1], data=bytes(body[2:]))
