"""Printing: documents (what to print), builders for each slip, the ESC/POS renderer and the print service.

No Kivy here. Devices are reached through ``devices.printer``; this package never talks to hardware itself.
"""

from kiosk.printing.document import (
    Align,
    Barcode,
    Cut,
    Document,
    Feed,
    KeyValue,
    QrCode,
    Separator,
    Table,
    Text,
    Title,
)
from kiosk.printing.escpos import render
from kiosk.printing.profiles import PROFILES, PrinterProfile, get_profile

__all__ = [
    "PROFILES",
    "Align",
    "Barcode",
    "Cut",
    "Document",
    "Feed",
    "KeyValue",
    "PrinterProfile",
    "QrCode",
    "Separator",
    "Table",
    "Text",
    "Title",
    "get_profile",
    "render",
]
