"""``kiosk sandbox``: the reference platform on its own (for integrators, and to test a kiosk against).

Requests are signed (see kiosk/signing.py). By default the sandbox accepts the demo secret
"demo-device-secret-change-me" (the default [platform] device_secret) for every device; ``--device-secret``
sets another shared secret, ``--master-secret`` gives each device HMAC(master, device id), ``--no-auth``
accepts unsigned requests (for an integrator poking at the API with curl).

The chaos flags make it misbehave on purpose, to watch a kiosk cope (see kiosk/sandbox/chaos.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEMO_SECRET = "demo-device-secret-change-me"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{text} is not a port number; use 1 to 65535 (e.g. 8765)")
    return port


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1 (e.g. 0.1 for 10%)")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="run the sandbox platform (the /v1 contract with demo data) on loopback",
        description="Runs the reference platform: /v1 API with demo citizens and catalog, OpenAPI at /openapi.json "
                    "and /docs. Point a kiosk at it with [platform] url = \"http://HOST:PORT\". Requests must be "
                    "signed (HMAC-SHA256, see kiosk/signing.py) unless --no-auth.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    parser.add_argument("--db", type=Path, default=Path("sandbox.db"), help="SQLite file (default ./sandbox.db)")
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument("--device-secret", default=DEMO_SECRET, metavar="SECRET",
                      help="one secret accepted for every device (default: the demo secret)")
    auth.add_argument("--master-secret", metavar="SECRET",
                      help="per-device secrets: HMAC-SHA256(SECRET, device id) in hex")
    auth.add_argument("--no-auth", action="store_true", help="accept unsigned requests (integrators only)")
    auth.add_argument("--no-identity-check", action="store_true",
                      help="serve personal data without a verification proof (outbox load tests only)")
    chaos = parser.add_argument_group("misbehaving on purpose")
    chaos.add_argument("--fail-rate", type=_share, default=0.0, metavar="SHARE",
                       help="answer this share of /v1 requests with 500 or 503 (0..1)")
    chaos.add_argument("--delay", type=float, default=0.0, metavar="SECONDS",
                       help="delay each /v1 request by up to this many seconds")
    chaos.add_argument("--drop-after-commit", type=_share, default=0.0, metavar="SHARE",
                       help="run the request, then drop the connection before the answer (0..1)")
    chaos.add_argument("--throttle", type=_share, default=0.0, metavar="SHARE",
                       help="answer this share with 429 Too Many Requests (0..1)")
    chaos.add_argument("--retry-after", type=float, default=1.0, metavar="SECONDS",
                       help="the Retry-After of a 429 (default 1)")
    chaos.add_argument("--seed", type=int, default=None, help="seed of the misbehaviour (repeatable runs)")
    parser.set_defaults(handler=_serve)


def build_app(args: argparse.Namespace):  # -> FastAPI (imported lazily: the sandbox extra may be missing)
    from kiosk.sandbox.app import create_app
    from kiosk.sandbox.chaos import ChaosSettings, install_chaos
    from kiosk.sandbox.security import derived_secrets, install_security, single_secret
    from kiosk.sandbox.uploads import uploads_router

    app = create_app(args.db)
    lookup = derived_secrets(args.master_secret) if args.master_secret else single_secret(args.device_secret)
    install_security(app, lookup, enabled=not args.no_auth)
    app.state.identity.enforce = not args.no_identity_check
    install_chaos(app, ChaosSettings(fail_rate=args.fail_rate, delay=args.delay,
                                     drop_after_commit=args.drop_after_commit, throttle=args.throttle,
                                     retry_after=args.retry_after, seed=args.seed))
    if not any(getattr(route, "path", "").startswith("/v1/uploads") for route in app.routes):
        app.include_router(uploads_router(app.state.store))
    return app


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError as error:
        print(f"kiosk sandbox: needs the sandbox extra ({error.name} missing); pip install -e '.[sandbox]'")
        return 2
    try:
        app = build_app(args)
    except ValueError as error:
        print(f"kiosk sandbox: {error}")
        return 2
    auth = ("OFF (--no-auth)" if args.no_auth else
            "per-device secrets from --master-secret" if args.master_secret else "shared device secret")
    print(f"sandbox platform on http://{args.host}:{args.port}  (OpenAPI: /openapi.json, docs: /docs, fleet "
          f"console: /console/); request signing: {auth}"
          + ("; identity proofs NOT checked (--no-identity-check)" if args.no_identity_check else ""))
    if app.state.chaos.active:
        print(f"misbehaving: fail {args.fail_rate:g}, delay ≤{args.delay:g} s, drop after commit "
              f"{args.drop_after_commit:g}, throttle {args.throttle:g} (Retry-After {args.retry_after:g} s)")
    app.state.identity.warm_up()  # the face model loads now, not on the first citizen's face check
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    except SystemExit as stop:  # uvicorn exits (status 3) when it cannot listen; it logged the reason above
        if stop.code not in (0, None):
            print(f"kiosk sandbox: cannot listen on {args.host}:{args.port} (in use, or not this machine's "
                  "address); pick another --port or --host", file=sys.stderr)
            return 74
    return 0
