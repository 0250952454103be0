"""Time to drain a long offline queue to the platform, and whether memory stays flat while doing it.

    .venv/bin/python benchmarks/outbox_drain.py [--n 10000] [--image-every 20] [--image-size 200000]

Fills an outbox with ``--n`` applications (every ``--image-every``-th with one material image), then drains
it with the real ``SyncWorker`` over HTTP to a small platform stand-in on 127.0.0.1 (``http.server`` in a
thread of this process: the lead's sandbox platform was not ready when this was written; point the adapter at
it once it is). Images go up in 256 KiB chunks. The stand-in runs in its own process (its set of seen
Idempotency-Keys would otherwise count as kiosk memory), so the RSS measured is the kiosk side's. RSS is sampled every 100 ms during the drain; peak RSS
is ``resource.getrusage``'s.

Expectation: RSS flat during the drain (no growth with the number of entries sent; one image in memory at a
time), and every entry sent exactly once.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.connection
import os
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline.errors import Rejected, RetryLater  # noqa: E402
from offline.model import EntryMeta, Kind, UploadedImage  # noqa: E402
from offline.outbox import Outbox  # noqa: E402
from offline.sync import SyncWorker  # noqa: E402

RSS_GROWTH_BUDGET_MB = 5.0


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class StandIn(BaseHTTPRequestHandler):
    """Accepts entries (deduplicated by Idempotency-Key) and image chunks; keeps counters only."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall
    lock = threading.Lock()
    keys: set[str] = set()
    posts = 0
    chunk_bytes = 0

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers["Idempotency-Key"]
        with StandIn.lock:
            StandIn.posts += 1
            StandIn.keys.add(key)
            receipt = f"R{len(StandIn.keys):07d}"
        self._answer(200, {"receipt_no": receipt})

    def do_GET(self) -> None:  # noqa: N802 (/stats, read once at the end)
        with StandIn.lock:
            self._answer(200, {"keys": len(StandIn.keys), "posts": StandIn.posts, "chunk_bytes": StandIn.chunk_bytes})

    def do_PUT(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        self.rfile.read(length)
        with StandIn.lock:
            StandIn.chunk_bytes += length
        self._answer(200, {"material_id": self.path})


class Adapter:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, self.url + path, timeout=10, **kwargs)
        except requests.RequestException as exc:
            raise RetryLater(type(exc).__name__) from None
        if response.status_code >= 500 or response.status_code in (408, 409, 429):
            raise RetryLater(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise Rejected(f"HTTP {response.status_code}", response.status_code)
        return response

    def deliver(self, entry: EntryMeta, payload: dict[str, Any], images: list[UploadedImage]) -> dict[str, Any]:
        body = {"kind": str(entry.kind), "payload": payload, "images": [image.ref for image in images]}
        response = self._call("POST", "/v1/entries", json=body, headers={"Idempotency-Key": entry.idempotency_key})
        return {"receipt_no": response.json()["receipt_no"]}

    def deliver_chunk(self, entry: EntryMeta, index: int, offset: int, chunk: bytes, total: int) -> dict[str, Any]:
        path = f"/v1/uploads/{entry.idempotency_key}/{index}?offset={offset}&total={total}"
        return self._call("PUT", path, data=chunk).json()


def fill(outbox: Outbox, n: int, image_every: int, image_size: int) -> None:
    image = b"\xff\xd8\xff" + os.urandom(image_size)
    batch = 500  # setup only: many entries per transaction (the enqueue benchmark times single ones)
    for start in range(0, n, batch):
        with outbox.transaction() as tx:
            for i in range(start, min(n, start + batch)):
                payload = {"applicant": {"name": "张建国", "id_number": "41010519800101123X"}, "n": i, "form": "值" * 500}
                images = [image] if image_every and i % image_every == 0 else []
                tx.enqueue(Kind.APPLICATION, payload, images=images)


def serve(port_out: multiprocessing.connection.Connection) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    port_out.send(server.server_address[1])
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--image-every", type=int, default=20)
    parser.add_argument("--image-size", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()

    port_in, port_out = multiprocessing.Pipe(duplex=False)
    stand_in = multiprocessing.Process(target=serve, args=(port_out,), daemon=True)
    stand_in.start()
    url = f"http://127.0.0.1:{port_in.recv()}"

    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        outbox = Outbox(Path(directory) / "outbox.db", Path(directory) / "device.key")
        started = time.perf_counter()
        fill(outbox, args.n, args.image_every, args.image_size)
        fill_seconds = time.perf_counter() - started
        db_mb = (Path(directory) / "outbox.db").stat().st_size / 2**20

        adapter = Adapter(url)
        worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk)
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                samples.append(rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        rss_start = rss_mb()
        sampler.start()
        started = time.perf_counter()
        report = worker.sync_once()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        rss_end = rss_mb()
        status = outbox.status()
        outbox.close()
    seen = requests.get(url + "/stats", timeout=10).json()
    stand_in.terminate()

    images = len(range(0, args.n, args.image_every)) if args.image_every else 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Compare the last fifth of the drain with the first fifth: growth with entries sent is a leak.
    fifth = max(1, len(samples) // 5)
    early, late = max(samples[:fifth] or [rss_start]), max(samples[-fifth:] or [rss_end])
    print(f"outbox drain: {args.n} entries ({images} with a {args.image_size // 1000} kB image), "
          f"db {db_mb:.1f} MB, filled in {fill_seconds:.1f} s")
    print(f"  drained in {seconds:.1f} s = {args.n / seconds:.0f} entries/s; sent {report.sent}, "
          f"platform saw {seen['keys']} keys in {seen['posts']} posts, {seen['chunk_bytes'] / 2**20:.1f} MB of chunks")
    print(f"  RSS at start {rss_start:.1f} MB, during min {min(samples, default=rss_start):.1f} / "
          f"max {max(samples, default=rss_start):.1f} MB ({len(samples)} samples), end {rss_end:.1f} MB; "
          f"peak (getrusage) {peak_mb:.1f} MB")
    print(f"  first fifth max {early:.1f} MB, last fifth max {late:.1f} MB: growth {late - early:+.2f} MB")
    ok = (
        report.sent == args.n
        and seen["keys"] == seen["posts"] == args.n
        and status.depth == 0
        and late - early < RSS_GROWTH_BUDGET_MB
    )
    print(f"  every entry once, queue empty, RSS growth < {RSS_GROWTH_BUDGET_MB} MB: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
