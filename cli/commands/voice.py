"""``kiosk voice-test``: speak a test sentence, so a technician can check the speaker or the headset."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    test = subparsers.add_parser(
        "voice-test",
        help="speak a test sentence through the kiosk's voice",
        description="Synthesize a Mandarin (or English) test sentence with the kiosk's offline voice "
        "(espeak-ng), play it through the speaker or headset, and report the player and any headset found.",
    )
    test.add_argument("--out", type=Path, metavar="FILE.wav", help="also write the audio to this WAV file")
    test.add_argument("--text", help="what to say instead of the test sentence (never personal data)")
    test.add_argument("--language", choices=("zh_CN", "en"), default="zh_CN", help="voice language")
    test.add_argument("--rate", type=int, default=220,
                      help="syllables (Chinese characters) per minute, 80..400 (default 220)")
    test.add_argument("--volume", type=float, default=0.8, help="0..1 (default 0.8)")
    test.add_argument("--player", choices=("auto", "aplay", "paplay", "none"), default="auto",
                      help="how to play (default: auto, by what exists on this machine)")
    test.add_argument("--cue", choices=("card_read", "code_read", "printing", "error", "tick"),
                      help="play a sound cue after the sentence")
    test.set_defaults(handler=voice_test)


def voice_test(args: argparse.Namespace) -> int:
    from kiosk.i18n import translate
    from kiosk.voice import VoiceEngine, VoiceSettings, VoiceUnavailable
    from kiosk.voice.headset import headset_present

    with tempfile.TemporaryDirectory(prefix="kiosk-voice-test-") as state:
        try:
            engine = VoiceEngine(VoiceSettings(state_dir=Path(state), rate=args.rate, volume=args.volume,
                                               player=args.player), language=lambda: args.language).start()
        except (VoiceUnavailable, RuntimeError, ValueError) as error:
            print(f"kiosk: {error}", file=sys.stderr)
            return 69
        text = args.text or translate("voice.test_sentence", args.language)
        engine.say(text)
        if args.cue:
            engine.cue(args.cue)
        engine.wait_idle(timeout=60)
        engine.stop()
        spoken = engine.utterances.entries()
        first = spoken[0] if spoken else None
        if first is None or first.outcome != "played" or first.audio_bytes <= 44:
            reason = first.error if first and first.error else "see the log above"
            print(f"kiosk: voice-test: nothing was spoken ({reason}); run 'espeak-ng -v cmn 测试' to check "
                  "the engine", file=sys.stderr)
            return 1
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(first.audio_path, args.out)
        print(f"said: {first.text}")
        print(f"voice: espeak-ng {first.voice}, rate {first.rate}, volume {first.volume:.0%}, "
              f"{first.audio_bytes} bytes of audio")
        if engine.player.name == "none":
            print("player: none - no sound card or sound server was found (/proc/asound/cards, "
                  "$XDG_RUNTIME_DIR/pulse/native); check the speaker cable and 'aplay -l'")
        else:
            print(f"player: {engine.player.name}")
        headset = headset_present()
        print(f"headset: {headset.how if headset.present else 'none detected'}")
        if args.out:
            print(f"wrote: {args.out}")
    return 0
