"""The Kivy App: view state and routing only. An event from a screen or a device becomes a desk call
(kiosk/desk; in the background when it does I/O), and the desk's typed outcome goes to the screen that shows
it (screens/presenter.py). It decides nothing.

Rules of the house (after Electrum's Kivy GUI): worker threads never touch widgets; their results reach the
UI thread through ``Clock.schedule_once``, and bursts of device/outbox events are coalesced by a
``Clock.create_trigger``. An exception in a callback is logged and the kiosk goes back to the home screen with
the session wiped, instead of dying in front of a citizen.
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.text import LabelBase
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import Metrics
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import ScreenManager

from devices.fonts import cjk_font_file
from devices.scanner.burst import KeystrokeBurstDetector
from kiosk.app_env import collect_session_garbage, freeze_long_lived_objects, release_freed_memory
from kiosk.demo_props import DemoProps
from kiosk.i18n import translate
from kiosk.sdnotify import Notifier, watchdog_interval
from kiosk.session import Session
from screens import kivy_fixes
from screens.base import KioskScreen
from screens.clipping import clip_with_scissor
from screens.code_screens import CODE_SCREENS, IDENTIFY_SCREENS, MAINTENANCE_SCREENS, RECEIPT_SCREENS
from screens.i18n import tr
from screens.idle import IdleWatch
from screens.instant_transition import InstantTransition
from screens.navigator import Navigator
from screens.routes_access import AccessRoutes
from screens.widgets import TopBar

kivy_fixes.apply()  # before any widget exists

if TYPE_CHECKING:  # imported on first use, after the first frame (issue #16)
    from kiosk.catalog import CatalogItem
    from kiosk.desk import Desk
    from kiosk.runtime import KioskRuntime
    from screens.presenter import Presenter
    from screens.routes_capture import CaptureRoutes
    from screens.routes_counter import CounterRoutes
    from screens.routes_help import HelpRoutes
    from screens.routes_journey import JourneyRoutes
    from screens.routes_maintenance import MaintenanceRoutes
    from screens.routes_service import ServiceRoutes

log = logging.getLogger(__name__)

SCREENS_DIR = Path(__file__).resolve().parent
KV_FILES = ("widgets", "home", "identify", "catalog", "guide", "confirm", "result", "rating", "maintenance",
            "materials", "commitment", "notice", "form", "query", "progress", "pickup", "ticket", "face", "help",
            "complaint", "payment", "appointment", "certificates", "my_applications", "delivery", "capture")
LARGE_TEXT_SCALE = 1.3
# After this many citizens the kiosk freezes what they made to keep, once (KioskApp.end_session, issue #16).
AFTER_SESSION_HOUSEKEEPING_S = 0.4  # home has drawn; a citizen's first tap comes later than that
SESSIONS_BEFORE_SECOND_FREEZE = 3
KEY_ESCAPE, KEY_F1 = 27, 282
KEYS_ENTER = (13, 271)  # Return and keypad Enter
_loaded_kv: set[str] = set()


def screen_classes() -> tuple[type[KioskScreen], ...]:
    """Every screen, the home screen first (built before the first frame; the others one per frame after)."""
    from screens.capture import CaptureScreen
    from screens.catalog import CatalogScreen
    from screens.commitment import CommitmentScreen
    from screens.complaint import ComplaintScreen
    from screens.confirm import ConfirmScreen
    from screens.face import FaceScreen
    from screens.form import FormScreen
    from screens.guide import GuideScreen
    from screens.home import HomeScreen
    from screens.identify import IdentifyScreen
    from screens.maintenance import MaintenanceScreen, PinScreen
    from screens.materials import MaterialsScreen
    from screens.notice import NoticeScreen
    from screens.pickup import PickupScreen
    from screens.progress import ProgressScreen
    from screens.query import QueryScreen
    from screens.rating import RatingScreen
    from screens.result import ResultScreen
    from screens.service_screens import SERVICE_SCREENS  # issue #17: payment, appointment, 电子证照, 我的办件
    from screens.ticket import TicketScreen

    return (HomeScreen, IdentifyScreen, CatalogScreen, GuideScreen, ConfirmScreen, ResultScreen, RatingScreen,
            PinScreen, MaintenanceScreen, MaterialsScreen, CommitmentScreen, NoticeScreen, FormScreen, QueryScreen,
            ProgressScreen, PickupScreen, TicketScreen, FaceScreen, ComplaintScreen, *SERVICE_SCREENS, CaptureScreen)


def register_fonts() -> None:
    """Make the Simplified Chinese face the default font of every label (face 0 of the .ttc is Japanese)."""
    regular = str(cjk_font_file("Regular"))
    try:
        bold = str(cjk_font_file("Bold"))
    except Exception:  # no bold collection installed: Kivy synthesises bold from the regular face
        bold = regular
    LabelBase.register("Roboto", fn_regular=regular, fn_bold=bold)


FIRST_FRAME_KV = ("widgets", "home")  # all the home screen needs; the rest load one per frame after READY
AFTER_FIRST_FRAME_MODULES = ("kiosk.desk.desk", "screens.presenter", "screens.routes_help", "screens.routes_maintenance",
                             "screens.routes_service", "screens.routes_capture", "screens.routes_journey",
                             "screens.routes_counter")
# KioskApp's cached properties, built after the first frame
CORE_PARTS = ("desk", "presenter", "journey", "counter", "help", "maintenance", "finish", "capture")


def preload_modules(before: Callable[[], Any] | None = None) -> tuple[Future, Future]:
    """The desk, the routes and every screen's module, imported on a thread of its own after the first frame
    (not the runtime's pool, which long device and platform work may fill): the UI thread keeps drawing (and
    pinging the watchdog) meanwhile, and then only builds objects (issue #16). ``before`` (the config's full
    validation) runs first on the same thread, not on one more thread beside it (each import-heavy thread
    takes the GIL from the UI thread); the first future is its result, the second the imports', which fail
    with its error."""
    checked: Future = Future()
    done: Future = Future()

    def run() -> None:
        try:
            checked.set_result(before() if before is not None else None)
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread (a ConfigError: it stops)
            checked.set_exception(error)
            done.set_exception(error)
            return
        try:
            for name in AFTER_FIRST_FRAME_MODULES:
                importlib.import_module(name)
            screen_classes()
        except BaseException as error:  # noqa: BLE001 - handed to the UI thread, which raises it when it builds
            done.set_exception(error)
        else:
            done.set_result(None)

    threading.Thread(target=run, name="kiosk-preload", daemon=True).start()
    return checked, done


def load_kv_files(names: tuple[str, ...] = KV_FILES) -> None:
    # Loading a kv file twice doubles its rules; load each once per process.
    for name in names:
        path = str(SCREENS_DIR / f"{name}.kv")
        if path not in _loaded_kv:
            Builder.load_file(path)
            _loaded_kv.add(path)


class _ResetOnError(ExceptionHandler):
    def __init__(self, app: KioskApp) -> None:
        self.app = app

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, KeyboardInterrupt | SystemExit):
            return ExceptionManager.RAISE
        log.exception("unexpected error in the UI; returning to the home screen", exc_info=inst)
        Clock.schedule_once(lambda _dt: self.app.end_session(), 0)
        return ExceptionManager.PASS


class KioskApp(App):
    centre_name = StringProperty("")
    large_text = BooleanProperty(False)
    catalog_state = ObjectProperty(None, allownone=True)
    availability = ObjectProperty(None, allownone=True)
    use_kivy_settings = False

    def __init__(self, runtime: KioskRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.config_kiosk = runtime.config
        # The desk, the presenter and the routes below are cached properties, built on first use: right after
        # the first frame (see _build_next_screen), so the desk, the outbox and the platform client are not
        # imported before the home screen is up (issue #16).
        self.demo = DemoProps(runtime)  # no-ops with real devices
        self._resume_decoding = Clock.create_trigger(
            lambda _dt: self.runtime.want_codes(self.manager.current in CODE_SCREENS), 0.1)
        self.access = AccessRoutes(self)  # 长辈模式, 高对比, language, voice, keypad (issue #13)
        self.centre_name = runtime.config.kiosk.centre_name
        self.title = translate("app.title")
        kiosk = runtime.config.kiosk
        self._sessions_since_start = 0  # sessions ended since the screens were built (the second freeze)
        self._resets_pending: list[KioskScreen] = []  # screens end_session left to reset in the next frame
        # A timeout above zero: Kivy runs a 0 timeout scheduled from a clock callback in the same frame.
        self._reset_pending_screens_next_frame = Clock.create_trigger(self._reset_pending_screens, 0.001)
        self._housekeeping = Clock.create_trigger(self._after_session, AFTER_SESSION_HOUSEKEEPING_S)
        self.housekeeping_done = True  # the last session's garbage collected and memory trimmed (benchmarks wait)
        self.idle = IdleWatch(lambda: kiosk.idle_timeout_s, lambda: kiosk.idle_warning_s, self.end_session)
        self._handler = _ResetOnError(self)
        self.notifier = Notifier()  # systemd: READY=1 when the home screen is up, WATCHDOG=1 from the UI clock
        # A keyboard-wedge scanner "types" a code in a burst ended by Enter; people type far slower.
        self._wedge = KeystrokeBurstDetector()
        # Device and outbox events come in bursts from worker threads: each burst is one UI update.
        self._availability_changed = Clock.create_trigger(lambda _dt: self.update_availability())
        self._outbox_changed = Clock.create_trigger(lambda _dt: self.journey.check_upload())
        # A config problem found after the first frame (cli/first_frame.py): the App stops and `kiosk run`
        # reports it with exit 78, as one found before the window.
        self.config_problem: str | None = None
        self._config_checked: Future | None = None

    @functools.cached_property
    def desk(self) -> Desk:
        from kiosk.desk import Desk

        return Desk(self.runtime.config, self.runtime)

    @functools.cached_property
    def presenter(self) -> Presenter:
        from screens.presenter import Presenter

        return Presenter(self)

    @functools.cached_property
    def help(self) -> HelpRoutes:  # 呼叫工作人员, 诉求反映, notices, the stuck detector (issue #15)
        from screens.routes_help import HelpRoutes

        return HelpRoutes(self)

    @functools.cached_property
    def maintenance(self) -> MaintenanceRoutes:  # technicians' PIN and actions
        from screens.routes_maintenance import MaintenanceRoutes

        return MaintenanceRoutes(self)

    @functools.cached_property
    def finish(self) -> ServiceRoutes:  # fees, delivery, appointments, 电子证照, 我的办件 (issue #17)
        from screens.routes_service import ServiceRoutes

        return ServiceRoutes(self)

    @functools.cached_property
    def capture(self) -> CaptureRoutes:  # photographing paper materials on the 高拍仪 (issue #17)
        from screens.routes_capture import CaptureRoutes

        return CaptureRoutes(self)

    @functools.cached_property
    def journey(self) -> JourneyRoutes:  # identify, choose, materials, form, submit, query, rate
        from screens.routes_journey import JourneyRoutes

        return JourneyRoutes(self)

    @functools.cached_property
    def counter(self) -> CounterRoutes:  # progress, pickup, reprint, queue tickets
        from screens.routes_counter import CounterRoutes

        return CounterRoutes(self)

    @property
    def session(self) -> Session:
        return self.desk.session

    # -- building -----------------------------------------------------------------------------------------
    def build(self) -> BoxLayout:
        from screens.home import HomeScreen

        tr.switch(self.config_kiosk.kiosk.language)
        register_fonts()
        load_kv_files(FIRST_FRAME_KV)
        Window.clearcolor = (0.96, 0.97, 0.98, 1)
        root = BoxLayout(orientation="vertical")
        self.top_bar = TopBar(title=translate("home.bar"))
        self.manager = ScreenManager(transition=InstantTransition())  # one screen on the glass a frame
        clip_with_scissor(self.manager)  # its screens clipped at no cost per pixel (screens/clipping.py)
        # Only the home screen before the first frame; the others are built one per frame right after, so
        # the kiosk shows its home screen as early as a bare window would.
        self.manager.add_widget(HomeScreen())
        # Filled after the first frame (issue #16): importing every screen module and parsing every kv file
        # before it made the cold start 2x a bare window.
        self._screens_to_build: list[type[KioskScreen]] | None = None
        self._kv_to_load = [name for name in KV_FILES if name not in FIRST_FRAME_KV]
        self._preload: Future | None = None
        self.nav = Navigator(self.manager, self.screen)
        self.manager.bind(current=self._on_screen_changed)
        root.add_widget(self.top_bar)
        root.add_widget(self.manager)
        tr.fbind("_", self._retitle)
        if self.config_kiosk.kiosk.large_text:  # the station's own size; 长辈模式 scales from it (routes_access)
            self.large_text = True
            Metrics.fontscale = LARGE_TEXT_SCALE
        return root

    def on_start(self) -> None:
        ExceptionManager.add_handler(self._handler)
        Window.bind(on_keyboard=self._on_keyboard, on_request_close=self._on_request_close)
        Window.bind(on_touch_down=self.idle.note_activity, on_key_down=self._on_key_down)
        self.runtime.on_card(lambda card: Clock.schedule_once(lambda _dt: self._card_on_ui(card), 0))
        self.runtime.on_code(lambda text, source: Clock.schedule_once(lambda _dt: self.handle_code(text, source), 0))
        self.runtime.on_device_states(lambda _states: self._availability_changed())
        self.runtime.on_outbox_change(lambda _status: self._outbox_changed())
        self.update_availability()
        Clock.schedule_interval(lambda _dt: self.idle.tick(self.manager.current == "home"), 1.0)
        if self.runtime.started:
            self._runtime_ready()
        timeout = watchdog_interval()
        if timeout:
            # Pinged from the UI thread's clock, not a helper thread: a frozen UI stops the pings and
            # systemd restarts the kiosk.
            Clock.schedule_interval(self._watchdog_ping, timeout / 2)
        self.access.started()  # voice, headset, keypad focus: after the App's own key bindings
        # READY=1 after the first frame is drawn, i.e. once the home screen is really on the glass.
        Clock.schedule_once(self._announce_ready, 0)

    def _announce_ready(self, _dt: float) -> None:
        self.notifier.ready(status="home screen up")
        log.info("kiosk %s ready", self.config_kiosk.kiosk.device_id)
        # Only now the rest: the whole config validated, services and imports on worker threads, the other
        # screens one per frame. The desk, the preload and the runtime's start all wait for the config.
        self._config_checked, self._preload = preload_modules(self._validate_config)
        self.when_done(self._config_checked, self._config_validated)
        Clock.schedule_once(self._build_next_screen, 0)
        if not self.runtime.started:
            self.when_done(self.runtime.run_in_background(self._start_runtime), self._runtime_started)

    def _validate_config(self) -> Any:
        """On the preload thread: the first frame's plain view of the config (cli/first_frame.py) replaced by
        the fully validated config, before the desk or the runtime's services read it (the values the first
        frame used are the same). A config that is already validated (tests, the benchmarks) is kept."""
        config = self.runtime.config
        validated = getattr(config, "validated", None)
        if validated is not None:
            config = validated()  # kiosk.config.ConfigError: see _config_validated
            self.runtime.config = config
            self.config_kiosk = config
        return config

    def _config_validated(self, future: Future) -> None:
        error = future.exception()
        if error is None:
            return
        self.config_problem = str(error)
        log.error("the config is invalid; stopping: %s", error)
        self.stop()

    def _start_runtime(self) -> Any:
        if self._config_checked is not None:
            self._config_checked.result()  # no services on a config that failed validation
        return self.runtime.start()

    def _runtime_started(self, future: Future) -> None:
        error = future.exception()
        if error is not None and self._config_checked is not None and error is self._config_checked.exception():
            return  # the config failed validation: the App is stopping (_config_validated)
        if error is not None:
            log.error("the kiosk could not start its services: %s", error, exc_info=error)
            self.screen("home").availability_text = translate("availability.home.unavailable")
            return
        self._runtime_ready()

    def _runtime_ready(self) -> None:
        self.reload_catalog()
        self.update_availability()

    def _build_next_screen(self, _dt: float) -> None:
        """One piece per frame, so no frame after READY stalls: the core, a kv file, the screen classes, or a
        screen."""
        core = [name for name in CORE_PARTS if name not in self.__dict__]
        if self.config_problem is not None:
            return  # stopping (see _config_validated)
        if self._kv_to_load:
            load_kv_files((self._kv_to_load.pop(0),))
        elif self._preload is not None and not self._preload.done():
            pass  # the imports are still running on a worker thread: look again next frame
        elif core:
            getattr(self, core[0])
        elif self._screens_to_build is None:
            from screens.home import HomeScreen

            self._screens_to_build = [cls for cls in screen_classes() if cls is not HomeScreen]
        elif self._screens_to_build:
            self.manager.add_widget(self._screens_to_build.pop(0)())
            if not self._screens_to_build:  # the last one: what exists now lives as long as the kiosk
                log.info("%d long-lived objects frozen out of the garbage collector's walks",
                         freeze_long_lived_objects())
        else:
            return
        Clock.schedule_once(self._build_next_screen, 0)

    def _build_all_screens_now(self) -> None:
        if self._preload is not None:
            self._preload.result()
        while any(name not in self.__dict__ for name in CORE_PARTS) or self._kv_to_load \
                or self._screens_to_build is None or self._screens_to_build:
            self._build_next_screen(0)

    def _watchdog_ping(self, _dt: float) -> None:
        self.notifier.watchdog()

    def on_stop(self) -> None:
        self.notifier.stopping()
        self.access.stopped()
        ExceptionManager.remove_handler(self._handler)
        self.runtime.on_card(None)
        self.runtime.on_code(None)

    def open_settings(self, *largs: Any) -> bool:  # F1 and the menu key: no Kivy settings on a kiosk
        return False

    def _on_keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        # Escape would close the app and F1 would open Kivy's settings: both are swallowed.
        return key in (KEY_ESCAPE, KEY_F1)

    def _on_key_down(self, _window: Any, key: int, _scancode: int, codepoint: str | None, _modifiers: Any) -> bool:
        self.idle.note_activity()
        if self.runtime.config.devices.scanner != "keyboard":
            return False
        char = "\r" if key in KEYS_ENTER else codepoint
        if char:
            code = self._wedge.feed(char, time.monotonic())
            if code is not None:
                self.handle_code(code, "scanner")
        return False

    def _on_request_close(self, *_args: Any, source: str | None = None, **_kwargs: Any) -> bool:
        # Closing needs the maintenance path; a key (Escape, Alt+F4) never closes the kiosk.
        return source == "keyboard" or self.config_kiosk.kiosk.fullscreen

    # -- navigation ---------------------------------------------------------------------------------------
    def go(self, name: str) -> None:
        self.nav.go(name)

    def back(self) -> None:
        self.nav.back()

    def screen(self, name: str) -> Any:
        if not self.manager.has_screen(name):  # a citizen faster than the background build
            self._build_all_screens_now()
        screen = self.manager.get_screen(name)
        if screen in self._resets_pending:  # the last session's end has not reached it yet: now, before any use
            self._resets_pending.remove(screen)
            screen.reset()
        return screen

    def _reset_pending_screens(self, _dt: float = 0.0) -> None:
        """The off-screen screens the session's end left for the next frame (end_session)."""
        pending, self._resets_pending = self._resets_pending, []
        for screen in pending:
            screen.reset()

    def _on_screen_changed(self, _manager: Any, name: str) -> None:
        screen = self.manager.get_screen(name)
        self.top_bar.title = translate(screen.title_key)
        self.top_bar.show_home = screen.show_home_button
        self.idle.note_activity()
        self.access.screen_changed(screen)  # its spoken prompt, the keypad focus, 上一步
        self._decode_codes_on(name)

    def _decode_codes_on(self, name: str) -> None:
        """The camera's decoder works only on a screen that takes a code, and starts 0.1 s after it shows: the
        screen's first frame is drawn before the decoder wants a core (issue #16: with software GL on two cores
        the rasteriser waits for a CPU in a new screen's first frame, and the camera's and decoder's threads
        took ~7 ms of CPU in such frames). Leaving, it stops at once."""
        if name in CODE_SCREENS:
            self._resume_decoding()
        else:
            self._resume_decoding.cancel()
            self.runtime.want_codes(False)

    def _retitle(self, *_args: Any) -> None:
        self.top_bar.title = translate(self.manager.current_screen.title_key)
        self.title = translate("app.title")

    def end_session(self) -> None:
        """Wipe the session and every screen, then show the home screen."""
        self.runtime.end_session(self.desk.end_session())
        # The screen on the glass, home, and those whose reset stops a device or forgets data now; the others,
        # off screen, in the next frame (issue #16: resetting every screen and relaying them out was ~10 ms of
        # the frame that ends each session). None of them can show before its reset: app.screen(name), which
        # every navigation and every presenter goes through, resets a pending one first.
        leaving = self.manager.current_screen
        self._resets_pending = []
        for screen in self.manager.screens:
            if screen is leaving or screen.name == "home" or screen.reset_at_once:
                screen.reset()
            else:
                self._resets_pending.append(screen)
        self._reset_pending_screens_next_frame()
        self.help.session_ended()  # the help panel and the last citizen's call leave with them
        self.idle.close()
        self.access.session_ended()  # the next citizen starts in Chinese, normal mode
        # The devices as they are now, not as some screen last saw them: a fault that came and went between
        # two monitor polls is never published as a change, and would leave print items disabled all day.
        self.update_availability()
        self.nav.home()
        # The housekeeping of the session's leftovers waits until home has been on the glass a moment: in the
        # frame that ends the session it competed with drawing home (issue #16: the collection 1-3 ms on the
        # UI thread; malloc_trim on a worker, tens of ms on the other core, holding each arena's lock while
        # the UI thread allocated from it).
        self.housekeeping_done = False
        self._housekeeping.cancel()
        self._housekeeping()
        log.info("session ended")

    def _after_session(self, _dt: float = 0.0) -> None:
        """After a session, on the idle home screen: the session's garbage collected, its memory given back."""
        if self._screens_to_build == []:  # warmed up (freeze_long_lived_objects ran): this session's cycles now
            log.debug("session garbage collected in %.1f ms", collect_session_garbage())
            self._sessions_since_start += 1
            if self._sessions_since_start == SESSIONS_BEFORE_SECOND_FREEZE:
                # What the first citizens' visits built to keep (the catalog's list, the guide's section views,
                # the popups made on first use: ~60,000 objects) joins the frozen: the collection above then
                # walks 1-3 ms of one session's objects instead of 16 ms. Once only: freezing at every session
                # end froze each session's survivors, and those that died later were never collected (+100 MB
                # over 200 sessions, issue #16).
                log.info("%d objects frozen after the first sessions", freeze_long_lived_objects())
        # The session's freed memory back to the system, on a worker (issue #16: RSS crept up per citizen).
        if self.runtime.executor._shutdown:  # not while the kiosk is stopping
            self.housekeeping_done = True
            return
        trimmed = self.runtime.run_in_background(release_freed_memory)
        trimmed.add_done_callback(lambda _done: setattr(self, "housekeeping_done", True))

    def end_session_soon(self, seconds: float, only_on: str | None = None, session_id: str | None = None) -> None:
        """End *this* session after a moment (on screen ``only_on``, if given); never a newer one."""
        ending = session_id or self.session.id

        def end(_dt: float) -> None:
            if self.session.id == ending and (only_on is None or self.manager.current == only_on):
                self.end_session()

        Clock.schedule_once(end, seconds)

    # -- background work ----------------------------------------------------------------------------------
    def run_step(self, step: Callable[..., Any], *args: Any) -> None:
        """A desk step that does I/O, on a worker thread; its outcome is shown on the UI thread."""
        self.background(step, *args, on_done=self.presenter.show,
                        on_error=lambda error: log.exception("desk step failed", exc_info=error))

    def background(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
                   on_error: Callable[[BaseException], None], **kwargs: Any) -> None:
        """Run ``fn`` on a worker thread; its result or error comes back on the UI thread, but only if the
        session that asked is still the current one (a late answer never reaches the next citizen)."""
        session_id = self.session.id

        def deliver(future: Future) -> None:
            if self.session.id != session_id:
                log.info("dropping a late answer for an ended session")
            elif future.exception() is not None:
                on_error(future.exception())
            else:
                on_done(future.result())

        self.when_done(self.runtime.run_in_background(functools.partial(fn, *args, **kwargs)), deliver)

    @staticmethod
    def when_done(future: Future, then: Callable[[Future], None]) -> None:
        """``then(future)`` on the UI thread once the worker's ``future`` is done (routes use it too)."""
        future.add_done_callback(lambda done: Clock.schedule_once(lambda _dt: then(done), 0))

    def print_for_session(self, document: Any, on_printed: Callable[[Any], None]) -> None:
        """Print for the current session. ``on_printed(PrintResult)`` runs on the UI thread, and only while
        that session lasts: nothing about one citizen's paper ever reaches the next one."""
        session_id = self.session.id
        self.access.cue("printing")

        def deliver(result: Any) -> None:  # on the print worker thread
            Clock.schedule_once(lambda _dt: on_printed(result) if self.session.id == session_id else None, 0)

        self.runtime.print_document(session_id, document, deliver)

    # -- catalog and availability -------------------------------------------------------------------------
    def reload_catalog(self) -> None:
        self.when_done(self.runtime.run_in_background(self.runtime.refresh_catalog), self._catalog_loaded)

    def _catalog_loaded(self, future: Future) -> None:
        if future.exception() is not None:
            log.error("catalog refresh failed: %s", future.exception())
            return
        self.catalog_state = future.result()
        self.desk.catalog = self.catalog_state.catalog
        self.runtime.catalog_for_health = self.catalog_state.catalog
        self.update_availability()
        if self.manager.current == "catalog":
            self.screen("catalog").show_catalog(self.catalog_state)

    def update_availability(self) -> None:
        """Required devices that are down make some services unavailable: say which, and why, on the home
        screen; the rest keeps working."""
        from kiosk.availability import assess

        state = self.catalog_state
        self.availability = assess(self.runtime.device_states(), self.config_kiosk.devices.required,
                                   state.catalog if state is not None else None)
        message = self.availability.message
        self.screen("home").availability_text = (
            translate(message.key, **dict(message.values)) if message is not None else "")

    def current_item(self) -> CatalogItem | None:
        return self.desk.context.item()

    # -- devices ------------------------------------------------------------------------------------------
    def reader_status_text(self) -> str:
        status = self.runtime.device_status.get("idreader")
        if self.runtime.id_reader is None or (status is not None and not status.usable):
            return translate("identify.reader_unavailable")
        return translate("identify.reader_ready")

    def _card_on_ui(self, card: Any) -> None:
        if self.manager.current == "identify":  # a card left on the reader does not start a session by itself
            self.demo.card_read(card.id_number)  # the demo's face for the 人证比对 (no-op with a real camera)
            self.access.cue("card_read")
            self.journey.identified(self.desk.identity.card(card))

    def handle_code(self, text: str | None, source: str) -> None:
        """A QR code or barcode from the camera or a scanner. Only accepted kinds are acted on; a URL or
        anything unknown is refused with a message, never opened."""
        current = self.manager.current
        self.access.cue("code_read")
        if self.finish.scanned(text, current):  # an appointment slip: check in (issue #17)
            return
        if current in MAINTENANCE_SCREENS:  # a technician's scan test: show what arrived, shortened
            self.screen("maintenance").show_action(
                translate("maintenance.result.scanned", source=source, code=f"{(text or '?')[:8]}…",
                          length=len(text or "")))
        elif current in RECEIPT_SCREENS:
            self.presenter.show(self.desk.service.scanned(text))
        elif current in IDENTIFY_SCREENS:
            answer = self.desk.identity.code(text)
            from kiosk.qrpayload import QrPayload

            if isinstance(answer, QrPayload):  # a token only the platform can vouch for
                self.screen("identify").show_status(translate("identify.verifying"))
                self.background(self.desk.identity.verify_token, answer, on_done=self.journey.identified,
                                on_error=lambda error: log.exception("verifying failed", exc_info=error))
            else:
                self.journey.identified(answer)
























