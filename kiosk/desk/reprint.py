"""补打回执 at 进度查询: the printed errors promise that a receipt that did not come out can be printed again
there. The copy carries only what progress already shows on a public screen — the item, the receipt number
and its QR, the status and dates — so anyone holding the number may print it, and nothing personal is on it."""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import translate
from kiosk.platform_client import Progress
from kiosk.printing.document import Align, Cut, Document, KeyValue, QrCode, Separator, Text, Title
from kiosk.receipts import receipt_qr_payload


def receipt_copy(progress: Progress, *, item_name: str, status_text: str, centre_name: str, kiosk_id: str,
                 printed_at: dt.datetime | None = None) -> Document:
    accepted = progress.history[0].at if progress.history else ""
    doc = Document(name="receipt-copy")
    doc.add(Text(centre_name, Align.CENTER, bold=True), Title(translate("desk.reprint.title")), Separator("="),
            Text(translate("printing.receipt.number"), Align.CENTER),
            # Double height and width: the number is what the citizen quotes, so it is the largest thing on paper.
            Text(progress.receipt_number, Align.CENTER, bold=True, scale=2),
            KeyValue(translate("printing.receipt.item"), item_name),
            KeyValue(translate("desk.reprint.accepted_at"), _day(accepted)),
            KeyValue(translate("desk.reprint.status"), status_text),
            KeyValue(translate("desk.reprint.printed_at"), (printed_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")),
            Separator(),
            QrCode(receipt_qr_payload(progress.receipt_number), translate("printing.receipt.qr_caption")),
            Text(translate("desk.reprint.note")),
            Separator(), Text(translate("printing.common.footer"), Align.CENTER),
            Text(f"{translate('printing.common.kiosk')} {kiosk_id}", Align.CENTER), Cut())
    return doc


def _day(at: str) -> str:
    try:
        return dt.datetime.fromisoformat(at).strftime("%Y-%m-%d")
    except ValueError:
        return at
