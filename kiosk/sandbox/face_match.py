"""Sandbox: matching a live face against the registered photo of an ID number (人证比对, platform side).

As the national CTID service does, the platform holds the photo of each ID number and answers "same person
or not" for a face the kiosk captured; the kiosk never sees the registered photo. The model is dlib's ResNet
face descriptor (128-d; two photos of one person lie under ~0.6 apart, LFW 99.38%), from the
face_recognition_models package (devices.face.models.FaceModels).

The descriptor runs in a child process, loaded once on first use: dlib holds Python's GIL for the whole
~0.15 s computation, which would freeze every other thread of the process (the demo's UI thread, when the
sandbox is embedded in the kiosk; the server's other requests otherwise).

The photo arrives as JPEG bytes and lives only in this call: it is decoded, described and dropped; nothing
here writes or logs it (logs name the ID number masked, the score and the reason only).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.masking import mask_id_number

log = logging.getLogger(__name__)

FACES_DIR = Path(__file__).with_name("data") / "faces"

# Descriptor distance at or under which two faces are the same person. dlib's own figure is 0.6; 0.5 is
# stricter (fewer false accepts, a few more retakes): a false accept hands out someone's records.
MATCH_DISTANCE = 0.5
MAX_JPEG_BYTES = 2_000_000


@dataclass(frozen=True)
class FaceMatchResult:
    matched: bool
    score: float  # 1 - descriptor distance: 1.0 identical, >= 1 - MATCH_DISTANCE the same person
    reason: str  # matched | not_same_person | no_registered_photo | no_face | several_faces | bad_image


# --- in the child process -----------------------------------------------------------------------------------

_child_models = None


def _load_models() -> None:
    global _child_models
    from devices.face.models import FaceModels

    _child_models = FaceModels()
    _child_models.preload("detector", "landmarks5", "encoder")


PARENT_CHECK_S = 1.0


def _start_child() -> None:
    """The pool's initializer: watch the parent, then load the models. A parent that is killed (SIGKILL, OOM)
    cannot close its pool, and an orphaned child would hold ~150 MB until the next reboot."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:  # re-parented to init (or a subreaper) once the parent is gone
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    _load_models()


def _child_pid() -> int:
    return os.getpid()


def _describe(jpeg: bytes, detect_width: int) -> tuple[str, bytes | None]:
    """("ok", descriptor bytes) for the one face in ``jpeg``, else (reason, None)."""
    import cv2

    if _child_models is None:
        _load_models()
    assert _child_models is not None
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return "bad_image", None
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    boxes = _child_models.detect(rgb, detect_width=detect_width)
    if not boxes:
        return "no_face", None
    if any(other.width >= 0.5 * boxes[0].width for other in boxes[1:]):
        return "several_faces", None
    return "ok", _child_models.embedding(rgb, boxes[0]).tobytes()


def _ready() -> bool:
    if _child_models is None:
        _load_models()
    return True


# --- in the server process ----------------------------------------------------------------------------------


class FaceMatcher:
    def __init__(self, faces_dir: Path = FACES_DIR, match_distance: float = MATCH_DISTANCE) -> None:
        self._faces_dir = faces_dir
        self._match_distance = match_distance
        registry = json.loads((faces_dir / "registry.json").read_text(encoding="utf-8"))
        self._photos: dict[str, str] = registry["photos"]
        self._registered: dict[str, np.ndarray] = {}  # ID number -> descriptor of its registered photo
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def has_photo(self, id_number: str) -> bool:
        return id_number in self._photos

    def preload(self) -> None:
        """Start the child and load the models now (e.g. at server start), not on the first citizen's match."""
        with self._lock:
            self._call(_ready)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    def match(self, id_number: str, jpeg: bytes) -> FaceMatchResult:
        """Is the face in ``jpeg`` the person registered under ``id_number``? (One match at a time: the
        server's worker threads queue here.)"""
        with self._lock:
            return self._log(id_number, self._match(id_number, jpeg))

    def _match(self, id_number: str, jpeg: bytes) -> FaceMatchResult:
        registered = self._registered_descriptor(id_number)
        if registered is None:
            return FaceMatchResult(False, 0.0, "no_registered_photo")
        if not jpeg or len(jpeg) > MAX_JPEG_BYTES:
            return FaceMatchResult(False, 0.0, "bad_image")
        # The kiosk sends a head-and-shoulders crop: the face is large, a 320 px search finds it quickly.
        reason, descriptor = self._call(_describe, bytes(jpeg), 320)
        if descriptor is None:
            return FaceMatchResult(False, 0.0, reason)
        distance = float(np.linalg.norm(np.frombuffer(descriptor, np.float64) - registered))
        matched = distance <= self._match_distance
        return FaceMatchResult(matched, round(max(0.0, 1.0 - distance), 4), "matched" if matched else "not_same_person")

    def _registered_descriptor(self, id_number: str) -> np.ndarray | None:
        file_name = self._photos.get(id_number)
        if file_name is None:
            return None
        if id_number not in self._registered:
            path = self._faces_dir / file_name
            try:
                photo = path.read_bytes()
            except OSError:
                raise OSError(
                    f"sandbox face registry: {path} is missing or unreadable; restore it or remove its entry "
                    "from registry.json"
                ) from None
            reason, descriptor = self._call(_describe, photo, 640)
            if descriptor is None:
                raise ValueError(
                    f"sandbox face registry: {path}: {reason}; use a frontal head-and-shoulders photo of one person"
                )
            self._registered[id_number] = np.frombuffer(descriptor, np.float64)
        return self._registered[id_number]

    def _call(self, function, *args):
        # A child that died (killed, out of memory) is replaced once; a second failure is reported.
        for attempt in (1, 2):
            if self._pool is None:
                # spawn, not fork: the parent runs threads (the UI, the server), which fork would copy mid-step.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_child)
            try:
                return self._pool.submit(function, *args).result(timeout=120)
            except BrokenProcessPool:
                self._pool = None
                if attempt == 2:
                    raise RuntimeError(
                        "sandbox face matcher: the matching process died twice; check memory (it needs ~150 MB) "
                        "and that dlib-bin and face-recognition-models are installed"
                    ) from None
        raise AssertionError("unreachable")

    @staticmethod
    def _log(id_number: str, result: FaceMatchResult) -> FaceMatchResult:
        log.info("face match for %s: %s (score %.3f)", mask_id_number(id_number), result.reason, result.score)
        return result
