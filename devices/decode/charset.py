"""Which text a code's bytes hold: the ECI or the decoder's own segment charset when the symbol says it, else
the likeliest of the readings a QR code without ECI can have, or no text at all when none is clearly likelier.

A QR code's byte segments carry no charset unless an ECI header names one. Chinese apps write UTF-8, older
Chinese systems GB18030, Japanese ones Shift_JIS, and ISO/IEC 18004's default is ISO-8859-1. Guessing
"UTF-8, else GB18030" turned every Shift_JIS code into confident Chinese nonsense; zxing-cpp's own guess
(``GuessTextEncoding`` in its ``core/src/Content.cpp``: UTF-8, Shift_JIS, ISO-8859-1) does the same to GB18030
codes the other way round. So, in order:

1. An ECI, or a segment mode with a fixed charset (Kanji mode = Shift_JIS, GB/T 18284 Hanzi mode = GB2312),
   decides: the decoder transcodes those segments itself and its text is taken as it is.
2. ASCII is ASCII; bytes that are valid UTF-8 are UTF-8 (random GB18030 or Shift_JIS bytes almost never are).
3. Otherwise each of GB18030, Shift_JIS (as Windows-932) and ISO-8859-1 that decodes the bytes without error
   is scored by how likely its characters are in text of that language (a per-character log-likelihood by
   character class, below), with a prior for GB18030 (a kiosk in China) and a small one for the reading the
   decoder itself guessed. The best reading wins only with ``MARGIN`` nats (about 20:1) over the runner-up;
   otherwise the bytes get no text, and the kiosk refuses the code rather than show or act on a wrong one.

The scores are a deliberately small model, not a language model: class shares of running text (e.g. the
3,755 level-1 hanzi of GB 2312 cover ~99.5% of modern Chinese text, ~1,200 of them ~90%; hiragana ~40% of
Japanese text) turned into log-probabilities per character. Half-width katakana get structure: a voiced-sound
mark after a kana that takes one is likely, anywhere else nearly impossible. Measured on the zxing-cpp QR
samples (tests/data/zxing) and on GB18030 Chinese strings in tests/test_ident_charset.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from devices.decode.hanzi import COMMON_HANZI

GB18030 = "gb18030"
SHIFT_JIS = "cp932"  # Windows-932: the Shift_JIS that Japanese systems actually write (NEC/IBM extensions)
LATIN1 = "latin-1"
CANDIDATES = (GB18030, SHIFT_JIS, LATIN1)

MARGIN = 3.0  # nats the best reading must lead by (e^3 ≈ 20:1)
PRIORS = {GB18030: 2.0, SHIFT_JIS: 0.0, LATIN1: 0.0}  # a kiosk in China sees GB18030 far more than the others
DECODER_GUESS_BONUS = 1.0  # the decoder's own guess is weak evidence (its heuristic does not know GB18030)

ASCII_CHAR = -3.5  # any ASCII character, the same in every reading (a trail byte that eats one pays for it)
IMPOSSIBLE = -20.0

# Half-width katakana that take the voiced (ﾞ) or semi-voiced (ﾟ) mark: ｳ, ｶ-ﾄ, ﾊ-ﾎ.
_VOICEABLE = set("ｳｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ")
_SEMI_VOICEABLE = set("ﾊﾋﾌﾍﾎ")
_SMALL_KANA = set("ｧｨｩｪｫｬｭｮｯ")


@dataclass(frozen=True, slots=True)
class Reading:
    text: str | None  # None: the charset could not be told; the code must be refused, not guessed
    charset: str  # "eci", "decoder", "ascii", "utf-8", "gb18030", "cp932", "latin-1" or "unknown"


def _gb_char(char: str) -> float:
    encoded = char.encode(GB18030)
    if len(encoded) == 4:
        return IMPOSSIBLE  # outside GBK: rare scripts, emoji, or bytes that only happen to form a 4-byte code
    if "\ue000" <= char <= "\uf8ff":
        return IMPOSSIBLE  # user-defined area
    try:
        gb2312 = char.encode("gb2312")
    except UnicodeEncodeError:
        return -17.0  # GBK extension: traditional and rare characters
    lead = gb2312[0]
    if 0xB0 <= lead <= 0xD7:  # level-1 hanzi
        return -6.9 if char in COMMON_HANZI else -10.3
    if 0xD8 <= lead <= 0xF7:  # level-2 hanzi
        return -13.8
    if lead in (0xA1, 0xA3):  # punctuation, full-width ASCII
        return -8.9
    return -12.7  # other symbol rows: kana, Greek, Cyrillic, pinyin, box drawing


def _sjis_char(char: str, previous: str) -> float:
    code = ord(char)
    if 0xFF61 <= code <= 0xFF9F:  # half-width katakana and punctuation
        after_kana = 0xFF61 <= ord(previous or " ") <= 0xFF9F
        if char == "ﾞ":
            return -1.0 if previous in _VOICEABLE else IMPOSSIBLE
        if char == "ﾟ":
            return -1.5 if previous in _SEMI_VOICEABLE else IMPOSSIBLE
        if char in _SMALL_KANA or char == "ｰ":
            return -4.5 if after_kana else -12.0
        return -4.2 if after_kana else -7.0
    if 0x3041 <= code <= 0x3096:  # hiragana
        return -5.3
    if 0x30A1 <= code <= 0x30FC:  # katakana, prolonged sound mark
        return -6.8
    encoded = char.encode(SHIFT_JIS)
    lead = encoded[0]
    if lead == 0x87 or 0xED <= lead <= 0xFC:
        return -16.0  # NEC / IBM extensions
    if 0x4E00 <= code <= 0x9FFF:
        if 0x88 <= lead <= 0x97 or (lead == 0x98 and encoded[1] <= 0x72):  # JIS level-1 kanji
            return -6.9 if char in COMMON_HANZI else -9.5
        return -12.7  # JIS level-2 kanji
    if lead == 0x81:
        return -7.5  # punctuation and symbols
    if lead == 0x82:
        return -8.7  # full-width digits and Latin letters
    return -12.0  # Greek, Cyrillic, box drawing


def _latin1_char(char: str) -> float:
    code = ord(char)
    if code < 0xA0:
        return IMPOSSIBLE  # C1 control characters
    if char.isalpha() and code not in (0xAA, 0xBA):
        return -7.0  # accented letters
    return -9.0  # symbols, NBSP, ×, ÷


def score(text: str, charset: str) -> float:
    """Log-likelihood (nats) of ``text`` as text in ``charset``'s language, without the prior."""
    total = 0.0
    previous = ""
    for char in text:
        if char < "\x80":
            total += ASCII_CHAR
        elif charset == GB18030:
            total += _gb_char(char)
        elif charset == SHIFT_JIS:
            total += _sjis_char(char, previous)
        else:
            total += _latin1_char(char)
        previous = char
    return total


