"""Shared fixtures. UI tests run the real app window (under Xvfb when no display is set) driven by the Pilot.

Kivy allows one window per process, so one app serves every UI test; each test starts on the home screen
with a fresh session, as the next citizen would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

UI_WINDOW = (540, 960)
DEMO_CITIZEN = {"id_number": "410105195003152015", "name": "张建国", "phone": "13912345678"}


@dataclass
class Ui:
    app: object
    pilot: object
    runtime: object

    @property
    def sandbox_db(self):
        return self.runtime.sandbox.app.state.store.db


@pytest.fixture
def sandbox(tmp_path: Path):
    """The sandbox platform on a loopback port of its own, with a fresh SQLite file."""
    from kiosk.sandbox.server import EmbeddedSandbox

    server = EmbeddedSandbox(tmp_path / "sandbox.db").start()
    yield server
    server.stop()


@pytest.fixture
def client(sandbox):
    """The kiosk's platform client, signed with the demo device secret, talking to ``sandbox``."""
    from kiosk.platform_client import PlatformClient
    from kiosk.sandbox.app import DEMO_DEVICE_SECRET

    platform_client = PlatformClient(sandbox.url, "KIOSK-TEST-07", 2, 5, device_secret=DEMO_DEVICE_SECRET)
    yield platform_client
    platform_client.close()


@pytest.fixture(scope="session")
def kiosk_display(tmp_path_factory: pytest.TempPathFactory):
    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = tmp_path_factory.mktemp("kiosk-ui")
    prepare_kivy_environment(state, UI_WINDOW)
    prepare_window(UI_WINDOW, False)
    yield state
    display.stop()


@pytest.fixture(scope="session")
def ui_session(kiosk_display: Path):
    from kiosk.config import demo_config
    from kiosk.runtime import KioskRuntime

    config = demo_config(kiosk_display, UI_WINDOW)
    # A short idle timeout so the timeout test does not wait long; the warning starts 10 s before the end.
    config = config.model_copy(update={"kiosk": config.kiosk.model_copy(update={"idle_timeout_s": 30, "idle_warning_s": 10})})
    # No document camera in the shared window: the journey tests tick paper materials and go straight on;
    # tests/test_ui_capture.py opens a simulated one for itself.
    config = config.model_copy(update={"devices": config.devices.model_copy(update={"doc_camera": "none"})})
    runtime = KioskRuntime(config).start()
    from screens.app import KioskApp
    from screens.pilot import Pilot

    app = KioskApp(runtime)
    pilot = Pilot(app).start()
    pilot.wait_until(lambda: app.catalog_state is not None and app.catalog_state.catalog is not None, "the catalog")
    yield Ui(app, pilot, runtime)
    pilot.stop()
    runtime.stop()


@pytest.fixture
def ui(ui_session: Ui) -> Ui:
    """The app on its home screen with an empty session, as a new citizen finds it."""
    ui_session.app.end_session()
    ui_session.pilot.frames(3)
    yield ui_session
    ui_session.app.end_session()
    ui_session.pilot.frames(2)


@pytest.fixture
def doc_camera(ui: Ui):
    """The simulated document camera (demo papers) for one test; the shared demo window runs without one.
    Healed and stopped after the test, whatever the test made it do."""
    from devices.doccam import open_doc_camera

    ui.runtime.doc_camera = open_doc_camera("sim://?fps=15")
    yield ui.runtime.doc_camera
    camera, ui.runtime.doc_camera = ui.runtime.doc_camera, None
    ui.app.end_session()
    ui.pilot.frames(3)
    camera.simulator.heal()
    camera.stop()
