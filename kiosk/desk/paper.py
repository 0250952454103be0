"""What the citizen is told about a sheet of paper: printed (only when the printer confirmed it), or why not."""

from __future__ import annotations

from typing import Any

from kiosk.desk.outcomes import Message, PrintJob


def paper_message(result: Any, job: PrintJob) -> Message:
    """``result`` is a ``kiosk.printing.service.PrintResult``. ``ok`` means confirmed complete; anything else
    (a fault, or a printer that cannot say) is never worded as "printed"."""
    if result.ok:
        return job.printed
    if getattr(getattr(result, "outcome", None), "name", "") == "UNKNOWN":
        return Message(result.reason_key)  # "请检查是否已出纸": neither printed nor a fault can be claimed
    return job.failed if job.failed is not None else Message(result.reason_key)
