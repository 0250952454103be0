"""Text width and wrapping in printer columns.

In the printer's Chinese mode every character that is not ASCII is printed from the 24 x 24 GB font, i.e. two
columns, including punctuation such as ： （ · that Unicode calls "ambiguous" width. So the width rule here is the
printer's, not unicodedata's: ASCII = 1 column, anything else = 2.
"""

from __future__ import annotations

from kiosk.printing.document import Align

# Chinese typesetting rule (禁则): these never start a line, so a lone "。" does not dangle on its own line.
_NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]%")


def char_columns(char: str) -> int:
    return 1 if char.isascii() else 2


def text_columns(text: str) -> int:
    return sum(char_columns(c) for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` columns; explicit newlines are kept."""
    if width < 2:
        raise ValueError("a line must hold at least one Chinese character (2 columns)")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width) or [""])
    return lines


def _wrap_paragraph(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    used = 0
    i = 0
    while i < len(text):
        token = _next_token(text, i)
        token_cols = text_columns(token)
        if used + token_cols <= width:
            current += token
            used += token_cols
            i += len(token)
            continue
        if (token.isascii() and token.strip() or _is_aside(token)) and token_cols <= width and current:
            lines.append(current.rstrip())  # an English word, a number or "(中文)" moves whole to the next line
        else:
            # Fill the line character by character (Chinese breaks anywhere; over-long words must).
            for char in token:
                if used + char_columns(char) > width:
                    break
                current += char
                used += char_columns(char)
                i += 1
            if char_in(text, i, _NO_LINE_START) and len(current) > 1:
                i -= 1  # carry the last character down with the punctuation that must follow it
                current = current[:-1]
            lines.append(current.rstrip())
        current, used = "", 0
        while i < len(text) and text[i] == " ":
            i += 1  # a wrapped line does not start with the space it broke at
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def char_in(text: str, i: int, chars: set[str]) -> bool:
    return i < len(text) and text[i] in chars


# The office's Chinese name after an English one on paper, "Household registration certificate (户籍证明开具)":
# kept on one line when it fits one, not broken as "(户籍" / "证明开具)". Only after ASCII "(": Chinese text uses
# "（", and breaks anywhere as before.
_ASIDE_MAX_CHARS = 20


def _is_aside(token: str) -> bool:
    return len(token) > 2 and token[0] == "(" and token[-1] == ")" and not token.isascii()


def _next_token(text: str, i: int) -> str:
    """An ASCII word (letters/digits and what sticks to them), a "(中文)" aside, or one other character."""
    if text[i] == "(":
        close = text.find(")", i + 1, i + 2 + _ASIDE_MAX_CHARS)
        if close != -1 and "\n" not in text[i:close] and not text[i:close + 1].isascii():
            return text[i:close + 1]
    if text[i].isascii() and not text[i].isspace():
        j = i
        while j < len(text) and text[j].isascii() and not text[j].isspace():
            j += 1
        return text[i:j]
    return text[i]


def pad(text: str, width: int, align: Align = Align.LEFT) -> str:
    gap = max(0, width - text_columns(text))
    if align is Align.RIGHT:
        return " " * gap + text
    if align is Align.CENTER:
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap
