"""The desk: the citizen journeys as plain Python (see kiosk/desk/desk.py and docs/ARCHITECTURE.md)."""

from kiosk.desk.context import Services
from kiosk.desk.desk import Desk

__all__ = ["Desk", "Services"]
