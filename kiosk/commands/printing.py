"""``kiosk print-test`` and ``kiosk receipt-render``: printing from the command line, for technicians."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DOCUMENTS = ("test-page", "receipt", "notice", "commitment", "query", "ticket")
DEFAULT_PRINTER = "sim://kiosk-print-out"


def register(subparsers: argparse._SubParsersAction) -> None:
    test = subparsers.add_parser(
        "print-test",
        help="print a demo document to a printer URL",
        description="Print a demo document (invented data) to any printer URL, checking the printer's status "
        "first where the connection can report it.",
        epilog="Printer URLs: usb://0x0416:0x5011, serial:///dev/ttyS0?baudrate=9600, tcp://192.0.2.10:9100, "
        "file:///dev/usb/lp0, file://out.bin, sim://DIR (virtual printer: writes .bin and .png into DIR).",
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
    from devices.printer import PrinterConnectionError, open_printer
    from kiosk.printing import get_profile, render

    profile = get_profile(args.profile)
    data = render(build_document(args.document, args.profile, args.printer), profile)
    try:
        printer = open_printer(args.printer)
    except PrinterConnectionError as exc:
        return _fail(str(exc))
    try:
        printer.connect()
        before = printer.status()
        if before is not None and not before.can_print:
            return _fail(f"printer {args.printer}: not printing: {before.device_status()}")
        png = printer.write(data)
        after = printer.status()
    except PrinterConnectionError as exc:
        return _fail(str(exc))
    finally:
        if printer.virtual is None:
            printer.close()
    status = after.device_status() if after is not None else "status not available over this connection"
    print(f"printed {args.document} ({len(data)} bytes, {args.profile}) to {args.printer}; printer: {status}")
    if printer.virtual is not None and printer.virtual.out_dir is not None:
        job = printer.virtual.jobs[-1] if printer.virtual.jobs else None
        if job is not None:
            print(f"bytes: {job.bin_path}\nimage: {png}")
    if after is not None and not after.can_print:
        return 1
    return 0


def receipt_render(args: argparse.Namespace) -> int:
    from devices.printer.interpreter import NotEscposError, interpret
    from kiosk.printing import get_profile

    try:
        data = args.input.read_bytes()
    except FileNotFoundError:
        return _fail(f"{args.input}: no such file; give the path of an ESC/POS byte file (.bin)")
    except OSError as exc:
        return _fail(f"{args.input}: cannot read ({exc.strerror})")
    try:
        image, stats = interpret(data, get_profile(args.profile).dots_width)
    except NotEscposError as exc:
        return _fail(f"{args.input}: {exc}")
    try:
        image.save(args.output, format="PNG")
    except (OSError, ValueError) as exc:
        return _fail(f"{args.output}: cannot write the PNG ({exc})")
    extra = f", {stats.unknown} unknown commands skipped" if stats.unknown else ""
    print(f"{args.output}: {image.width}x{image.height} dots, {len(stats.qr_codes)} QR, "
          f"{len(stats.barcodes)} barcode(s), {stats.cuts} cut(s){extra}")
    return 0
