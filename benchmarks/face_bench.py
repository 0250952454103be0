"""Face verification: error rates, the printed-photo attack, time to a decision, added memory.

    .venv/bin/python benchmarks/face_bench.py [--runs 10]

- Models: time and RSS added by loading dlib's detector + 5-point landmarks (kiosk side) and the ResNet
  descriptor (platform side), over a process that already has numpy and OpenCV.
- False accept / false reject: every picture in tests/data/faces in 11 camera-and-day variants
  (devices.face.demo.same_person_variants) against the sandbox's registered photos through FaceMatcher
  (the platform's API), and all variant pairs against each other at the same distance threshold.
- Printed photo: the citizen's photo on paper, moved by hand, in front of the simulated camera (real capture
  thread at 10 fps, the real FaceCaptureWorker): must end "no blink", never reach the matcher.
- Time to a decision (DESIGN.md budget: p95 < 1.5 s): from worker.start() ("look at the camera") to the
  platform's answer, with the simulated citizen blinking 0.7-1.1 s after the prompt, frames at camera rate.
  As the kiosk does it: the steady face goes to the platform when the blink is asked for, and its answer is
  used once liveness passed (``match_s`` is the wait left after that).

Prints a table and writes benchmarks/results/face.json. Numbers depend on the machine's load: the JSON
records the load average at the start.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from devices.camera.scene import SceneGrabber  # noqa: E402
from devices.camera.source import Camera  # noqa: E402
from devices.face import CaptureUpdate, FaceCapture, FaceCaptureWorker, FaceModels, Stage, demo  # noqa: E402
from kiosk.sandbox.face_match import MATCH_DISTANCE, FaceMatcher  # noqa: E402

FACES = Path(__file__).resolve().parents[1] / "tests" / "data" / "faces"
RESULTS = Path(__file__).with_name("results") / "face.json"
REGISTERED = {"eileen_collins": "410105195003152015", "grace_hopper": "410102194811023023"}
BUDGET_S = 1.5
FPS = 10


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def jpeg(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def measure_models(models: FaceModels) -> dict:
    before = rss_mb()
    started = time.perf_counter()
    models.preload("detector", "landmarks5")
    kiosk_s = time.perf_counter() - started
    kiosk_rss = rss_mb()
    started = time.perf_counter()
    models.preload("encoder")
    platform_s = time.perf_counter() - started
    after = rss_mb()
    return {
        "kiosk_load_s": round(kiosk_s, 3),
        "kiosk_added_rss_mb": round(kiosk_rss - before, 1),
        "platform_encoder_load_s": round(platform_s, 3),
        "platform_added_rss_mb": round(after - kiosk_rss, 1),
        "total_added_rss_mb": round(after - before, 1),
    }


def error_rates(models: FaceModels, matcher: FaceMatcher) -> dict:
    pictures = {p: cv2.imread(str(FACES / f"{p}.jpg"), cv2.IMREAD_COLOR) for p in demo.people()}
    variants = {p: demo.same_person_variants(image) for p, image in pictures.items()}
    # Through the platform's API, against the registered ID photos.
    genuine = impostor = false_reject = false_accept = 0
    match_ms = []
    for person, images in variants.items():
        for claimed, id_number in REGISTERED.items():
            for image in images.values():
                started = time.perf_counter()
                result = matcher.match(id_number, jpeg(image))
                match_ms.append(1000 * (time.perf_counter() - started))
                if person == claimed:
                    genuine += 1
                    false_reject += not result.matched
                else:
                    impostor += 1
                    false_accept += result.matched
    # Every variant against every other, at the same threshold.
    descriptors = []
    for person, images in variants.items():
        for image in images.values():
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            box = models.detect(rgb)[0]
            descriptors.append((person, models.embedding(rgb, box)))
    same, other = [], []
    for i, (person_a, a) in enumerate(descriptors):
        for person_b, b in descriptors[i + 1 :]:
            (same if person_a == person_b else other).append(float(np.linalg.norm(a - b)))
    return {
        "registry_genuine_pairs": genuine,
        "registry_false_rejects": false_reject,
        "registry_impostor_pairs": impostor,
        "registry_false_accepts": false_accept,
        "all_pairs_threshold": MATCH_DISTANCE,
        "all_pairs_genuine": len(same),
        "all_pairs_frr": round(sum(d > MATCH_DISTANCE for d in same) / len(same), 4),
        "all_pairs_impostor": len(other),
        "all_pairs_far": round(sum(d <= MATCH_DISTANCE for d in other) / len(other), 4),
        "largest_genuine_distance": round(max(same), 3),
        "smallest_impostor_distance": round(min(other), 3),
        "match_ms_p50": round(float(np.percentile(match_ms, 50)), 1),
        "match_ms_p95": round(float(np.percentile(match_ms, 95)), 1),
    }


def run_capture(camera: Camera, scene: SceneGrabber, frames: list[np.ndarray], models: FaceModels,
                timeout_s: float, on_steady=None) -> tuple[CaptureUpdate | None, float]:
    """Show ``frames`` to the camera, start the worker (the prompt), wait for its decision. ``on_steady(jpeg)``
    gets the steady face on the update that asks for the blink, as the kiosk's face screen does."""
    done = threading.Event()
    final: list[CaptureUpdate] = []
    decided_at: list[float] = []

    def on_update(update: CaptureUpdate) -> None:
        if update.match_jpeg and on_steady is not None:
            on_steady(update.match_jpeg)
        if update.done:
            decided_at.append(time.perf_counter())
            final.append(update)
            done.set()

    worker = FaceCaptureWorker(camera, FaceCapture(models), on_update)
    scene.play(frames)
    started = time.perf_counter()
    worker.start()
    done.wait(timeout_s)
    elapsed = (decided_at[0] if decided_at else time.perf_counter()) - started
    worker.stop()
    scene.hide()
    return (final[0] if final else None), elapsed


