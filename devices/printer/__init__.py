"""ESC/POS thermal printers: connections by URL, real-time status, the virtual printer and a byte interpreter.

No ``kiosk`` imports: documents and i18n live in ``kiosk.printing``; this package only moves and reads bytes.
"""

from devices.printer.connection import Printer, PrinterConnectionError, open_printer
from devices.printer.status import PrinterProblem, PrinterStatusReport, decode_status
from devices.printer.virtual import VirtualPrinter

__all__ = [
    "Printer",
    "PrinterConnectionError",
    "PrinterProblem",
    "PrinterStatusReport",
    "VirtualPrinter",
    "decode_status",
    "open_printer",
]
