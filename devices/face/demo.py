"""Demo faces for the camera simulator: a citizen who blinks, another person, and a printed photo.

Built at run time from the still pictures in ``data/`` (see data/LICENSE.md): the live sequence closes the
eyes by painting the lids shut over the eye landmarks for a few frames, with a pixel or two of natural sway;
the printed photo is the same still on a sheet of paper, moved and tilted by hand, and never blinks.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from devices.camera.scene import SceneGrabber
from devices.face.models import FaceModels

DATA_DIR = Path(__file__).with_name("data")


@cache
def _demo_table() -> dict:
    return json.loads((DATA_DIR / "demo_faces.json").read_text(encoding="utf-8"))


def people() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.jpg"))


def portrait(person: str) -> np.ndarray:
    """The still picture (BGR) of one of the demo people."""
    image = cv2.imread(str(DATA_DIR / f"{person}.jpg"), cv2.IMREAD_COLOR)
    if image is None:
        raise OSError(f"demo face {person!r}: no readable {DATA_DIR / (person + '.jpg')}; choose one of {people()}")
    return image


def person_for(id_number: str) -> str | None:
    """Whose picture the simulated camera shows for a demo citizen (None: that citizen has no demo face)."""
    entry = _demo_table()["citizens"].get(id_number)
    return entry["person"] if entry else None


def impostor_for(id_number: str) -> str:
    """Another person's face, for the "演示：他人冒用" button."""
    entry = _demo_table()["citizens"].get(id_number)
    return entry["impostor"] if entry else _demo_table()["default_impostor"]


def _eye_outline(corner_a: np.ndarray, corner_b: np.ndarray) -> np.ndarray:
    # Six points round an open eye from its two corners (left corner, two on the upper lid, right corner,
    # two on the lower lid), as a 68-point layout would give them.
    left, right = sorted((corner_a, corner_b), key=lambda point: point[0])
    along = right - left
    down = np.array([-along[1], along[0]])  # image y grows downwards
    return np.array(
        [
            left,
            left + along / 3 - 0.17 * down,
            left + 2 * along / 3 - 0.17 * down,
            right,
            left + 2 * along / 3 + 0.13 * down,
            left + along / 3 + 0.13 * down,
        ]
    )


def close_eyes(image: np.ndarray, points: np.ndarray, amount: float) -> np.ndarray:
    """The picture with both eyes ``amount`` shut (0 open, 1 closed): lids painted in the skin's colour.

    ``points``: dlib's 5 landmarks (eye corners 0-1 and 2-3, nose base 4)."""
    out = image.astype(np.float32)
    for eye in (_eye_outline(points[0], points[1]), _eye_outline(points[2], points[3])):
        width = float(np.linalg.norm(eye[0] - eye[3]))
        lower_lid = (eye[4] + eye[5]) / 2
        # Skin colour from the cheek just under the eye (above it are brows, glasses, shadow).
        cheek = np.vstack([eye[4:6] + [0, 0.6 * width], eye[4:6] + [0, 0.85 * width]]).astype(int)
        (x0, y0), (x1, y1) = cheek.min(axis=0), cheek.max(axis=0) + 2
        skin = np.median(image[y0:y1, x0:x1].reshape(-1, 3), axis=0) * 0.92
        centre = eye.mean(axis=0)
        lid = (eye - centre) * [1.6, 1.6 * (0.6 + amount)] + centre
        mask = np.zeros(image.shape[:2], np.uint8)
        cv2.fillPoly(mask, [lid.astype(np.int32)], 255)
        alpha = cv2.GaussianBlur(mask, (0, 0), width * 0.1).astype(np.float32) / 255 * amount
        out = out * (1 - alpha[..., None]) + skin * alpha[..., None]
        if amount >= 0.9:
            # The lash line where the lids meet.
            line = np.array([eye[0], (eye[5] + eye[1]) / 2, (eye[4] + eye[2]) / 2, eye[3]])
            line[1:3, 1] = line[1:3, 1] * 0.4 + lower_lid[1] * 0.6
            cv2.polylines(out, [line.astype(np.int32)], False, (skin * 0.35).tolist(), max(1, int(width * 0.12)), cv2.LINE_AA)
    return np.clip(out, 0, 255).astype(np.uint8)


def _landmarks(image: np.ndarray, models: FaceModels) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    boxes = models.detect(gray)
    if not boxes:
        raise ValueError("demo face: no face found in the picture")
    return models.landmarks(gray, boxes[0])


def _shifted(image: np.ndarray, dx: float, dy: float) -> np.ndarray:
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(image, matrix, (image.shape[1], image.shape[0]), borderMode=cv2.BORDER_REPLICATE)


