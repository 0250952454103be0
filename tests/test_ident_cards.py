"""Every legal ID card through the real GA 467 driver and the simulator over a pty: resident cards, Hong Kong/
Macau/Taiwan residence permits (J), foreign permanent-resident cards (I), fingerprint frames, the latest
address, an unreadable card reported once, and answer deadlines that follow the baud rate."""

from __future__ import annotations

import datetime as dt
import queue
import time
from collections.abc import Iterator

import pytest

from devices.idreader import (
    DEMO_CARD_FILE,
    DEMO_FOREIGN_FILE,
    DEMO_PERMIT_FILE,
    CardKind,
    IdCard,
    IdCardReader,
    frames,
    open_id_reader,
)
from devices.idreader.card import (
    encode_base_message,
    encode_fingerprint_message,
    load_card_file,
    parse_base_message,
    parse_fingerprint_message,
)
from devices.idreader.frames import Command
from devices.idreader.simulator import DEMO_FINGERPRINTS
from kiosk.idnumber import IdKind, IdNumberError, check_character, parse_card_number, parse_id_number

WAIT = 5.0
TODAY = dt.date(2026, 11, 30)


class Reader:
    def __init__(self, url: str) -> None:
        self.reader = open_id_reader(url)
        self.cards: queue.Queue[IdCard] = queue.Queue()
        self.errors: list[str] = []
        self.reader.start(self.cards.put, None, self.errors.append)

    def present(self, card: object = None) -> IdCard:
        self.reader.simulator.present(card)
        return self.cards.get(timeout=WAIT)

    def polls(self, count: int) -> None:
        seen = self.reader.simulator.commands_seen
        deadline = time.monotonic() + WAIT
        while self.reader.simulator.commands_seen < seen + count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture(params=["base", "fingerprint"])
def sim(request: pytest.FixtureRequest) -> Iterator[Reader]:
    fingerprint = "&fingerprint=1" if request.param == "fingerprint" else ""
    reader = Reader(f"sim://?timeout=0.3&poll=0.02{fingerprint}")
    try:
        yield reader
    finally:
        reader.reader.stop()


def test_a_residence_permit_reads_with_its_own_fields(sim: Reader) -> None:
    card = sim.present(DEMO_PERMIT_FILE)
    assert card.kind is CardKind.HK_MO_TW_PERMIT
    assert (card.name, card.sex, card.id_number) == ("陈嘉欣", "F", "810000199208140021")
    assert (card.pass_number, card.issue_count) == ("H12345678", 1)
    assert card.nation_code == "" and card.birth_date == dt.date(1992, 8, 14)
    assert card.valid_until == dt.date(2027, 3, 1) and card.issuer == "深圳市公安局福田分局"
    assert "810000199208140021" not in repr(card) and "陈嘉欣" not in repr(card)


def test_a_foreign_permanent_resident_card_reads_with_its_own_fields(sim: Reader) -> None:
    card = sim.present(DEMO_FOREIGN_FILE)
    assert card.kind is CardKind.FOREIGN_PERMANENT
    assert (card.english_name, card.name, card.nationality_code) == ("MARTIN, CLAIRE", "马克莱", "CAN")
    assert (card.id_number, card.sex, card.birth_date) == ("CAN110085061702", "F", dt.date(1985, 6, 17))
    assert (card.card_version, card.authority_code) == ("01", "1100")
    assert card.address == "" and card.latest_address is None
    assert card.valid_from == dt.date(2020, 1, 10) and card.valid_until == dt.date(2030, 1, 10)


def test_a_foreign_card_without_a_chinese_name_is_addressed_by_its_english_name(sim: Reader) -> None:
    fields = load_card_file(DEMO_FOREIGN_FILE)
    fields["name"] = ""
    assert sim.present(fields).name == "MARTIN, CLAIRE"


def test_the_resident_card_still_reads_as_before(sim: Reader) -> None:
    card = sim.present(DEMO_CARD_FILE)
    assert card.kind is CardKind.RESIDENT and card.nation == "汉" and card.id_number == "410105195003152015"


