"""Logging for the kiosk: to stderr (the journal under systemd), never personal data.

The redacting filter is a safety net, not the rule: code must not log names, ID numbers or phones in the
first place. The filter masks anything that looks like an ID number or a mobile number if it slips through.
"""

from __future__ import annotations

import logging
import os
import re

_ID_PATTERN = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9])")
_PHONE_PATTERN = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")


def redact(text: str) -> str:
    text = _ID_PATTERN.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3), text)
    return _PHONE_PATTERN.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class QuietEscpos(logging.Filter):
    """python-escpos announces every connection at INFO through the root logger ("File printer enabled"):
    noise for a technician reading the journal. Its warnings and errors still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or f"{os.sep}escpos{os.sep}" not in record.pathname


def configure_logging(verbose: bool = False) -> None:
    root = logging.getLogger()
    if any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        handler.addFilter(QuietEscpos())
