"""Size and serial transfer time of a standard acceptance receipt (DESIGN.md budget: <= 2 KB, < 3 s at 9600).

Compares the kiosk's ESC/POS (printer-resident GB18030 text + native QR) with the same receipt sent as one
raster image through python-escpos's ``image()``, which is what printing Chinese "the easy way" costs.

    .venv/bin/python benchmarks/receipt_size.py
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escpos.printer import Dummy  # noqa: E402

from devices.printer.interpreter import render_escpos  # noqa: E402
from kiosk.printing import documents, get_profile, render  # noqa: E402
from kiosk.printing.demo import RECEIPT  # noqa: E402

BUDGET_BYTES = 2048
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit


def seconds(size: int, baud: int) -> float:
    return size * BITS_PER_BYTE / baud


def main() -> int:
    rows = []
    ok = True
    for name in ("80mm", "58mm"):
        profile = get_profile(name)
        data = render(documents.acceptance_receipt(RECEIPT), profile)
        image = render_escpos(data, profile.dots_width).convert("RGB")
        dummy = Dummy()
        with contextlib.redirect_stdout(io.StringIO()):  # python-escpos prints a profile warning per call
            dummy.image(image)
        as_image = len(dummy.output)
        ok &= len(data) <= BUDGET_BYTES and seconds(len(data), 9600) < 3
        rows.append((f"{name} ESC/POS text+QR", len(data), seconds(len(data), 9600), seconds(len(data), 115200)))
        rows.append((f"{name} as raster image", as_image, seconds(as_image, 9600), seconds(as_image, 115200)))
    print(f"{'standard acceptance receipt':<28} {'bytes':>8} {'9600 baud':>10} {'115200 baud':>12}")
    for label, size, slow, fast in rows:
        print(f"{label:<28} {size:>8} {slow:>9.2f}s {fast:>11.3f}s")
    print(f"budget: <= {BUDGET_BYTES} bytes and < 3 s at 9600 baud: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
