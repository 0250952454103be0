"""The application journey for one item, from the guide's "我要办理": identify if needed, then materials
(一次性告知 / 容缺 / 告知承诺) → form → confirm → submit → the printed receipt; a query-and-print item goes to
``QueryDesk`` instead.

Steps that talk to the platform or the outbox are marked "worker thread": the App runs them in the background
and routes what they answer. The others are instant and run on the UI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from kiosk.desk.assurance import missing_step, required_level
from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import (
    AskCommitment,
    FieldRefused,
    LoadEligibility,
    Message,
    MissingNotice,
    NeedIdentity,
    PrintJob,
    RunQuery,
    SavedOffline,
    ShowConfirm,
    ShowForm,
    ShowMaterials,
    StepRefused,
    SubmitRefused,
    Submitted,
    Uploaded,
)
from kiosk.desk.refusals import submit_refusal
from kiosk.flow import FlowError
from kiosk.masking import mask_id_number, mask_name
from kiosk.outbox_adapter import PROOF_KEY
from kiosk.platform_client import Eligibility
from kiosk.shown_names import shown_names, translated_names

log = logging.getLogger(__name__)


class ApplicationDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context
        self._eligibility_for: str | None = None  # the item whose eligibility answer (or its absence) is in

    @property
    def session(self):  # noqa: ANN201 - kiosk.session.Session
        return self.context.session

    # -- choose and start ---------------------------------------------------------------------------------
    def choose(self, code: str) -> bool:
        """Choose an item from the catalog; False when there is no catalog yet."""
        if self.context.catalog is None:
            return False
        self.context.flow.choose(self.context.catalog, code)
        self._eligibility_for = None
        return True

    def start(self) -> NeedIdentity | RunQuery | ShowForm | LoadEligibility | StepRefused:
        """"我要办理" on the guide."""
        item = self.context.item()
        if item is None:
            return StepRefused(Message("flow.error.no_item"))
        need = required_level(item)
        step = missing_step(self.session.citizen, need)
        if step is not None:
            return NeedIdentity(need, step)
        return self.identified()

    def identified(self) -> NeedIdentity | RunQuery | ShowForm | LoadEligibility | StepRefused:
        """The citizen is identified (or the item needs no identity): the first step of the item itself."""
        item = self.context.item()
        if item is None:
            return StepRefused(Message("flow.error.no_item"))
        need = required_level(item)
        step = missing_step(self.session.citizen, need)
        if step is not None:  # never a request above the level the session holds
            return NeedIdentity(need, step)
        if item.kind == "query_print":
            return ShowForm(item, dict(self.session.form)) if item.fields else RunQuery()
        if item.kind == "appointment":  # a slot list, not an application (kiosk/desk/appointment.py, issue #17)
            from kiosk.desk.outcomes_service import LoadSlots

            return LoadSlots(item.code)
        self._eligibility_for = None
        return LoadEligibility(item)

    def eligibility(self) -> ShowMaterials | StepRefused:
        """Worker thread: whether 告知承诺 may be offered and which materials the platform fetches itself.
        Offline or unknown to the platform, the guide's shared flags still hold and 告知承诺 is not offered."""
        item, citizen, client = self.context.item(), self.session.citizen, self.context.services.client
        if item is None or citizen is None or missing_step(citizen, required_level(item)) is not None:
            return StepRefused(Message("identify.typed_not_enough"))  # never above the level held
        answer: Eligibility | None = None
        if client is not None:
            try:
                answer = client.eligibility(citizen.id_number, item.code, proof=citizen.proof_token)
            except Exception as error:  # noqa: BLE001 - offline or unknown: continue with the guide's data
                log.info("eligibility not available (%s); continuing with the guide's data", type(error).__name__)
        self.session.eligibility = answer
        self._eligibility_for = item.code
        return self.materials()

    def materials(self) -> ShowMaterials | StepRefused:
        """What the materials screen shows now (also when coming back to it)."""
        item = self.context.item()
        if item is None:
            return StepRefused(Message("flow.error.no_item"))
        fetched = self.context.flow.fetched_materials()
        return ShowMaterials(item, None if fetched is None else frozenset(fetched),
                             self.context.flow.commitment_offer(item), frozenset(self.session.materials_present))

    @property
    def materials_known(self) -> bool:
        """The eligibility answer for the current item is in (so the materials can be shown at once)."""
        return self._eligibility_for is not None and self._eligibility_for == self.session.item_code

    # -- materials ----------------------------------------------------------------------------------------
    def materials_done(self, ticked: Iterable[str], pledge: bool,
                       today: dt.date | None = None) -> ShowForm | ShowConfirm | AskCommitment | MissingNotice | StepRefused:
        item = self.context.item()
        if item is None:
            return StepRefused(Message("flow.error.no_item"))
        try:
            check = self.context.flow.check_materials(item, ticked, pledge=pledge,
                                                      today=today or self.context.today())
        except FlowError as error:
            return StepRefused(Message(error.key))
        if check.outcome == "complete":
            return self.after_materials()
        if check.outcome in ("waiver", "pledge"):
            return AskCommitment(check, self.context.flow.commitment_offer(item))
        return MissingNotice(check, PrintJob(self._notice(check), Message("result.paper_printed")))

    def after_materials(self) -> ShowForm | ShowConfirm | StepRefused:
        """Materials complete, or the commitment agreed: the form if the item has one, else confirm."""
        item = self.context.item()
        if item is None:
            return StepRefused(Message("flow.error.no_item"))
        if not item.fields:
            return ShowConfirm()
        return ShowForm(item, {**self.session.form_draft, **self.session.form})

    def keep_draft(self, values: Mapping[str, str]) -> None:
        """The citizen stepped back out of the form: what they typed waits for them (this session only)."""
        item = self.context.item()
        known = {field.key for field in item.fields} if item is not None else set()
        self.session.form_draft = {key: value for key, value in values.items() if key in known and value}

    def _notice(self, check):  # noqa: ANN001, ANN202 - MaterialsCheck → Document
        from kiosk.printing.documents import missing_materials_notice

        citizen, kiosk, item = self.session.citizen, self.context.config.kiosk, self.context.item()
        notice = check.notice(centre_name=kiosk.centre_name, applicant_name=citizen.name,
                              applicant_id_number=citizen.id_number, issued_at=dt.datetime.now(),
                              kiosk_id=kiosk.device_id, names=translated_names(item) if item else None)
        return missing_materials_notice(notice)

    # -- the form -----------------------------------------------------------------------------------------
    def form_done(self, values: Mapping[str, str]) -> FieldRefused | RunQuery | ShowConfirm | StepRefused:
        item = self.context.item()
        if item is None:
            return StepRefused(Message("flow.error.no_item"))
        check = self.context.flow.fill_form(item, values)
        if not check.ok:
            key, error = next(iter(check.errors.items()))
            label = shown_names(item).label(item.field(key))
            return FieldRefused(key, Message(error.key, {"detail": error.detail, "label": label}))
        return RunQuery() if item.kind == "query_print" else ShowConfirm()

    # -- confirm ------------------------------------------------------------------------------------------
    def confirm_rows(self) -> list[tuple[str, str]]:
        """(label, value) rows the confirm screen may show on a public screen: the name and ID masked, the
        phone never (it is for the callback only)."""
        item, citizen = self.context.item(), self.session.citizen
        if item is None or citizen is None:
            return []
        names = shown_names(item)  # in the citizen's language; what is sent stays Chinese
        rows = [
            (Message("confirm.item").text(), names.item),
            (Message("confirm.applicant").text(), mask_name(citizen.name) or Message("confirm.name_unknown").text()),
            (Message("confirm.id_number").text(), mask_id_number(citizen.id_number)),
            (Message("confirm.time_limit").text(), Message("confirm.days", {"days": item.guide.promised_limit_days}).text()),
        ]
        return rows + [(names.label(field), names.value(field, self.session.form[field.key])) for field in item.fields
                       if field.key in self.session.form and field.type != "phone"]

    # -- submit -------------------------------------------------------------------------------------------
    def submit(self) -> Submitted | SavedOffline | SubmitRefused:
        """Worker thread. Through the outbox: saved durably first, then "submitted" only once the platform
        acknowledged; otherwise "saved on this kiosk" with a local reference, uploaded automatically later."""
        submitter = self.context.services.submitter
        if missing_step(self.session.citizen, required_level(self.context.item())) is not None:
            return SubmitRefused(Message("identify.typed_not_enough"))  # never above the level held
        if submitter is None:
            return SubmitRefused(Message("confirm.error.unreachable"))
        try:
            body, key = self.context.flow.prepare_submission()
            proof = self.session.citizen.proof_token if self.session.citizen else None
            if proof:  # queued with the entry, encrypted at rest, sent as a header (kiosk/outbox_adapter.py)
                body = {**body, PROOF_KEY: proof}
            pages = list(self.session.pages)  # photographed materials (kiosk/desk/capture.py): the images
            if pages:
                body = {**body, "photographed": [material for material, _page in pages]}
            outcome = submitter.submit_application(body, images=[page.jpeg for _material, page in pages],
                                                   session_key=key)
        except FlowError as error:
            return SubmitRefused(Message(error.key))
        except Exception as error:  # noqa: BLE001 - worded for the citizen, logged for the technician
            return SubmitRefused(submit_refusal(error))
        if outcome.submitted:
            self.context.flow.record_submission(outcome)
            members = tuple((self.context.item_name(m.item_code), m.receipt_number) for m in self.session.member_receipts)
            return Submitted(outcome.receipt_number, members, self._receipt_jobs())
        if outcome.status == "saved_locally":
            self.session.receipt_number = outcome.local_reference
            self.session.local_reference = outcome.local_reference
            self.session.submitted = False
            return SavedOffline(outcome.local_reference, Message(outcome.message_key), self._receipt_jobs())
        return SubmitRefused(Message(outcome.message_key))

    def _receipt_jobs(self) -> tuple[PrintJob, ...]:
        from kiosk.receipts import acceptance_receipt_for, commitment_slip_for

        item = self.context.item()
        if item is None:
            return ()
        jobs = [PrintJob(acceptance_receipt_for(self.session, item, self.context.config, self.context.catalog),
                         Message("result.printed"))]
        slip = commitment_slip_for(self.session, item, self.context.config)
        if slip is not None:  # 容缺 / 告知承诺: the written commitment goes home with the citizen too
            jobs.append(PrintJob(slip, Message("result.slip_printed"), purpose="slip"))
        return tuple(jobs)

    def upload_news(self) -> Uploaded | None:
        """Worker thread: has the application saved on this kiosk reached the platform meanwhile?"""
        reference, submitter = self.session.local_reference, self.context.services.submitter
        if not reference or submitter is None:
            return None
        receipt = submitter.receipt_for(reference)
        return Uploaded(receipt) if receipt else None
