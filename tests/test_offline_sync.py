"""The sync worker against a real HTTP platform on loopback: order, backoff, Retry-After, rejections,
chunked image uploads that resume, crash recovery, and the background thread."""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path

import pytest
from fakes import FakeClock
from test_offline_support import HttpAdapter, LoopbackPlatform

from offline.backoff import Backoff
from offline.errors import SyncBusy
from offline.model import Kind, OutboxStatus, State
from offline.outbox import Outbox
from offline.sync import SyncWorker


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock):
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key", clock=clock) as box:
        yield box


@pytest.fixture
def platform():
    with LoopbackPlatform() as server:
        yield server


def worker_for(outbox: Outbox, platform: LoopbackPlatform, **kwargs) -> SyncWorker:
    adapter = HttpAdapter(platform.url)
    kwargs.setdefault("backoff", Backoff(rng=random.Random(7)))
    return SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, **kwargs)


def test_entries_reach_the_platform_in_the_order_they_were_made(outbox: Outbox, platform: LoopbackPlatform) -> None:
    made = [
        outbox.enqueue(Kind.APPLICATION, {"n": 1}),
        outbox.enqueue(Kind.RATING, {"stars": 5}),
        outbox.enqueue(Kind.QUERY_REQUEST, {"receipt_no": "R1"}),
        outbox.enqueue(Kind.MATERIAL_IMAGE, {"for": "R1"}, images=[b"\xff\xd8\xff" + os.urandom(1000)]),
        outbox.enqueue(Kind.HEARTBEAT, {"uptime": 1}),
    ]
    report = worker_for(outbox, platform).sync_once()
    assert report.sent == 5 and report.next_attempt_at is None
    assert platform.order == [e.idempotency_key for e in made]
    assert all(count == 1 for count in platform.posts.values())
    # Done-records keep the receipt, not the payload; the heartbeat leaves nothing.
    assert [e.ack for e in outbox.list()] == [{"receipt_no": f"R00000{n}"} for n in (1, 2, 3, 4)]
    status = outbox.status()
    assert (status.depth, status.done, status.last_success_at) == (0, 4, pytest.approx(outbox.clock()))


def test_outage_backs_off_exponentially_with_jitter_and_blocks_the_queue(
    outbox: Outbox, platform: LoopbackPlatform, clock: FakeClock
) -> None:
    first = outbox.enqueue(Kind.APPLICATION, {"n": 1})
    second = outbox.enqueue(Kind.RATING, {"stars": 4})
    backoff = Backoff(base=2.0, cap=30.0, rng=random.Random(1))
    worker = worker_for(outbox, platform, backoff=backoff)
    platform.script(503, times=7)

    delays = []
    for attempt in range(1, 8):
        report = worker.sync_once(force=False)
        assert (report.sent, report.retried) == (0, 1)
        entry = outbox.get(first.id)
        delay = entry.next_attempt_at - clock.now
        assert backoff.floor <= delay <= min(30.0, 2.0 * 2 ** (attempt - 1)), (attempt, delay)
        assert entry.attempts == attempt and entry.last_error == "retry later: HTTP 503"
        delays.append(delay)
        # Not due yet: nothing is sent, and the rating behind it does not overtake it.
        posts = sum(platform.posts.values())
        clock.advance(delay / 2)
        assert worker.sync_once(force=False).sent == 0 and sum(platform.posts.values()) == posts
        clock.advance(delay / 2 + 0.001)
    assert max(delays) > 8.0  # the ceiling grew (seeded jitter, so this is deterministic)
    assert outbox.status().last_error == "retry later: HTTP 503"

    report = worker.sync_once(force=False)
    assert report.sent == 2
    assert platform.order == [first.idempotency_key, second.idempotency_key]
    assert platform.posts[first.idempotency_key] == 8  # seven outages, then accepted once


