"""进度查询 for a complaint number (TS…): the complaint's status from the platform, worded for the citizen.

Called by ``ServiceDesk.look_up`` on a worker thread when the number typed or scanned is a complaint's.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from kiosk.desk.outcomes import HistoryStep, Message, ReceiptRefused
from kiosk.desk.outcomes_help import ComplaintStatusView
from kiosk.desk.refusals import is_outage, status_of
from kiosk.i18n import translate

log = logging.getLogger(__name__)

COMPLAINT_STATUSES = ("recorded", "handling", "answered", "closed")  # the platform's, kiosk/sandbox/complaints.py
DONE_STATUSES = ("answered", "closed")


def status_words(status: str) -> Message:
    return Message(f"help_ui.complaint_status.{status if status in COMPLAINT_STATUSES else 'other'}")


def _when(unix_seconds: float) -> str:
    moment = dt.datetime.fromtimestamp(unix_seconds).astimezone()
    return translate("desk.progress.when", year=moment.year, month=moment.month, day=moment.day,
                     hour=moment.hour, minute=moment.minute)


def complaint_status(help_services: Any, number: str) -> ComplaintStatusView | ReceiptRefused:
    """Worker thread. ``help_services`` is the runtime's kiosk.help.HelpServices (None before it started)."""
    if help_services is None:
        return ReceiptRefused(Message("help_ui.progress.offline", {"number": number}))
    try:
        status = help_services.complaints.status(number)
    except Exception as error:  # noqa: BLE001 - worded for the citizen
        if is_outage(error):
            return ReceiptRefused(Message("help_ui.progress.offline", {"number": number}))
        if status_of(error) == 404:
            return ReceiptRefused(Message("help_ui.progress.unknown", {"number": number}))
        log.warning("complaint lookup failed: %r", error)
        return ReceiptRefused(Message("help_ui.progress.failed", {"number": number}))
    history = tuple(HistoryStep(_when(at), status_words(step).text(), note) for at, step, note in status.history)
    return ComplaintStatusView(
        number=status.number, heading=Message("help_ui.progress.heading"),
        number_line=Message("help_ui.progress.number", {"number": status.number}),
        current=Message("desk.progress.current", {"status": status_words(status.status)}),
        tone="ok" if status.status in DONE_STATUSES else "info",
        explain=Message(f"help_ui.complaint_explain.{status.status if status.status in COMPLAINT_STATUSES else 'other'}"),
        history=history,
    )
