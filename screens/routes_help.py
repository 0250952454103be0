"""The App's routes for help (issue #15): 呼叫工作人员, the stuck detector's offer, 诉求反映 and operator notices.

The App creates one ``HelpRoutes`` (``app.help``); the top bar's 呼叫工作人员 calls ``call_staff``. Like the App, it decides nothing: the
core (kiosk/help.py: assist, complaints, notices, stuck) decides, this routes events to it and its answers to
the assist panel (screens/help.py), the complaint screen and the home screen. Platform calls run on worker
threads (``app.background``); the assist and notice pollers hand their news to the UI thread through
``Clock.schedule_once`` / a coalescing trigger; a once-a-second tick updates the waited time (no I/O) and asks
the stuck detector whether to offer help.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from pydantic import ValidationError

from kiosk.assist import AssistPoller, AssistService, AssistState, AssistView
from kiosk.complaints import ComplaintDesk, ComplaintDraft, ComplaintOutcome
from kiosk.desk import outcomes as o
from kiosk.i18n import translate
from kiosk.masking import mask_phone
from kiosk.notices import Notice, spoken_text
from kiosk.printing.help_documents import AssistSlip, ComplaintSlip, assist_slip, complaint_slip
from kiosk.session import Level
from kiosk.stuck import Offer

if TYPE_CHECKING:
    from screens.app import KioskApp
    from screens.help import AssistPanel

log = logging.getLogger(__name__)

# Screens where nobody is in the middle of something: idle there means nobody is there, not stuck.
CALM_SCREENS = frozenset({"home", "result", "rating", "ticket", "maintenance", "maintenance_pin", "complaint"})
# What the citizen did that the desk refused: three in a row on one screen is a sign of being stuck.
REFUSALS = (o.IdentifyRefused, o.FieldRefused, o.StepRefused, o.ReceiptRefused, o.PickupRefused)
OPEN_STATES = (AssistState.WAITING, AssistState.ACCEPTED, AssistState.QUEUED)
SYNC_WORKER_WAIT_S = 4.0  # how long an answer the sync worker is fetching is awaited


class HelpRoutes:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.panel: AssistPanel | None = None
        self._poller: AssistPoller | None = None
        self._session_id = ""
        self._hooked_ui = False
        self._hooked_notices = False
        self._spoken_state: AssistState | None = None
        self._spoken_notices: set[int] = set()
        self._notices_changed = Clock.create_trigger(lambda _dt: self.show_notices())
        self._watch_outcomes()
        Clock.schedule_interval(self._tick, 1.0)

    @property
    def services(self) -> Any:
        """kiosk.help.HelpServices, or None until the runtime has started."""
        return self.app.runtime.help

    # -- 呼叫工作人员 ---------------------------------------------------------------------------------------
    def call_staff(self, reason: str = "button") -> None:
        self._check_session()
        panel = self._open_panel("assist")
        services = self.services
        if services is None:  # still starting: say so, with the numbers that always work
            phones = self.app.config_kiosk.help_settings().phone_line()
            panel.show_text(translate("help_ui.panel.not_ready", phones=phones), tone="alert")
            return
        panel.show_text(translate("help.assist.sending"))
        self.app.runtime.play_chime()  # staff nearby hear it at once, whatever the network does
        self.app.background(request_assist, services.assist, self.app.manager.current, reason,
                            on_done=self._show_view, on_error=self._call_failed)

    def _call_failed(self, error: BaseException) -> None:
        log.error("assist request failed: %s", error)
        if self.panel is not None:
            phones = self.services.settings().phone_line() if self.services else "12345"
            self.panel.show_text(translate("help_ui.panel.failed", phones=phones), tone="alert", printable=True)

    def _show_view(self, view: AssistView) -> None:
        if self.panel is None and view.state is AssistState.ACCEPTED:
            self._open_panel("assist")  # someone is coming: the citizen who closed the panel should know
        if self.panel is not None and self.panel.mode == "assist":
            self.panel.show_view(view)
            if view.state is not self._spoken_state:  # said once per change, not at every tick
                self._spoken_state = view.state
                self._say(view.message)
        if view.state in OPEN_STATES and (self._poller is None or not self._poller.is_alive()):
            self._poller = _Poller(self.services.assist, self._polled,
                                   interval_s=self.app.config_kiosk.help.assist_poll_s).start()

    def _polled(self, view: AssistView) -> None:  # on the poller's thread
        session_id = self.app.session.id
        Clock.schedule_once(lambda _dt: self._show_view(view) if self.app.session.id == session_id else None, 0)

    def print_phones(self) -> None:
        """打印求助电话: 12345, the duty phone, the staffed hours and the call's number, on a slip."""
        services, panel = self.services, self.panel
        if services is None or panel is None:
            return
        view = services.assist.view()
        settings = services.settings()
        if view.duty_phone and view.duty_phone != settings.duty_phone:  # the platform's answer is the newest
            settings = settings.model_copy(update={"duty_phone": view.duty_phone})
        kiosk = self.app.config_kiosk.kiosk
        document = assist_slip(AssistSlip(kiosk.centre_name, settings, dt.datetime.now(), kiosk.device_id,
                                          view.number))
        panel.print_text = translate("help_ui.panel.printing")
        self.app.presenter.print(o.PrintJob(document, o.Message("help_ui.panel.printed")),
                                 lambda text, _image, _ok: setattr(panel, "print_text", text))

    # -- the stuck detector's offer -----------------------------------------------------------------------
    def offer(self, offer: Offer) -> None:
        if self.panel is not None:
            return  # already talking about help
        panel = self._open_panel("offer")
        panel.offer_reason = offer.reason
        panel.show_text(translate(offer.message_key))
        self._say(panel.message)

    def accept_offer(self) -> None:
        reason = self.panel.offer_reason if self.panel is not None else "button"
        self.call_staff(reason)  # the same panel turns from the offer to the call

    # -- the panel ----------------------------------------------------------------------------------------
    def _open_panel(self, mode: str) -> AssistPanel:
        from screens.app import load_kv_files
        from screens.help import AssistPanel

        if self.panel is None:
            load_kv_files(("help",))  # a citizen faster than the kv files loaded one per frame after start
            self.panel = AssistPanel(routes=self)
            self.panel.bind(on_dismiss=self._panel_closed)
            self.panel.open(animation=False)
        self.panel.mode = mode
        self.panel.title = translate("help_ui.panel.offer_title" if mode == "offer" else "help_ui.panel.title")
        return self.panel

    def close_panel(self) -> None:
        if self.panel is not None:
            self.panel.dismiss(animation=False)

    def _panel_closed(self, panel: Any) -> None:
        if panel is self.panel:
            self.panel = None

    # -- 诉求反映 ---------------------------------------------------------------------------------------------
    def open_complaint(self) -> None:
        catalog = self.app.catalog_state.catalog if self.app.catalog_state is not None else None
        items = [(item.code, item.name) for item in catalog.items] if catalog is not None else []
        screen = self.app.screen("complaint")
        screen.start(items, self.app.session.item_code or "", self._masked_phone())
        self.app.go("complaint")

    def _verified_phone(self) -> str:
        """The callback phone: only a verified citizen's own (a typed number could be anyone's)."""
        citizen = self.app.session.citizen
        if citizen is None or citizen.level < Level.VERIFIED:
            return ""
        return citizen.phone

    def _masked_phone(self) -> str:
        phone = self._verified_phone()
        return mask_phone(phone) if phone else ""

    def verify_for_callback(self) -> None:
        """Identify (card and face) so the callback goes to a verified phone, then back to the form."""
        self.app.journey.require_identity(lambda: self._verified_for_callback(), Level.VERIFIED)

    def _verified_for_callback(self) -> None:
        self.app.go("complaint")
        self.app.screen("complaint").phone_verified(self._masked_phone())

    def submit_complaint(self, kind: str, category: str, item_code: str, callback: bool) -> None:
        screen = self.app.screen("complaint")
        services = self.services
        phone = self._verified_phone() if callback else ""
        try:
            draft = ComplaintDraft(kind=kind, category=category, item_code=item_code, callback=bool(phone),
                                   callback_phone=phone)
        except ValidationError as error:  # a kiosk bug (the screen offers only valid choices): logged, told
            log.error("complaint form gave an invalid draft: %s", error.errors(include_input=False))
            screen.show_error(translate("help_ui.complaint.choose_first"))
            return
        if services is None:
            screen.show_error(translate("help_ui.panel.not_ready", phones="12345"))
            return
        screen.show_sending()
        self.app.background(submit_complaint, services.complaints, draft,
                            on_done=lambda done: self._complaint_done(done, draft),
                            on_error=lambda error: screen.show_error(
                                translate("help_ui.panel.failed", phones="12345")))

    def _complaint_done(self, outcome: ComplaintOutcome, draft: ComplaintDraft) -> None:
        screen = self.app.screen("complaint")
        number = outcome.number or outcome.local_reference
        screen.show_done(outcome.message, number)
        if outcome.refused:
            return  # nothing was recorded: no slip that promises a number
        kiosk = self.app.config_kiosk.kiosk
        item_name = self.app.desk.context.item_name(draft.item_code) if draft.item_code else ""
        document = complaint_slip(ComplaintSlip(kiosk.centre_name, number, draft.kind, draft.category, item_name,
                                                draft.callback_phone, dt.datetime.now(), kiosk.device_id))
        screen.print_text = translate("help_ui.complaint.printing")
        self.app.presenter.print(o.PrintJob(document, o.Message("help_ui.complaint.printed")),
                                 lambda text, _image, _ok: setattr(screen, "print_text", text))

    # -- operator notices ---------------------------------------------------------------------------------
    def show_notices(self) -> None:
        services = self.services
        notices: tuple[Notice, ...] = services.notices.current() if services is not None else ()
        self.app.screen("home").show_notices(notices)
        if self.app.manager.current == "home":  # not read out over someone's journey
            for notice in notices:
                if notice.id not in self._spoken_notices:
                    self._spoken_notices.add(notice.id)
                    self._say(spoken_text(notice))

    def _say(self, text: str) -> None:
        """Spoken when the citizen (or the station) turned the voice on (screens/routes_access.py)."""
        access = getattr(self.app, "access", None)
        if access is not None and access.voice_on and text:
            access.voice.say(text, interrupt=True)

    # -- watching the journey -----------------------------------------------------------------------------
    def _watch_outcomes(self) -> None:
        # Every outcome passes through the presenter; refusals feed the stuck detector, anything else shows
        # the citizen got somewhere. Wrapped here so the presenter itself stays one show() per outcome.
        presenter = self.app.presenter
        show = presenter.show

        def watched(outcome: Any) -> None:
            self._outcome_seen(outcome)
            show(outcome)

        presenter.show = watched

    def _outcome_seen(self, outcome: Any) -> None:
        services = self.services
        if services is None or outcome is None or isinstance(outcome, o.LookingUp):
            return
        if isinstance(outcome, REFUSALS):
            offer = services.stuck.error()
            if offer is not None:  # shown after the refusal is on screen, and only to the citizen refused
                session_id = self.app.session.id
                Clock.schedule_once(lambda _dt: self.offer(offer) if self.app.session.id == session_id else None, 0.3)
        else:
            services.stuck.progress()

    def _screen_changed(self, _manager: Any, name: str) -> None:
        if self.services is not None:
            self.services.stuck.entered(name, name not in CALM_SCREENS)

    def _touched(self, *_args: Any) -> None:
        if self.services is not None:
            self.services.stuck.touched()

    def session_ended(self) -> None:
        """The App ended the session: the next citizen sees no help panel and starts with nothing counted."""
        self._check_session()

    def _check_session(self) -> None:
        """A new citizen: the last one's call, offer and counts are not theirs."""
        current = self.app.session.id
        if current == self._session_id:
            return
        self._session_id = current
        self._spoken_state = None
        services = self.services
        if services is not None:
            services.assist.reset()
            services.stuck.reset()
        if self._poller is not None:
            self._poller.stop_soon()
            self._poller = None
        self.close_panel()

    def _tick(self, _dt: float) -> None:
        if not self._hooked_ui and getattr(self.app, "manager", None) is not None:
            self._hooked_ui = True
            self.app.manager.bind(current=self._screen_changed)
            Window.bind(on_touch_down=self._touched, on_key_down=self._touched)  # the keypad path counts too
        services = self.services
        if services is None:
            return
        if not self._hooked_notices:
            self._hooked_notices = True
            self.app.runtime.on_notices(lambda _notices: self._notices_changed())
            self.show_notices()
        self._check_session()
        if self.panel is not None and self.panel.mode == "assist":
            view = services.assist.view()
            if view.state in OPEN_STATES:
                self.panel.show_view(view)  # the waited time, once a second
        offer = services.stuck.check()
        if offer is not None:
            self.offer(offer)


