"""Turns a finished session into the documents it prints (the layouts live in ``kiosk.printing``)."""

from __future__ import annotations

import datetime as dt

from kiosk.catalog import CatalogItem
from kiosk.config import KioskConfig
from kiosk.i18n import translate
from kiosk.printing.document import Document
from kiosk.printing.documents import AcceptanceReceipt, acceptance_receipt
from kiosk.qrpayload import RECEIPT_PREFIX
from kiosk.session import Session


def receipt_qr_payload(receipt_number: str) -> str:
    """What the receipt's QR holds: our own strict format, scanned later for progress and pickup."""
    return f"{RECEIPT_PREFIX}{receipt_number}"


def acceptance_receipt_for(session: Session, item: CatalogItem, config: KioskConfig) -> Document:
    citizen = session.citizen
    if citizen is None or session.receipt_number is None:
        raise ValueError("an acceptance receipt needs an identified citizen and a receipt number")
    submitted_at = dt.datetime.fromisoformat(session.accepted_at) if session.accepted_at else dt.datetime.now()
    delivery = " / ".join(translate(f"guide.delivery.{d}") for d in item.guide.delivery)
    status_key = "receipt.status.submitted" if session.submitted else "receipt.status.saved_locally"
    return acceptance_receipt(AcceptanceReceipt(
        centre_name=config.kiosk.centre_name,
        item_name=item.name,
        receipt_number=session.receipt_number,
        applicant_name=citizen.name,  # the layout masks it; the full name is never printed
        applicant_id_number=citizen.id_number,  # masked by the layout (kiosk.masking)
        submitted_at=submitted_at,
        time_limit=translate("confirm.days", days=item.guide.promised_limit_days),
        result_delivery=delivery,
        status_line=translate(status_key),
        qr_payload=receipt_qr_payload(session.receipt_number),
        kiosk_id=config.kiosk.device_id,
        phone=citizen.phone or None,
    ))
