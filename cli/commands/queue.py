"""``kiosk queue status|list|retry|purge-dead`` and ``kiosk sync --once``: the outbox, for technicians.

Nothing here prints personal data: entries are shown by id, kind, state, times, attempts, last error and the
clear-text metadata (local reference, item code), never their (encrypted) payload.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.first_frame import DEFAULT_CONFIG_PATH  # not kiosk.config: every command is registered at start

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

EX_USAGE = 2
EX_TEMPFAIL = 75  # another process holds the sync lock: try again later
EX_CONFIG = 78
EX_OUTBOX = 1  # the outbox exists but cannot be opened (key missing, locked, damaged)

EXIT_CODES_HELP = f"""\
exit status:
  0   done (a kiosk that never queued anything has an empty outbox: status shows zeros)
  {EX_OUTBOX}   the outbox cannot be opened (its key file is missing, the file is damaged or locked)
  {EX_USAGE}   wrong command-line arguments (retry without ids or --all, purge-dead without --yes)
  {EX_TEMPFAIL}  sync: another process (the running kiosk) is syncing; try again later
  {EX_CONFIG}  the config file is missing, unreadable or invalid, or sync with url = "embedded"
With --json, errors are printed on stderr and a JSON object with "error" and "exit_status" on stdout."""
NO_OUTBOX = None  # _open's answer for a kiosk that has not queued anything yet


def register(subparsers: argparse._SubParsersAction) -> None:
    queue = subparsers.add_parser(
        "queue", help="the outbox of applications, ratings and heartbeats waiting for the platform",
        description="Shows and repairs this kiosk's outbox (<state_dir>/outbox/outbox.db). "
                    "Never shows personal data.",
        epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = queue.add_subparsers(dest="queue_action", metavar="ACTION", required=True)

    status = actions.add_parser("status", help="counts, oldest waiting entry, last success and last error")
    _common(status)
    status.set_defaults(handler=_status)

    listing = actions.add_parser("list", help="entries without personal data (id, kind, state, attempts, error)")
    _common(listing)
    listing.add_argument("--state", choices=["pending", "sending", "done", "dead"], action="append",
                         help="only entries in this state (repeatable)")
    listing.add_argument("--limit", type=int, default=200, help="at most this many entries (default 200)")
    listing.set_defaults(handler=_list)

    retry = actions.add_parser("retry", help="put dead entries back in the queue (after fixing the cause)")
    _common(retry)
    retry.add_argument("ids", nargs="*", type=int, help="entry ids (see 'kiosk queue list --state dead')")
    retry.add_argument("--all", action="store_true", help="every dead entry")
    retry.set_defaults(handler=_retry)

    purge = actions.add_parser("purge-dead", help="delete dead entries for good, with their data")
    _common(purge)
    purge.add_argument("ids", nargs="*", type=int, help="entry ids; none: every dead entry")
    purge.add_argument("--yes", action="store_true", help="confirm: the citizens' data in them is erased")
    purge.set_defaults(handler=_purge)

    sync = subparsers.add_parser(
        "sync", help="upload the outbox to the configured platform now",
        description="Runs one sync pass against [platform] url, signed with [platform] device_secret, and "
                    "prints what happened. Fails with status 75 while the kiosk app is syncing itself.",
        epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(sync)
    sync.add_argument("--once", action="store_true", required=True, help="one pass, then exit (required)")
    sync.set_defaults(handler=_sync)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH,
                        help=f"kiosk config file (default {DEFAULT_CONFIG_PATH})")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    """One line on stderr; with --json also a JSON answer on stdout, so a monitoring script can parse it."""
    print(message, file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "exit_status": code}, ensure_ascii=False))
    return code


def _open(args: argparse.Namespace) -> tuple[KioskConfig, Any] | int:
    """(config, outbox), (config, NO_OUTBOX) when nothing was ever queued, or an exit status."""
    from kiosk.config import ConfigError, load_config
    from kiosk.outbox_adapter import open_outbox, outbox_paths
    from offline.errors import OutboxError

    try:
        config = load_config(args.config)
    except ConfigError as error:
        return _fail(args, f"kiosk: {error}", EX_CONFIG)
    db_path, _ = outbox_paths(config)
    if not db_path.exists():
        return config, NO_OUTBOX  # a fresh kiosk: an empty queue, not an error (and nothing is created)
    try:
        return config, open_outbox(config, reserve_bytes=0)  # a reader must not allocate the app's reserve
    except OutboxError as error:
        return _fail(args, f"kiosk queue: {error}", EX_OUTBOX)
    except OSError as error:
        return _fail(args, f"kiosk queue: outbox {db_path}: cannot be opened ({error.strerror or error}); check "
                     "the file and its permissions (the kiosk user owns it)", EX_OUTBOX)


def _empty_status() -> Any:
    from offline.model import OutboxStatus

    return OutboxStatus(depth=0, sending=0, dead=0, done=0, oldest_pending_age=None, next_attempt_at=None,
                        last_success_at=None, last_error=None, last_error_at=None)


def _entry_dict(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.id, "kind": str(entry.kind), "state": str(entry.state), "created_at": entry.created_at,
        "attempts": entry.attempts, "next_attempt_at": entry.next_attempt_at, "last_error": entry.last_error,
        "images": entry.image_count, "meta": entry.meta, "ack": entry.ack, "done_at": entry.done_at,
    }


def _when(seconds: float | None) -> str:
    return "-" if seconds is None else dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


def _status(args: argparse.Namespace) -> int:
    opened = _open(args)
    if isinstance(opened, int):
        return opened
    config, outbox = opened
    if outbox is NO_OUTBOX:
        from kiosk.outbox_adapter import outbox_paths

        path, status = outbox_paths(config)[0], _empty_status()
    else:
        with outbox:
            path, status = outbox.path, outbox.status()
    if args.json:
        print(json.dumps({"outbox": str(path), "exists": outbox is not NO_OUTBOX, **status.as_dict()},
                         ensure_ascii=False))
        return 0
    age = "-" if status.oldest_pending_age is None else f"{status.oldest_pending_age:.0f} s"
    print(f"outbox {path}" + ("" if outbox is not NO_OUTBOX else " (not created yet: nothing was ever queued)"))
    print(f"  waiting {status.depth}, sending {status.sending}, dead {status.dead}, done records {status.done}")
    print(f"  oldest waiting: {age}; next attempt: {_when(status.next_attempt_at)}")
    print(f"  last success: {_when(status.last_success_at)}")
    print(f"  last error: {status.last_error or '-'} ({_when(status.last_error_at)})")
    if status.dead:
        print("  dead entries need a technician: 'kiosk queue list --state dead', fix the cause, then 'kiosk queue retry'")
    return 0


def _list(args: argparse.Namespace) -> int:
    opened = _open(args)
    if isinstance(opened, int):
        return opened
    _, outbox = opened
    if outbox is NO_OUTBOX:
        entries = []
    else:
        with outbox:
            entries = outbox.list(args.state, limit=args.limit)
    if args.json:
        print(json.dumps([_entry_dict(e) for e in entries], ensure_ascii=False))
        return 0
    print(f"{'id':>6}  {'kind':<15}{'state':<9}{'created':<21}{'tries':>5}  reference / receipt / last error")
    for e in entries:
        reference = e.meta.get("local_reference", "")
        answer = (e.ack or {}).get("receipt_number", "")
        tail = " ".join(str(part) for part in (reference, answer, e.last_error or "") if part)
        print(f"{e.id:>6}  {e.kind:<15}{e.state:<9}{_when(e.created_at):<21}{e.attempts:>5}  {tail}")
    if not entries:
        print("(no entries)")
    return 0


def _retry(args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        return _fail(args, "kiosk queue retry: name entry ids (see 'kiosk queue list --state dead') or pass --all",
                     EX_USAGE)
    opened = _open(args)
    if isinstance(opened, int):
        return opened
    _, outbox = opened
    if outbox is NO_OUTBOX:
        moved = 0
    else:
        with outbox:
            moved = outbox.retry_dead("all" if args.all else args.ids)
    print(json.dumps({"retried": moved}) if args.json else f"{moved} dead entr{'y' if moved == 1 else 'ies'} "
          "back in the queue; the kiosk sends them on its next pass (or run 'kiosk sync --once')")
    return 0


def _purge(args: argparse.Namespace) -> int:
    if not args.yes:
        return _fail(args, "kiosk queue purge-dead: this erases the dead entries and the citizens' data in them for "
                     "good; repeat with --yes to confirm", EX_USAGE)
    opened = _open(args)
    if isinstance(opened, int):
        return opened
    _, outbox = opened
    if outbox is NO_OUTBOX:
        purged = 0
    else:
        with outbox:
            purged = outbox.purge_dead(args.ids or "all")
    print(json.dumps({"purged": purged}) if args.json else f"{purged} dead entr{'y' if purged == 1 else 'ies'} erased")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from kiosk.outbox_adapter import OutboxAdapter, signed_client
    from kiosk.submission import Submitter
    from offline.errors import SyncBusy
    from offline.sync import SyncWorker

    opened = _open(args)
    if isinstance(opened, int):
        return opened
    config, outbox = opened
    if outbox is NO_OUTBOX:
        empty = {"sent": 0, "retried": 0, "dead": 0, "recovered": 0, "waiting": 0, "last_error": None}
        print(json.dumps(empty) if args.json else "kiosk sync: nothing queued on this kiosk (no outbox yet)")
        return 0
    with outbox:
        if config.platform.url == "embedded":
            return _fail(args, f"kiosk sync: [platform] url in {args.config} is 'embedded' (the demo's in-process "
                         "sandbox); set it to the platform's URL to sync from the command line", EX_CONFIG)
        client = signed_client(config)
        submitter = Submitter(outbox, None, config.kiosk.device_id)
        adapter = OutboxAdapter(client, receipt_lookup=submitter.receipt_for)
        worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk)
        try:
            report = worker.sync_once()
        except SyncBusy as error:
            return _fail(args, f"kiosk sync: {error}", EX_TEMPFAIL)
        finally:
            client.close()
        submitter.reconcile()
        status = outbox.status()
    result = {"sent": report.sent, "retried": report.retried, "dead": report.dead, "recovered": report.recovered,
              "waiting": status.depth, "last_error": status.last_error if report.retried or report.dead else None}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"sync to {config.platform.url}: sent {report.sent}, dead {report.dead}, "
              f"interrupted uploads resumed {report.recovered}, still waiting {status.depth}")
        if report.retried:
            print(f"  stopped at an entry that must wait: {status.last_error}")
    return 0
