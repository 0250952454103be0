"""QR decoding for camera frames and image files: two backends (zxing-cpp, ZBar) behind one pipeline.

    pipeline = DecodePipeline("zxing")        # or "zbar"; one per thread
    detections = pipeline.decode(frame)        # BGR or gray ndarray -> list[Detection]
    worker = DecodeWorker(camera, on_code)     # background thread: newest frame -> each new code once

Payload bytes are turned into text once, by one rule (devices/decode/charset.py): the ECI or segment mode
when the symbol has one, else the clearly likeliest reading, else no text (the code is refused).
"""

from devices.decode.pipeline import BACKENDS, DEFAULT_BACKEND, DecodePipeline, make_decoder, to_gray
from devices.decode.types import Detection, decode_payload
from devices.decode.worker import DecodeWorker

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DecodePipeline",
    "DecodeWorker",
    "Detection",
    "decode_payload",
    "make_decoder",
    "to_gray",
]
