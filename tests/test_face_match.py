"""The platform's face match (sandbox): the same person matches, another person is refused.

Real dlib ResNet descriptors on small pictures (tests/data/faces/LICENSE.md); "same person" is the demo
picture as other cameras and days might give it (crop, scale, light, rotation, JPEG, blur, grey, mirror)
against the registered ID photo, itself a smaller, paler, recompressed crop.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera.scene import SceneGrabber
from devices.face import FaceCapture, FaceModels, Stage, demo
from kiosk.sandbox.face_match import FaceMatcher

FACES = Path(__file__).parent / "data" / "faces"
REGISTERED = {"eileen_collins": "410105195003152015", "grace_hopper": "410102194811023023"}
NO_PHOTO_CITIZEN = "410305199007204512"  # 王小明: a demo citizen without a registered photo


def jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return encoded.tobytes()


def picture(person: str) -> np.ndarray:
    image = cv2.imread(str(FACES / f"{person}.jpg"), cv2.IMREAD_COLOR)
    assert image is not None, f"test picture {person} missing from {FACES}"
    return image


@pytest.fixture(scope="module")
def matcher():
    matcher = FaceMatcher()
    yield matcher
    matcher.close()


@pytest.mark.parametrize("person", sorted(REGISTERED))
def test_the_same_person_matches_across_camera_and_day_changes(matcher, person):
    for name, variant in demo.same_person_variants(picture(person)).items():
        result = matcher.match(REGISTERED[person], jpeg(variant))
        assert result.matched, f"{person} / {name}: {result}"
        assert result.reason == "matched" and result.score >= 0.5


@pytest.mark.parametrize("claimed", sorted(REGISTERED))
def test_another_persons_face_is_refused(matcher, claimed):
    for person in demo.people():
        if person == claimed:
            continue
        for name, variant in demo.same_person_variants(picture(person)).items():
            result = matcher.match(REGISTERED[claimed], jpeg(variant))
            assert not result.matched, f"{person} / {name} accepted as {claimed}: {result}"
            assert result.reason == "not_same_person"


def test_what_cannot_be_matched_says_why(matcher):
    eileen = jpeg(picture("eileen_collins"))
    assert matcher.match(NO_PHOTO_CITIZEN, eileen).reason == "no_registered_photo"
    assert matcher.match(REGISTERED["eileen_collins"], b"not a jpeg").reason == "bad_image"
    assert matcher.match(REGISTERED["eileen_collins"], b"").reason == "bad_image"
    blank = jpeg(np.full((400, 320, 3), 200, np.uint8))
    assert matcher.match(REGISTERED["eileen_collins"], blank).reason == "no_face"
    two = jpeg(np.hstack([picture("eileen_collins"), picture("grace_hopper")]))
    result = matcher.match(REGISTERED["eileen_collins"], two)
    assert (result.matched, result.reason) == (False, "several_faces")


def test_the_kiosks_captured_photo_matches_its_citizen_and_not_an_impostor(matcher):
    models = FaceModels.shared()
    scene = SceneGrabber()
    id_number = REGISTERED["eileen_collins"]

    def captured(person: str) -> bytes:
        frames = demo.live_sequence(person, models)
        capture = FaceCapture(models)
        capture.start(now=0.0)
        for index in range(60):
            update = capture.feed(scene.compose(frames[index % len(frames)]), now=index / 10)
            if update.done:
                break
        assert update.stage is Stage.PASSED and update.jpeg
        return update.jpeg

    assert matcher.match(id_number, captured("eileen_collins")).matched
    impostor = matcher.match(id_number, captured(demo.impostor_for(id_number)))
    assert (impostor.matched, impostor.reason) == (False, "not_same_person")


def test_a_match_does_not_freeze_the_other_threads_of_the_process(matcher):
    # dlib holds the GIL while it computes a descriptor; the matcher runs it in a child process so the
    # embedded demo's UI thread (33 ms frame budget) keeps running during a match.
    import threading
    import time

    photo = jpeg(picture("grace_hopper"))
    matcher.match(REGISTERED["grace_hopper"], photo)  # child started, models loaded
    worker = threading.Thread(target=lambda: [matcher.match(REGISTERED["grace_hopper"], photo) for _ in range(3)])
    gaps, last = [], time.perf_counter()
    worker.start()
    while worker.is_alive():
        time.sleep(0.002)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    assert max(gaps) < 0.1, f"the calling process stalled {max(gaps) * 1000:.0f} ms during a match"


def test_logs_carry_no_full_id_number_and_no_photo(matcher, caplog):
    id_number = REGISTERED["grace_hopper"]
    with caplog.at_level(logging.DEBUG):
        matcher.match(id_number, jpeg(picture("grace_hopper")))
        matcher.match(id_number, jpeg(picture("eileen_collins")))
    assert caplog.records, "the match should leave a (masked) trace"
    assert id_number not in caplog.text
    assert "410102" in caplog.text or "*" in caplog.text


def test_the_matching_process_goes_when_its_parent_is_killed() -> None:
    """A kiosk or sandbox killed with SIGKILL cannot close its pool: the child notices and leaves."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("from kiosk.sandbox.face_match import FaceMatcher, _child_pid\n"
              "import sys, time\n"
              "m = FaceMatcher()\n"
              "print(m._call(_child_pid), flush=True)\n"
              "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).parent.parent)
    try:
        child = int(parent.stdout.readline())
        os.kill(child, 0)  # alive while its parent is
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(child, signal.SIGKILL)
    raise AssertionError(f"the face matching process {child} outlived its killed parent")
