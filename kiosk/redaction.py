"""The one redactor for text that leaves the kiosk's memory: log lines, exported logs, problem bodies.

It masks what looks like a phone number or an ID number however it is written:

- mobiles (13812345678 -> 138****5678), with +86 / 0086 / 86 in front, with spaces, dashes or dots between
  the groups (138 1234 5678, +86-138-1234-5678);
- landlines with their area code (0371-65551234, (0371) 6555 1234, 037165551234 -> 0371-****1234);
- 18-character ID numbers and residence-permit numbers (4101**********2015), 15-digit first-generation ID
  numbers (4101*******5201), also written in groups;
- all of the above in full-width digits (１３８…), as a Chinese input method types them.

How: every run of digits that may contain separators is found, normalised (NFKC, separators dropped), and
classified by its shape; when a run as a whole is not a number of those kinds (e.g. "5 13812345678" joined by
a space), each span of its groups is tried on its own, so a phone next to another number is still found.
Receipt numbers (ZW + 14 digits), dates, times, ports and byte counts do not have those shapes and pass.

It is a safety net, not the rule: code must not log names, ID numbers or phones in the first place (names
cannot be recognised by a pattern at all).
"""

from __future__ import annotations

import re
import unicodedata

_DIGIT = "0-9\uff10-\uff19"  # ASCII and full-width digits
_SEP = r"[ \t\u3000\u00a0\-\u2010-\u2015\uff0d.\uff0e()\uff08\uff09/]"  # spaces, dashes, dots, brackets
# A run: an optional + (or full-width ＋), a digit, then digits with at most three separators between them (" - "),
# optionally ending in an ID number's check character X. Not inside a longer run of digits.
_RUN = re.compile(
    rf"(?<![{_DIGIT}])(?:[+\uff0b]\s?)?[(\uff08]?[{_DIGIT}](?:{_SEP}{{0,3}}[{_DIGIT}])*(?:{_SEP}{{0,3}}[Xx\uff38\uff58])?(?![{_DIGIT}])"
)
_GROUP_SPLIT = re.compile(rf"{_SEP}+")

_MAX_GROUPS = 8  # a number written in groups has at most this many (ID: 6 4 4 4; +86 138 1234 5678)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"(0(?:10|2[0-9]|[3-9][0-9]{2}))([2-9][0-9]{6,7})")
_ID18 = re.compile(r"[1-9][0-9]{16}[0-9X]")
_ID15 = re.compile(r"[1-9][0-9]{14}")


def _compact(text: str) -> str:
    """Digits (and a final X) only, full-width folded to ASCII."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"[^0-9X+]", "", folded)


def _mask_number(compact: str) -> str | None:
    """The masked form of one number, or None when it is not a phone or an ID number."""
    digits = compact.lstrip("+")
    if "X" in digits[:-1]:
        return None
    prefixed = compact.startswith("+") or digits.startswith("0086")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix):]):
            mobile = digits[len(prefix):]
            return "+86 " + mobile[:3] + "****" + mobile[-4:]
    if prefixed:
        digits = digits.removeprefix("0086").removeprefix("86")
    if _MOBILE.fullmatch(digits):
        return digits[:3] + "****" + digits[-4:]
    if _ID18.fullmatch(digits):
        return digits[:4] + "*" * 10 + digits[-4:]
    if _ID15.fullmatch(digits):
        return digits[:4] + "*" * 7 + digits[-4:]
    landline = _LANDLINE.fullmatch(digits)
    if landline:
        area, local = landline.groups()
        return f"{area}-" + "*" * (len(local) - 4) + local[-4:]
    return None


def _redact_run(run: str) -> str:
    whole = _mask_number(_compact(run))
    if whole is not None:
        return whole
    # Not one number as a whole: try each span of its separator-delimited groups, longest first.
    pieces = _GROUP_SPLIT.split(run)
    separators = _GROUP_SPLIT.findall(run)
    if len(pieces) < 2:
        return run
    masked: list[str | None] = [None] * len(pieces)
    used = [False] * len(pieces)
    for length in range(min(len(pieces), _MAX_GROUPS), 0, -1):
        for start in range(0, len(pieces) - length + 1):
            span = range(start, start + length)
            if any(used[i] for i in span):
                continue
            replacement = _mask_number(_compact("".join(pieces[i] for i in span)))
            if replacement is None:
                continue
            for i in span:
                used[i] = True
            masked[start] = replacement
            for i in span[1:]:
                masked[i] = ""
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if masked[index] is None:
            out.append(piece)
        elif masked[index]:
            out.append(masked[index])
        if index < len(separators):
            # A separator inside a masked span goes with it; one between kept pieces stays.
            next_inside = index + 1 < len(pieces) and masked[index + 1] == ""
            if not next_inside:
                out.append(separators[index])
    return "".join(out)


def redact(text: str) -> str:
    """``text`` with every phone and ID number masked (see the module docstring)."""
    if not text:
        return text
    return _RUN.sub(lambda match: _redact_run(match.group(0)), text)
