"""Chinese line breaking (禁则处理) for every label that wraps: one function, ``wrap``.

Rules (GB/T 15834 practice and W3C "Requirements for Chinese Text Layout"):
- no line starts with closing punctuation (，。、；：？！）」』》… and their ASCII forms);
- no line ends with opening punctuation (（「『《“ …);
- a run of Latin letters or digits (a receipt number, "12345", "ID") is not split unless it alone is wider
  than the line;
- in titles (``title=True``) the last line is never a single character (not "端" or "用。" alone): a
  character moves down from the line above.

Breaking is by measured width: the caller passes ``measure(text) -> px`` (Kivy's CoreLabel extents on the
screen, a fixed-width count in tests), so the same rules serve labels, receipts and anything else that wraps.
"""

from __future__ import annotations

from collections.abc import Callable

CLOSING = set("，。、；：？！）」』》〉】〕〗〙〛｝］’”…‥—～·・%％‰,.;:?!)]}>") | {"\u3001"}
OPENING = set("（「『《〈【〔〖〘〚｛［‘“([{<")
# Characters that are never a line's only content worth keeping: punctuation and spaces.
_NOT_COUNTED = CLOSING | OPENING | {" ", "\u3000"}

Measure = Callable[[str], float]


def _is_word_char(char: str) -> bool:
    """Latin letters, digits and the joiners inside numbers/codes: kept together in one unit."""
    return (char.isascii() and (char.isalnum() or char in "_-/@#")) or char in "０１２３４５６７８９"


def _number_joiner(text: str, index: int) -> bool:
    """'.', ',' or ':' between digits ("3.5", "1,000", "09:30") belong to the number."""
    return (text[index] in ".,:" and 0 < index < len(text) - 1
            and text[index - 1].isdigit() and text[index + 1].isdigit())


def units(text: str) -> list[str]:
    """Split ``text`` into pieces that no line break may enter.

    A piece is one CJK character, a Latin word or number, or a space; opening punctuation is glued to what
    follows it and closing punctuation to what precedes it (so a break can never fall on their wrong side).
    """
    pieces: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if _is_word_char(char):
            end = index
            while end < len(text) and (_is_word_char(text[end]) or _number_joiner(text, end)):
                end += 1
            pieces.append(text[index:end])
            index = end
        else:
            pieces.append(char)
            index += 1
    glued: list[str] = []
    pending_open = ""
    for piece in pieces:
        if piece in OPENING:
            pending_open += piece
            continue
        if pending_open:
            piece = pending_open + piece
            pending_open = ""
        if glued and piece[0] in CLOSING:
            if glued[-1].isspace() and len(glued) > 1:  # "word ，": the space goes with them, unbroken
                glued[-2:] = [glued[-2] + glued[-1]]
            glued[-1] += piece
        else:
            glued.append(piece)
    if pending_open:  # opening punctuation at the very end: it stays with the text before it
        if glued:
            glued[-1] += pending_open
        else:
            glued.append(pending_open)
    return glued


def _split_wide(piece: str, width: float, measure: Measure) -> list[str]:
    """A piece wider than the line (a very long number): break it between characters, as a last resort,
    still never after opening or before closing punctuation (then the part overflows instead)."""
    parts: list[str] = []
    current = ""
    for char in piece:
        breakable = current and current[-1] not in OPENING and char not in CLOSING
        if breakable and measure(current + char) > width:
            parts.append(current)
            current = char
        else:
            current += char
    if current:
        parts.append(current)
    return parts


def _counted(line: str) -> int:
    return sum(1 for char in line if char not in _NOT_COUNTED)


def _wrap_paragraph(paragraph: str, width: float, measure: Measure, title: bool) -> list[list[str]]:
    lines: list[list[str]] = []
    current: list[str] = []
    current_text = ""
    for piece in units(paragraph):
        candidate = current_text + piece
        if current and measure(candidate) <= width:
            current.append(piece)
            current_text = candidate
            continue
        if current and piece.isspace():  # a space at a break vanishes
            lines.append(current)
            current, current_text = [], ""
            continue
        if current:
            lines.append(current)
        current, current_text = [piece], piece
        if len(piece) > 1 and measure(piece) > width:
            split = _split_wide(piece, width, measure)
            lines.extend([part] for part in split[:-1])
            current, current_text = [split[-1]], split[-1]
    if current:
        lines.append(current)
    for line in lines:  # spaces at the edges of a line take room and show nothing
        while len(line) > 1 and line[-1].isspace():
            line.pop()
        while len(line) > 1 and line[0].isspace():
            line.pop(0)
    if title:
        _no_orphan(lines, width, measure)
    return lines


def _no_orphan(lines: list[list[str]], width: float, measure: Measure) -> None:
    """Move pieces from the line above down until the last line holds at least two characters."""
    if len(lines) < 2:
        return
    last, above = lines[-1], lines[-2]
    while _counted("".join(last)) < 2 and len(above) > 1:
        moved = above[-1]
        if moved.isspace():
            above.pop()
            continue
        if measure(moved + "".join(last)) > width:
            return
        last.insert(0, above.pop())
    while above and above[-1].isspace():
        above.pop()


def wrap(text: str, width: float, measure: Measure, *, title: bool = False) -> list[str]:
    """The lines ``text`` breaks into at ``width`` px under the rules above; existing newlines are kept."""
    if width <= 0:
        return text.split("\n")
    result: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph:
            result.append("")
            continue
        result.extend("".join(line) for line in _wrap_paragraph(paragraph, width, measure, title))
    return result


def wrap_text(text: str, width: float, measure: Measure, *, title: bool = False) -> str:
    """``wrap`` joined with newlines: what a label shows."""
    return "\n".join(wrap(text, width, measure, title=title))


def monospace_measure(char_px: float = 1.0) -> Measure:
    """Measure for fixed-width text: a CJK (wide) character counts 2 cells, others 1 (receipts, tests)."""
    import unicodedata

    def measure(text: str) -> float:
        return char_px * sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)

    return measure
