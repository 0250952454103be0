"""Crafted ESC/POS bytes: the interpreter bounds every size and raises only EscposError, fast, with small memory.

The fuzz test is seeded (reproducible) and bounded by a case count and a time budget: mutations of real kiosk
jobs (bit flips, inserted command prefixes with random parameters, cuts, splices) and a soup of commands.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from devices.printer.interpreter import (
    MAX_JOB_BYTES,
    MAX_PAPER_DOTS,
    EscposError,
    TruncatedError,
    interpret,
)
from kiosk.printing import demo, documents, get_profile, render
from kiosk.printing.escpos import qr_function

SEED = 14
MAX_CASES = 1500
BUDGET_S = 20.0
SLOWEST_CASE_S = 2.0  # far above a real job (~10 ms); a hang would blow it
KIOSK = Path(sys.executable).with_name("kiosk")
CRAFTED_RASTER = b"\x1dv0\x00\xff\xff\xff\xff\x00\x00"  # 10 bytes claiming a 524280 x 65535-dot image

_PREFIXES = [b"\x1b@", b"\x1b!", b"\x1ba", b"\x1bd", b"\x1bJ", b"\x1b3", b"\x1d!", b"\x1dv0", b"\x1d(k", b"\x1d(H",
             b"\x1dk", b"\x1dV", b"\x1dh", b"\x1dw", b"\x1dH", b"\x1c&", b"\x1c.", b"\x10\x04", b"\x10\x14\x08",
             b"\n", b"\t", b"\x1b*", b"\x1d8L", b"\x1d(L"]


def corpus() -> list[bytes]:
    p80, p58_raster = get_profile("80mm"), get_profile("58mm", native_qr=False)
    return [
        render(documents.acceptance_receipt(demo.RECEIPT), p80),
        render(documents.acceptance_receipt(demo.RECEIPT), p58_raster),
        render(documents.queue_ticket(demo.TICKET), p80),
        render(documents.missing_materials_notice(demo.NOTICE), p80),
    ]


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op, pos = rng.randrange(6), rng.randrange(len(out) + 1)
        if op == 0 and out:
            out[min(pos, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            out[pos:pos] = rng.choice(_PREFIXES) + rng.randbytes(rng.randrange(8))
        elif op == 2:
            del out[pos:pos + rng.randrange(1, 40)]
        elif op == 3 and out:
            out[min(pos, len(out) - 1)] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, 0x30])
        elif op == 4:
            del out[pos:]
        else:
            out[pos:pos] = rng.randbytes(rng.randrange(1, 16))
    return bytes(out)


def soup(rng: random.Random) -> bytes:
    return b"".join(rng.choice(_PREFIXES) + rng.randbytes(rng.randrange(6)) for _ in range(rng.randrange(1, 30)))


def test_fuzzed_jobs_raise_only_the_typed_error_and_never_hang() -> None:
    rng = random.Random(SEED)
    jobs = corpus()
    untyped: list[str] = []
    refused = cases = 0
    slowest = 0.0
    started = time.monotonic()
    while cases < MAX_CASES and time.monotonic() - started < BUDGET_S:
        data = mutate(rng, rng.choice(jobs)) if rng.random() < 0.7 else soup(rng)
        case_started = time.monotonic()
        try:
            interpret(data, rng.choice([384, 576]))
        except EscposError as exc:
            refused += 1
            assert 0 <= exc.offset <= len(data)
            if exc.reason.startswith("cannot draw"):  # a library refusing input we should have bounded first
                untyped.append(f"{exc} in {data[max(0, exc.offset - 8):exc.offset + 24]!r}")
        except Exception as exc:  # noqa: BLE001 — exactly what the test is looking for
            untyped.append(f"{type(exc).__name__}: {exc} in {data[:48]!r}")
        slowest = max(slowest, time.monotonic() - case_started)
        cases += 1
    assert untyped == []
    assert slowest < SLOWEST_CASE_S
    assert cases >= 200 and refused > 0  # the budget allowed a real run, and the mutations did bite


def test_a_crafted_raster_header_is_refused_fast_with_small_memory() -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(EscposError) as info:
            interpret(CRAFTED_RASTER, 576)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.offset == 0 and "raster image is 524280 dots wide; the paper has 576" in info.value.reason
    assert elapsed < 1.0 and peak < 5_000_000  # the old interpreter allocated gigabytes here


@pytest.mark.parametrize(
    ("data", "offset", "words"),
    [
        (b"\x1b@\x1dv0\x00\x48\x00\xff\xff", 2, "65535 dots tall"),  # 576 wide is fine, 8 m tall is not
        (b"\x1b@\x1dv0\x00\x02\x00\x10\x00" + b"\xff" * 5, 2, "needs 32 bytes of dots, 5 follow"),
        (b"\x1b@" + b"\x1bd\xff\x1b3\xff" * 4, None, f"more than {MAX_PAPER_DOTS} dots"),
        (b"\x1b@\x1dk\x04" + b"A" * 300, 2, "no NUL terminator within 255 bytes"),
        (b"\x1b@\x1d(k\xff\xff", 2, "announces 65535 bytes"),
        (b"\x1b@\x1d(k\xbb\x0b1P0" + b"x" * 3000, 2, "a QR symbol holds at most 2953"),
        (b"\x1b@" + (qr_function(80, b"0" + b"q" * 1600) + qr_function(81, b"0")) * 2, None,
         "more than 3000 bytes of QR data"),
    ],
    ids=["tall-raster", "truncated-raster", "endless-feed", "barcode-without-end", "long-function", "huge-qr",
         "qr-budget"],
)
def test_each_bound_names_the_offset_and_the_limit(data: bytes, offset: int | None, words: str) -> None:
    with pytest.raises(EscposError) as info:
        interpret(data, 576)
    assert words in info.value.reason
    if offset is not None:
        assert info.value.offset == offset


def test_a_job_cut_short_is_a_truncated_error_and_one_too_long_is_refused_unread() -> None:
    receipt = corpus()[0]
    qr_at = receipt.index(b"\x1d(k\x03\x00\x31\x43")
    with pytest.raises(TruncatedError) as info:
        interpret(receipt[:qr_at + 5], 576)
    assert info.value.offset == qr_at
    with pytest.raises(EscposError, match="at most"):
        interpret(b"\n" * (MAX_JOB_BYTES + 1), 576)


def test_receipt_render_on_crafted_bytes_is_one_line_with_the_offset(tmp_path: Path) -> None:
    (tmp_path / "crafted.bin").write_bytes(CRAFTED_RASTER)
    command = [str(KIOSK)] if KIOSK.exists() else [sys.executable, "-m", "cli.main"]
    started = time.monotonic()
    result = subprocess.run([*command, "receipt-render", "crafted.bin", "out.png"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("kiosk:")]
    assert errors == ["kiosk: crafted.bin: byte 0 (0x0): raster image is 524280 dots wide; the paper has 576; "
                      "the file is not a print job the kiosk can render"]
    assert not (tmp_path / "out.png").exists()
