"""ESC/POS commands that make a print job accountable: a completion marker, the buffer clear, and their replies.

Why these two and not ESC @: ESC @ ("initialize printer") clears the print buffer and the modes but, in Epson's
own words, "the data in the receive buffer is not cleared" — the unprinted rest of a job that stopped at paper end
sits in the receive buffer and comes out after the refill. The commands below are from the Epson ESC/POS
reference (TM series):

- ``DLE DC4 fn=8 d1..d7`` "Clear buffer(s)": ``10 14 08 01 03 14 01 06 02 08``. A real-time command (processed on
  arrival, also while the printer is offline for paper end or an open cover); it discards the receive and print
  buffers and answers the clear response ``37 25 00``. receiptline/receiptio sends the same ten bytes to get a
  printer into a known state when it connects.
- ``GS ( H fn=48`` "Set the process ID response": ``1D 28 48 06 00 30 30 d1 d2 d3 d4``. Not real-time: it waits
  in the buffer behind the job, and "when the related data is printing data, the process ID response is
  transmitted when the printing is completed" — ``37 22 d1 d2 d3 d4 00``. A printer that ran out of paper
  part-way never answers it; that silence is what keeps a half-printed receipt from being called printed.

Replies arrive interleaved on one byte stream: DLE EOT answers are single bytes with the fixed pattern
(bits 1 and 4 set, 0 and 7 clear); the block replies above start with a header byte (0x37 …) and end with NUL.
None of the header bytes has the status pattern, so ``ReplyParser`` can split the two: a late process-ID reply
is never misread as a status byte (its digit ``'2'`` = 0x32 has the status pattern) and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CLEAR_BUFFERS = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"
CLEAR_RESPONSE = b"\x37\x25\x00"
PROCESS_ID_HEADER = b"\x37\x22"
PROCESS_ID_PREFIX = b"\x1d(H\x06\x00\x30\x30"  # GS ( H pL=6 pH=0 fn=48 m=48
_BLOCK_HEADERS = frozenset({0x35, 0x37, 0x3B, 0x3D, 0x5F})  # Epson "block data" replies, NUL-terminated
_MAX_BLOCK = 80  # the longest block reply (model name, firmware) is well under this; longer is line noise


def process_id(counter: int) -> bytes:
    """Four printable digits: the job's id in the printer's reply. Ranges 0x20-0x7E are allowed; digits are safe
    on every clone we know of."""
    return f"{counter % 10000:04d}".encode("ascii")


def process_id_request(pid: bytes) -> bytes:
    if len(pid) != 4 or not all(0x20 <= b <= 0x7E for b in pid):
        raise ValueError(f"process id {pid!r}: four bytes 0x20-0x7E")
    return PROCESS_ID_PREFIX + pid


def process_id_response(pid: bytes) -> bytes:
    return PROCESS_ID_HEADER + pid + b"\x00"


@dataclass(slots=True)
class ReplyParser:
    """Feeds on whatever the printer sent back; keeps a block that arrives split across reads."""

    _block: bytearray | None = None
    blocks: list[bytes] = field(default_factory=list)

    def feed(self, data: bytes) -> bytes:
        """Return the bytes of ``data`` outside block replies, in order (DLE EOT answers, or bytes that
        decode_status will call unexpected); complete block replies go to ``blocks``."""
        status = bytearray()
        for value in data:
            if self._block is not None:
                self._block.append(value)
                if value == 0:
                    self.blocks.append(bytes(self._block))
                    self._block = None
                elif len(self._block) > _MAX_BLOCK:
                    self._block = None  # not a reply after all: drop it rather than swallow later answers
            elif value in _BLOCK_HEADERS:
                self._block = bytearray([value])
            else:
                status.append(value)
        return bytes(status)

    def take(self, block: bytes) -> bool:
        """Remove ``block`` from the received blocks; True if it was there."""
        try:
            self.blocks.remove(block)
        except ValueError:
            return False
        return True

    def reset(self) -> None:
        self._block = None
        self.blocks.clear()
