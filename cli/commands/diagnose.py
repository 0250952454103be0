"""``kiosk diagnose`` and ``kiosk export-logs``: what a technician (or a monitoring system) runs on the box.

``diagnose`` opens every configured device for a moment, asks the platform for its health, reads the
outbox and the disk, prints a table (or JSON) and sets the exit status from the verdict. Every check has a
short deadline, so it answers within seconds even when a device hangs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

EXIT_HEALTHY = 0
EXIT_REQUIRED_DEVICE = 1  # bit 0: a required device is in fault (or disabled)
EXIT_OUTBOX = 4  # bit 2: the outbox has dead entries, stale entries, or cannot be read
EXIT_DEMO_CONFIG = 8  # bit 3: a real kiosk with the demo's platform settings (embedded sandbox, demo secret)
EXIT_CONFIG = 78  # EX_CONFIG, as for `kiosk run`: the config file is missing or invalid

EXIT_CODES_HELP = f"""\
exit status:
  {EXIT_HEALTHY}   healthy (warnings, e.g. a degraded printer or an unreachable platform, may be listed)
  {EXIT_REQUIRED_DEVICE}   a required device ([devices] required) is in fault or disabled
  {EXIT_OUTBOX}   the outbox is unhealthy: dead entries, entries pending longer than --stale-after,
      or the outbox cannot be read
  {EXIT_DEMO_CONFIG}   the config has the demo's platform settings: no [platform] section, url = "embedded"
      or the public demo device_secret (a real kiosk must never run like that)
  {EXIT_REQUIRED_DEVICE | EXIT_OUTBOX}   devices and outbox (the status is a bit mask: 1 = devices, 4 = outbox,
      8 = demo config; e.g. 13 = all three)
  2   wrong command-line arguments
  {EXIT_CONFIG}  the config file is missing, unreadable or invalid

A platform that cannot be reached is a warning, not a failure: the outbox keeps the work until it is back,
and a long outage shows up as stale outbox entries (exit status 4).
On a box where the kiosk app is running, the app holds the devices: stop it first (systemctl stop kiosk)
or pass --no-devices, since two programs talking to one serial port garble each other's answers."""


# As kiosk.diagnostics has them (a test compares them): importing it here would load pydantic with every
# command, `kiosk run` too, before its first frame (issue #16).
DEVICE_TIMEOUT_S = 4.0
STALE_PENDING_S = 2 * 3600.0


def register(subparsers: argparse._SubParsersAction) -> None:
    from cli.first_frame import DEFAULT_CONFIG_PATH

    diagnose = subparsers.add_parser(
        "diagnose",
        help="check devices, platform, outbox and disk; exit non-zero when unhealthy",
        description="Check every configured device (printer, camera, ID card reader, scanner), the platform "
        "(reachable, round trip, clock skew), the outbox (pending, dead, oldest), free disk and memory, and "
        "print a table or JSON. For technicians on site or over SSH, and for monitoring systems.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diagnose.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH,
                          help=f"the kiosk's config file (default: {DEFAULT_CONFIG_PATH})")
    diagnose.add_argument("--json", action="store_true", help="print the report as JSON (for monitoring)")
    diagnose.add_argument("--no-devices", action="store_true",
                          help="do not open the devices (the running app holds them)")
    diagnose.add_argument("--timeout", type=float, default=DEVICE_TIMEOUT_S, metavar="SECONDS",
                          help=f"give up on a device after this long (default: {DEVICE_TIMEOUT_S:g})")
    diagnose.add_argument("--stale-after", type=float, default=STALE_PENDING_S / 60, metavar="MINUTES",
                          help="an outbox entry pending longer than this makes the kiosk unhealthy "
                          f"(default: {STALE_PENDING_S / 60:g})")
    diagnose.set_defaults(handler=diagnose_command)

    export = subparsers.add_parser(
        "export-logs",
        help="copy the kiosk's log, with personal data masked, to a folder or USB stick",
        description="Write the kiosk's log from the journal (journalctl -u kiosk) or from a log file into "
        "TARGET as kiosk-log-HOST-DATE-TIME.log. ID numbers and phone numbers are masked on every line.",
    )
    export.add_argument("target", type=Path, metavar="TARGET", help="folder to write into, e.g. /media/usb")
    export.add_argument("--file", type=Path, help="export this log file instead of the journal")
    export.add_argument("--since", default="24 hours ago",
                        help="journal only: from when (journalctl --since syntax; default: '24 hours ago')")
    export.add_argument("--unit", default="kiosk", help="journal only: the systemd unit (default: kiosk)")
    export.set_defaults(handler=export_logs_command)


def exit_status(report: Any) -> int:
    return (EXIT_REQUIRED_DEVICE if report.required_device_fault else 0) | (
        EXIT_OUTBOX if report.outbox_unhealthy else 0
    ) | (EXIT_DEMO_CONFIG if getattr(report, "demo_config", False) else 0)


def diagnose_command(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.diagnostics import collect

    if args.timeout <= 0 or args.stale_after <= 0:
        print("kiosk: --timeout and --stale-after must be positive numbers", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        if args.json:  # a monitoring system parsing stdout still gets an answer it can read
            print(json.dumps({"healthy": False, "error": str(error), "exit_status": EXIT_CONFIG}, ensure_ascii=False))
        return EXIT_CONFIG
    if not getattr(args, "verbose", False):
        # Drivers log every status change at INFO; the report already says it, in one place.
        logging.getLogger("devices").setLevel(logging.WARNING)
    report = collect(config, probe_devices=not args.no_devices, device_timeout=args.timeout,
                     stale_after_s=args.stale_after * 60, real_kiosk=True)
    status = exit_status(report)
    if args.json:
        print(json.dumps({**report.to_dict(), "exit_status": status}, ensure_ascii=False, indent=2))
    else:
        print(render_table(report))
    return status


# -- the table --------------------------------------------------------------------------------------------


def render_table(report: Any) -> str:
    lines = [
        f"kiosk {report.device_id}  config {report.config}  {report.collected_at}",
        "HEALTHY" if report.healthy else f"UNHEALTHY: {len(report.problems)} problem(s)",
        "",
    ]
    width = max(len(check.url) for check in report.devices)
    names = max(len("DEVICE"), *(len(check.name) for check in report.devices))  # "doc_camera" is 10 wide
    lines.append(f"{'DEVICE':<{names}} {'STATE':<9} {'REQUIRED':<8} {'URL':<{width}}  REASON")
    for check in report.devices:
        lines.append(f"{check.name:<{names}} {check.state:<9} {'yes' if check.required else 'no':<8} "
                     f"{check.url:<{width}}  {check.reason}")
    lines += ["", f"platform  {report.platform_line()}", f"outbox    {report.outbox_line()}",
              f"system    {report.system_line()}"]
    for title, entries in (("PROBLEMS", report.problems), ("WARNINGS", report.warnings)):
        if entries:
            lines += ["", title] + [f"  - {entry}" for entry in entries]
    return "\n".join(lines)


# -- log export -------------------------------------------------------------------------------------------


def export_logs_command(args: argparse.Namespace) -> int:
    from kiosk.logexport import LogExportError, export_logs

    try:
        result = export_logs(args.target, source=args.file, unit=args.unit, since=args.since)
    except LogExportError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 1
    note = f"; {result.redacted_lines} line(s) had personal data masked" if result.redacted_lines else ""
    print(f"exported {result.lines} line(s) to {result.path}{note}")
    return 0
