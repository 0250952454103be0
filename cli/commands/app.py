"""``kiosk demo``, ``kiosk run`` and ``kiosk screenshots``: start the kiosk window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import first_frame
from cli.first_frame import DEFAULT_CONFIG_PATH, is_config_error

if TYPE_CHECKING:
    from cli.first_frame import FirstFrameConfig
    from kiosk.config import KioskConfig

log = logging.getLogger(__name__)
DEFAULT_DEMO_STATE = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "gov-kiosk" / "demo"


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size; write WIDTHxHEIGHT, e.g. 540x960") from None
    if width < 240 or height < 320:
        raise argparse.ArgumentTypeError(f"{text!r} is too small; at least 240x320")
    return width, height


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="start the demo: the kiosk window with simulated devices and the sandbox platform",
        description="Starts the kiosk in a window with simulated devices (sim://) and the sandbox platform "
                    "embedded on loopback. Needs no config file.",
    )
    demo.add_argument("--state-dir", type=Path, default=DEFAULT_DEMO_STATE, help=f"where demo data lives (default {DEFAULT_DEMO_STATE})")
    demo.add_argument("--size", type=_size, default=(540, 960), help="window size WIDTHxHEIGHT (default 540x960, a 1080x1920 kiosk scaled to half)")
    demo.set_defaults(handler=_demo)

    run = subparsers.add_parser("run", help="start the kiosk with a config file (a real kiosk box)",
                                description="Starts the kiosk full screen with the devices and platform in the config file.")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH, help=f"config file (default {DEFAULT_CONFIG_PATH})")
    run.set_defaults(handler=_run)

    shots = subparsers.add_parser("screenshots", help="write a PNG of every screen, with demo data",
                                  description="Walks through every screen with demo data and writes one PNG each. "
                                              "Starts a virtual display (Xvfb) when none is set.")
    shots.add_argument("directory", type=Path, help="folder for the PNG files")
    shots.add_argument("--size", type=_size, default=(540, 960), help="window size (default 540x960)")
    shots.add_argument("--language", choices=("zh_CN", "en"), default="zh_CN")
    shots.add_argument("--mode", choices=("normal", "elder", "contrast", "en"), default="normal",
                       help="as a citizen turns it on from the top bar: 长辈模式, 高对比 or English (issue #13)")
    shots.add_argument("--journeys-only", action="store_true",
                       help="only the citizen's journeys (home to rating, queries, progress, tickets): a quicker check")
    shots.set_defaults(handler=_screenshots)


# sysexits EX_CONFIG: systemd's RestartPreventExitStatus=78 leaves the unit failed instead of restarting
# (and eventually rebooting) a box whose config file has a typo.
EXIT_CONFIG = 78


def _fail(message: str, code: int = 2) -> int:
    print(f"kiosk: {message}", file=sys.stderr)
    return code


def launch(config: KioskConfig | FirstFrameConfig) -> int:
    """Start the runtime and the window; returns when the window closes. With a FirstFrameConfig the App
    validates the whole config after its first frame; a problem found then closes the window and is reported
    here like any config problem (exit 78)."""
    from kiosk.app_env import prepare_kivy_environment, prepare_window

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return _fail("no display to show the window on ($DISPLAY is not set); run it on the kiosk's screen, "
                     "or headless with: xvfb-run -a kiosk demo")
    prepare_kivy_environment(config.kiosk.state_dir, config.kiosk.window_size)
    prepare_window(config.kiosk.window_size, config.kiosk.fullscreen)
    from kiosk.runtime import KioskRuntime

    runtime = KioskRuntime(config)  # type: ignore[arg-type]  # started by the App once the home screen is on the glass
    try:
        from screens.app import KioskApp

        app = KioskApp(runtime)
        app.run()
    finally:
        runtime.stop()
    problem: Any = getattr(app, "config_problem", None)
    if problem is not None:  # found by the validation after the first frame (cli/first_frame.py)
        return _fail(str(problem), EXIT_CONFIG)
    return 0


def _demo(args: argparse.Namespace) -> int:
    config = first_frame.demo_first_frame_config(args.state_dir, args.size)  # validated in full after the first frame
    _log_to_file(config.kiosk.state_dir / "kiosk.log")
    return launch(config)


def _log_to_file(path: Path) -> None:
    """The demo has no journal: keep a redacted log file that maintenance mode can export."""
    from logging.handlers import RotatingFileHandler

    from kiosk.logging_setup import RedactingFilter

    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    logging.getLogger().addHandler(handler)


def _run(args: argparse.Namespace) -> int:
    try:
        config = first_frame.read_first_frame_config(args.config)  # the few values the first frame needs (no pydantic)
        demo_settings = config.real_kiosk_problems()
        if demo_settings and isinstance(config, first_frame.FirstFrameConfig):
            config.validated()  # a value that is wrong as well is reported first, as before
    except Exception as error:
        if not is_config_error(error):
            raise
        return _fail(str(error), EXIT_CONFIG)
    if demo_settings:  # the embedded sandbox and the demo secret are for `kiosk demo` only
        return _fail("\n".join(demo_settings), EXIT_CONFIG)
    return launch(config)


def _screenshots(args: argparse.Namespace) -> int:
    import tempfile

    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import DisplayError, ensure_display

    try:
        display = ensure_display()
    except DisplayError as error:
        return _fail(str(error))
    state = Path(tempfile.mkdtemp(prefix="kiosk-screenshots-"))
    from kiosk.config import demo_config

    config = demo_config(state, args.size)
    # The tour walks the journeys without the 高拍仪 step; its capture steps open a simulated one themselves.
    config = config.model_copy(update={"devices": config.devices.model_copy(update={"doc_camera": "none"})})
    prepare_kivy_environment(state, args.size)
    prepare_window(args.size, False)
    from kiosk.runtime import KioskRuntime

    runtime = KioskRuntime(config.model_copy(update={"kiosk": config.kiosk.model_copy(update={"language": args.language})}))
    try:
        runtime.start()
        from screens.tour import take_screenshots

        written = take_screenshots(runtime, args.directory, args.mode, journeys_only=args.journeys_only)
    finally:
        runtime.stop()
        display.stop()
    for path in written:
        print(path)
    return 0
