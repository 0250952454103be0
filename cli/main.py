"""The ``kiosk`` command line. Each module in ``cli.commands`` adds its own subcommands via
``register(subparsers)``, so a new capability brings its commands without editing this file.

No command ends in a traceback: an error a command foresees is one line naming the thing, the place and the
fix, with its documented exit status; anything else is caught here and reported in one line (type and a
redacted message, exit 70) with the traceback only under ``--verbose``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback

import cli.commands
import kiosk

EXIT_CODES = """\
exit status (every command; each command's --help lists its own):
  0    done
  1    the command's check failed (see its --help: diagnose uses bits 1, 4, 8)
  2    wrong command-line arguments
  70   internal error (a bug: rerun with -v for the traceback and report it)
  74   a file or device could not be read or written (the message names it)
  75   busy: another process holds the resource; try again later
  78   the config file is missing, unreadable or invalid
  130  interrupted (Ctrl-C)"""
EX_SOFTWARE = 70
EX_IOERR = 74
EX_CONFIG = 78


def command_modules() -> list[str]:
    """The modules of cli.commands. Listed from the folder, not with pkgutil.iter_modules: that imports
    inspect (~8 ms), which `kiosk run` pays before its first frame (issue #16)."""
    folder = cli.commands.__path__[0]
    return sorted(name.removesuffix(".py") for name in os.listdir(folder)
                  if name.endswith(".py") and name != "__init__.py")


# The commands that start the window, and their module: `kiosk run` and `kiosk demo` register only that
# module's commands (the others' argparse set-up and imports cost ~20 ms before the first frame, issue #16).
# Every other command line, --help included, gets the whole parser.
WINDOW_COMMANDS = {"run": "app", "demo": "app"}


def _window_command(argv: list[str]) -> str | None:
    """The module of a window command when it is the first argument after the global options, else None."""
    for arg in argv:
        if arg in ("-v", "--verbose"):
            continue
        return WINDOW_COMMANDS.get(arg)
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with just the window command's module when ``argv`` (the command line
    about to be parsed) starts one."""
    only = _window_command(argv) if argv is not None else None
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Self-service kiosk for government service centres (政务服务自助终端).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kiosk {kiosk.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages (never personal data)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [only] if only else command_modules():
        importlib.import_module(f"cli.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from kiosk.logging_setup import configure_logging

    configure_logging(verbose=args.verbose)
    # Not kiosk.config's ConfigError: pydantic would load with it, before the first frame (cli/first_frame.py).
    from cli.first_frame import is_config_error
    from kiosk.redaction import redact

    name = f"kiosk {args.command}"
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:
        where = f" {error.filename}" if getattr(error, "filename", None) else ""
        print(f"{name}:{where}: {error.strerror or type(error).__name__}; check that it exists and that this "
              "user may use it", file=sys.stderr)
        return EX_IOERR
    except Exception as error:  # a bug: one line for the person, the traceback only when asked for
        if is_config_error(error):  # a command that did not catch kiosk.config's ConfigError itself
            print(f"kiosk: {error}", file=sys.stderr)
            return EX_CONFIG
        if args.verbose:
            traceback.print_exc()
        print(f"{name}: internal error {type(error).__name__}: {redact(str(error))[:300]}; rerun with -v for "
              "the details and report it", file=sys.stderr)
        return EX_SOFTWARE


if __name__ == "__main__":
    sys.exit(main())
    logging.shutdown()
