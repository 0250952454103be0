"""Durable enqueue latency of the outbox: one application (with the caller's own row) per fsync'd commit.

    .venv/bin/python benchmarks/outbox_enqueue.py [--n 2000] [--dir /var/lib/kiosk] [--image-every 0]

Each sample is one ``outbox.transaction()`` holding the caller's local record and the encrypted outbox
entry: WAL, ``synchronous=FULL``, so the time includes the fsync that makes a citizen's application survive a
power cut. Run it on the kiosk's own disk (``--dir``): the fsync cost is the disk's, not Python's.

Budget (DESIGN.md): p99 < 5 ms; RSS flat (under 5 MB growth) across 1,000 simulated sessions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from offline.model import Kind  # noqa: E402
from offline.outbox import Outbox  # noqa: E402

P99_BUDGET_MS = 5.0
RSS_BUDGET_MB = 5.0


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def application(n: int) -> dict:
    return {
        "item": "henan-shebao-0012",
        "applicant": {"name": "张建国", "id_number": "41010519800101123X", "phone": "13912345678"},
        "address": "河南省郑州市金水区示范路1号",
        "form": {f"field_{i}": f"值{i}-{n}" for i in range(30)},
    }


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="enqueues to time (default 2000)")
    parser.add_argument("--dir", type=Path, default=None, help="folder on the disk to measure (default: a temp dir)")
    parser.add_argument("--image-every", type=int, default=0, help="add a 200 KB image to every Nth entry")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        outbox = Outbox(Path(directory) / "outbox.db", Path(directory) / "device.key")
        with outbox.transaction() as tx:
            tx.execute("CREATE TABLE applications (local_id INTEGER PRIMARY KEY, entry_id INTEGER, item TEXT)")
        image = b"\xff\xd8\xff" + os.urandom(200_000)
        for n in range(50):  # warm up the page cache and the WAL file
            outbox.enqueue(Kind.RATING, {"stars": 5, "n": n})
        rss_before = rss_mb()
        samples: list[float] = []
        for n in range(args.n):
            images = [image] if args.image_every and n % args.image_every == 0 else []
            start = time.perf_counter()
            with outbox.transaction() as tx:
                entry = tx.enqueue(Kind.APPLICATION, application(n), images=images, meta={"item": "henan-shebao-0012"})
                tx.execute("INSERT INTO applications (entry_id, item) VALUES (?, ?)", (entry.id, "henan-shebao-0012"))
            samples.append((time.perf_counter() - start) * 1000)
        rss_growth = rss_mb() - rss_before
        outbox.close()

    p50, p95, p99 = (percentile(samples, q) for q in (0.50, 0.95, 0.99))
    print(f"outbox enqueue (WAL, synchronous=FULL, AES-GCM), n={args.n}, dir={args.dir or tempfile.gettempdir()}")
    print(f"  p50 {p50:.3f} ms   p95 {p95:.3f} ms   p99 {p99:.3f} ms   max {max(samples):.3f} ms   "
          f"mean {statistics.fmean(samples):.3f} ms")
    print(f"  RSS growth over {args.n} enqueues: {rss_growth:+.2f} MB")
    ok = p99 < P99_BUDGET_MS and rss_growth < RSS_BUDGET_MB
    print(f"  budget p99 < {P99_BUDGET_MS} ms, RSS growth < {RSS_BUDGET_MB} MB: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