def test_the_latest_address_replaces_a_stale_one(sim: Reader) -> None:
    card = sim.present(DEMO_PERMIT_FILE)
    assert card.address == "广东省深圳市福田区示范路8号"
    assert card.latest_address == card.current_address == "广东省深圳市南山区示范街16号"
    resident = sim.present(DEMO_CARD_FILE)  # no appended address: the chip's address stands
    assert resident.latest_address is None and resident.current_address == "河南省郑州市金水区示范路1号"


def test_fingerprints_are_noticed_only_when_read_with_the_fingerprint_command(sim: Reader) -> None:
    card = sim.present(DEMO_PERMIT_FILE)
    assert card.has_fingerprint is sim.reader.fingerprint
    assert not any(isinstance(getattr(card, name), bytes) for name in card.__slots__)


def test_an_unreadable_card_is_reported_once_until_it_is_lifted(sim: Reader) -> None:
    fields = load_card_file(DEMO_PERMIT_FILE)
    fields["id_number"] = "410105195003152015"  # a J card with a resident's number: not a card we accept
    sim.reader.simulator.present(fields)
    sim.polls(60)  # about a second of polling with the card lying there
    assert len(sim.errors) == 1 and "810000" in sim.errors[0]
    assert sim.cards.empty()
    sim.reader.simulator.remove()
    sim.polls(6)
    sim.reader.simulator.present(fields)
    sim.polls(20)
    assert len(sim.errors) == 2  # placed again: told again, once


def test_an_unknown_card_type_names_the_type_character() -> None:
    data = bytearray(encode_base_message(load_card_file(DEMO_CARD_FILE)))
    data[4 + 248 : 4 + 250] = "Y".encode("utf-16-le")
    with pytest.raises(frames.CardDataError, match="'Y' at byte 248"):
        parse_base_message(bytes(data))


def test_fingerprint_frames_put_the_text_at_frame_offset_16() -> None:
    fields = load_card_file(DEMO_PERMIT_FILE)
    frame = frames.build_response(frames.SW3_SUCCESS, encode_fingerprint_message(fields, DEMO_FINGERPRINTS))
    assert len(frame) == 1295 + 2 + 1024
    assert frame[16 : 16 + 6].decode("utf-16-le") == "陈嘉欣"
    assert frame[16 + 248 : 16 + 250].decode("utf-16-le") == "J"
    card = parse_fingerprint_message(frames.parse_response(frame).data)
    assert card.id_number == "810000199208140021" and card.has_fingerprint
    base = frames.build_response(frames.SW3_SUCCESS, encode_base_message(fields))
    assert len(base) == 1295 and base[14 : 14 + 6].decode("utf-16-le") == "陈嘉欣"


def test_new_commands_are_byte_exact() -> None:
    assert frames.build_command(Command.READ_BASE_FINGERPRINT) == bytes.fromhex("AAAAAA9669 0003 3010 23")
    assert frames.build_command(Command.READ_LATEST_ADDRESS) == bytes.fromhex("AAAAAA9669 0003 3003 30")


def test_answer_deadlines_follow_the_baud_rate() -> None:
    slow = IdCardReader("/dev/null", baudrate=9600, timeout=0.5)
    fast = IdCardReader("/dev/null", baudrate=115200, timeout=0.5)
    assert slow.answer_timeout(Command.READ_BASE) == pytest.approx(0.5 + 1.349, abs=0.01)  # 1,295 bytes
    assert slow.answer_timeout(Command.READ_BASE_FINGERPRINT) == pytest.approx(0.5 + 2.418, abs=0.01)
    assert fast.answer_timeout(Command.READ_BASE) == pytest.approx(0.5 + 0.112, abs=0.01)
    assert slow.answer_timeout(Command.FIND_CARD) < 0.55


