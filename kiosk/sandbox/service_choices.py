"""Issue #17's platform side in one place for app.py: the routers (fees and postage, appointments, electronic
certificates, 我的办件) and the intake check of an application's delivery choice and certificates."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.catalog import Catalog
from kiosk.sandbox.appointments import appointments_router
from kiosk.sandbox.certificates import certificates_router, check_certificate_uses
from kiosk.sandbox.my_applications import my_applications_router
from kiosk.sandbox.payments import check_address, payments_router
from kiosk.sandbox.problems import ProblemError
from kiosk.sandbox.store import SandboxStore


def service_routers(store: SandboxStore, catalog: Catalog) -> list[APIRouter]:
    return [payments_router(store, catalog), appointments_router(store, catalog), certificates_router(),
            my_applications_router(store)]


def check_service_choices(catalog: Catalog, body: dict) -> None:
    """Refuse (422) a delivery method the item does not offer, a mail delivery without a full address, and a
    certificate that is not the applicant's or not for that material. Absent choices are left out of the
    stored body, so the digest of an older kiosk's body is unchanged."""
    for key in ("delivery", "certificates"):
        if body.get(key) is None:
            body.pop(key, None)
    delivery = body.get("delivery")
    if delivery is not None:
        offered = catalog.item(body["item_code"]).guide.delivery
        if delivery["method"] not in offered:
            raise ProblemError(422, f"delivery.method: item {body['item_code']} offers {', '.join(offered)}, not "
                               f"{delivery['method']}", kind="delivery-not-offered", field="delivery.method")
        if delivery["method"] == "mail":
            delivery["address"] = check_address(delivery["address"])
        elif delivery["address"]:
            raise ProblemError(422, "delivery.address: only a mailed result has an address",
                               field="delivery.address")
    if "certificates" in body:
        check_certificate_uses(body["applicant"]["id_number"], body["certificates"])