def request_assist(assist: AssistService, screen: str, reason: str,
                   wait_s: float = SYNC_WORKER_WAIT_S) -> AssistView:
    """Worker thread. Ask for a person; when the sync worker happened to claim the request first (it wakes on
    every enqueue, kiosk/urgent.py), take its answer a moment later instead of telling the citizen that the
    network is down."""
    view = assist.request(screen, reason)
    deadline = time.monotonic() + wait_s
    while view.state is AssistState.QUEUED and time.monotonic() < deadline:
        time.sleep(0.2)
        view = assist.poll()
    return view


def submit_complaint(complaints: ComplaintDesk, draft: ComplaintDraft,
                     wait_s: float = SYNC_WORKER_WAIT_S) -> ComplaintOutcome:
    """Worker thread. Record the report; when the sync worker happened to claim it first (it wakes on every
    enqueue), wait a moment for its number rather than print a local reference the citizen cannot look up."""
    outcome = complaints.submit(draft)
    deadline = time.monotonic() + wait_s
    while not outcome.number and not outcome.refused and time.monotonic() < deadline:
        time.sleep(0.2)
        number = complaints.number_of(outcome.entry_id)
        if number:
            return replace(outcome, number=number, message=translate("help.complaint.recorded", number=number))
    return outcome


class _Poller(AssistPoller):
    """An AssistPoller that a new session can let go without waiting for its thread."""

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop_soon(self) -> None:
        self._stop.set()
