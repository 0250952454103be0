"""The face models, loaded once and only when first needed, from files shipped inside registry packages.

dlib (the ``dlib-bin`` wheel) runs them; ``face_recognition_models`` (PyPI) carries the weights, so nothing is
downloaded at run time. The kiosk needs the HOG detector and the 5-point landmarks (guidance and liveness);
the platform needs those and the ResNet embedding (matching). Each part loads on first use, so the kiosk never
pays for the embedding model. The package's 68-point model is deliberately not used: it was trained on iBUG
300-W, whose licence excludes commercial use (dlib-models' README); the 5-point model and the ResNet are CC0.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

# Frames are shrunk to this width before detection. HOG finds faces from ~80 px wide, so at 480 px any face
# over 1/6 of the frame width is found, at a quarter of the cost of a 1280 px frame; when none is found the
# frame is searched once more at FAR_DETECT_WIDTH, so a citizen standing too far is told to come closer.
DETECT_WIDTH = 480
FAR_DETECT_WIDTH = 800


class FaceModelError(RuntimeError):
    """A model file or library is missing: names the package that brings it."""


@dataclass(frozen=True)
class FaceBox:
    left: int
    top: int
    width: int
    height: int

    @property
    def center(self) -> tuple[float, float]:
        return self.left + self.width / 2, self.top + self.height / 2


def _import_dlib() -> Any:
    try:
        import dlib
        import face_recognition_models
    except ImportError as error:
        raise FaceModelError(
            f"face models: {error.name} is not installed; install the kiosk's Python dependencies "
            "(dlib-bin and face-recognition-models, see pyproject.toml) into the venv"
        ) from None
    return dlib, face_recognition_models


class FaceModels:
    """Thread-safe lazy holder of the dlib models. One instance per process is enough (``shared()``)."""

    _shared: FaceModels | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}
        # dlib's detector and predictors are not safe to call from two threads at once (a segfault was seen
        # with the demo's frame maker and the capture worker detecting together): one call at a time.
        self._calls = threading.RLock()

    @classmethod
    def shared(cls) -> FaceModels:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def _get(self, name: str) -> Any:
        model = self._loaded.get(name)
        if model is not None:
            return model
        with self._lock:
            if name not in self._loaded:
                dlib, files = _import_dlib()
                loaders = {
                    "detector": dlib.get_frontal_face_detector,
                    "landmarks5": lambda: dlib.shape_predictor(files.pose_predictor_five_point_model_location()),
                    "encoder": lambda: dlib.face_recognition_model_v1(files.face_recognition_model_location()),
                }
                self._loaded[name] = loaders[name]()
            return self._loaded[name]

    def preload(self, *names: str) -> None:
        """Load now (e.g. on a worker thread at start-up) so the first citizen does not wait for it."""
        for name in names or ("detector", "landmarks5"):
            self._get(name)

    # --- operations -----------------------------------------------------------------------------------------

    def detect(self, image: np.ndarray, detect_width: int = DETECT_WIDTH) -> list[FaceBox]:
        """Frontal faces in an RGB or grey image, largest first, in the image's own pixel coordinates."""
        boxes = self._detect_at(image, detect_width)
        if not boxes and image.shape[1] > detect_width:
            boxes = self._detect_at(image, FAR_DETECT_WIDTH)
        return boxes

    def _detect_at(self, image: np.ndarray, detect_width: int) -> list[FaceBox]:
        import cv2

        width = image.shape[1]
        scale = min(1.0, detect_width / width)
        small = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        with self._calls:
            rects = self._get("detector")(small, 0)
            if not rects and scale == 1.0 and width < 400:
                rects = self._get("detector")(small, 1)  # small photos (a registered ID photo): look closer
        boxes = [
            FaceBox(
                round(r.left() / scale), round(r.top() / scale), round(r.width() / scale), round(r.height() / scale)
            )
            for r in rects
        ]
        return sorted(boxes, key=lambda b: b.width * b.height, reverse=True)

    def landmarks(self, rgb: np.ndarray, box: FaceBox) -> np.ndarray:
        """dlib's 5 landmarks as a (5, 2) float array: eye corners (0-1, 2-3) and the base of the nose (4)."""
        with self._calls:
            shape = self._shape(rgb, box)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def embedding(self, rgb: np.ndarray, box: FaceBox) -> np.ndarray:
        """The 128-d face descriptor (dlib ResNet; same person: Euclidean distance under ~0.6)."""
        with self._calls:
            shape = self._shape(rgb, box)
            descriptor = self._get("encoder").compute_face_descriptor(np.ascontiguousarray(rgb), shape, 1)
        return np.array(descriptor, dtype=np.float64)

    def _shape(self, image: np.ndarray, box: FaceBox) -> Any:
        dlib, _ = _import_dlib()
        rect = dlib.rectangle(box.left, box.top, box.left + box.width, box.top + box.height)
        return self._get("landmarks5")(np.ascontiguousarray(image), rect)
