"""``kiosk hash-pin``: turn a maintenance PIN into the line to paste into /etc/kiosk/kiosk.toml.

The PIN is read without echo (twice, to catch a typo that would lock the technician out) or, with
``--stdin``, from one line of standard input for provisioning scripts. Only the hash is printed.
"""

from __future__ import annotations

import argparse
import getpass
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "hash-pin",
        help="hash a maintenance PIN for the config file",
        description="Hash a maintenance PIN (6 to 12 digits) and print the pin_hash line for the "
        "[maintenance] section of /etc/kiosk/kiosk.toml. The PIN itself is never printed or stored.",
    )
    parser.add_argument("--stdin", action="store_true", help="read the PIN from one line of standard input")
    parser.set_defaults(handler=_hash_pin_command)


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New maintenance PIN: ")
    second = getpass.getpass("Repeat the PIN: ")
    if first != second:
        from kiosk.maintenance.pin import PinFormatError

        raise PinFormatError("the two PINs differ; nothing was changed, run `kiosk hash-pin` again")
    return first.strip()


def _hash_pin_command(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every command module is loaded at start, `kiosk run` too (issue #16).
    from kiosk.maintenance.pin import PinFormatError, check_pin_policy, hash_pin

    try:
        pin = _read_pin(args.stdin)
        check_pin_policy(pin)
    except PinFormatError as error:
        print(f"kiosk hash-pin: {error}", file=sys.stderr)
        return 2
    except EOFError:
        print("kiosk hash-pin: no PIN given", file=sys.stderr)
        return 2
    # Guidance on stderr, so `kiosk hash-pin --stdin > line.txt` captures only the config line.
    print("Paste this line into the [maintenance] section of /etc/kiosk/kiosk.toml, then restart the kiosk:",
          file=sys.stderr)
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0
