"""Builders: one function per printed slip, from plain typed inputs to a Document.

Personal data is masked here, in one place per slip, with kiosk.masking: a receipt may lie on the kiosk shelf
for the next person to read, so it never carries a full ID number, name or phone number.
Every printed word goes through ``_`` so the slip follows the citizen's chosen language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from kiosk.i18n import translate
from kiosk.masking import mask_id_number, mask_name, mask_phone
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
from kiosk.printing.profiles import PrinterProfile


@dataclass(frozen=True, slots=True)
class AcceptanceReceipt:
    centre_name: str
    item_name: str
    receipt_number: str
    applicant_name: str
    applicant_id_number: str
    submitted_at: datetime
    time_limit: str  # promised time limit as the guide words it, e.g. "5个工作日"
    result_delivery: str  # e.g. "窗口领取" / "邮寄送达"
    status_line: str  # e.g. "已提交至省政务服务平台" / "已保存在本机，联网后自动上传"
    qr_payload: str
    kiosk_id: str
    phone: str | None = None
    members: tuple[tuple[str, str], ...] = ()  # a bundle's (item name, receipt number), one per member


@dataclass(frozen=True, slots=True)
class MissingMaterial:
    name: str
    requirement: str = ""  # e.g. "原件及复印件各1份"


@dataclass(frozen=True, slots=True)
class MissingMaterialsNotice:
    centre_name: str
    item_name: str
    applicant_name: str
    applicant_id_number: str
    missing: Sequence[MissingMaterial]
    issued_at: datetime
    kiosk_id: str
    guide_qr_payload: str = ""  # link to the office guide, so the citizen can read it at home


@dataclass(frozen=True, slots=True)
class CommitmentSlip:
    centre_name: str
    item_name: str
    receipt_number: str
    applicant_name: str
    applicant_id_number: str
    to_supply: Sequence[MissingMaterial]
    deadline: date | datetime
    issued_at: datetime
    qr_payload: str
    kiosk_id: str
    kind: Literal["waiver", "pledge"] = "waiver"  # 容缺受理 / 告知承诺制


@dataclass(frozen=True, slots=True)
class QueryResult:
    centre_name: str
    title: str  # e.g. "住房公积金个人账户信息"
    applicant_name: str
    applicant_id_number: str
    queried_at: datetime
    kiosk_id: str
    fields: Sequence[tuple[str, str]] = ()
    table_headers: Sequence[str] = ()
    table_rows: Sequence[Sequence[str]] = ()
    table_align: Sequence[Align] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class QueueTicket:
    centre_name: str
    ticket_number: str
    service_name: str
    waiting_count: int
    issued_at: datetime
    kiosk_id: str


@dataclass(frozen=True, slots=True)
class _Lang:
    language: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def __call__(self, key: str, **values: object) -> str:
        return translate(f"printing.{key}", self.language, **values)

    def when(self, moment: datetime | date) -> str:
        if isinstance(moment, datetime):
            return self("common.datetime", year=moment.year, month=moment.month, day=moment.day,
                        hour=moment.hour, minute=moment.minute)
        return self("common.date", year=moment.year, month=moment.month, day=moment.day)


def _header(centre_name: str, title: str) -> list:
    return [Text(centre_name, Align.CENTER, bold=True), Title(title), Separator("=")]


def _footer(t: _Lang, kiosk_id: str) -> list:
    return [Separator(), Text(t("common.footer"), Align.CENTER), Text(f"{t('common.kiosk')} {kiosk_id}",
                                                                      Align.CENTER), Cut()]


def _applicant(t: _Lang, name: str, id_number: str) -> list:
    # A citizen who typed their ID number has no name on record at the kiosk: print no empty line for it.
    lines = [KeyValue(t("receipt.applicant"), mask_name(name))] if name else []
    return [*lines, KeyValue(t("receipt.id_number"), mask_id_number(id_number))]


def acceptance_receipt(receipt: AcceptanceReceipt, *, language: str | None = None) -> Document:
    """受理回执: what was accepted, when, by when the result comes, and how to follow it."""
    t = _Lang(language)
    doc = Document(name="acceptance-receipt")
    doc.add(*_header(receipt.centre_name, t("receipt.title")))
    # The receipt number and the time limit print at double height (tall): what the citizen quotes and what
    # they wait for are found at a glance (issue #13).
    doc.add(KeyValue(t("receipt.number"), receipt.receipt_number, tall=True),
            KeyValue(t("receipt.item"), receipt.item_name),
            *[KeyValue(name, number, tall=True) for name, number in receipt.members],
            *_applicant(t, receipt.applicant_name, receipt.applicant_id_number))
    if receipt.phone:
        doc.add(KeyValue(t("receipt.phone"), mask_phone(receipt.phone)))
    doc.add(KeyValue(t("receipt.submitted_at"), t.when(receipt.submitted_at)),
            KeyValue(t("receipt.time_limit"), receipt.time_limit, tall=True),
            KeyValue(t("receipt.delivery"), receipt.result_delivery),
            KeyValue(t("receipt.status"), receipt.status_line),
            Separator(),
            QrCode(receipt.qr_payload, t("receipt.qr_caption")),
            Text(t("receipt.keep")))
    doc.add(*_footer(t, receipt.kiosk_id))
    return doc


def _numbered(materials: Sequence[MissingMaterial], t: _Lang) -> list:
    out: list = []
    for number, material in enumerate(materials, start=1):
        out.append(Text(f"{number}. {material.name}", bold=True))
        if material.requirement:
            out.append(Text(f"{t('notice.requirement')}：{material.requirement}", indent=3))
    return out


def missing_materials_notice(notice: MissingMaterialsNotice, *, language: str | None = None) -> Document:
    """一次性告知单: every missing material at once, so the citizen comes back only once."""
    if not notice.missing:
        raise ValueError("a one-time notification lists at least one missing material")
    t = _Lang(language)
    doc = Document(name="missing-materials-notice")
    doc.add(*_header(notice.centre_name, t("notice.title")))
    doc.add(KeyValue(t("receipt.item"), notice.item_name),
            *_applicant(t, notice.applicant_name, notice.applicant_id_number),
            KeyValue(t("notice.issued_at"), t.when(notice.issued_at)),
            Separator(),
            Text(t("notice.intro", item=notice.item_name)),
            Text(t("notice.count", count=len(notice.missing)), bold=True),
            *_numbered(notice.missing, t),
            Separator(),
            Text(t("notice.outro")))
    if notice.guide_qr_payload:
        doc.add(QrCode(notice.guide_qr_payload, t("notice.qr_caption")))
    doc.add(*_footer(t, notice.kiosk_id))
    return doc


def commitment_slip(slip: CommitmentSlip, *, language: str | None = None) -> Document:
    """容缺受理 / 告知承诺: what to supply, by when, and that missing the deadline withdraws the application."""
    if not slip.to_supply:
        raise ValueError("a commitment slip names at least one material to supply")
    t = _Lang(language)
    doc = Document(name=f"commitment-slip-{slip.kind}")
    doc.add(*_header(slip.centre_name, t(f"commitment.title_{slip.kind}")))
    doc.add(KeyValue(t("receipt.number"), slip.receipt_number, tall=True),
            KeyValue(t("receipt.item"), slip.item_name),
            *_applicant(t, slip.applicant_name, slip.applicant_id_number),
            KeyValue(t("receipt.submitted_at"), t.when(slip.issued_at)),
            Separator(),
            Text(t(f"commitment.intro_{slip.kind}", item=slip.item_name)),
            Text(t("commitment.to_supply"), bold=True),
            *_numbered(slip.to_supply, t),
            Feed(),
            KeyValue(t("commitment.deadline"), t.when(slip.deadline), tall=True),  # miss it: withdrawn
            Text(t("commitment.withdrawn"), bold=True))
    if slip.kind == "pledge":
        doc.add(Text(t("commitment.false_pledge")))
    doc.add(Text(t("commitment.signature")),
            Separator(),
            QrCode(slip.qr_payload, t("receipt.qr_caption")))
    doc.add(*_footer(t, slip.kiosk_id))
    return doc


def query_result(result: QueryResult, *, language: str | None = None) -> Document:
    """A query printout (e.g. a provident-fund statement): fields, then an optional table."""
    t = _Lang(language)
    doc = Document(name="query-result")
    doc.add(*_header(result.centre_name, result.title))
    doc.add(*_applicant(t, result.applicant_name, result.applicant_id_number),
            KeyValue(t("query.queried_at"), t.when(result.queried_at)))
    doc.add(*[KeyValue(key, value) for key, value in result.fields])
    if result.table_headers:
        doc.add(Separator(), Table(result.table_headers, result.table_rows, result.table_align))
    if result.note:
        doc.add(Separator(), Text(result.note))
    doc.add(Text(t("query.disclaimer")))
    doc.add(*_footer(t, result.kiosk_id))
    return doc


def queue_ticket(ticket: QueueTicket, *, language: str | None = None) -> Document:
    """排队号: the number large enough to read across the hall, and a barcode for the counter scanner."""
    t = _Lang(language)
    doc = Document(name="queue-ticket")
    doc.add(Text(ticket.centre_name, Align.CENTER, bold=True),
            Text(t("ticket.title"), Align.CENTER),
            Text(ticket.ticket_number, Align.CENTER, bold=True, scale=3),
            KeyValue(t("ticket.service"), ticket.service_name),
            Text(t("ticket.waiting", count=ticket.waiting_count), Align.CENTER, bold=True),
            Barcode(ticket.ticket_number),
            KeyValue(t("ticket.issued_at"), t.when(ticket.issued_at)),
            Text(t("ticket.hint")),
            Text(f"{t('common.kiosk')} {ticket.kiosk_id}", Align.CENTER),
            Cut())
    return doc


def test_page(profile: PrinterProfile, *, printer_url: str = "", language: str | None = None) -> Document:
    """For technicians: width, ruler, Chinese and rare characters, styles, a table, a QR and a barcode."""
    t = _Lang(language)
    ruler = "".join(str(i % 10) for i in range(1, profile.columns + 1))
    doc = Document(name="test-page")
    doc.add(Title(t("test.title")), Separator("="),
            KeyValue(t("test.profile"), f"{profile.name} ({profile.dots_width} dots)"),
            KeyValue(t("test.columns"), str(profile.columns)))
    if printer_url:
        doc.add(Text(printer_url))
    doc.add(Text(ruler),
            Text("国" * (profile.columns // 2)),  # a full line of Chinese: must end exactly under the ruler
            KeyValue(t("test.chinese"), t("test.sample")),
            KeyValue(t("test.rare"), "𠮷 䶮 堃 喆 珺 昇"),
            Text("ASCII: 0123456789 ABCDEFGHIJ abcdefghij !@#$%&*()"),
            Text(t("test.bold"), bold=True),
            Text(t("test.big"), Align.CENTER, bold=True, scale=2),
            Table([t("test.table_item"), t("test.table_value")],
                  [["DLE EOT", t("test.table_ok")], ["GS ( k QR", t("test.table_ok")]], [Align.LEFT, Align.RIGHT]),
            Separator(),
            QrCode("TEST-PAGE", t("test.qr_caption")),
            Barcode("TEST-128"),
            Text(t("test.end"), Align.CENTER),
            Cut())
    return doc
