"""The GA 467 driver against the simulator over a real pseudo-terminal: real frames, real pyserial."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.idreader import IdCard, IdCardReader, frames, open_id_reader
from devices.idreader.card import encode_base_message, load_card_file, parse_base_message
from devices.idreader.simulator import DEMO_CARD_FILE, IdReaderSimulator
from devices.status import DeviceState, DeviceStatus

WAIT = 5.0


class Recorder:
    """Collects what the reader thread reports, and lets the test wait for it."""

    def __init__(self) -> None:
        self.cards: queue.Queue[IdCard] = queue.Queue()
        self.statuses: list[DeviceStatus] = []
        self.card_errors: list[str] = []
        self._changed = threading.Condition()

    def on_card(self, card: IdCard) -> None:
        self.cards.put(card)

    def on_status(self, status: DeviceStatus) -> None:
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    def on_card_error(self, reason: str) -> None:
        self.card_errors.append(reason)

    def next_card(self, timeout: float = WAIT) -> IdCard:
        return self.cards.get(timeout=timeout)

    def wait_status(
        self, predicate: Callable[[DeviceStatus], bool], after: int = 0, timeout: float = WAIT
    ) -> DeviceStatus:
        """The first status (from index ``after`` on) that matches."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for status in self.statuses[after:]:
                    if predicate(status):
                        return status
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching status; saw {[str(s) for s in self.statuses]}")
                self._changed.wait(remaining)


@pytest.fixture
def sim_reader() -> Iterator[tuple[IdCardReader, Recorder]]:
    reader = open_id_reader("sim://?timeout=0.3&poll=0.02")
    recorder = Recorder()
    reader.start(recorder.on_card, recorder.on_status, recorder.on_card_error)
    try:
        yield reader, recorder
    finally:
        reader.stop()