def test_backoff_ceiling_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base=2.0, cap=300.0, rng=random.Random(3))
    assert [backoff.ceiling(n) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    draws = [backoff.delay(12) for _ in range(2000)]
    assert min(draws) >= 0.5 and max(draws) <= 300 and max(draws) > 250 and min(draws) < 30  # full jitter
    assert backoff.delay(1, retry_after=120) == 120
    assert backoff.delay(1, retry_after=10**9) == backoff.max_retry_after


def test_retry_after_is_honoured_even_by_a_forced_sync(
    outbox: Outbox, platform: LoopbackPlatform, clock: FakeClock
) -> None:
    entry = outbox.enqueue(Kind.APPLICATION, {"n": 1})
    worker = worker_for(outbox, platform)
    platform.script(429, {"Retry-After": "120"})
    report = worker.sync_once()
    assert report.retried == 1 and report.next_attempt_at == pytest.approx(clock.now + 120)
    assert outbox.get(entry.id).not_before == pytest.approx(clock.now + 120)

    clock.advance(119)
    assert worker.sync_once(force=True).sent == 0  # "force sync" does not override the platform's request
    assert platform.posts[entry.idempotency_key] == 1
    clock.advance(1)
    assert worker.sync_once(force=False).sent == 1


def test_a_forced_sync_skips_our_own_backoff(outbox: Outbox, platform: LoopbackPlatform) -> None:
    outbox.enqueue(Kind.APPLICATION, {"n": 1})
    worker = worker_for(outbox, platform)
    platform.script(503)
    assert worker.sync_once(force=False).retried == 1
    assert worker.sync_once(force=False).sent == 0  # waiting for its backoff
    assert worker.sync_once(force=True).sent == 1  # network is back: "sync now"


def test_a_rejected_entry_goes_to_dead_and_does_not_block_the_rest(
    outbox: Outbox, platform: LoopbackPlatform
) -> None:
    bad = outbox.enqueue(Kind.APPLICATION, {"n": 1})
    good = outbox.enqueue(Kind.RATING, {"stars": 5})
    changes: list[OutboxStatus] = []
    worker = worker_for(outbox, platform, on_change=changes.append)
    platform.script(400)
    report = worker.sync_once()
    assert (report.sent, report.dead) == (1, 1)
    dead = outbox.get(bad.id)
    assert dead.state is State.DEAD and dead.last_error == "rejected (HTTP 400): HTTP 400"
    assert outbox.get(good.id).state is State.DONE
    assert changes[-1].dead == 1 and changes[-1].depth == 0
    assert any(status.sending == 1 for status in changes)

    # A technician fixes the cause and retries; the same idempotency key goes out again.
    assert outbox.retry_dead("all") == 1
    assert worker.sync_once().sent == 1
    assert outbox.get(bad.id).state is State.DONE and bad.idempotency_key in platform.applied


def test_a_bug_in_the_adapter_keeps_the_entry_and_records_only_the_error_type(outbox: Outbox) -> None:
    entry = outbox.enqueue(Kind.APPLICATION, {"name": "张三", "id_number": "11010519491231002X"})

    def broken(entry, payload, images):
        raise KeyError(payload["id_number"])  # a message that quotes personal data

    worker = SyncWorker(outbox, broken)
    assert worker.sync_once().retried == 1
    stored = outbox.get(entry.id)
    assert stored.state is State.PENDING and stored.last_error == "internal error in deliver: KeyError"


def test_an_upload_interrupted_mid_image_resumes_without_resending_acknowledged_chunks(
    outbox: Outbox, platform: LoopbackPlatform
) -> None:
    images = [b"\xff\xd8\xff" + os.urandom(1_000_000), b"\x89PNG\r\n\x1a\n" + os.urandom(300_000)]
    entry = outbox.enqueue(Kind.APPLICATION, {"n": 1}, images=images)
    chunk = 256 * 1024
    worker = worker_for(outbox, platform, chunk_size=chunk)
    platform.fail_chunk_at = {2 * chunk}  # the network drops during the third chunk of the first image

    assert worker.sync_once().retried == 1
    progress = outbox.image_progress(entry.id)
    assert [p.acked_bytes for p in progress] == [2 * chunk, 0]
    assert [p.content_type for p in progress] == ["image/jpeg", "image/png"]

    # The process restarts (new outbox and worker objects) and resumes where the platform left off.
    path, key = outbox.path, outbox.path.with_name("device.key")
    outbox.close()
    with Outbox(path, key) as reopened:
        assert worker_for(reopened, platform, chunk_size=chunk).sync_once().sent == 1
        assert reopened.get(entry.id).state is State.DONE
    sent = [(index, offset) for key_, index, offset in platform.chunk_offsets if key_ == entry.idempotency_key]
    assert len(sent) == len(set(sent)), "an acknowledged chunk was sent twice"
    assert bytes(platform.uploads[(entry.idempotency_key, 0)]) == images[0]
    assert bytes(platform.uploads[(entry.idempotency_key, 1)]) == images[1]
    document = platform.applied[entry.idempotency_key]
    assert document["images"] == [{"material_id": f"{entry.idempotency_key}/{i}"} for i in (0, 1)]


def test_without_a_chunk_uploader_images_go_inline(outbox: Outbox) -> None:
    image = b"\xff\xd8\xff" + os.urandom(5000)
    outbox.enqueue(Kind.MATERIAL_IMAGE, {"for": "R1"}, images=[image])
    received = []
    SyncWorker(outbox, lambda entry, payload, images: received.extend(images) or {"ok": 1}).sync_once()
    assert len(received) == 1 and received[0].data == image and received[0].ref is None
    assert received[0].size == len(image) and received[0].content_type == "image/jpeg"


def test_an_upload_interrupted_by_a_crash_is_resent_under_the_same_key(
    tmp_path: Path, platform: LoopbackPlatform
) -> None:
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key") as outbox:
        entry = outbox.enqueue(Kind.APPLICATION, {"n": 1})
        outbox.begin_sending(entry.id)  # ... and the power goes out before the platform answers
        assert outbox.status().sending == 1
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key") as outbox:
        report = worker_for(outbox, platform).sync_once()
        assert (report.recovered, report.sent) == (1, 1)
        after = outbox.get(entry.id)
        assert after.state is State.DONE and after.attempts == 2
    assert platform.order == [entry.idempotency_key]


def test_clock_set_backwards_does_not_stall_the_queue(
    outbox: Outbox, platform: LoopbackPlatform, clock: FakeClock
) -> None:
    outbox.enqueue(Kind.APPLICATION, {"n": 1})
    worker = worker_for(outbox, platform)
    platform.script(503)
    worker.sync_once()
    clock.advance(-30 * 86400)  # the RTC battery died and NTP has not answered yet
    assert worker.sync_once(force=False).sent == 1


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return True
        deadline.wait(0.01)
    return predicate()


def test_background_worker_sends_new_entries_wakes_and_stops(
    tmp_path: Path, platform: LoopbackPlatform
) -> None:
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key") as outbox:
        seen: list[OutboxStatus] = []
        worker = worker_for(outbox, platform, on_change=seen.append, idle_interval=30.0)
        worker.start()
        try:
            with pytest.raises(SyncBusy, match="another sync is running"):
                worker_for(outbox, platform).sync_once()  # `kiosk sync --once` while the app syncs
            first = outbox.enqueue(Kind.APPLICATION, {"n": 1})  # the outbox wakes the worker: no waiting
            assert wait_until(lambda: outbox.get(first.id).state is State.DONE)

            platform.script(503)
            second = outbox.enqueue(Kind.RATING, {"stars": 5})
            assert wait_until(lambda: outbox.get(second.id).last_error == "retry later: HTTP 503")
            worker.wake()  # the network is back: sync now instead of waiting for the backoff
            assert wait_until(lambda: outbox.get(second.id).state is State.DONE)
            assert wait_until(lambda: bool(seen) and seen[-1].done == 2 and seen[-1].depth == 0)
            assert any(status.sending == 1 for status in seen)
        finally:
            worker.stop()
        assert not worker.running
        worker_for(outbox, platform).sync_once()  # the lock was released


def test_an_entry_sent_ahead_of_the_queue_is_left_to_its_sender_by_the_running_worker(
    outbox: Outbox, platform: LoopbackPlatform
) -> None:
    """A call for help is claimed and sent at once by its own thread (kiosk/urgent.py) while the sync worker
    runs. The worker's later passes must not take it for an upload interrupted by a crash: put back to pending,
    the worker sent it as well and erased its payload under the sender, and the citizen was told the call
    failed although it had got through."""
    adapter = HttpAdapter(platform.url)
    holding = threading.Event()
    release = threading.Event()

    def deliver(entry, payload, images):
        if payload.get("hold"):
            holding.set()
            release.wait(10)
        return adapter.deliver(entry, payload, images)

    worker = SyncWorker(outbox, deliver, backoff=Backoff(rng=random.Random(7)))
    first = outbox.enqueue(Kind.RATING, {"stars": 5, "hold": True})
    worker.start()
    try:
        assert holding.wait(10), "the worker did not start sending the first entry"
        urgent = outbox.enqueue(Kind.ASSIST, {"screen": "catalog"})
        outbox.begin_sending(urgent.id)  # the urgent sender claims it while the worker is busy
        release.set()
        assert wait_until(lambda: outbox.get(first.id).state is State.DONE)
        for _ in range(3):  # passes of the running worker, each of which once reset every entry in `sending`
            worker.wake()
            assert not wait_until(lambda: urgent.idempotency_key in platform.posts, timeout=0.4)
        assert outbox.get(urgent.id).state is State.SENDING
        assert outbox.read_payload(outbox.get(urgent.id)) == {"screen": "catalog"}  # still there for its sender
    finally:
        release.set()
        worker.stop()
