"""Query and print (查询打印): the platform's record for the citizen (or an enterprise by its credit code),
shown, then printed. Offline the query is registered, a slip prints, and the result is collected later at
结果领取 by scanning the slip."""

from __future__ import annotations

import logging

from kiosk.desk.assurance import missing_step, required_level
from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message, PrintJob, QueryFailed, QueryQueued, QueryReady, StepRefused
from kiosk.desk.refusals import is_outage, query_refusal
from kiosk.outbox_adapter import PROOF_KEY
from kiosk.platform_client import new_idempotency_key

log = logging.getLogger(__name__)


class QueryDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def subject(self) -> dict[str, str]:
        """Whose record is asked for: an enterprise when the form has its credit code, else the citizen."""
        session = self.context.session
        credit_code = session.form.get("credit_code")
        person = {"id_number": session.citizen.id_number} if session.citizen else {}
        if credit_code:  # the person acting for it is named too: the platform checks they may (403 if not)
            return {"credit_code": credit_code, **person}
        return person

    def fetch(self) -> QueryReady | QueryFailed | StepRefused:
        """Worker thread."""
        session, client, item = self.context.session, self.context.services.client, self.context.item()
        if item is None or missing_step(session.citizen, required_level(item)) is not None:
            return StepRefused(Message("identify.typed_not_enough"))  # never above the level held
        if session.idempotency_key is None:
            session.idempotency_key = new_idempotency_key()
        can_queue = self.context.services.submitter is not None
        if client is None:
            return QueryFailed(Message("query.offline"), offline=True, can_queue=can_queue)
        try:
            document = client.query(item.code, session.idempotency_key, proof=session.citizen.proof_token,
                                    **self.subject())
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            offline = is_outage(error)
            return QueryFailed(query_refusal(error), offline=offline, can_queue=offline and can_queue)
        session.query_document = document
        return QueryReady(document)

    def print_job(self) -> PrintJob | None:
        """The fetched record as paper: the applicant masked by the layout, the verification code last."""
        from kiosk.printing.documents import query_result
        from kiosk.rules.queries import printable

        session, kiosk = self.context.session, self.context.config.kiosk
        if session.query_document is None or session.citizen is None:
            return None
        result = printable(session.query_document, centre_name=kiosk.centre_name, kiosk_id=kiosk.device_id,
                           applicant_id_number=session.citizen.id_number, applicant_name=session.citizen.name)
        return PrintJob(query_result(result), Message("result.paper_printed"))

    def queue(self) -> QueryQueued | QueryFailed:
        """Worker thread. Offline: register the query so the result can be picked up later (自助领取), and
        print a slip with the reference and its QR."""
        from kiosk.receipts import acceptance_receipt_for

        session, submitter, item = self.context.session, self.context.services.submitter, self.context.item()
        if submitter is None or item is None or session.citizen is None:
            return QueryFailed(Message("query.failed"), offline=True, can_queue=False)
        body = {"item_code": item.code, "id_number": session.citizen.id_number, **self.subject()}
        if session.citizen.proof_token:  # the platform accepts it later on this deferred request
            body[PROOF_KEY] = session.citizen.proof_token
        try:
            reference = submitter.queue_query(body)
        except Exception as error:  # noqa: BLE001 - e.g. a full disk: nothing was promised
            log.error("queueing a query failed: %s", error)
            return QueryFailed(Message("query.failed"), offline=True, can_queue=False)
        session.receipt_number = reference
        session.local_reference = reference
        session.submitted = False
        document = acceptance_receipt_for(session, item, self.context.config)
        return QueryQueued(reference, PrintJob(document, Message("result.paper_printed")))
