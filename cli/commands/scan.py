"""``kiosk scan IMAGE... [--json] [--backend NAME]``: decode QR codes in image files (a technician's check
of the decoder, and a way to test a printed receipt's code).

Each code's text is read by the decoder pipeline's one charset rule (devices/decode/charset.py): the ECI or
segment mode when the code has one, else the clearly likeliest reading; a code whose text cannot be told is
listed as refused, never shown as a guess. Images over ``MAX_MEGAPIXELS`` are refused from their header,
before any pixel is decoded (a 60000x60000 PNG would need 3.6 GB of memory just to be read)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

MAX_MEGAPIXELS = 40  # a 50-megapixel phone photo scaled to its code, or any camera frame, is far below this
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="decode QR codes in image files",
        description=f"Decode QR codes in image files. Images over {MAX_MEGAPIXELS} megapixels are refused "
        "(checked from the file header, before decoding).",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, WebP, BMP, ...)")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--backend", default=None, help="decoder backend: zxing (default) or zbar")
    parser.set_defaults(handler=run)


def image_size(path: str) -> tuple[int, int]:
    """Width and height from the file's header only (no pixel is decoded). Raises ValueError when the file
    is not an image Pillow can identify."""
    from PIL import Image, UnidentifiedImageError

    # Pillow's own bomb check would raise before telling the size; this command has its own, lower, limit.
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                return image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(str(exc)) from None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def check_image(path: str) -> str | None:
    """None when ``path`` may be decoded, else the error for the report."""
    if not Path(path).is_file():
        return "no such file"
    try:
        width, height = image_size(path)
    except ValueError:
        return "not a readable image file (not PNG/JPEG/WebP/BMP/..., or damaged)"
    if width * height > MAX_PIXELS:
        return (
            f"image is {width}x{height} ({width * height / 1e6:.1f} megapixels), over the {MAX_MEGAPIXELS}-megapixel "
            "limit of kiosk scan; scale it down or crop it to the code and scan again"
        )
    return None


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
        problem = check_image(path)
        image = None if problem else cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            failed = True
            report.append({"file": path, "error": problem or "not a readable image file (damaged, or a format "
                           "OpenCV cannot read)"})
            continue
        pipeline.reset()  # each file is a new picture: no region of interest from the previous one
        codes = [
            {
                "format": d.format,
                "text": d.text,  # null: the text's charset could not be told, so the code is refused
                "charset": d.charset,
                "rect": list(d.rect),
                "polygon": [list(p) for p in d.polygon],
            }
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
                    text = code["text"]
                    if text is None:
                        text = "(refused: which charset its text is in cannot be told)"
                    print(f"{entry['file']}: {code['format']} at x={x} y={y} w={w} h={h}: {text}")
    return 1 if failed else 0
