"""Issue #17's journeys on one desk attribute (``Desk.finish``): fees, delivery, appointments, electronic
certificates and 我的办件, each its own module."""

from __future__ import annotations

from kiosk.desk.appointment import AppointmentDesk
from kiosk.desk.certificates import CertificateDesk
from kiosk.desk.context import DeskContext
from kiosk.desk.delivery import DeliveryDesk
from kiosk.desk.my_applications import MyApplicationsDesk
from kiosk.desk.payment import PaymentDesk


class ServiceFinish:
    def __init__(self, context: DeskContext) -> None:
        self.payment = PaymentDesk(context)
        self.delivery = DeliveryDesk(context)
        self.appointments = AppointmentDesk(context)
        self.certificates = CertificateDesk(context)
        self.mine = MyApplicationsDesk(context)
