"""Availability rules: which services a citizen can use when a required device is down, and what the home
screen says, against the sandbox's real catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devices.status import DeviceStatus
from kiosk.availability import Feature, Level, assess
from kiosk.catalog import Catalog, load_catalog_file, parse_catalog
from kiosk.i18n import translate

CATALOG_FILE = Path(__file__).resolve().parents[1] / "kiosk" / "sandbox" / "data" / "catalog.json"
OK = DeviceStatus.ok()
PAPER_OUT = DeviceStatus.fault("paper roll is empty; load a new roll")
NEAR_END = DeviceStatus.degraded("paper roll is nearly used up")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_file(CATALOG_FILE)


def states(**overrides):
    return {"printer": OK, "idreader": OK, "camera": None, "scanner": OK, **overrides}


def printed_here(catalog: Catalog) -> set[str]:
    return {i.code for i in catalog.items if i.kind == "query_print" or "print_now" in i.guide.delivery}


def test_all_devices_working_means_available(catalog: Catalog) -> None:
    result = assess(states(), ("printer", "idreader"), catalog)
    assert result.level is Level.AVAILABLE and result.available
    assert result.unavailable_items == {} and result.messages == ()


def test_printer_down_blocks_what_prints_here_and_keeps_applications(catalog: Catalog) -> None:
    result = assess(states(printer=PAPER_OUT), ("printer",), catalog)
    assert result.level is Level.LIMITED and result.down == ("printer",)
    assert set(result.unavailable_items) == printed_here(catalog)
    assert "SB-001" in result.unavailable_items  # query and print
    assert "MZ-001" in result.unavailable_items  # an appointment whose slip prints here
    assert result.item_available("HJ-001") and result.item_available("GJJ-002")  # applications still go in
    assert not result.feature_available(Feature.RECEIPT_PRINT)
    assert result.feature_available(Feature.ID_CARD)
    message = result.message
    assert message is not None and message.key == "availability.home.no_printer"
    assert message.values == {"count": len(printed_here(catalog))}
    assert "打印机暂停使用" in translate(message.key, "zh_CN", **message.values)


def test_a_printer_that_still_prints_or_is_not_required_changes_nothing(catalog: Catalog) -> None:
    assert assess(states(printer=NEAR_END), ("printer",), catalog).level is Level.AVAILABLE
    assert assess(states(printer=PAPER_OUT), ("idreader",), catalog).level is Level.AVAILABLE


def test_a_required_printer_switched_off_in_the_config_counts_as_down(catalog: Catalog) -> None:
    result = assess(states(printer=None), ("printer",), catalog)
    assert result.down == ("printer",) and result.unavailable_items


def test_reader_down_leaves_typing_the_number(catalog: Catalog) -> None:
    result = assess(states(idreader=DeviceStatus.fault("no answer on /dev/ttyUSB0")), ("idreader",), catalog)
    assert result.level is Level.LIMITED
    assert result.unavailable_items == {}  # every item can still be reached by typing the ID number
    assert not result.feature_available("id_card") and result.feature_available("qr_scan")
    assert result.message is not None and result.message.key == "availability.home.no_card_reader"
    assert "输入身份证号码" in translate(result.message.key, "zh_CN")


def test_qr_scanning_is_lost_only_when_no_code_reader_works() -> None:
    camera_down = DeviceStatus.fault("camera /dev/video0: does not exist")
    with_scanner = assess(states(camera=camera_down), ("camera",))
    assert with_scanner.feature_available(Feature.QR_SCAN)  # the serial/keyboard scanner still reads codes
    alone = assess(states(camera=camera_down, scanner=None), ("camera",))
    assert not alone.feature_available(Feature.QR_SCAN)
    assert alone.message is not None and alone.message.key == "availability.home.no_qr"


def test_everything_printed_here_and_printer_down_means_unavailable(catalog: Catalog) -> None:
    data = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    data["items"] = [i for i in data["items"] if i["kind"] == "query_print"]
    only_prints = parse_catalog(data, "test")
    result = assess(states(printer=PAPER_OUT), ("printer",), only_prints)
    assert result.level is Level.UNAVAILABLE and not result.available
    assert [m.key for m in result.messages] == ["availability.home.unavailable"]


def test_a_bundle_is_unavailable_when_one_of_its_items_is() -> None:
    data = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    bundle = {**next(i for i in data["items"] if i["code"] == "HJ-001"), "code": "YJS-099", "name": "测试一件事",
              "kind": "bundle", "bundle_items": ["HJ-001", "SB-001"]}
    data["items"].append(bundle)
    result = assess(states(printer=PAPER_OUT), ("printer",), parse_catalog(data, "test"))
    assert result.unavailable_items["YJS-099"] == "availability.reason.bundle"
    assert result.item_available("HJ-001")


def test_every_message_and_reason_key_is_translated(catalog: Catalog) -> None:
    cases = [
        assess(states(printer=PAPER_OUT, idreader=PAPER_OUT), ("printer", "idreader"), catalog),
        assess(states(idreader=PAPER_OUT, camera=PAPER_OUT, scanner=None), ("idreader", "camera")),
        assess(states(camera=PAPER_OUT, scanner=None), ("camera",)),
    ]
    keys = {m.key for r in cases for m in r.messages}
    keys |= {k for r in cases for k in (*r.unavailable_items.values(), *r.unavailable_features.values())}
    keys |= {"availability.home.unavailable", "availability.reason.bundle"}
    no_catalog = assess(states(printer=PAPER_OUT), ("printer",))
    assert no_catalog.message is not None and no_catalog.message.key == "availability.home.no_printer_any"
    keys.add(no_catalog.message.key)
    for key in keys:
        for language in ("zh_CN", "en"):
            assert translate(key, language, count=3) != key, f"{key} missing in {language}"
    as_json = json.dumps(cases[0].to_dict(), ensure_ascii=False)
    assert "receipt_print" in as_json and "id_card" in as_json