def test_reads_the_demo_citizen(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    reader.simulator.present()
    card = recorder.next_card()
    assert card.name == "张建国"
    assert card.sex == "M" and card.sex_label == "男"
    assert card.nation_code == "01" and card.nation == "汉"
    assert card.birth_date == dt.date(1950, 3, 15)
    assert card.address == "河南省郑州市金水区示范路1号"
    assert card.id_number == "410105195003152015"
    assert card.issuer == "郑州市公安局金水分局"
    assert card.valid_from == dt.date(2015, 1, 1)
    assert card.valid_until is None and card.long_term
    assert reader.status.state is DeviceState.OK


def test_repr_never_shows_the_full_name_or_number(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    reader.simulator.present()
    card = recorder.next_card()
    for text in (repr(card), str(card), f"{card}"):
        assert "410105195003152015" not in text and "张建国" not in text
        assert "4101" in text and "2015" in text


def test_card_is_reported_once_until_it_is_lifted(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    reader.simulator.present()
    recorder.next_card()
    seen = reader.simulator.commands_seen
    while reader.simulator.commands_seen < seen + 20:  # many polls with the card lying there
        time.sleep(0.02)
    assert recorder.cards.empty()
    reader.simulator.remove()
    while reader.simulator.commands_seen < seen + 30:
        time.sleep(0.02)
    reader.simulator.present()
    assert recorder.next_card().id_number == "410105195003152015"


def test_another_card_from_a_file_is_reported(sim_reader: tuple[IdCardReader, Recorder], tmp_path) -> None:
    reader, recorder = sim_reader
    fields = load_card_file(DEMO_CARD_FILE)
    fields.update(name="李秀英", sex="2", id_number="11010519491231002X", valid_until="20301231")
    card_file = tmp_path / "card.json"
    card_file.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    reader.simulator.present()
    recorder.next_card()
    reader.simulator.present(card_file)  # a swap: lift one card, place the other
    card = recorder.next_card()
    assert (card.name, card.sex, card.id_number) == ("李秀英", "F", "11010519491231002X")
    assert card.valid_until == dt.date(2030, 12, 31)


def test_no_card_is_quietly_ok(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    recorder.wait_status(lambda s: s.state is DeviceState.OK)
    seen = reader.simulator.commands_seen
    while reader.simulator.commands_seen < seen + 10:
        time.sleep(0.02)
    assert recorder.cards.empty()
    assert recorder.card_errors == []
    assert reader.status.state is DeviceState.OK


def test_bad_checksum_is_a_fault_and_the_card_still_reads(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    recorder.wait_status(lambda s: s.state is DeviceState.OK)
    reader.simulator.corrupt_next_checksum()
    reader.simulator.present()
    fault = recorder.wait_status(lambda s: s.state is DeviceState.FAULT)
    assert "bad checksum from reader" in fault.reason
    assert recorder.next_card().id_number == "410105195003152015"
    recorder.wait_status(lambda s: s.state is DeviceState.OK, after=recorder.statuses.index(fault))
    assert reader.status.state is DeviceState.OK


def test_truncated_frame_is_a_fault_then_recovers(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    recorder.wait_status(lambda s: s.state is DeviceState.OK)
    reader.simulator.truncate_next_frame()
    reader.simulator.present()
    fault = recorder.wait_status(lambda s: s.state is DeviceState.FAULT)
    assert "truncated frame" in fault.reason
    assert recorder.next_card().name == "张建国"
    assert reader.status.state is DeviceState.OK


def test_silent_reader_becomes_a_fault_and_recovers(sim_reader: tuple[IdCardReader, Recorder]) -> None:
    reader, recorder = sim_reader
    recorder.wait_status(lambda s: s.state is DeviceState.OK)
    reader.simulator.go_silent(True)
    fault = recorder.wait_status(lambda s: s.state is DeviceState.FAULT)
    assert "no answer on" in fault.reason and reader.simulator.port in fault.reason
    assert reader.status.state is DeviceState.FAULT
    reader.simulator.go_silent(False)
    reader.simulator.present()
    assert recorder.next_card().name == "张建国"
    assert recorder.statuses[-1].state is DeviceState.OK


def test_missing_serial_port_is_a_fault_naming_the_port() -> None:
    reader = open_id_reader("serial:///dev/ttyNOSUCHPORT?timeout=0.2")
    recorder = Recorder()
    reader.start(recorder.on_card, recorder.on_status)
    try:
        fault = recorder.wait_status(lambda s: s.state is DeviceState.FAULT)
    finally:
        reader.stop()
    assert "/dev/ttyNOSUCHPORT" in fault.reason and "cannot open" in fault.reason


def test_read_once_over_a_pty_without_polling() -> None:
    simulator = IdReaderSimulator().start()
    try:
        reader = IdCardReader(simulator.port, timeout=0.5)
        assert reader.read_once() is None
        simulator.present()
        card = reader.read_once()
        assert card is not None and card.id_number == "410105195003152015"
    finally:
        simulator.stop()


def test_frames_are_byte_exact() -> None:
    # Find card as every GA 467 reader documents it, and a "card found" answer.
    assert frames.build_command(frames.Command.FIND_CARD) == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert frames.build_command(frames.Command.SELECT_CARD) == bytes.fromhex("AAAAAA9669 0003 2002 21")
    assert frames.build_command(frames.Command.READ_BASE) == bytes.fromhex("AAAAAA9669 0003 3001 32")
    found = frames.parse_response(bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97"))
    assert found.sw3 == frames.SW3_CARD_FOUND and found.data == bytes(4)


def test_base_message_round_trip_drops_the_photo() -> None:
    fields = load_card_file(DEMO_CARD_FILE)
    data = encode_base_message(fields, photo=b"\x5a" * 1024)
    assert len(data) == 4 + 256 + 1024
    card = parse_base_message(data)
    assert card.id_number == fields["id_number"]
    assert not any(isinstance(getattr(card, f.name), bytes) for f in dataclasses.fields(card))


def test_every_status_code_has_a_reason() -> None:
    for code in (
        0x90,
        0x9F,
        0x80,
        0x81,
        0x41,
        0x10,
        0x11,
        0x21,
        0x23,
        0x24,
        0x31,
        0x32,
        0x33,
        0x40,
        0x47,
        0x60,
        0x66,
        0x91,
    ):
        assert not frames.sw3_reason(code).startswith("unknown status code")
    assert "0x77" in frames.sw3_reason(0x77)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
def test_frame_parser_raises_only_typed_errors(raw: bytes) -> None:
    for parse in (frames.parse_response, frames.parse_command, parse_base_message):
        with contextlib.suppress(frames.FrameError):
            parse(raw)
    buffer = raw
    for _ in range(50):
        frame, rest = frames.split_frame(buffer)
        assert len(rest) <= len(buffer)
        if frame is None:
            break
        assert frame.startswith(frames.PREAMBLE)
        buffer = rest


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=300), st.integers(min_value=0, max_value=0x50F))
def test_well_framed_garbage_raises_only_typed_errors(data: bytes, cut: int) -> None:
    # A frame with a valid checksum but arbitrary content: the card parser must still fail cleanly.
    raw = frames.build_response(0x90, (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + data)
    with contextlib.suppress(frames.FrameError):
        parse_base_message(frames.parse_response(raw[: cut or None]).data)
