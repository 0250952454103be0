"""``kiosk print-test`` and ``kiosk receipt-render``: printing from the command line, for technicians."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports printing lazily: `kiosk --help` must not load PIL and python-escpos
    from devices.printer import Printer
    from kiosk.printing.service import PrintResult

DOCUMENTS = ("test-page", "receipt", "notice", "commitment", "query", "ticket")
DEFAULT_PRINTER = "sim://kiosk-print-out"


def register(subparsers: argparse._SubParsersAction) -> None:
    test = subparsers.add_parser(
        "print-test",
        help="print a demo document to a printer URL",
        description="Print a demo document (invented data) to any printer URL, checking the printer's status "
        "first where the connection can report it.",
        epilog="Printer URLs: usb://0x0416:0x5011, serial:///dev/ttyS0?baudrate=9600, tcp://192.0.2.10:9100, "
        "file:///dev/usb/lp0, file://out.bin, sim://DIR (virtual printer: writes .bin and .png into DIR). "
        "Exit status: 0 printed and confirmed by the printer (or sent over a connection that cannot report "
        "status, such as file://); 1 sent but the printer stopped part-way or did not confirm it (its buffer is "
        "cleared); 2 not sent (bad URL, printer unreachable or reporting a fault).",
    )
    test.add_argument("--printer", default=os.environ.get("KIOSK_PRINTER", DEFAULT_PRINTER),
                      help=f"printer URL (default: $KIOSK_PRINTER or {DEFAULT_PRINTER})")
    test.add_argument("--document", choices=DOCUMENTS, default="test-page", help="what to print")
    test.add_argument("--profile", choices=("58mm", "80mm"), default="80mm", help="paper width")
    test.set_defaults(handler=print_test)

    render = subparsers.add_parser(
        "receipt-render",
        help="render an ESC/POS byte file to a PNG",
        description="Draw what a thermal printer would print for an ESC/POS byte file (the kiosk's subset: "
        "GB18030 text in Chinese mode, sizes, emphasis, alignment, QR, CODE128, raster images, cut).",
        epilog="Exit status: 0 rendered; 2 refused, with one line on stderr naming the file and, for bytes the "
        "interpreter refuses (oversized, truncated or undrawable commands), the byte offset and what is wrong.",
    )
    render.add_argument("input", type=Path, metavar="IN.bin", help="ESC/POS bytes")
    render.add_argument("output", type=Path, metavar="OUT.png", help="PNG to write")
    render.add_argument("--profile", choices=("58mm", "80mm"), default="80mm", help="paper width")
    render.set_defaults(handler=receipt_render)


def _fail(message: str) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return 2


def build_document(name: str, profile_name: str, printer_url: str = ""):
    from kiosk.printing import demo, documents, get_profile

    builders = {
        "test-page": lambda: documents.test_page(get_profile(profile_name), printer_url=printer_url),
        "receipt": lambda: documents.acceptance_receipt(demo.RECEIPT),
        "notice": lambda: documents.missing_materials_notice(demo.NOTICE),
        "commitment": lambda: documents.commitment_slip(demo.COMMITMENT),
        "query": lambda: documents.query_result(demo.QUERY),
        "ticket": lambda: documents.queue_ticket(demo.TICKET),
    }
    return builders[name]()


def print_test(args: argparse.Namespace) -> int:
    """Print through the same PrintService the kiosk uses: status before, completion marker after, clear on
    a stop. Exit 0 printed (or sent to a connection that cannot report, e.g. file://), 1 sent but stopped or not
    confirmed, 2 not sent."""
    import queue

    from devices.printer import PrinterConnectionError, open_printer
    from kiosk.printing import get_profile
    from kiosk.printing.service import PrintOutcome, PrintService

    profile = get_profile(args.profile)
    document = build_document(args.document, args.profile, args.printer)
    try:
        printer = open_printer(args.printer)
    except PrinterConnectionError as exc:
        return _fail(str(exc))
    service = PrintService(printer, profile)
    results: queue.Queue[PrintResult] = queue.Queue()
    try:
        service.submit("print-test", document, results.put)
        result = results.get(timeout=service.completion_timeout_s + 60)
    finally:
        service.close()
    size = f"{len(result.data)} bytes, {args.profile}"
    if result.outcome is PrintOutcome.PRINTED:
        print(f"printed {args.document} ({size}) to {args.printer}; printer: {result.device_status}")
        _show_virtual_job(printer, result)
        return 0
    if result.reason_key.startswith("printing.error."):  # refused before sending: nothing reached the printer
        return _fail(f"printer {args.printer}: not printing: {result.device_status}")
    if result.outcome is PrintOutcome.UNKNOWN and not printer.supports_status:
        print(f"sent {args.document} ({size}) to {args.printer}; status unknown: {result.device_status}")
        return 0
    print(f"kiosk: printer {args.printer}: {args.document} {result.outcome.value if result.outcome else ''}: "
          f"{result.device_status}", file=sys.stderr)
    _show_virtual_job(printer, result)
    return 1


def _show_virtual_job(printer: Printer, result: PrintResult) -> None:
    if printer.virtual is not None and printer.virtual.out_dir is not None and result.png_path is not None:
        print(f"bytes: {result.png_path.with_suffix('.bin')}\nimage: {result.png_path}")


def receipt_render(args: argparse.Namespace) -> int:
    from devices.printer.interpreter import MAX_JOB_BYTES, EscposError, interpret
    from kiosk.printing import get_profile

    try:
        if args.input.is_file() and args.input.stat().st_size > MAX_JOB_BYTES:  # refuse before reading it in
            size = args.input.stat().st_size
            return _fail(f"{args.input}: {size} bytes; a print job is at most {MAX_JOB_BYTES} bytes, so this is "
                         "not a kiosk print job")
        data = args.input.read_bytes()
    except FileNotFoundError:
        return _fail(f"{args.input}: no such file; give the path of an ESC/POS byte file (.bin)")
    except IsADirectoryError:
        return _fail(f"{args.input}: is a directory; give the path of an ESC/POS byte file (.bin)")
    except OSError as exc:
        return _fail(f"{args.input}: cannot read ({exc.strerror or exc})")
    try:
        image, stats = interpret(data, get_profile(args.profile).dots_width)
    except EscposError as exc:
        return _fail(f"{args.input}: {exc}; the file is not a print job the kiosk can render")
    try:
        image.save(args.output, format="PNG")
    except (OSError, ValueError) as exc:
        return _fail(f"{args.output}: cannot write the PNG ({exc})")
    extra = f", {stats.unknown} unknown commands skipped" if stats.unknown else ""
    print(f"{args.output}: {image.width}x{image.height} dots, {len(stats.qr_codes)} QR, "
          f"{len(stats.barcodes)} barcode(s), {stats.cuts} cut(s){extra}")
    return 0
