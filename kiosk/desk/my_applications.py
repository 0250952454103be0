"""我的办件 (issue #17): with a verified identity, the citizen's applications from this kiosk and every other
channel, their states, which results are ready for pickup, and their appointments — without the receipt."""

from __future__ import annotations

import logging

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message
from kiosk.desk.outcomes_service import MyApplicationRow, MyApplicationsRefused, ShowMyApplications
from kiosk.desk.refusals import is_outage
from kiosk.desk.service import status_message, step_time
from kiosk.session import Level

log = logging.getLogger(__name__)


class MyApplicationsDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def load(self) -> ShowMyApplications | MyApplicationsRefused:
        """Worker thread."""
        citizen, client = self.context.session.citizen, self.context.services.client
        if citizen is None or citizen.level < Level.VERIFIED:
            return MyApplicationsRefused(Message("identify.typed_not_enough"))
        if client is None:
            return MyApplicationsRefused(Message("finish.mine.offline"))
        try:
            applications = client.my_applications(citizen.id_number, proof=citizen.proof_token)
            appointments = client.my_appointments(citizen.id_number, proof=citizen.proof_token)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            log.info("my applications not available (%s)", type(error).__name__)
            return MyApplicationsRefused(Message("finish.mine.offline" if is_outage(error) else "finish.mine.failed"))
        rows = tuple(MyApplicationRow(
            receipt_number=a.receipt_number, item_name=self.context.shown_item_name(a.item_code),
            status=status_message(a.status), when=step_time(a.created_at),
            where=Message(f"finish.mine.{a.channel if a.channel in ('kiosk', 'online') else 'online'}"),
            ready=a.ready_for_pickup) for a in applications)
        return ShowMyApplications(rows, tuple(a for a in appointments if a.status == "booked"),
                                  sum(1 for row in rows if row.ready))
