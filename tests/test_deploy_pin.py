"""The maintenance PIN: hashing, constant-time check, and a lockout that survives a restart."""

from __future__ import annotations

import io
import json
import logging

import pytest

from cli.main import main
from kiosk.maintenance import PinGate, PinOutcome, hash_pin, verify_pin
from kiosk.maintenance.pin import PinFormatError

PIN = "480915"


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN)


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def make_gate(pin_hash: str, tmp_path, clock: FakeClock) -> PinGate:
    return PinGate(pin_hash, tmp_path / "maintenance-lock.json", clock=clock)


def test_hash_has_the_documented_shape_and_a_fresh_salt(pin_hash: str) -> None:
    parts = pin_hash.split("$")
    assert parts[0] == "scrypt" and len(parts) == 6
    assert [int(x) for x in parts[1:4]] == [2**14, 8, 1]
    assert PIN not in pin_hash
    assert hash_pin(PIN) != pin_hash  # a new random salt each time


def test_verify_accepts_only_the_right_pin(pin_hash: str) -> None:
    assert verify_pin(PIN, pin_hash)
    assert not verify_pin("480916", pin_hash)
    assert not verify_pin("", pin_hash)


@pytest.mark.parametrize(
    "damaged",
    ["", "480915", "bcrypt$16384$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!!$AAAA", "scrypt$1000$8$1$AAAAAAAAAAA=$AAAA",
     "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
)
def test_a_damaged_hash_is_refused_with_the_fix(damaged: str) -> None:
    with pytest.raises(PinFormatError, match="kiosk hash-pin"):
        verify_pin(PIN, damaged)
    with pytest.raises(PinFormatError):
        PinGate(damaged, "/nonexistent/lock.json")


def test_five_wrong_pins_lock_entry_and_the_lock_grows(pin_hash: str, tmp_path) -> None:
    clock = FakeClock()
    gate = make_gate(pin_hash, tmp_path, clock)
    assert [gate.try_pin("000000").remaining_attempts for _ in range(4)] == [4, 3, 2, 1]
    fifth = gate.try_pin("000000")
    assert fifth.outcome is PinOutcome.LOCKED and fifth.locked_until == clock.now + 60
    # Even the right PIN is refused while locked.
    assert gate.try_pin(PIN).outcome is PinOutcome.LOCKED

    lock_times = []
    for _ in range(4):
        clock.now = gate.locked_until() or clock.now
        results = [gate.try_pin("111111") for _ in range(5)]
        assert [r.outcome for r in results] == [PinOutcome.WRONG] * 4 + [PinOutcome.LOCKED]
        lock_times.append(results[-1].locked_until - clock.now)
    assert lock_times == [120, 240, 480, 960]

    for _ in range(6):  # the cap: never more than an hour
        clock.now = gate.locked_until() or clock.now
        for _ in range(5):
            last = gate.try_pin("111111")
    assert last.locked_until - clock.now == 3600


def test_the_right_pin_after_the_lock_expires_opens_and_resets(pin_hash: str, tmp_path) -> None:
    clock = FakeClock()
    gate = make_gate(pin_hash, tmp_path, clock)
    for _ in range(5):
        gate.try_pin("999999")
    clock.now += 59
    assert gate.try_pin(PIN).outcome is PinOutcome.LOCKED
    clock.now += 1
    assert gate.try_pin(PIN).ok
    # Reset: five fresh tries, and the next lock is the first-level one again.
    assert gate.try_pin("999999").remaining_attempts == 4
    for _ in range(4):
        result = gate.try_pin("999999")
    assert result.locked_until == clock.now + 60


def test_the_lock_survives_a_restart(pin_hash: str, tmp_path) -> None:
    clock = FakeClock()
    gate = make_gate(pin_hash, tmp_path, clock)
    for _ in range(3):
        gate.try_pin("123123")
    restarted = make_gate(pin_hash, tmp_path, clock)  # the kiosk was power-cycled
    assert restarted.try_pin("123123").remaining_attempts == 1
    assert restarted.try_pin("123123").outcome is PinOutcome.LOCKED
    again = make_gate(pin_hash, tmp_path, clock)
    assert again.locked_until() == clock.now + 60
    assert again.try_pin(PIN, now=clock.now + 30).outcome is PinOutcome.LOCKED
    assert again.try_pin(PIN, now=clock.now + 61).ok
    assert (tmp_path / "maintenance-lock.json").stat().st_mode & 0o777 == 0o600


def test_a_quiet_day_forgives_old_failures(pin_hash: str, tmp_path) -> None:
    clock = FakeClock()
    gate = make_gate(pin_hash, tmp_path, clock)
    for _ in range(10):  # two lockouts from passers-by poking the hidden corner
        clock.now = gate.locked_until() or clock.now
        gate.try_pin("555555")
    clock.now += 25 * 3600
    assert gate.try_pin("555555").remaining_attempts == 4
    for _ in range(4):
        result = gate.try_pin("555555")
    assert result.locked_until == clock.now + 60


def test_a_clock_jump_back_does_not_lock_for_years(pin_hash: str, tmp_path) -> None:
    clock = FakeClock()
    gate = make_gate(pin_hash, tmp_path, clock)
    for _ in range(5):
        gate.try_pin("777777")
    clock.now -= 10 * 365 * 24 * 3600  # RTC battery died: the box boots in the past
    assert gate.locked_until() <= clock.now + 3600
    clock.now += 3600
    assert gate.try_pin(PIN).ok


def test_an_unreadable_state_file_locks_briefly_instead_of_resetting(pin_hash: str, tmp_path) -> None:
    clock = FakeClock()
    (tmp_path / "maintenance-lock.json").write_text("{not json", encoding="utf-8")
    gate = make_gate(pin_hash, tmp_path, clock)
    assert gate.try_pin(PIN).outcome is PinOutcome.LOCKED
    clock.now += 60
    assert gate.try_pin(PIN).ok
    assert json.loads((tmp_path / "maintenance-lock.json").read_text())["failures"] == 0


def test_attempts_are_logged_without_the_pin(pin_hash: str, tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    gate = make_gate(pin_hash, tmp_path, FakeClock())
    with caplog.at_level(logging.INFO, logger="kiosk.maintenance.pin"):
        for _ in range(6):
            gate.try_pin("246813")
    messages = [r.getMessage() for r in caplog.records]
    assert sum("wrong" in m for m in messages) == 5
    assert any("refused" in m for m in messages)
    assert not any("246813" in m or PIN in m for m in messages)


def test_hash_pin_command_prints_a_config_line_that_verifies(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN + "\n"))
    assert main(["hash-pin", "--stdin"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith('pin_hash = "scrypt$') and PIN not in out
    assert verify_pin(PIN, out.split('"')[1])


@pytest.mark.parametrize("weak", ["1234", "12ab56", "", "1234567890123"])
def test_hash_pin_command_refuses_a_weak_pin(weak: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(weak + "\n"))
    assert main(["hash-pin", "--stdin"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "digits" in captured.err
