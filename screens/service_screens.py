"""Issue #17's screens, for ``screen_classes()`` in screens/app.py."""

from __future__ import annotations

from screens.appointment import AppointmentScreen
from screens.certificates import CertificatesScreen
from screens.delivery import DeliveryScreen
from screens.my_applications import MyApplicationsScreen
from screens.payment import PaymentScreen

SERVICE_SCREENS = (PaymentScreen, AppointmentScreen, CertificatesScreen, MyApplicationsScreen, DeliveryScreen)
