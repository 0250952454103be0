"""Mandarin voice for the kiosk (no Kivy): spoken screen prompts and control labels, sound cues, headset detection.

``VoiceEngine`` (engine.py) is the one entry point: it speaks on its own worker thread, so the UI thread only
enqueues. The parts: ``guard`` (what may be spoken: ID numbers masked, names refused), ``synth`` (espeak-ng,
offline, from Debian), ``cache`` (WAVs of fixed prompts under the state dir), ``player`` (aplay / paplay, or a
silent player that still records when there is no sound card), ``cues`` (generated tones), ``utterances``
(the log of what was said, which the tests read), ``headset`` (is a headset plugged in?).
"""

from kiosk.voice.engine import VoiceEngine, VoiceSettings
from kiosk.voice.guard import PersonalName, SpeechRefused
from kiosk.voice.synth import VoiceUnavailable

__all__ = ["PersonalName", "SpeechRefused", "VoiceEngine", "VoiceSettings", "VoiceUnavailable"]