def _strict(raw: bytes, charset: str) -> str | None:
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        return None


def _decoder_guess(raw: bytes, readings: dict[str, str | None], decoder_text: str | None) -> str | None:
    """Which candidate charset the decoder's text is the whole-payload reading of, or None."""
    if decoder_text is None:
        return None
    # A decoder with the standard's tables differs from Windows-932 in a few places: JIS X 0201 puts ¥ and ‾
    # where ASCII has \ and ~, JIS X 0208 has WAVE DASH and MINUS SIGN where Windows-932 has full-width forms.
    as_windows = decoder_text.replace("\u00a5", "\\").replace("\u203e", "~")
    for charset, text in readings.items():
        if text is not None and text in (decoder_text, as_windows):
            return charset
    if decoder_text == _strict(raw, "shift_jis") and readings[SHIFT_JIS] is not None:
        return SHIFT_JIS
    return None


def read_text(raw: bytes, decoder_text: str | None = None, *, eci: bool = False) -> Reading:
    """The text of a code's bytes. ``decoder_text``: what the decoder made of them (zxing-cpp's plain text,
    which honours ECI and segment modes); ``eci``: the symbol carries an ECI header."""
    if eci and decoder_text is not None:
        return Reading(decoder_text, "eci")
    if raw.isascii():
        return Reading(raw.decode("ascii"), "ascii")
    utf8 = _strict(raw, "utf-8")
    if utf8 is not None:
        return Reading(utf8, "utf-8")
    readings = {charset: _strict(raw, charset) for charset in CANDIDATES}
    guessed = _decoder_guess(raw, readings, decoder_text)
    if decoder_text is not None and guessed is None:
        # No single charset of the whole payload gives the decoder's text: it transcoded segments by their
        # mode (Kanji, Hanzi) or an ECI it saw, so it knew what we have to guess.
        return Reading(decoder_text, "decoder")
    scored = []
    for charset, text in readings.items():
        if text is None:
            continue
        value = score(text, charset) + PRIORS[charset]
        if charset == guessed:
            value += DECODER_GUESS_BONUS
        scored.append((value, charset, text))
    scored.sort(reverse=True)
    if not scored:
        return Reading(None, "unknown")
    best_score, best_charset, best_text = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else -math.inf
    if best_score - runner_up < MARGIN:
        return Reading(None, "unknown")
    return Reading(best_text, best_charset)