def end_to_end(models: FaceModels, matcher: FaceMatcher, runs: int) -> dict:
    scene = SceneGrabber(fps=FPS)
    camera = Camera(scene).start()
    try:
        decisions, accepted, impostors_refused, impostor_runs = [], 0, 0, 0
        capture_s, match_s, cpu_s = [], [], []
        early_runs = 0
        pool = ThreadPoolExecutor(max_workers=1)
        for run in range(runs):
            for person, id_number in REGISTERED.items():
                impostor = run % 3 == 2  # every third run, "演示：他人冒用"
                shown = demo.impostor_for(id_number) if impostor else person
                frames = demo.live_sequence(shown, models, fps=FPS)
                started, cpu_started = time.perf_counter(), time.process_time()
                early: list[Future] = []  # the kiosk sends the steady face while the citizen blinks

                def steady(face: bytes, id_number: str = id_number, early: list[Future] = early) -> None:
                    if not early:
                        early.append(pool.submit(matcher.match, id_number, face))

                update, captured_in = run_capture(camera, scene, frames, models, timeout_s=15, on_steady=steady)
                match_started = time.perf_counter()
                if early:  # the early answer, used once liveness passed
                    result = early[0].result() if update and update.jpeg else None
                else:
                    result = matcher.match(id_number, update.jpeg) if update and update.jpeg else None
                early_runs += bool(early)
                match_s.append(time.perf_counter() - match_started)
                capture_s.append(captured_in)
                decisions.append(time.perf_counter() - started)
                # CPU time of the whole process (camera simulator, capture worker, matcher) for this decision:
                # what the decision costs on an idle machine, whatever the load while measuring.
                cpu_s.append(time.process_time() - cpu_started)
                if impostor:
                    impostor_runs += 1
                    impostors_refused += result is None or not result.matched
                else:
                    accepted += bool(result and result.matched)
        attacks = []
        for person in REGISTERED:
            update, elapsed = run_capture(
                camera, scene, demo.printed_photo_sequence(person, fps=FPS), models, timeout_s=20
            )
            attacks.append(
                {
                    "person": person,
                    "refused": update is not None and update.stage is Stage.FAILED,
                    "reason": update.message_key if update else "no decision",
                    "seconds_to_refusal": round(elapsed, 2),
                }
            )
    finally:
        camera.stop()
    genuine_runs = len(decisions) - impostor_runs
    return {
        "runs": len(decisions),
        "genuine_runs": genuine_runs,
        "genuine_accepted": accepted,
        "impostor_runs": impostor_runs,
        "impostor_refused": impostors_refused,
        "decision_s_p50": round(float(np.percentile(decisions, 50)), 3),
        "decision_s_p95": round(float(np.percentile(decisions, 95)), 3),
        "decision_s_max": round(max(decisions), 3),
        "capture_s_p95": round(float(np.percentile(capture_s, 95)), 3),
        "match_s_p95": round(float(np.percentile(match_s, 95)), 3),  # the wait after liveness passed
        "early_match_runs": early_runs,
        "cpu_s_per_decision_p95": round(float(np.percentile(cpu_s, 95)), 3),
        "blink_in_simulation_s": "half-shut at 0.7 s after the prompt, shut 0.8-1.0 s, half 1.1 s, open again at 1.2 s",
        "budget_s": BUDGET_S,
        "printed_photo_attacks": attacks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="live captures per registered citizen")
    args = parser.parse_args()
    load = os.getloadavg()
    models = FaceModels()
    memory = measure_models(models)
    matcher = FaceMatcher()  # as the sandbox runs it: the descriptor in a child process
    started = time.perf_counter()
    matcher.preload()
    memory["platform_matcher_start_s"] = round(time.perf_counter() - started, 3)
    memory["platform_matcher_process_rss_mb"] = round(sum(child_rss_mb(pid) for pid in matcher._pool._processes), 1)
    rates = error_rates(models, matcher)
    timing = end_to_end(models, matcher, args.runs)
    matcher.close()
    report = {
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_start": round(load[0], 2)},
        "models": memory,
        "matching": rates,
        "capture_to_decision": timing,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"models: kiosk load {memory['kiosk_load_s']} s (+{memory['kiosk_added_rss_mb']} MB), "
          f"platform encoder {memory['platform_encoder_load_s']} s (+{memory['platform_added_rss_mb']} MB)")
    print(f"platform matcher process: started in {memory['platform_matcher_start_s']} s, "
          f"{memory['platform_matcher_process_rss_mb']} MB RSS")
    print(f"registry: FRR {rates['registry_false_rejects']}/{rates['registry_genuine_pairs']}, "
          f"FAR {rates['registry_false_accepts']}/{rates['registry_impostor_pairs']}; all pairs at "
          f"{MATCH_DISTANCE}: FRR {rates['all_pairs_frr']:.2%} of {rates['all_pairs_genuine']}, "
          f"FAR {rates['all_pairs_far']:.2%} of {rates['all_pairs_impostor']} "
          f"(largest genuine {rates['largest_genuine_distance']}, smallest impostor {rates['smallest_impostor_distance']})")
    print(f"match on the platform: p50 {rates['match_ms_p50']} ms, p95 {rates['match_ms_p95']} ms")
    print(f"look-at-camera -> decision: p50 {timing['decision_s_p50']} s, p95 {timing['decision_s_p95']} s "
          f"(budget {BUDGET_S} s), genuine accepted {timing['genuine_accepted']}/{timing['genuine_runs']}, "
          f"impostors refused {timing['impostor_refused']}/{timing['impostor_runs']}")
    print(f"  of which capture p95 {timing['capture_s_p95']} s, then waiting for the match p95 {timing['match_s_p95']} s "
          f"(early match in {timing['early_match_runs']} of {timing['runs']} runs); "
          f"CPU time per decision p95 {timing['cpu_s_per_decision_p95']} s")
    for attack in timing["printed_photo_attacks"]:
        print(f"printed photo of {attack['person']}: refused={attack['refused']} ({attack['reason']}, "
              f"{attack['seconds_to_refusal']} s)")
    print(f"load average at start {load[0]:.2f} on {os.cpu_count()} cores; written {RESULTS}")
    ok = (
        rates["registry_false_accepts"] == 0
        and all(a["refused"] for a in timing["printed_photo_attacks"])
        and timing["impostor_refused"] == timing["impostor_runs"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
