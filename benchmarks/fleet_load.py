"""Heartbeats from a simulated fleet against the REAL sandbox (its own process, loopback), with the fleet
console loaded by a logged-in technician at the same time.

    .venv/bin/python benchmarks/fleet_load.py                       # 5,000 kiosks, one heartbeat each in 60 s
    .venv/bin/python benchmarks/fleet_load.py --kiosks 1000 --seconds 20 --burst-seconds 5

Phase "paced": every kiosk sends one signed heartbeat, spread evenly over --seconds (5,000 kiosks at one a
minute each, compressed into the minute they would take), by --senders concurrent senders; 1 kiosk in 25
reports a problem (printer fault, paper nearly out, dead outbox entries), so the "needs attention" list is real.
Meanwhile the console pages (all kiosks, needs attention, one kiosk) are fetched once a second.
Phase "burst": the same senders send as fast as the sandbox answers for --burst-seconds: the ceiling of
this store on this machine, from which the fleet size it can carry follows.
Results: printed, and JSON in benchmarks/results/fleet.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kiosk.signing import HmacSigner  # noqa: E402

SECRET = "demo-device-secret-change-me"
STAFF = {"user": "jishu01", "password": "kiosk-demo-01"}
RESULTS = REPO / "benchmarks" / "results" / "fleet.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def device_id(n: int) -> str:
    return f"KIOSK-SIM-{n:05d}"


def heartbeat(n: int, round_: int) -> dict:
    trouble = n % 25 == 0
    body = {"versions": {"kiosk": "0.1.0"}, "availability": "limited" if trouble else "available",
            "uptime_s": 3600 + round_ * 60 + n, "outbox": {"pending": n % 7, "dead": 1 if n % 100 == 0 else 0},
            "devices": {"printer": {"state": "fault" if n % 50 == 0 else "ok", "reason": "", "required": True},
                        "idreader": {"state": "ok", "reason": "", "required": False},
                        "camera": {"state": "ok", "reason": "", "required": False}},
            "consumables": {"paper": {"printed_mm": 46_000 if trouble else (n * 37) % 40_000, "roll_mm": 50_000}}}
    return body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1), "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1) if values else None}


class Senders:
    def __init__(self, url: str, senders: int) -> None:
        self.url = url
        self.senders = senders
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self._lock = threading.Lock()

    def _send(self, session: requests.Session, n: int, round_: int) -> None:
        dev = device_id(n)
        t0 = time.perf_counter()
        try:
            answer = session.post(f"{self.url}/v1/devices/{dev}/heartbeat", json=heartbeat(n, round_), timeout=30,
                                  auth=HmacSigner(dev, SECRET), headers={"Idempotency-Key": str(uuid.uuid4()),
                                                                          "X-Kiosk-Device": dev})
            problem = None if answer.status_code == 204 else f"HTTP {answer.status_code}"
        except requests.RequestException as error:
            problem = type(error).__name__
        elapsed = time.perf_counter() - t0
        with self._lock:
            if problem:
                self.errors[problem] = self.errors.get(problem, 0) + 1
            else:
                self.latencies.append(elapsed)

    def paced(self, kiosks: int, seconds: float) -> float:
        """Kiosk n sends at start + n * seconds / kiosks; returns the wall time taken."""
        start = time.monotonic() + 0.5
        gap = seconds / kiosks

        def run(first: int) -> None:
            session = requests.Session()
            for n in range(first, kiosks, self.senders):
                delay = start + n * gap - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self._send(session, n, 1)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(self.senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - start

    def burst(self, kiosks: int, seconds: float) -> tuple[int, float]:
        stop = time.monotonic() + seconds
        sent = [0] * self.senders

        def run(index: int) -> None:
            session = requests.Session()
            n = index
            while time.monotonic() < stop:
                self._send(session, n % kiosks, 2)
                sent[index] += 1
                n += self.senders

        t0 = time.monotonic()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(self.senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(sent), time.monotonic() - t0


class ConsoleReader:
    """A technician with the console open: the three pages, once a second, timed end to end."""

    PAGES = {"all": "/console/", "attention": "/console/?attention=1", "kiosk": "/console/kiosks/KIOSK-SIM-00050"}

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        answer = self.session.post(f"{url}/console/login", data=STAFF, headers={"Accept": "application/json"},
                                   timeout=30)
        answer.raise_for_status()
        self.times: dict[str, list[float]] = {name: [] for name in self.PAGES}
        self.sizes: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def load(self, name: str) -> float:
        t0 = time.perf_counter()
        answer = self.session.get(self.url + self.PAGES[name], timeout=30)
        elapsed = time.perf_counter() - t0
        if answer.status_code in (200, 404):  # the kiosk page is 404 until that kiosk has reported
            self.sizes[name] = len(answer.content)
        return elapsed

    def _run(self) -> None:
        while not self._stop.is_set():
            for name in self.PAGES:
                self.times[name].append(self.load(name))
            self._stop.wait(1.0)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiosks", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60.0, help="spread one heartbeat per kiosk over this")
    parser.add_argument("--senders", type=int, default=16, help="concurrent senders (connections)")
    parser.add_argument("--burst-seconds", type=float, default=15.0, help="unpaced phase; 0 skips it")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fleet-load-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen([sys.executable, "-m", "cli.main", "sandbox", "--port", str(port),
                                "--db", str(work / "sandbox.db")], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/v1/health", timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or sandbox.poll() is not None:
                    print("fleet_load: the sandbox did not start (try `.venv/bin/kiosk sandbox` by hand)")
                    return 1
                time.sleep(0.1)

        console = ConsoleReader(url)
        senders = Senders(url, args.senders)
        console.start()
        wall = senders.paced(args.kiosks, args.seconds)
        console.stop()
        paced = {"kiosks": args.kiosks, "seconds_planned": args.seconds, "seconds_taken": round(wall, 1),
                 "rate_per_s": round(len(senders.latencies) / wall, 1), "errors": senders.errors,
                 "heartbeat": summary(senders.latencies),
                 "console_during_load": {name: summary(times) for name, times in console.times.items()}}
        # At rest, with every kiosk in the table: what a technician waits for when opening the console.
        idle = {name: summary([console.load(name) for _ in range(10)]) for name in ConsoleReader.PAGES}
        results = {"host": {"cpus": os.cpu_count(), "python": host.python_version(), "machine": host.machine()},
                   "senders": args.senders, "paced": paced, "console_at_rest": idle,
                   "console_page_bytes": console.sizes}
        if args.burst_seconds > 0:
            burst = Senders(url, args.senders)
            sent, taken = burst.burst(args.kiosks, args.burst_seconds)
            rate = len(burst.latencies) / taken
            results["burst"] = {"sent": sent, "seconds": round(taken, 1), "rate_per_s": round(rate, 1),
                                "errors": burst.errors, "heartbeat": summary(burst.latencies),
                                "fleet_at_one_per_minute_at_half_load": int(rate * 60 / 2)}
    finally:
        sandbox.terminate()
        sandbox.wait(10)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    hb = paced["heartbeat"]
    print(f"paced: {args.kiosks} heartbeats in {paced['seconds_taken']} s ({paced['rate_per_s']}/s), "
          f"{args.senders} senders; latency p50 {hb['p50_ms']} ms, p99 {hb['p99_ms']} ms, max {hb['max_ms']} ms; "
          f"errors {paced['errors'] or 'none'}")
    for name, stats in paced["console_during_load"].items():
        print(f"console {name:9s} during load: p50 {stats['p50_ms']} ms, p95 {stats['p95_ms']} ms, "
              f"max {stats['max_ms']} ms; at rest p50 {idle[name]['p50_ms']} ms "
              f"({results['console_page_bytes'].get(name, 0) // 1024} KB)")
    if "burst" in results:
        b = results["burst"]
        print(f"burst: {b['rate_per_s']}/s for {b['seconds']} s, p99 {b['heartbeat']['p99_ms']} ms, errors "
              f"{b['errors'] or 'none'}; at half that load: {b['fleet_at_one_per_minute_at_half_load']} kiosks "
              f"at one heartbeat a minute")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
