"""What every desk journey shares: the config, the platform services, the catalog and this citizen's session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.catalog import Catalog, CatalogItem
from kiosk.config import KioskConfig
from kiosk.flow import ServiceFlow
from kiosk.platform_client import PlatformClient
from kiosk.session import Session


class DeskServices(Protocol):
    """Where the desk finds the platform and the outbox. ``KioskRuntime`` is one (they exist once it has
    started, so they are read at each call, never kept); the journey tests build one from a real sandbox."""

    client: PlatformClient | None
    submitter: Any  # kiosk.submission.Submitter | None


@dataclass(slots=True)
class Services:
    """A plain ``DeskServices`` for tools and tests that do not run the whole runtime."""

    client: PlatformClient | None = None
    submitter: Any = None


@dataclass
class DeskContext:
    config: KioskConfig
    services: DeskServices
    session: Session = field(default_factory=Session)
    catalog: Catalog | None = None
    # The desk's clock for deadlines (容缺 补交 dates): a test fixes the day here rather than patching datetime.
    today: Callable[[], dt.date] = dt.date.today

    def __post_init__(self) -> None:
        self.flow = ServiceFlow(self.session)  # the session's rules (kiosk.flow), bound to this session

    def item(self) -> CatalogItem | None:
        """The chosen item; a bundle as its merged item (one form, one de-duplicated materials list)."""
        from kiosk.rules.bundles import effective_item

        if self.catalog is None or self.session.item_code is None:
            return None
        return effective_item(self.catalog, self.session.item_code)

    def shown_item_name(self, code: str) -> str:
        """The item's name in the citizen's language, for screens; ``item_name`` is the office's Chinese, for
        paper and the platform."""
        from kiosk.shown_names import shown_names

        if self.catalog is None:
            return code
        try:
            return shown_names(self.catalog.item(code)).item
        except KeyError:
            return code

    def item_name(self, code: str) -> str:
        if self.catalog is None:
            return code
        try:
            return self.catalog.item(code).name
        except KeyError:
            return code  # an item retired from the catalog still has its progress and receipts
