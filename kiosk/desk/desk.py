"""The desk: every citizen journey as plain Python, no Kivy (issue #10, DESIGN.md "the journeys live in
the core"). Each step takes the citizen's input and returns a typed outcome (kiosk.desk.outcomes) that says
what the citizen sees next; the App only routes. Steps marked "worker thread" do I/O."""

from __future__ import annotations

from kiosk.catalog import Catalog
from kiosk.config import KioskConfig
from kiosk.desk.application import ApplicationDesk
from kiosk.desk.context import DeskContext, DeskServices
from kiosk.desk.identity import IdentityDesk
from kiosk.desk.query import QueryDesk
from kiosk.desk.rating import RatingDesk
from kiosk.desk.service import ServiceDesk
from kiosk.desk.service_finish import ServiceFinish
from kiosk.session import Session


class Desk:
    def __init__(self, config: KioskConfig, services: DeskServices) -> None:
        self.context = DeskContext(config, services)
        self.identity = IdentityDesk(self.context)
        self.apply = ApplicationDesk(self.context)
        self.query = QueryDesk(self.context)
        self.rating = RatingDesk(self.context)
        self.service = ServiceDesk(self.context)
        self.finish = ServiceFinish(self.context)  # fees, delivery, appointments, 电子证照, 我的办件 (issue #17)

    @property
    def session(self) -> Session:
        return self.context.session

    @property
    def catalog(self) -> Catalog | None:
        return self.context.catalog

    @catalog.setter
    def catalog(self, catalog: Catalog | None) -> None:
        self.context.catalog = catalog

    def end_session(self) -> str:
        """Forget everything of this citizen; returns the ended session's id (its paper is dropped by it)."""
        ended = self.context.session.id
        self.context.session.wipe()
        return ended
