"""The voice engine: one worker thread with a queue; the UI thread only enqueues.

    voice = VoiceEngine(VoiceSettings(state_dir=...)).start()
    voice.say_screen("home.prompt")      # a new screen: older speech stops, this prompt plays
    voice.say_label("确认提交")            # keypad focus moved to a control: interrupts like a screen
    voice.cue("card_read")               # a short tone; queued after speech, never interrupts it
    voice.repeat_prompt()                # the help key
    voice.set_volume(0.6); voice.set_rate(130)
    voice.set_private_words([name, phone])   # the session's personal words are masked if they appear
    voice.forget()                       # session end: scratch audio deleted, private words dropped
    voice.stop()

Interrupting: every ``say_screen``/``say_label``/``say(interrupt=True)`` bumps a generation number; the worker
drops queued items of older generations and the current playback is stopped through its cancel event.
Fixed prompts are cached as WAVs (cache.py); free text is synthesized to a scratch file that is deleted on
``forget()``. What was said goes to ``self.utterances`` (masked).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import current_language, translate
from kiosk.voice.cache import WavCache
from kiosk.voice.cues import CUES, cue_file
from kiosk.voice.guard import PersonalName, SpeechRefused, guard, speech_form
from kiosk.voice.player import Player, choose_player
from kiosk.voice.synth import MAX_RATE, MIN_RATE, VOICE_FOR_LANGUAGE, EspeakSynthesizer, Synthesizer
from kiosk.voice.utterances import Utterance, UtteranceLog

log = logging.getLogger(__name__)

VOLUME_STEP = 0.1
RATE_STEP = 20
SCRATCH_KEEP = 4  # free-text WAVs kept at most (the latest few, for the tests to inspect); all go on forget()


@dataclass
class VoiceSettings:
    state_dir: Path
    # espeak-ng "words per minute"; for Mandarin a word is a syllable (one character), so 220 is about 3.7
    # characters a second: unhurried (news readers speak 4-5). Elder mode may slow it to 180.
    rate: int = 220
    volume: float = 0.8        # 0..1, applied to the samples
    player: str = "auto"       # auto | aplay | paplay | none
    enabled: bool = True       # off: say_* does nothing until enable() (a headset plugged in, keypad used)
    log_path: Path | None = None  # also append utterances as JSON lines here (tests, benchmarks)


@dataclass
class _Request:
    utterance: Utterance
    generation: int
    cache: bool
    cue: str = ""


class VoiceEngine:
    def __init__(self, settings: VoiceSettings, *, synthesizer: Synthesizer | None = None,
                 player: Player | None = None, language: Callable[[], str] = current_language) -> None:
        self.settings = settings
        self.voice_dir = Path(settings.state_dir) / "voice"
        self.cache = WavCache(self.voice_dir / "cache")
        self.scratch_dir = self.voice_dir / "scratch"
        self.synthesizer = synthesizer or EspeakSynthesizer()
        self.player = player or choose_player(settings.player)
        self.language = language
        self.utterances = UtteranceLog(settings.log_path)
        self.enabled = settings.enabled
        self.volume = max(0.0, min(1.0, settings.volume))
        self.rate = max(MIN_RATE, min(MAX_RATE, settings.rate))
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._lock = threading.Lock()
        self._generation = 0
        self._seq = 0
        self._cancel_current = threading.Event()
        self._private_words: tuple[str, ...] = ()
        self._last_prompt: tuple[str, dict] | None = None
        self._scratch: list[Path] = []
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> VoiceEngine:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._interrupt()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def enable(self, on: bool = True) -> None:
        self.enabled = on
        if not on:
            self._interrupt()

    # -- what the UI calls (all return at once) ------------------------------------------------------------
    def say_screen(self, key: str, **values: object) -> Utterance | None:
        """A new screen's spoken prompt (an i18n key): stops older speech. Cached when it has no values."""
        self._last_prompt = (key, values)
        return self._say(translate(key, self.language(), **values), kind="screen", key=key, cache=not values, interrupt=True)

    def say_label(self, text: str, key: str = "") -> Utterance | None:
        """A focused control's label: stops older speech (focus moved on). Labels are fixed, so cached."""
        return self._say(text, kind="label", key=key, cache=True, interrupt=True)

    def say(self, text: str, *, interrupt: bool = False, cache: bool = False) -> Utterance | None:
        """Free text (a result, a number read back). Not cached unless the caller knows it is fixed."""
        return self._say(text, kind="text", key="", cache=cache, interrupt=interrupt)

    def repeat_prompt(self) -> Utterance | None:
        """The help key: the current screen's prompt again, from the start."""
        if self._last_prompt is None:
            return None
        key, values = self._last_prompt
        return self.say_screen(key, **values)

    def cue(self, name: str) -> Utterance | None:
        """A short sound: card_read, code_read, printing, error, tick. Does not interrupt speech."""
        if name not in CUES:
            raise ValueError(f"voice: sound cue {name!r} does not exist; use one of {', '.join(CUES)}")
        if not self.enabled:
            return None
        utterance = self._new_utterance("cue", name, "")
        self._enqueue(_Request(utterance, self._generation, cache=True, cue=name))
        return utterance

    # -- settings the citizen or the config changes --------------------------------------------------------
    def set_volume(self, volume: float) -> float:
        self.volume = max(0.0, min(1.0, float(volume)))
        return self.volume

    def volume_up(self) -> float:
        return self.set_volume(round(self.volume + VOLUME_STEP, 2))

    def volume_down(self) -> float:
        return self.set_volume(round(self.volume - VOLUME_STEP, 2))

    def set_rate(self, rate: int) -> int:
        self.rate = max(MIN_RATE, min(MAX_RATE, int(rate)))
        return self.rate

    def set_private_words(self, words: list[str] | tuple[str, ...]) -> None:
        """Words of this session that must never be spoken in full (the citizen's name, phone …)."""
        self._private_words = tuple(str(word) for word in words if word)

    def forget(self) -> None:
        """Session end: stop speaking, drop private words and the scratch audio of free text."""
        self._interrupt()
        self._private_words = ()
        self._last_prompt = None
        with self._lock:
            scratch, self._scratch = self._scratch, []
        for path in scratch:
            path.unlink(missing_ok=True)
        if self.scratch_dir.is_dir():
            for path in self.scratch_dir.glob("*.wav"):
                path.unlink(missing_ok=True)

    def prewarm(self, keys: list[str] | tuple[str, ...], languages: tuple[str, ...] = ("zh_CN",)) -> threading.Thread:
        """Synthesize the fixed prompts ``keys`` into the cache on a background thread (at start-up), so even
        the first citizen's prompts start from the cache. Speech is not delayed: this is not the worker."""

        def run() -> None:
            for language in languages:
                voice = VOICE_FOR_LANGUAGE.get(language, "cmn")
                for key in keys:
                    text = translate(key, language)
                    if self._thread is None:  # stopped
                        return
                    try:
                        self.cache.get_or_make(speech_form(guard(text)), self.synthesizer, voice, self.rate)
                    except Exception:  # a missing voice shows up when speaking; no need to stop start-up
                        log.warning("voice: could not prepare the prompt %s in %s", key, language)

        thread = threading.Thread(target=run, name="voice-prewarm", daemon=True)
        thread.start()
        return thread

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Tests and benchmarks: wait until everything queued has been played or dropped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.005)
        return False

    @property
    def voice(self) -> str:
        return VOICE_FOR_LANGUAGE.get(self.language(), "cmn")

    # -- internals -----------------------------------------------------------------------------------------
    def _new_utterance(self, kind: str, key: str, text: str) -> Utterance:
        with self._lock:
            self._seq += 1
            seq = self._seq
        utterance = Utterance(seq=seq, kind=kind, key=key, text=text, requested_at=time.monotonic())
        self.utterances.add(utterance)
        return utterance

    def _say(self, text: str, *, kind: str, key: str, cache: bool, interrupt: bool) -> Utterance | None:
        if isinstance(text, PersonalName):
            raise SpeechRefused("voice: a person's name was passed to be spoken; speak a prompt, never the name")
        if not self.enabled or not str(text).strip():
            return None
        spoken = guard(text, self._private_words)
        if spoken != text:
            cache = False  # it held something personal: never keep its audio
        if interrupt:
            self._interrupt()
        utterance = self._new_utterance(kind, key, spoken)
        self._enqueue(_Request(utterance, self._generation, cache=cache))
        return utterance

    def _interrupt(self) -> None:
        with self._lock:
            self._generation += 1
            self._cancel_current.set()

    def _enqueue(self, request: _Request) -> None:
        self._queue.put(request)

    def _run(self) -> None:
        while True:
            request = self._queue.get()
            try:
                if request is None:
                    return
                self._handle(request)
            except Exception as error:  # the voice must never take the kiosk down; the log says why
                log.exception("voice: could not speak utterance %s", request.utterance.seq if request else "-")
                if request is not None:
                    request.utterance.outcome = "failed"
                    request.utterance.error = str(error)
                    self.utterances.finish(request.utterance)
            finally:
                self._queue.task_done()

    def _handle(self, request: _Request) -> None:
        utterance = request.utterance
        if request.generation != self._generation:
            utterance.outcome = "cancelled"
            self.utterances.finish(utterance)
            return
        utterance.voice, utterance.rate, utterance.volume = self.voice, self.rate, self.volume
        utterance.player = self.player.name
        if request.cue:
            path, cached = cue_file(request.cue, self.cache.directory), True
        elif request.cache:
            path, cached = self.cache.get_or_make(speech_form(utterance.text), self.synthesizer,
                                                  utterance.voice, utterance.rate)
        else:
            path, cached = self._scratch_file(utterance), False
        utterance.audio_path, utterance.audio_bytes, utterance.cached = str(path), path.stat().st_size, cached
        with self._lock:
            if request.generation != self._generation:  # interrupted while synthesizing
                utterance.outcome = "cancelled"
                self.utterances.finish(utterance)
                return
            cancel = self._cancel_current = threading.Event()

        def started() -> None:
            utterance.started_at = time.monotonic()
            self.utterances.started(utterance)

        played = self.player.play(path, utterance.volume, cancel, started)
        utterance.outcome = "played" if played else "cancelled"
        self.utterances.finish(utterance)

    def _scratch_file(self, utterance: Utterance) -> Path:
        path = self.scratch_dir / f"{utterance.seq}.wav"
        self.synthesizer.synthesize(speech_form(utterance.text), utterance.voice, utterance.rate, path)
        with self._lock:
            self._scratch.append(path)
            old, self._scratch = self._scratch[:-SCRATCH_KEEP], self._scratch[-SCRATCH_KEEP:]
        for stale in old:
            stale.unlink(missing_ok=True)
        return path
