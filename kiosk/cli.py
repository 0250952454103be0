"""The ``kiosk`` command line. Each module in ``kiosk.commands`` adds its own subcommands via
``register(subparsers)``, so a new capability brings its commands without editing this file."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import kiosk
import kiosk.commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Self-service kiosk for government service centres (政务服务自助终端).",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {kiosk.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages (never personal data)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(kiosk.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"kiosk.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from kiosk.logging_setup import configure_logging

    configure_logging(verbose=args.verbose)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
    logging.shutdown()