# --- the numbers on those cards (kiosk/idnumber.py) ------------------------------------------------------------


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("number", "kind", "province"),
    [
        ("410105195003152015", IdKind.RESIDENT, "河南省"),
        ("810000199208140021", IdKind.HK_MO_TW_PERMIT, "香港特别行政区"),
        (with_check("82000019800101002"), IdKind.HK_MO_TW_PERMIT, "澳门特别行政区"),
        (with_check("83000019700101001"), IdKind.HK_MO_TW_PERMIT, "台湾省"),
        (with_check("91103619780521001"), IdKind.FOREIGN_PERMANENT, "北京市"),
    ],
)
def test_every_legal_number_parses_with_its_kind(number: str, kind: IdKind, province: str) -> None:
    parsed = parse_id_number(number, today=TODAY)
    assert (parsed.kind, parsed.province) == (kind, province)
    assert number not in repr(parsed)


def test_foreign_numbers_carry_the_nationality_and_the_sex() -> None:
    parsed = parse_id_number(with_check("91103619780521001"), today=TODAY)
    assert parsed.nationality_code == "036" and parsed.sex == "M" and parsed.birth_date == dt.date(1978, 5, 21)


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("810000199208140022", "id.error.check_digit"),  # permit with a wrong check digit
        (with_check("83010119700101001"), "id.error.region"),  # 83 is only ever 830000
        (with_check("99103619780521001"), "id.error.region"),  # no province 99
        (with_check("91115619780521001"), "id.error.region"),  # nationality 156 is China
        (with_check("91103619781321001"), "id.error.date"),
        ("911036197805210019", "id.error.check_digit"),
        ("910360780521001", "id.error.region"),  # 15 digits are resident numbers only
    ],
)
def test_each_rule_of_the_other_cards_is_named(number: str, key: str) -> None:
    with pytest.raises(IdNumberError) as error:
        parse_id_number(number, today=TODAY)
    assert error.value.key == key


def test_card_numbers_must_match_the_card_kind() -> None:
    born = dt.date(1985, 6, 17)
    legacy = parse_card_number("CAN110085061702", "foreign_permanent", born, "F", today=TODAY)
    assert (legacy.kind, legacy.nationality_code, legacy.birth_date) == (IdKind.FOREIGN_PERMANENT, "CAN", born)
    assert parse_card_number("810000199208140021", "hk_mo_tw_permit", born, "F", today=TODAY).kind == "hk_mo_tw_permit"
    with pytest.raises(IdNumberError) as error:
        parse_card_number("410105195003152015", "hk_mo_tw_permit", born, "M", today=TODAY)
    assert error.value.key == "id.error.card_kind"
    with pytest.raises(IdNumberError):
        parse_id_number("CAN110085061702", today=TODAY)  # typed: no check rule, not accepted


def test_the_new_words_exist_in_both_languages() -> None:
    from kiosk.i18n import translate

    keys = ["id.error.card_kind", "idcards.unreadable", "idcards.read_again", "idcards.latest_address",
            "qr.error.charset", *(f"idcards.kind.{kind.value}" for kind in CardKind)]
    for language in ("zh_CN", "en"):
        for key in keys:
            assert translate(key, language=language) != key, (language, key)
    assert translate("idcards.kind.hk_mo_tw_permit", language="zh_CN") == "港澳台居民居住证"


def test_an_older_reader_still_reads_cards() -> None:
    # No fingerprint module (rejects the command) and no "read latest address" (ignores it): the card still
    # reads, with the chip's address, and the reader is not reported as faulty.
    reader = Reader("sim://?timeout=0.3&poll=0.02&fingerprint=1")
    reader.reader.simulator.fingerprint_module = False
    reader.reader.simulator.answers_latest_address = False
    try:
        card = reader.present(DEMO_PERMIT_FILE)
        assert card.id_number == "810000199208140021" and not card.has_fingerprint
        assert card.latest_address is None and card.current_address == "广东省深圳市福田区示范路8号"
        assert reader.errors == [] and not reader.reader.fingerprint and not reader.reader.latest_address
        reader.polls(10)
        assert reader.reader.status.state.value == "ok"
    finally:
        reader.reader.stop()
