"""What a scanned QR code may be: an explicit list of accepted kinds, each with a strict parser.

A kiosk camera sees whatever a citizen holds up, so a payload is untrusted input. It is accepted only if it
matches one of the kinds below exactly (prefix, alphabet, length); anything else, URLs included, is rejected
with a ``QrPayloadError`` whose ``key`` is an i18n message the screen shows. The kiosk never opens a URL from
a QR code: a link on a kiosk screen is a phishing page with the government's credibility.

Accepted kinds (grammar; limits are characters):

    receipt       GOVKIOSK:R:<receipt number>      receipt number [A-Z0-9-]{6,32}, printed by this kiosk
    eid           CTID:1:<token>                   电子身份证 (网证) token, base64url 43..1024
    social_card   ESSC:1:<token>                   电子社保卡 token, base64url 43..1024
    province_app  GOVAPP:1:<token>                 the provincial app's identity code, base64url 43..1024
    id_number     <18-character ID number>         valid per kiosk.idnumber (check digit, date, region): resident
                                                   cards, HK/Macau/Taiwan residence permits, foreign permanent
                                                   residents' 2023 cards

A code whose text the decoder could not tell (``Detection.text`` None) is refused with ``qr.error.charset``.

Tokens are opaque: only the platform can verify them (``needs_platform``), and they are bearer credentials,
so ``repr`` never shows them. The token prefixes are this project's reference formats; a deployment whose
provincial platform uses another format changes the one table ``TOKEN_KINDS``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from kiosk.idnumber import IdNumberError, parse_id_number

MAX_PAYLOAD = 1100  # longest accepted payload (prefix + 1024-character token), checked before any regex

RECEIPT_PREFIX = "GOVKIOSK:R:"
RECEIPT_NUMBER = re.compile(r"[A-Z0-9-]{6,32}")


class QrKind(enum.StrEnum):
    RECEIPT = "receipt"
    EID = "eid"
    SOCIAL_CARD = "social_card"
    PROVINCE_APP = "province_app"
    ID_NUMBER = "id_number"


@dataclass(frozen=True, slots=True)
class _TokenKind:
    kind: QrKind
    prefix: str
    min_len: int
    max_len: int


TOKEN_KINDS: tuple[_TokenKind, ...] = (
    _TokenKind(QrKind.EID, "CTID:1:", 43, 1024),
    _TokenKind(QrKind.SOCIAL_CARD, "ESSC:1:", 43, 1024),
    _TokenKind(QrKind.PROVINCE_APP, "GOVAPP:1:", 43, 1024),
)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
# Anything that looks like a link: a URI scheme (http:, https:, weixin:, alipays:, ...) or a bare www. host.
_URL = re.compile(
    r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]{0,31}://|www\.|(?:https?|mailto|tel|sms|javascript):)", re.I
)


class QrPayloadError(ValueError):
    """A payload the kiosk does not accept. ``key`` is the i18n message key (``qr.error.*`` / ``id.error.*``)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class QrPayload:
    kind: QrKind
    value: str  # receipt number, token (without prefix), or normalised ID number
    needs_platform: bool  # True: only the platform can say whether it is genuine and whose it is

    def __repr__(self) -> str:  # tokens are credentials and ID numbers personal data: never in logs
        shown = self.value if self.kind is QrKind.RECEIPT else f"<{len(self.value)} chars>"
        return f"QrPayload({self.kind.value}, {shown})"

    __str__ = __repr__


def classify_qr(text: str | None) -> QrPayload:
    """Classify a decoded QR payload or raise QrPayloadError with a message key for the screen."""
    if text is None:
        # The decoder found a code but could not tell its text's charset (devices/decode/charset.py).
        raise QrPayloadError("qr.error.charset")
    if not isinstance(text, str):
        raise QrPayloadError("qr.error.unknown")
    if len(text) > MAX_PAYLOAD:
        raise QrPayloadError("qr.error.too_long")
    # Scanners add CR/LF; phone screens sometimes add spaces around. Nothing inside a payload may be blank.
    payload = text.strip()
    if not payload:
        raise QrPayloadError("qr.error.empty")
    if _URL.match(payload):
        raise QrPayloadError("qr.error.url")
    if payload.startswith(RECEIPT_PREFIX):
        number = payload[len(RECEIPT_PREFIX) :]
        if not RECEIPT_NUMBER.fullmatch(number):
            raise QrPayloadError("qr.error.receipt")
        return QrPayload(QrKind.RECEIPT, number, needs_platform=False)
    for token_kind in TOKEN_KINDS:
        if payload.startswith(token_kind.prefix):
            token = payload[len(token_kind.prefix) :]
            if (
                not token_kind.min_len <= len(token) <= token_kind.max_len
                or not _BASE64URL.fullmatch(token)
                or len(token) % 4 == 1  # no base64 encoding has this length: a cut-off code
            ):
                raise QrPayloadError("qr.error.malformed")
            return QrPayload(token_kind.kind, token, needs_platform=True)
    # Only the 18-character form: no QR generator in use today emits the old 15-digit numbers.
    if len(payload) == 18 and payload[:17].isascii() and payload[:17].isdigit():
        try:
            resident = parse_id_number(payload)
        except IdNumberError as exc:
            raise QrPayloadError(exc.key) from None
        return QrPayload(QrKind.ID_NUMBER, resident.number, needs_platform=False)
    raise QrPayloadError("qr.error.unknown")
