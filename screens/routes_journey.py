"""The citizen's journey as the screens report it (issue #10): identify, choose an item, materials, form,
submit, query-and-print, rate. Each event becomes a desk call (kiosk/desk) and its typed outcome goes to
the presenter; composed into the App as ``app.journey``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from kiosk.i18n import translate
from kiosk.session import Level

if TYPE_CHECKING:
    from kiosk.desk.outcomes import Message
    from screens.app import KioskApp

log = logging.getLogger(__name__)

# The screen that takes each identity step, keyed by kiosk.desk.assurance.Step (a StrEnum: "card" is
# Step.CARD); the desk's modules load after the first frame (issue #16).
IDENTITY_SCREENS = {"card": "identify", "face": "face"}


class JourneyRoutes:
    """One method per citizen event of a journey; decides nothing (the desk does)."""

    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self._face_match: tuple[str, Future] | None = None  # (session id, the early face match)

    def require_identity(self, then: Callable[[], None], need: Level = Level.VERIFIED,
                         hint: Message | None = None) -> None:
        """Ask for exactly the identity step that is missing (the card, then the face), then ``then()``."""
        step = self.app.desk.identity.missing(need)
        if step is None:
            then()
            return
        self.app.desk.identity.need = need
        from kiosk.desk.outcomes import Message

        screen = IDENTITY_SCREENS[step]
        self.app.screen(screen).show_need(hint or Message(f"identify.need_{step.value}"))
        self.app.nav.ask(screen, lambda _identified: self.require_identity(then, need))

    def identify_typed(self, text: str) -> None:
        self.identified(self.app.desk.identity.typed(text))

    def identified(self, outcome: Any) -> None:
        from kiosk.desk.outcomes import Identified

        if self.app.manager.current not in IDENTITY_SCREENS.values():
            return
        if not isinstance(outcome, Identified):
            self.app.access.cue("error")  # refused: a sound before the words, for those who cannot see them
            self.app.presenter.show(outcome)
            return
        if outcome.reminder is not None:  # 证照临期提醒: said, and the journey goes on
            from screens.popups import show_message

            show_message(translate("identify.bar"), outcome.reminder.text())
        if not self.app.nav.answer(outcome):
            self.app.go("catalog")  # identified first, the item chosen after

    def face_steady(self, jpeg: bytes) -> None:
        """The steady face, while the citizen is asked to blink: matched by the platform in parallel, so the
        decision comes as soon as liveness passes (the answer is used only then)."""
        matching = self.app.runtime.run_in_background(self.app.desk.identity.match_face, jpeg)
        self._face_match = (self.app.session.id, matching)

    def face_captured(self, jpeg: bytes) -> None:
        """Liveness passed: the early match's answer, or the live face's best frame sent now (memory only)."""
        early, self._face_match = self._face_match, None
        if early is None or early[0] != self.app.session.id:
            self.app.background(self.app.desk.identity.verify_face, jpeg, on_done=self.identified,
                                on_error=lambda error: log.exception("face check failed", exc_info=error))
            return
        session_id = self.app.session.id

        def decided(done: Future) -> None:
            if self.app.session.id != session_id:
                return  # the citizen left meanwhile
            if done.exception() is not None:  # the early ask failed: ask again with the live frame
                self._face_match = None
                self.face_captured(jpeg)
            else:
                self.identified(self.app.desk.identity.accept_face(done.result()))

        self.app.when_done(early[1], decided)

    def choose_item(self, code: str) -> None:
        if self.app.desk.apply.choose(code):
            self.app.go("guide")

    def start_item(self) -> None:
        from kiosk.desk.outcomes import NeedIdentity

        outcome = self.app.desk.apply.start()
        if isinstance(outcome, NeedIdentity):
            self.require_identity(lambda: self.app.presenter.show(self.app.desk.apply.identified()), outcome.need,
                                  outcome.hint)
        else:
            self.app.presenter.show(outcome)

    def materials_entered(self) -> None:
        """The materials screen is showing: what is known at once, or ask the platform first."""
        if self.app.desk.apply.materials_known:
            self.app.presenter.show(self.app.desk.apply.materials())
        else:
            self.app.run_step(self.app.desk.apply.eligibility)

    def materials_next(self, ticked: list[str], pledge: bool) -> None:
        self.app.presenter.show(self.app.desk.apply.materials_done(ticked, pledge))

    def commitment_agreed(self) -> None:
        self.app.presenter.show(self.app.desk.apply.after_materials())

    def form_done(self, values: dict[str, str]) -> None:
        self.app.presenter.show(self.app.desk.apply.form_done(values))

    def submit_application(self) -> None:
        self.app.run_step(self.app.desk.apply.submit)

    def check_upload(self) -> None:
        """The outbox moved: an application saved on this kiosk may have been uploaded while its citizen is here."""
        if self.app.session.local_reference:
            self.app.run_step(self.app.desk.apply.upload_news)

    def print_query(self) -> None:
        job = self.app.desk.query.print_job()
        if job is not None:
            screen = self.app.screen("query")
            screen.state, screen.status_text = "printing", translate("result.printing")
            self.app.presenter.print(job, screen.show_print)

    def queue_query(self) -> None:
        self.app.run_step(self.app.desk.query.queue)

    def rate(self, level: int) -> None:
        ask = self.app.desk.rating.choose(level)
        if ask is not None:
            self.app.presenter.show(ask)
        else:
            self.app.screen("rating").sending()
            self.submit_rating(level)

    def submit_rating(self, level: int, reasons: list[str] | None = None, callback: bool = False) -> None:
        self.app.background(self.app.desk.rating.send, level, reasons, callback, on_done=self.app.presenter.show,
                            on_error=lambda error: log.warning("rating failed: %s", error))
