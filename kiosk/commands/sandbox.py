"""``kiosk sandbox``: the reference platform on its own (for integrators, and to test a kiosk against)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="run the sandbox platform (the /v1 contract with demo data) on loopback",
        description="Runs the reference platform: /v1 API with demo citizens and catalog, OpenAPI at /openapi.json "
                    "and /docs. Point a kiosk at it with [platform] url = \"http://HOST:PORT\".",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--db", type=Path, default=Path("sandbox.db"), help="SQLite file (default ./sandbox.db)")
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    try:
        from kiosk.sandbox.server import serve_forever
    except ImportError as error:
        print(f"kiosk sandbox: needs the sandbox extra ({error.name} missing); pip install -e '.[sandbox]'")
        return 2
    print(f"sandbox platform on http://{args.host}:{args.port}  (OpenAPI: /openapi.json, docs: /docs)")
    serve_forever(args.host, args.port, args.db)
    return 0