def live_sequence(
    person: str,
    models: FaceModels | None = None,
    fps: float = 10.0,
    blink_after_s: float = 0.7,
    period_s: float = 3.0,
) -> list[np.ndarray]:
    """One loop of a live face at ``fps``: open eyes, then a blink (half, shut x3, half: 0.5 s at 10 fps, a
    slow blink on request) starting ``blink_after_s`` into the loop."""
    models = models or FaceModels.shared()
    still = portrait(person)
    points = _landmarks(still, models)
    half, shut = close_eyes(still, points, 0.5), close_eyes(still, points, 1.0)
    total = max(int(period_s * fps), int(blink_after_s * fps) + 7)
    blink_start = int(blink_after_s * fps)
    lids = {blink_start: half, blink_start + 1: shut, blink_start + 2: shut, blink_start + 3: shut, blink_start + 4: half}
    frames = []
    for index in range(total):
        # A live person sways a little; well within "hold still".
        sway_x = 1.5 * np.sin(index * 0.7)
        sway_y = 1.0 * np.sin(index * 0.45 + 1.0)
        frames.append(_shifted(lids.get(index, still), sway_x, sway_y))
    return frames


def printed_photo_sequence(person: str, fps: float = 10.0, seconds: float = 4.0) -> list[np.ndarray]:
    """A printed photo of ``person`` on white paper, held up and moved (slides, tilts, comes closer)."""
    still = portrait(person)
    sheet = cv2.copyMakeBorder(still, 24, 24, 24, 24, cv2.BORDER_CONSTANT, value=(235, 235, 232))
    height, width = sheet.shape[:2]
    frames = []
    for index in range(max(1, int(fps * seconds))):
        t = index / fps
        angle = 4.0 * np.sin(t * 1.3)
        scale = 1.0 + 0.06 * np.sin(t * 0.9)
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
        matrix[0, 2] += 6.0 * np.sin(t * 1.7)
        matrix[1, 2] += 4.0 * np.cos(t * 1.1)
        moved = cv2.warpAffine(sheet, matrix, (width, height), borderMode=cv2.BORDER_CONSTANT, borderValue=(150, 150, 150))
        # Tilting the sheet away squeezes one side (a perspective change a flat photo can make).
        squeeze = 0.04 * np.sin(t * 0.8)
        source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
        target = np.float32(
            [[0, height * squeeze], [width, -height * squeeze], [width, height + height * squeeze], [0, height - height * squeeze]]
        )
        frames.append(
            cv2.warpPerspective(moved, cv2.getPerspectiveTransform(source, target), (width, height), borderValue=(150, 150, 150))
        )
    return frames


def play_for(scene: SceneGrabber, id_number: str, kind: str = "citizen") -> str | None:
    """Make the simulated camera (a ``SceneGrabber``) show a face for the demo citizen ``id_number``.

    kind: "citizen" (the citizen, blinking), "impostor" (another person, blinking: "演示：他人冒用"),
    "printed_photo" (the citizen's photo on paper, moved by hand). Returns who is shown, or None when the
    citizen has no demo face (the camera then shows an empty scene).
    """
    if kind == "impostor":
        person: str | None = impostor_for(id_number)
    else:
        person = person_for(id_number)
    if person is None:
        scene.hide()
        return None
    frames = printed_photo_sequence(person) if kind == "printed_photo" else live_sequence(person)
    scene.play(frames)
    return person


def same_person_variants(image: np.ndarray) -> dict[str, np.ndarray]:
    """The same picture as another camera or day might give it: for the matcher's tests and benchmark."""
    height, width = image.shape[:2]

    def rotated(degrees: float) -> np.ndarray:
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)

    def jpeg(quality: int) -> np.ndarray:
        _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return cv2.imdecode(encoded, cv2.IMREAD_COLOR)

    gamma_dark = (np.linspace(0, 1, 256) ** 1.6 * 255).astype(np.uint8)
    return {
        "original": image,
        "crop_tight": cv2.resize(image[height // 8 : height * 7 // 8, width // 8 : width * 7 // 8], (width, height)),
        "smaller": cv2.resize(image, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA),
        "brighter": cv2.convertScaleAbs(image, alpha=1.15, beta=30),
        "darker": cv2.LUT(image, gamma_dark),
        "rotated_+8": rotated(8),
        "rotated_-8": rotated(-8),
        "jpeg_q35": jpeg(35),
        "blurred": cv2.GaussianBlur(image, (5, 5), 1.5),
        "grey": cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR),
        "mirrored": cv2.flip(image, 1),
    }
