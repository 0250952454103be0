"""``kiosk scan IMAGE... [--json] [--backend NAME]``: decode QR codes in image files (a technician's check
of the decoder, and a way to test a printed receipt's code)."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scan", help="decode QR codes in image files")
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--backend", default=None, help="decoder backend: zxing (default) or zbar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import cv2  # heavy: imported only when the command runs

    from devices.decode import BACKENDS, DEFAULT_BACKEND, DecodePipeline

    backend = args.backend or DEFAULT_BACKEND
    if backend not in BACKENDS:
        print(f"kiosk scan: unknown backend {backend!r}; use one of {', '.join(BACKENDS)}", file=sys.stderr)
        return 2
    pipeline = DecodePipeline(backend)
    report = []
    failed = False
    for path in args.images:
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            failed = True
            report.append({"file": path, "error": "not a readable image file (missing, or not PNG/JPEG/BMP/...)"})
            continue
        pipeline.reset()  # each file is a new picture: no region of interest from the previous one
        codes = [
            {"format": d.format, "text": d.text, "rect": list(d.rect), "polygon": [list(p) for p in d.polygon]}
            for d in pipeline.decode(image)
        ]
        report.append({"file": path, "codes": codes})
    if args.json:
        json.dump({"backend": backend, "files": report}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for entry in report:
            if "error" in entry:
                print(f"{entry['file']}: error: {entry['error']}", file=sys.stderr)
            elif not entry["codes"]:
                print(f"{entry['file']}: no code found")
            else:
                for code in entry["codes"]:
                    x, y, w, h = code["rect"]
                    print(f"{entry['file']}: {code['format']} at x={x} y={y} w={w} h={h}: {code['text']}")
    return 1 if failed else 0
