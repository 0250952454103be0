"""Turns a finished session into the documents it prints (the layouts live in ``kiosk.printing``)."""

from __future__ import annotations

import datetime as dt

from kiosk.catalog import Catalog, CatalogItem
from kiosk.config import KioskConfig
from kiosk.i18n import translate
from kiosk.printing.document import Document
from kiosk.printing.documents import AcceptanceReceipt, acceptance_receipt, commitment_slip
from kiosk.qrpayload import RECEIPT_PREFIX
from kiosk.session import Session
from kiosk.shown_names import translated_names


def receipt_qr_payload(receipt_number: str) -> str:
    """What the receipt's QR holds: our own strict format, scanned later for progress and pickup."""
    return f"{RECEIPT_PREFIX}{receipt_number}"


def acceptance_receipt_for(session: Session, item: CatalogItem, config: KioskConfig,
                           catalog: Catalog | None = None) -> Document:
    citizen = session.citizen
    if citizen is None or session.receipt_number is None:
        raise ValueError("an acceptance receipt needs an identified citizen and a receipt number")
    submitted_at = dt.datetime.fromisoformat(session.accepted_at) if session.accepted_at else dt.datetime.now()
    from kiosk.desk.delivery import receipt_delivery_line, receipt_fee_note

    # The method the citizen chose (issue #17), else every method the guide offers.
    delivery = receipt_delivery_line(session) or " / ".join(translate(f"guide.delivery.{d}") for d in item.guide.delivery)
    names = translated_names(item)
    status_key = "receipt.status.submitted" if session.submitted else "receipt.status.saved_locally"
    return acceptance_receipt(AcceptanceReceipt(
        centre_name=config.kiosk.centre_name,
        item_name=names.printed_item(item.name) if names else item.name,
        receipt_number=session.receipt_number,
        applicant_name=citizen.name,  # the layout masks it; the full name is never printed
        applicant_id_number=citizen.id_number,  # masked by the layout (kiosk.masking)
        submitted_at=submitted_at,
        time_limit=translate("confirm.days", days=item.guide.promised_limit_days),
        result_delivery=delivery,
        status_line=translate(status_key) + receipt_fee_note(session, item),  # offline: the fee is paid at pickup
        qr_payload=receipt_qr_payload(session.receipt_number),
        kiosk_id=config.kiosk.device_id,
        phone=session.form.get("phone") or citizen.phone or None,
        members=tuple((_member_name(item, m.item_code, catalog), m.receipt_number) for m in session.member_receipts),
    ))


def _member_name(item: CatalogItem, code: str, catalog: Catalog | None) -> str:
    if catalog is None:
        return code
    try:
        return catalog.item(code).name
    except KeyError:
        return code


def commitment_slip_for(session: Session, item: CatalogItem, config: KioskConfig) -> Document | None:
    """容缺 / 告知承诺: what to supply, by when, and that the application counts as withdrawn otherwise."""
    check = session.materials_check
    citizen = session.citizen
    if check is None or check.outcome not in ("waiver", "pledge") or citizen is None or not session.receipt_number:
        return None
    if not check.missing:
        return None
    slip = check.slip(centre_name=config.kiosk.centre_name, receipt_number=session.receipt_number,
                      applicant_name=citizen.name, applicant_id_number=citizen.id_number,
                      issued_at=dt.datetime.now(), qr_payload=receipt_qr_payload(session.receipt_number),
                      kiosk_id=config.kiosk.device_id, names=translated_names(item))
    return commitment_slip(slip)
