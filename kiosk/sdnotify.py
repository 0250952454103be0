"""A tiny sd_notify client: tells systemd the kiosk is ready, alive, or stopping.

kiosk.service is ``Type=notify`` with ``WatchdogSec=``: systemd only considers the kiosk started once it
sends ``READY=1``, and restarts it when ``WATCHDOG=1`` stops arriving. The App pings from a Kivy Clock on the
UI thread, so a frozen UI (not only a dead process) trips the watchdog and the box recovers unattended.

The protocol is one datagram of ``KEY=value`` lines to the AF_UNIX socket named in ``$NOTIFY_SOCKET``
(a path, or an abstract name written with a leading ``@``). Outside systemd the variable is unset and every
call is a silent no-op, so the same code runs on a developer laptop and in tests.

No dependency (python-systemd would need libsystemd headers on every build box) and no Kivy import.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def _socket_address(raw: str) -> str | bytes | None:
    """Turn ``$NOTIFY_SOCKET`` into an address for ``sendto``; None if it is not one we can use."""
    if raw.startswith("@"):
        # Abstract namespace: the name starts with a NUL byte instead of the '@' systemd writes.
        return b"\0" + raw[1:].encode()
    if raw.startswith("/"):
        return raw
    # systemd 253+ may also pass vsock:... for VMs; a kiosk box never runs that way.
    return None


def watchdog_interval(environ: dict[str, str] | None = None) -> float | None:
    """The watchdog timeout in seconds if systemd expects pings from *this* process, else None.

    Ping at half of it (``interval / 2``), as sd_watchdog_enabled(3) recommends, so one late tick of the
    Clock does not cost a restart. WATCHDOG_PID guards against a child process that inherited the
    environment pinging on behalf of a parent that has hung.
    """
    env = os.environ if environ is None else environ
    raw_usec = env.get("WATCHDOG_USEC", "")
    try:
        usec = int(raw_usec)
    except ValueError:
        return None
    if usec <= 0:
        return None
    raw_pid = env.get("WATCHDOG_PID", "")
    if raw_pid:
        try:
            if int(raw_pid) != os.getpid():
                return None
        except ValueError:
            return None
    return usec / 1_000_000


class Notifier:
    """Sends sd_notify messages; every method is a no-op when not started by systemd.

    Send errors are logged once and swallowed: a kiosk must never crash because the notify socket went away
    (systemd restarting, for example). If the watchdog stops being fed, systemd restarts us anyway.
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self._socket: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def notify(self, message: str) -> bool:
        """Send one raw message (``KEY=value`` lines). Returns True if it was sent."""
        if self._address is None:
            return False
        try:
            if self._socket is None:
                # CLOEXEC so a printer helper we spawn does not inherit the notify socket.
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(message.encode(), self._address)
        except OSError as exc:
            if not self._warned:
                log.warning("sd_notify to %r failed: %s (further failures are not logged)", self._address, exc)
                self._warned = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        """The home screen is up: systemd marks kiosk.service active and starts counting the watchdog."""
        return self.notify("READY=1" + (f"\nSTATUS={_one_line(status)}" if status else ""))

    def watchdog(self, *_args: object) -> bool:
        """Feed the watchdog. Extra arguments are ignored so it can be a Kivy Clock callback directly."""
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """A one-line status shown by ``systemctl status kiosk`` (no personal data: it is world-readable)."""
        return self.notify(f"STATUS={_one_line(text)}")

    def stopping(self) -> bool:
        """Clean shutdown has begun, so a slow exit is not mistaken for a hang."""
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _one_line(text: str) -> str:
    # A newline would start a new KEY=value assignment in the datagram.
    return " ".join(text.split())
