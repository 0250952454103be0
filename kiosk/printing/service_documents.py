"""Issue #17's printed papers: the payment receipt with its 电子票据 number, the appointment slip with its
check-in QR, the priority queue ticket of a checked-in appointment, a certified copy of an electronic
certificate with the platform's verification QR, and a material's 示范文本.

Personal data as on every paper: the ID number and name masked (kiosk.masking), never the full ones."""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import translate
from kiosk.masking import mask_id_number, mask_name
from kiosk.printing.document import Align, Barcode, Cut, Document, KeyValue, QrCode, Separator, Text, Title

APPOINTMENT_QR_PREFIX = "GOVKIOSK:A:"  # + the check-in code; scanned on arrival at any kiosk of the centre


def _t(key: str, **values: object) -> str:
    return translate(f"finish.paper.{key}", **values)


def _footer(doc: Document, kiosk_id: str, at: dt.datetime) -> None:
    doc.add(Separator(), KeyValue(_t("printed_at"), at.strftime("%Y-%m-%d %H:%M")),
            Text(f"{_t('kiosk')} {kiosk_id}", Align.CENTER), Cut())


def payment_receipt(*, centre_name: str, item_name: str, reference: str, amount_yuan: float, ebill_number: str,
                    paid_at: str, order_id: str, applicant_name: str, kiosk_id: str) -> Document:
    """缴费凭证: what was paid, for which application, and the 电子票据 number to fetch the fiscal bill."""
    doc = Document(name="payment-receipt")
    doc.add(Text(centre_name, Align.CENTER, bold=True), Title(_t("payment.title")), Separator("="),
            KeyValue(_t("payment.item"), item_name), KeyValue(_t("payment.reference"), reference),
            KeyValue(_t("payment.payer"), mask_name(applicant_name) or "—"),
            KeyValue(_t("payment.amount"), _t("payment.yuan", amount=f"{amount_yuan:.2f}"), bold_value=True),
            KeyValue(_t("payment.ebill"), ebill_number, bold_value=True),
            KeyValue(_t("payment.paid_at"), paid_at.replace("T", " ")[:16]),
            KeyValue(_t("payment.order"), order_id), Text(_t("payment.hint")))
    _footer(doc, kiosk_id, dt.datetime.now())
    return doc


def appointment_slip(*, centre_name: str, item_name: str, number: str, date: dt.date, slot_label: str,
                     start: str, end: str, point_name: str, applicant_name: str, id_number: str,
                     check_in_code: str, kiosk_id: str) -> Document:
    """预约凭证: when and where, and the QR that checks in on arrival."""
    weekday = _t(f"weekday.{date.weekday()}")
    doc = Document(name="appointment-slip")
    doc.add(Text(centre_name, Align.CENTER, bold=True), Title(_t("appointment.title")), Separator("="),
            KeyValue(_t("appointment.item"), item_name), KeyValue(_t("appointment.number"), number, tall=True),
            # Double height (issue #13): the number quoted on arrival and the time not to miss.
            KeyValue(_t("appointment.when"), f"{date.isoformat()} {weekday} {slot_label} {start}–{end}", tall=True),
            KeyValue(_t("appointment.where"), point_name),
            KeyValue(_t("appointment.person"), f"{mask_name(applicant_name) or '—'} {mask_id_number(id_number)}"),
            QrCode(APPOINTMENT_QR_PREFIX + check_in_code, _t("appointment.qr_caption")),
            Text(_t("appointment.bring")), Text(_t("appointment.change")))
    _footer(doc, kiosk_id, dt.datetime.now())
    return doc


def priority_ticket(*, centre_name: str, ticket: str, department: str, item_name: str, slot_text: str,
                    kiosk_id: str) -> Document:
    """预约优先号: like a queue ticket, marked as an appointment's, called before the walk-in numbers."""
    doc = Document(name="priority-ticket")
    doc.add(Text(centre_name, Align.CENTER, bold=True), Text(_t("priority.title"), Align.CENTER),
            Text(ticket, Align.CENTER, bold=True, scale=3), KeyValue(_t("priority.department"), department),
            KeyValue(_t("priority.item"), item_name), KeyValue(_t("priority.slot"), slot_text),
            Text(_t("priority.hint"), Align.CENTER, bold=True), Barcode(ticket))
    _footer(doc, kiosk_id, dt.datetime.now())
    return doc


def certified_copy(*, centre_name: str, title: str, rows: tuple[tuple[str, str], ...], holder_name: str,
                   verification_code: str, verify_url: str, issued_at: str, kiosk_id: str) -> Document:
    """电子证照核验件: the certificate's fields (numbers masked by the platform), and the QR a clerk scans to
    check the copy against the platform."""
    doc = Document(name="certified-copy")
    doc.add(Text(centre_name, Align.CENTER, bold=True), Title(title), Separator("="),
            KeyValue(_t("copy.holder"), mask_name(holder_name) or "—"))
    doc.add(*(KeyValue(key, value) for key, value in rows))
    doc.add(KeyValue(_t("copy.code"), verification_code, bold_value=True),
            KeyValue(_t("copy.issued_at"), issued_at.replace("T", " ")[:16]),
            QrCode(verify_url, _t("copy.qr_caption")), Text(_t("copy.hint")))
    _footer(doc, kiosk_id, dt.datetime.now())
    return doc

