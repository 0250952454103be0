"""What the kiosk may say aloud: never a full ID number, phone number or name (DESIGN.md personal data).

A loudspeaker is a public screen that the whole hall can hear, so speech is masked exactly as a screen is:
ID numbers (15 or 18 characters) as 4101**********2015, phone numbers as 139****5678, and the names and other
words the session marks private masked as 张**. A ``PersonalName`` passed to the engine is refused outright:
a name is never a prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kiosk.masking import mask_id_number, mask_name, mask_phone

# 18-character resident ID (17 digits + digit/X) or the old 15-digit form, not inside a longer number.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Mainland mobile numbers: 11 digits starting 1[3-9].
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_MASK_RUN = re.compile(r"\*+")


class SpeechRefused(ValueError):
    """The text handed to the voice is personal data that must not be spoken."""


class PersonalName(str):
    """A person's name. Wrap names in it where they travel next to prompts: the voice refuses to speak it."""


def guard(text: str, private_words: Iterable[str] = ()) -> str:
    """``text`` as it may be spoken (and logged): ID numbers, phones and private words masked."""
    if isinstance(text, PersonalName):
        raise SpeechRefused("a person's name was passed to the voice; speak a prompt, never the name")
    spoken = _ID_NUMBER.sub(lambda match: mask_id_number(match.group(1)), str(text))
    spoken = _PHONE.sub(lambda match: mask_phone(match.group(1)), spoken)
    for word in sorted({w for w in private_words if w and len(w) >= 2}, key=len, reverse=True):
        spoken = spoken.replace(word, mask_name(word))
    return spoken


def speech_form(guarded: str) -> str:
    """What the synthesizer reads: a run of mask stars becomes a short pause, not "星号星号星号"."""
    return _MASK_RUN.sub("，", guarded)
