"""Logging for the kiosk: to stderr (the journal under systemd), never personal data.

The redacting filter is a safety net, not the rule: code must not log names, ID numbers or phones in the
first place. The filter masks anything that looks like an ID number or a phone number if it slips through,
with the one redactor of kiosk.redaction (landlines, +86, separators and full-width digits included).
"""

from __future__ import annotations

import logging
import os

from kiosk.redaction import redact

__all__ = ["QuietEscpos", "RedactingFilter", "configure_logging", "redact"]


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # A traceback's last line quotes the exception message, which may hold a number: format it now
            # and redact the text, so the handler prints the redacted copy.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
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
