"""systemd integration: READY=1 once the home screen is up, WATCHDOG=1 from the UI thread's clock, so a
frozen UI stops the pings (and systemd restarts the kiosk)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui


def receive(sock: socket.socket, seconds: float) -> list[str]:
    messages: list[str] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            break
    return messages


@pytest.fixture
def notify_socket(tmp_path: Path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    yield path, sock
    sock.close()


def test_demo_process_sends_ready_then_watchdog_and_stops_when_frozen(notify_socket, tmp_path: Path,
                                                                       kiosk_display) -> None:
    path, sock = notify_socket
    env = {**os.environ, "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"}
    env.pop("WATCHDOG_PID", None)
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "demo", "--state-dir", str(tmp_path / "state")],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        messages: list[str] = []
        deadline = time.monotonic() + 60
        while not any("READY=1" in m for m in messages) and time.monotonic() < deadline:
            messages += receive(sock, 1)
        assert any("READY=1" in m for m in messages), f"no READY=1 within 60 s: {messages}"
        pings = [m for m in receive(sock, 2.5) if "WATCHDOG=1" in m]
        assert len(pings) >= 3, f"expected a ping every 0.5 s, got {pings}"
        process.send_signal(signal.SIGSTOP)  # the whole process freezes, UI thread included
        frozen = [m for m in receive(sock, 2.0) if "WATCHDOG=1" in m]
        assert frozen == []
        process.send_signal(signal.SIGCONT)
        assert any("WATCHDOG=1" in m for m in receive(sock, 2.0)), "pings resume after the freeze"
    finally:
        process.kill()
        process.wait(10)


def test_pings_come_from_the_ui_thread_not_a_helper_thread(ui, notify_socket) -> None:
    from kivy.clock import Clock

    from kiosk.sdnotify import Notifier

    path, sock = notify_socket
    ui.app.notifier = Notifier({"NOTIFY_SOCKET": str(path)})
    event = Clock.schedule_interval(ui.app._watchdog_ping, 0.2)
    try:
        end = time.monotonic() + 1.0
        while time.monotonic() < end:  # the UI thread runs frames: pings arrive
            ui.pilot.frames(1)
            time.sleep(0.01)
        assert any("WATCHDOG=1" in m for m in receive(sock, 0.3))
        receive(sock, 0.1)  # drain
        time.sleep(1.0)  # the UI thread is blocked (no frames), every worker thread still runs
        assert receive(sock, 0.3) == []
    finally:
        event.cancel()
        ui.app.notifier = Notifier()
