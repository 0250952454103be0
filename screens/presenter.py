"""Shows a desk outcome: which screen comes next and what it displays. Presentation only — every decision
was taken by the desk (kiosk/desk); here an outcome type maps to the screen that shows it."""

from __future__ import annotations

import logging
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any

from kiosk.desk import outcomes as o
from kiosk.desk.outcomes_help import ComplaintStatusView
from kiosk.desk.paper import paper_message
from kiosk.desk.service import TICKET_HOME_DELAY_S

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)


class Presenter:
    def __init__(self, app: KioskApp) -> None:
        self.app = app

    def screen(self, name: str) -> Any:
        return self.app.screen(name)

    @singledispatchmethod
    def show(self, outcome: Any) -> None:
        raise TypeError(f"no screen shows {type(outcome).__name__}; add a Presenter.show for it")

    @show.register(type(None))
    def _(self, outcome: None) -> None:  # a step with nothing new to show
        return None

    # -- identify -----------------------------------------------------------------------------------------
    @show.register
    def _(self, outcome: o.NeedIdentity) -> None:
        self.app.journey.require_identity(lambda: None, outcome.need, outcome.hint)

    @show.register
    def _(self, outcome: o.IdentifyRefused) -> None:
        current = self.app.manager.current
        screen = self.screen(current if current in ("identify", "face") else "identify")
        screen.show_status("")
        screen.show_error(outcome.message.text())

    # -- the application journey --------------------------------------------------------------------------
    @show.register
    def _(self, outcome: o.LoadEligibility) -> None:
        self.app.go("materials")  # shows "loading" until the platform answered

    @show.register
    def _(self, outcome: o.ShowMaterials) -> None:
        self.screen("materials").show(outcome.item, None if outcome.fetched is None else set(outcome.fetched),
                                      outcome.offer, ticked=set(outcome.ticked))

    @show.register
    def _(self, outcome: o.AskCommitment) -> None:
        self.screen("commitment").show(outcome.check, outcome.offer)
        self.app.go("commitment")

    @show.register
    def _(self, outcome: o.MissingNotice) -> None:
        screen = self.screen("notice")
        screen.show(outcome.check)
        self.app.go("notice")
        self.print(outcome.job, screen.show_print)

    @show.register
    def _(self, outcome: o.ShowForm) -> None:
        self.screen("form").start(outcome.item, dict(outcome.values))
        self.app.go("form")

    @show.register
    def _(self, outcome: o.FieldRefused) -> None:
        self.screen("form").show_error(outcome.message.text())

    @show.register
    def _(self, outcome: o.ShowConfirm) -> None:
        self.app.go("confirm")

    @show.register
    def _(self, outcome: o.StepRefused) -> None:
        from screens.popups import show_message

        show_message(self.app.top_bar.title, outcome.message.text())

    @show.register
    def _(self, outcome: o.Submitted) -> None:
        result = self.screen("result")
        result.show(o.Message("result.submitted").text(), outcome.receipt_number)
        if outcome.members:
            result.show_members(list(outcome.members))
        self.app.go("result")
        self._print_receipts(outcome.jobs)

    @show.register
    def _(self, outcome: o.SavedOffline) -> None:
        result = self.screen("result")
        result.show(o.Message("result.saved_locally").text(), outcome.reference)
        result.show_slip(outcome.message.text())
        self.app.go("result")
        self._print_receipts(outcome.jobs)

    def _print_receipts(self, jobs: tuple[o.PrintJob, ...]) -> None:
        result = self.screen("result")
        for job in jobs:
            if job.purpose == "slip":
                self.print(job, lambda text, _image, _ok: result.show_slip(text))
            else:
                self.print(job, result.show_print)

    @show.register
    def _(self, outcome: o.SubmitRefused) -> None:
        self.screen("confirm").show_error(outcome.message.text())

    @show.register
    def _(self, outcome: o.Uploaded) -> None:
        if self.app.manager.current in ("result", "rating"):
            text = o.Message("result.uploaded", {"receipt": outcome.receipt_number}).text()
            self.screen("result").show_slip(text)
            if self.app.manager.current == "rating":
                self.screen("rating").show_thanks(text)

    # -- query and print ----------------------------------------------------------------------------------
    @show.register
    def _(self, outcome: o.RunQuery) -> None:
        screen = self.screen("query")
        self.app.go("query")
        screen.loading()
        self.app.run_step(self.app.desk.query.fetch)

    @show.register
    def _(self, outcome: o.QueryReady) -> None:
        self.screen("query").show_document(outcome.document)

    @show.register
    def _(self, outcome: o.QueryFailed) -> None:
        self.screen("query").show_failure(outcome.message.text(), outcome.offline, outcome.can_queue)

    @show.register
    def _(self, outcome: o.QueryQueued) -> None:
        screen = self.screen("query")
        queued = o.Message("query.queued", {"reference": outcome.reference}).text()
        self.print(outcome.job, lambda text, image, printed: screen.show_print(f"{queued}\n{text}", image, printed))

    # -- rating -------------------------------------------------------------------------------------------
    @show.register
    def _(self, outcome: o.AskRatingReasons) -> None:
        self.screen("rating").ask_reasons(outcome.level, outcome.reason_keys, outcome.callback_phone.text())

    @show.register
    def _(self, outcome: o.Rated) -> None:
        self.screen("rating").show_thanks(outcome.message.text())
        self.app.end_session_soon(2.5)

    # -- progress, pickup, tickets ------------------------------------------------------------------------
    @show.register
    def _(self, outcome: o.LookingUp) -> None:
        screen = self.screen("progress")
        if screen.stage == "looking_up":
            return  # the camera sees the same receipt many times a second
        screen.show_looking_up(outcome.receipt_number)
        self.app.run_step(self.app.desk.service.look_up, outcome.receipt_number, screen.mode)

    @show.register
    def _(self, outcome: o.ReceiptRefused) -> None:
        self.screen("progress").show_error(outcome.message.text())

    @show.register
    def _(self, outcome: o.ProgressView) -> None:
        if self.app.manager.current == "progress":
            self.screen("progress").show_progress(outcome)

    @show.register
    def _(self, outcome: ComplaintStatusView) -> None:  # a TS… number at 进度查询 (screens/routes_help.py)
        if self.app.manager.current == "progress":
            self.screen("progress").show_complaint(outcome)

    @show.register
    def _(self, outcome: o.PickupReady) -> None:
        self.screen("progress").progress = outcome.progress
        self.app.journey.require_identity(lambda: self._pick_up(outcome.progress), outcome.need, outcome.hint)

    def _pick_up(self, progress: Any) -> None:
        screen = self.screen("pickup")
        screen.show_working(progress.receipt_number, o.Message("desk.pickup.working").text())
        self.app.go("pickup")
        self.app.run_step(self.app.desk.service.pick_up, progress)

    @show.register
    def _(self, outcome: o.PickedUp) -> None:
        screen = self.screen("pickup")
        screen.show_done(o.Message("desk.pickup.done").text(), o.Message("desk.pickup.printing").text())
        self.print(outcome.job, screen.show_print)

    @show.register
    def _(self, outcome: o.PickupRefused) -> None:
        if outcome.other_card:
            self.screen("identify").reset()
        self.screen("pickup").show_refused(o.Message("desk.pickup.refused").text(), outcome.reason.text(),
                                           outcome.other_card)

    @show.register
    def _(self, outcome: o.PickupFailed) -> None:
        self.screen("pickup").show_failed(o.Message("desk.pickup.failed").text(), outcome.reason.text())

    @show.register
    def _(self, outcome: o.TicketIssued) -> None:
        screen = self.screen("ticket")
        screen.show_ticket(outcome.number, outcome.waiting.text(), outcome.offline)
        session_id = self.app.desk.session.id

        def printed(text: str, _image: str, ok: bool) -> None:
            screen.show_print(text, ok)
            # Home after a moment, unless the citizen already left (a new session must not be cut short).
            self.app.end_session_soon(TICKET_HOME_DELAY_S, only_on="ticket", session_id=session_id)

        self.print(outcome.job, printed)

    @show.register
    def _(self, outcome: o.TicketRefused) -> None:
        self.screen("ticket").show_error(outcome.message.text())

    # -- paper --------------------------------------------------------------------------------------------
    def print(self, job: o.PrintJob, show: Any) -> None:
        """Print for the current session, then ``show(text, png_path, confirmed)`` on the UI thread."""

        def done(result: Any) -> None:
            image = str(result.png_path) if getattr(result, "png_path", None) else ""
            show(paper_message(result, job).text(), image, result.ok)

        self.app.print_for_session(job.document, done)

