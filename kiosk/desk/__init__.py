"""The desk: the citizen journeys as plain Python (see kiosk/desk/desk.py and docs/ARCHITECTURE.md).

``Desk`` and ``Services`` are imported on first use (PEP 562), so importing one small module of the package
(``kiosk.desk.outcomes`` for the presenter, ``kiosk.desk.assurance``) does not load every journey, the outbox
and the platform client before the kiosk's first frame (issue #16)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.desk.context import Services
    from kiosk.desk.desk import Desk

__all__ = ["Desk", "Services"]


def __getattr__(name: str) -> Any:
    if name == "Desk":
        from kiosk.desk.desk import Desk

        return Desk
    if name == "Services":
        from kiosk.desk.context import Services

        return Services
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
