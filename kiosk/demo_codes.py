"""Demo identity codes: what a citizen's phone would show (tokens the sandbox platform knows)."""

from __future__ import annotations

import json

import cv2
import numpy as np

from kiosk.sandbox.store import DATA_DIR


def demo_identity_payload(kind: str = "eid") -> str:
    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    return next(t["payload"] for t in tokens if t["kind"] == kind)


def qr_image(text: str, module_pixels: int = 8, dark_on_light: bool = True) -> np.ndarray:
    """A QR code as a BGR image with a quiet zone, like a phone screen would show it."""
    encoder = cv2.QRCodeEncoder.create()
    code = encoder.encode(text)  # 1 pixel per module, white quiet zone included
    image = cv2.resize(code, None, fx=module_pixels, fy=module_pixels, interpolation=cv2.INTER_NEAREST)
    if not dark_on_light:
        image = 255 - image
    return cv2.cvtColor(image.astype(np.uint8), cv2.COLOR_GRAY2BGR)
