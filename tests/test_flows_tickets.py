"""Queue tickets: the platform's number online, a kiosk-prefixed local number offline that never repeats
across restarts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.platform_client import PlatformClient, PlatformError
from kiosk.printing.documents import queue_ticket
from kiosk.rules.tickets import OfflineTicketBook, kiosk_prefix, take_ticket
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.sandbox.server import EmbeddedSandbox

NOON = dt.datetime(2026, 11, 20, 12, 0).astimezone()
DEAD = PlatformClient("http://127.0.0.1:9", "KIOSK-TEST-07", 1, 1, device_secret=DEMO_DEVICE_SECRET)  # nothing listens there


def test_offline_numbers_survive_a_restart_and_are_kiosk_prefixed(tmp_path: Path) -> None:
    path = tmp_path / "tickets.db"
    book = OfflineTicketBook(path, kiosk_prefix("KIOSK-JINSHUI-07"))
    first = [book.issue("市住房公积金管理中心", NOON).number for _ in range(3)]
    other = book.issue("市公安局户政管理支队", NOON).number
    del book  # the kiosk restarts
    again = OfflineTicketBook(path, "K07")
    later = again.issue("市住房公积金管理中心", NOON).number
    assert first == ["K07-A001", "K07-A002", "K07-A003"] and other == "K07-B001"
    assert later == "K07-A004"  # not A001 again
    tomorrow = again.issue("市住房公积金管理中心", NOON + dt.timedelta(days=1))
    assert tomorrow.number == "K07-A001" and tomorrow.issued_at.date() == dt.date(2026, 11, 21)


def test_offline_falls_back_to_a_local_number_and_prints(tmp_path: Path) -> None:
    book = OfflineTicketBook(tmp_path / "tickets.db", "K07")
    ticket = take_ticket(DEAD, book, "市医疗保障局", NOON)
    assert ticket.offline and ticket.number == "K07-A001" and ticket.waiting is None
    slip = ticket.printable(centre_name="金水区政务服务中心", service_name="医保", kiosk_id="KIOSK-JINSHUI-07")
    assert queue_ticket(slip).name == "queue-ticket"


def test_online_the_platform_numbers_the_ticket(tmp_path: Path) -> None:
    sandbox = EmbeddedSandbox(tmp_path / "sandbox.db").start()
    try:
        client = PlatformClient(sandbox.url, "KIOSK-TEST-07", 2, 5, device_secret=DEMO_DEVICE_SECRET)
        book = OfflineTicketBook(tmp_path / "tickets.db", "K07")
        ticket = take_ticket(client, book, "市医疗保障局")
        assert not ticket.offline and not ticket.number.startswith("K07") and ticket.waiting is not None
        with pytest.raises(PlatformError):  # a refusal is shown, not hidden behind a local number
            take_ticket(client, book, "不存在的部门")
    finally:
        sandbox.stop()


def test_a_device_id_without_digits_needs_an_explicit_prefix() -> None:
    with pytest.raises(ValueError, match="does not end in digits"):
        kiosk_prefix("KIOSK-DEMO")
