"""The application journey for one item, driven from the guide's "我要办理": identify if needed, then
query-and-print, or materials (一次性告知 / 容缺 / 告知承诺) → form → confirm → submit.

A mixin of the App: it decides which screen comes next from what ``kiosk.flow`` and ``kiosk.rules``
answer, and does every platform call and print job off the UI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from kiosk.flow import FlowError
from kiosk.i18n import translate
from kiosk.platform_client import PlatformError

log = logging.getLogger(__name__)
JOURNEY_KV = ("materials", "commitment", "notice", "form", "query")


def _journey_screens() -> tuple:
    from screens.commitment import CommitmentScreen
    from screens.form import FormScreen
    from screens.materials import MaterialsScreen
    from screens.notice import NoticeScreen
    from screens.query import QueryScreen

    return (MaterialsScreen, CommitmentScreen, NoticeScreen, FormScreen, QueryScreen)


class ApplicationJourneyMixin:
    # -- start --------------------------------------------------------------------------------------------
    def start_item(self) -> None:
        item = self.current_item()
        if item is None:
            return
        if item.needs_identity:
            self.require_identity(then=self._item_identified)
        else:
            self._item_identified()

    def _item_identified(self) -> None:
        item = self.current_item()
        if item.kind == "query_print":
            if item.fields:
                self._open_form(item)
            else:
                self.fetch_query()
            return
        self._materials_ready_for = None
        self.go("materials")
        citizen = self.session.citizen
        self.background(self.runtime.client.eligibility, citizen.id_number, item.code,
                        on_done=self._eligibility_known, on_error=self._eligibility_unknown)

    def _eligibility_known(self, eligibility: Any) -> None:
        self.session.eligibility = eligibility
        self._materials_ready_for = self.session.item_code
        self._show_materials()

    def _eligibility_unknown(self, error: BaseException) -> None:
        # Offline or unknown to the platform: the guide's shared flags still hold; no 告知承诺 offer.
        log.info("eligibility not available (%s); continuing with the guide's data", type(error).__name__)
        self.session.eligibility = None
        self._materials_ready_for = self.session.item_code
        self._show_materials()

    def materials_entered(self) -> None:
        """Back on the materials screen (e.g. from the commitment screen): show what is known at once."""
        if getattr(self, "_materials_ready_for", None) == self.session.item_code:
            self._show_materials()

    def _show_materials(self) -> None:
        item = self.current_item()
        self.screen("materials").show(item, self.flow.fetched_materials(), self.flow.commitment_offer(item),
                                      ticked=self.session.materials_present)

    # -- materials ----------------------------------------------------------------------------------------
    def materials_next(self, ticked: list[str], pledge: bool) -> None:
        item = self.current_item()
        try:
            check = self.flow.check_materials(item, ticked, pledge=pledge)
        except FlowError as error:
            from screens.popups import show_message

            show_message(translate("materials.bar"), translate(error.key))
            return
        if check.outcome == "complete":
            self._after_materials()
        elif check.outcome in ("waiver", "pledge"):
            self.screen("commitment").show(check, self.flow.commitment_offer(item))
            self.go("commitment")
        else:
            self._print_notice(check)

    def commitment_agreed(self) -> None:
        self._after_materials()

    def _after_materials(self) -> None:
        item = self.current_item()
        if item.fields:
            self._open_form(item)
        else:
            self.go("confirm")

    def _print_notice(self, check: Any) -> None:
        from kiosk.printing.documents import missing_materials_notice

        screen = self.screen("notice")
        screen.show(check)
        self.go("notice")
        citizen = self.session.citizen
        notice = check.notice(centre_name=self.config_kiosk.kiosk.centre_name, applicant_name=citizen.name,
                              applicant_id_number=citizen.id_number, issued_at=dt.datetime.now(),
                              kiosk_id=self.config_kiosk.kiosk.device_id)
        self.print_and_show(missing_materials_notice(notice), screen.show_print)

    # -- the form -----------------------------------------------------------------------------------------
    def _open_form(self, item: Any) -> None:
        self.screen("form").start(item, self.session.form)
        self.go("form")

    def form_done(self, values: dict[str, str]) -> None:
        item = self.current_item()
        check = self.flow.fill_form(item, values)
        if not check.ok:
            key, error = next(iter(check.errors.items()))
            self.screen("form").show_error(translate(error.key, detail=error.detail, label=item.field(key).label))
            return
        if item.kind == "query_print":
            self.fetch_query()
        else:
            self.go("confirm")

    # -- query and print ----------------------------------------------------------------------------------
    def fetch_query(self) -> None:
        from kiosk.platform_client import new_idempotency_key

        item = self.current_item()
        screen = self.screen("query")
        self.go("query")
        screen.loading()
        if self.session.idempotency_key is None:
            self.session.idempotency_key = new_idempotency_key()
        credit_code = self.session.form.get("credit_code")
        kwargs = {"credit_code": credit_code} if credit_code else {"id_number": self.session.citizen.id_number}
        self.background(self.runtime.client.query, item.code, self.session.idempotency_key,
                        on_done=self._query_answered, on_error=self._query_failed, **kwargs)

    def _query_answered(self, document: Any) -> None:
        self.session.query_document = document
        self.screen("query").show_document(document)

    def _query_failed(self, error: BaseException) -> None:
        offline = isinstance(error, PlatformError) and error.kind in ("unreachable", "server")
        if offline:
            text = translate("query.offline")
        elif isinstance(error, PlatformError) and error.status == 404:
            text = translate("query.not_found")
        else:
            text = translate("query.failed")
        self.screen("query").show_failure(text, offline, can_queue=offline and self.runtime.submitter is not None)

    def print_query(self) -> None:
        from kiosk.printing.documents import query_result
        from kiosk.rules.queries import printable

        document = self.session.query_document
        citizen = self.session.citizen
        screen = self.screen("query")
        screen.state = "printing"
        screen.status_text = translate("result.printing")
        result = printable(document, centre_name=self.config_kiosk.kiosk.centre_name,
                           kiosk_id=self.config_kiosk.kiosk.device_id, applicant_id_number=citizen.id_number,
                           applicant_name=citizen.name)
        self.print_and_show(query_result(result), screen.show_print)

    def queue_query(self) -> None:
        """Offline: register the query so the result can be picked up later at a kiosk (自助领取)."""
        screen = self.screen("query")
        body = {"item_code": self.session.item_code, "id_number": self.session.citizen.id_number,
                **({"credit_code": self.session.form["credit_code"]} if "credit_code" in self.session.form else {})}
        self.background(self.runtime.submitter.queue_query, body, on_done=self._query_queued,
                        on_error=lambda error: screen.show_failure(str(error), offline=True, can_queue=False))

    def _query_queued(self, reference: str) -> None:
        """Print a slip with the reference and its QR: scanned later at 结果领取, it finds the result."""
        from kiosk.receipts import acceptance_receipt_for

        screen = self.screen("query")
        self.session.receipt_number = reference
        self.session.local_reference = reference
        self.session.submitted = False
        document = acceptance_receipt_for(self.session, self.current_item(), self.config_kiosk)
        self.print_and_show(document, lambda text, image, printed: screen.show_print(
            translate("query.queued", reference=reference) + "\n" + text, image, printed))
