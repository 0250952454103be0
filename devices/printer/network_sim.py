"""A network thermal printer on a TCP port (the raw "9100" port), backed by the virtual printer.

The kiosk reaches it with ``tcp://HOST:PORT``, i.e. through python-escpos's real ``Network`` connection and the
same status, process-ID and clear commands as a LAN printer. Run in a process of its own it is what a printer
is: a device with its own processor, whose rendering of the slip costs the kiosk nothing (the soak benchmark
uses it so, as it runs the platform; ``sim://`` renders in the kiosk's own process, which the demo wants).

    python -m devices.printer.network_sim [--port 9100] [--dir DIR] [--width 576]

prints ``tcp://127.0.0.1:PORT`` on its first line once it listens. Real-time commands (DLE EOT n, the clear
command) are answered when a received chunk is one, or ends with one: the kiosk sends a status query right
behind a job and waits for the answer, and TCP may deliver both in one chunk (a printer answers in real time
whatever came before). Elsewhere in a chunk the same bytes could be raster data (see the virtual printer's
module doc).
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from pathlib import Path

from devices.printer.protocol import CLEAR_BUFFERS
from devices.printer.status import QUERIES, status_request
from devices.printer.virtual import VirtualPrinter

# The real-time commands the kiosk sends and then waits on (devices.printer.connection).
_REAL_TIME = (CLEAR_BUFFERS, *(status_request(n) for n in QUERIES))


def split_real_time(chunk: bytes) -> list[bytes]:
    """The chunk as the virtual printer's writes: a real-time command at its end as a write of its own."""
    for command in _REAL_TIME:
        if len(chunk) > len(command) and chunk.endswith(command):
            return [chunk[:-len(command)], command]
    return [chunk]


class NetworkPrinterSimulator:
    """Serves one connection at a time, as a printer's raw port does; every reply goes back on that connection."""

    def __init__(self, virtual: VirtualPrinter, host: str = "127.0.0.1", port: int = 0) -> None:
        self.virtual = virtual
        self.server = socket.create_server((host, port))
        self.host, self.port = self.server.getsockname()[:2]
        self._closed = threading.Event()

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed
            with connection:
                self._serve(connection)

    def start(self) -> NetworkPrinterSimulator:
        threading.Thread(target=self.serve_forever, name="network-printer-sim", daemon=True).start()
        return self

    def close(self) -> None:
        self._closed.set()
        self.server.close()
        self.virtual.close()

    def _serve(self, connection: socket.socket) -> None:
        while True:
            try:
                chunk = connection.recv(65536)
            except OSError:
                return
            if not chunk:
                return  # the kiosk closed the connection; the next job opens a new one
            for write in split_real_time(chunk):
                self.virtual._raw(write)
            if reply := self.virtual._read():
                connection.sendall(reply)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100, help="0: any free port (the first line says which)")
    parser.add_argument("--dir", type=Path, default=None, help="keep each job's .bin and .png here")
    parser.add_argument("--no-render", action="store_true", help="take the bytes and answer, draw no PNG")
    parser.add_argument("--width", type=int, default=576, help="printable dots: 576 (80 mm) or 384 (58 mm)")
    args = parser.parse_args(argv)
    virtual = VirtualPrinter(args.dir, dots_width=args.width, render=not args.no_render)
    try:
        simulator = NetworkPrinterSimulator(virtual, args.host, args.port)
    except OSError as exc:
        print(f"network printer simulator: cannot listen on {args.host}:{args.port}: {exc.strerror}; "
              "choose another --port (0 takes any free one)", file=sys.stderr)
        return 1
    print(simulator.url, flush=True)
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
