"""Issue #16, the parts a test can hold: nothing heavy is imported before the home screen's first frame, and
what used to grow with every citizen stays bounded. (The budgets themselves are measured by
benchmarks/cold_start.py and benchmarks/ui_soak.py, not by timed tests.)"""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Modules that cost a bare window's worth of start time together and that the home screen does not need.
HEAVY_BEFORE_FIRST_FRAME = ("requests", "sqlite_utils", "numpy", "kiosk.desk.desk", "kiosk.platform_client",
                            "kiosk.catalog_cache", "offline.outbox", "kiosk.sandbox", "fastapi", "cv2", "zxingcpp",
                            "fontTools", "screens.catalog", "screens.presenter",
                            # the config is validated after the first frame (cli/first_frame.py)
                            "pydantic", "kiosk.config", "kiosk.diagnostics")

_PROBE = """
import json, os, sys
import kiosk.sdnotify as sdnotify

def ready(self, status=""):
    heavy = json.loads(os.environ["HEAVY"])
    print(json.dumps([name for name in heavy if name in sys.modules]), flush=True)
    os._exit(0)

sdnotify.Notifier.ready = ready
if __name__ == "__main__":  # a file, not -c: the platform's workers start with multiprocessing's spawn
    from cli.main import main
    main(["demo", "--state-dir", sys.argv[1]])
"""


def _script(folder: Path, text: str) -> str:
    path = folder / "probe.py"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_home_screen_is_drawn_before_the_desk_the_platform_client_and_numpy_load(kiosk_display: Path,
                                                                                       tmp_path: Path) -> None:
    """`kiosk demo` up to READY=1 (sent from the first frame): the heavy parts come after it."""
    env = {**os.environ, "HEAVY": json.dumps(HEAVY_BEFORE_FIRST_FRAME), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, _script(tmp_path, _PROBE), str(tmp_path / "state")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"imported before the first frame: {loaded}"


def test_the_kiosk_still_sends_ready_and_builds_every_screen_after_it(kiosk_display: Path, tmp_path: Path) -> None:
    """The screens, the desk and the routes come after READY=1, on their own (no citizen needed to pull them)."""
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(120)
    probe = """
import os, sys
import kiosk.sdnotify as sdnotify

original = sdnotify.Notifier.ready
def ready(self, status=""):
    original(self, status)
    from kivy.app import App
    from kivy.clock import Clock
    import screens.app as app_module
    app = App.get_running_app()
    def check(_dt):
        if len(app.manager.screens) >= len(app_module.screen_classes()) and "presenter" in app.__dict__:
            print("built", len(app.manager.screens), flush=True)
            # A normal exit, not os._exit: the runtime stops the embedded sandbox's worker processes, which
            # os._exit left running as orphans after every test run.
            app.stop()
            return False  # once
    Clock.schedule_interval(check, 0.2)
sdnotify.Notifier.ready = ready
if __name__ == "__main__":
    from cli.main import main
    main(["demo", "--state-dir", sys.argv[1]])
"""
    env = {**os.environ, "NOTIFY_SOCKET": str(path), "PYTHONPATH": str(ROOT)}
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen([sys.executable, _script(tmp_path, probe), str(tmp_path / "state")], env=env,
                                   cwd=ROOT, stdout=stdout, stderr=stderr)
    try:
        assert b"READY=1" in sock.recv(4096)
        process.wait(timeout=180)
        assert "built" in out.read_text(), err.read_text()[-3000:]
    finally:
        process.kill()
        sock.close()


def test_translations_bound_by_widgets_that_are_gone_are_released(kiosk_display: Path) -> None:
    from kivy.factory import Factory
    from kivy.lang import Builder

    from screens.i18n import tr

    if "PerfProbeLabel" not in Factory.classes:
        Builder.load_string("#:import tr screens.i18n.tr\n<PerfProbeLabel@Label>:\n    text: tr._('home.start')\n")
    before = tr.bindings
    labels = [Factory.PerfProbeLabel() for _ in range(50)]
    assert tr.bindings == before + 50
    tr.switch("en")
    try:
        assert labels[0].text == "Tap to start"  # a language switch still re-renders every living label
    finally:
        tr.switch("zh_CN")
    assert labels[0].text == "点击开始办理"
    del labels
    gc.collect()
    assert tr.bindings == before  # was: every label ever made, for the life of the process


def test_the_virtual_printer_keeps_the_last_jobs_and_counts_them_all() -> None:
    from devices.printer.virtual import KEEP_JOBS, VirtualPrinter

    printer = VirtualPrinter(render=False)
    for number in range(KEEP_JOBS + 20):
        printer._raw(b"\x1b@" + f"receipt {number}\n".encode() + b"\x1dV\x00")
    assert printer.job_count == KEEP_JOBS + 20
    assert len(printer.jobs) == KEEP_JOBS
    assert printer.jobs[-1].index == KEEP_JOBS + 20 and b"receipt %d" % (KEEP_JOBS + 19) in printer.jobs[-1].data


def test_the_translation_catalog_is_reused_until_a_toml_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk import i18n

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    locale = tmp_path / "locale" / "zh_CN"
    locale.mkdir(parents=True)
    (locale / "a.toml").write_text('[home]\nstart = "开始"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.catalog.cache_clear()
    try:
        assert i18n.catalog("zh_CN")["home.start"] == "开始"
        assert (tmp_path / "cache" / "gov-kiosk" / "locale-zh_CN.json").exists()
        i18n.catalog.cache_clear()
        (locale / "a.toml").write_text('[home]\nstart = "点击开始"\n', encoding="utf-8")
        assert i18n.catalog("zh_CN")["home.start"] == "点击开始"  # an edited file is read again, not the stale copy
    finally:
        i18n.catalog.cache_clear()


def _commands(argv: list[str]) -> set[str]:
    from cli.main import build_parser

    subparsers = build_parser(argv)._subparsers
    assert subparsers is not None
    return set(subparsers._group_actions[0].choices)


def test_kiosk_run_and_demo_register_only_the_window_commands_and_everything_else_sees_them_all() -> None:
    """`kiosk run`/`kiosk demo` skip the other commands' argparse set-up before their first frame."""
    assert _commands(["demo", "--state-dir", "/tmp/x"]) == {"demo", "run", "screenshots"}
    assert _commands(["-v", "run"]) == {"demo", "run", "screenshots"}
    everything = _commands(["--help"])
    assert {"demo", "run", "diagnose", "queue", "hash-pin", "scan"} <= everything
    assert _commands(["diagnose", "--json"]) == everything


def test_the_virtual_printer_keeps_no_figures_of_earlier_jobs() -> None:
    """Its one print engine counted every line it ever printed (the soak's tracemalloc: ~19 strings a citizen)."""
    from devices.printer.virtual import VirtualPrinter

    printer = VirtualPrinter(render=False)
    for number in range(50):
        printer._raw(b"\x1b@" + f"receipt {number}\nline two\n".encode() + b"\x1dV\x00")
    assert printer._engine.stats.lines == ["receipt 49", "line two"]
    assert len(printer.jobs) == 50
