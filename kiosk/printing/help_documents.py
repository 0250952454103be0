"""Slips for help and complaints, as Documents (kiosk/printing/documents.py style).

- ``assist_slip``: when nobody is on duty (or the network is down), the numbers to call — 12345 and the
  service point's duty phone — the staffed hours, and the call's number if the platform gave one.
- ``complaint_slip``: the complaint number to follow it at 进度查询, with the callback phone masked.
No personal data except the masked phone; the screen name or anything the citizen typed is not printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n import translate
from kiosk.masking import mask_phone
from kiosk.printing.document import Align, Barcode, Cut, Document, KeyValue, Separator, Text, Title
from kiosk.staffed_hours import CITIZEN_HOTLINE, HelpSettings

_WEEKDAYS_ZH = "一二三四五六日"


def _t(key: str, language: str | None, **values: object) -> str:
    return translate(f"help.slip.{key}", language, **values)


def _when(moment: datetime, language: str | None) -> str:
    return translate("printing.common.datetime", language, year=moment.year, month=moment.month, day=moment.day,
                     hour=moment.hour, minute=moment.minute)


def hours_lines(settings: HelpSettings, language: str | None = None) -> list[str]:
    """"周一至五 08:30-12:00" style lines, one per staffed period."""
    lines = []
    for period in settings.periods:
        days = sorted(period.weekdays)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            label = f"{_WEEKDAYS_ZH[days[0] - 1]}至{_WEEKDAYS_ZH[days[-1] - 1]}"
        else:
            label = "、".join(_WEEKDAYS_ZH[d - 1] for d in days)
        lines.append(_t("weekdays", language, days=label, start=period.start.strftime("%H:%M"),
                        end=period.end.strftime("%H:%M")))
    return lines


@dataclass(frozen=True, slots=True)
class AssistSlip:
    centre_name: str
    settings: HelpSettings
    issued_at: datetime
    kiosk_id: str
    request_number: str = ""  # HJ… when the platform recorded the call


def assist_slip(slip: AssistSlip, *, language: str | None = None) -> Document:
    doc = Document(name="assist-slip")
    doc.add(Text(slip.centre_name, Align.CENTER, bold=True), Title(_t("assist_title", language)), Separator("="),
            Text(_t("assist_intro", language)),
            KeyValue(_t("hotline", language), CITIZEN_HOTLINE),
            Text(CITIZEN_HOTLINE, Align.CENTER, bold=True, scale=2))
    if slip.settings.duty_phone:
        doc.add(KeyValue(_t("duty_phone", language), ""),
                Text(slip.settings.duty_phone, Align.CENTER, bold=True, scale=2))
    if slip.settings.service_point_name:
        doc.add(KeyValue(_t("service_point", language), slip.settings.service_point_name))
    lines = hours_lines(slip.settings, language)
    if lines:
        doc.add(KeyValue(_t("hours", language), lines[0]), *[Text(line, Align.RIGHT) for line in lines[1:]])
    if slip.request_number:
        doc.add(KeyValue(_t("request_number", language), slip.request_number))
    doc.add(KeyValue(_t("issued_at", language), _when(slip.issued_at, language)), Separator(),
            Text(f"{translate('printing.common.kiosk', language)} {slip.kiosk_id}", Align.CENTER), Cut())
    return doc


@dataclass(frozen=True, slots=True)
class ComplaintSlip:
    centre_name: str
    number: str  # TS…, or the local reference while queued
    kind: str  # "complaint" | "cannot_do"
    category: str  # help.complaint.category_* key suffix
    item_name: str
    callback_phone: str  # "" = no callback; printed masked
    issued_at: datetime
    kiosk_id: str


def complaint_slip(slip: ComplaintSlip, *, language: str | None = None) -> Document:
    doc = Document(name="complaint-slip")
    doc.add(Text(slip.centre_name, Align.CENTER, bold=True), Title(_t("complaint_title", language)),
            Separator("="),
            KeyValue(_t("complaint_number", language), slip.number),
            Text(slip.number, Align.CENTER, bold=True, scale=2),
            KeyValue(_t("complaint_kind", language), translate(f"help.complaint.kind_{slip.kind}", language)),
            KeyValue(_t("complaint_category", language),
                     translate(f"help.complaint.category_{slip.category}", language)))
    if slip.item_name:
        doc.add(KeyValue(_t("complaint_item", language), slip.item_name))
    doc.add(KeyValue(_t("complaint_callback", language),
                     mask_phone(slip.callback_phone) if slip.callback_phone else _t("complaint_no_callback", language)),
            KeyValue(_t("issued_at", language), _when(slip.issued_at, language)),
            Barcode(slip.number) if slip.number.isascii() else Separator(),
            Text(_t("complaint_hint", language)), Separator(),
            Text(f"{translate('printing.common.kiosk', language)} {slip.kiosk_id}", Align.CENTER), Cut())
    return doc
