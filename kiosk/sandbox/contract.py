"""The request bodies of the sandbox's core endpoints as pydantic models: what /openapi.json publishes and
what the server checks are the same thing. Every model forbids unknown members and bounds every string,
list and mapping, so garbage, arrays and deep nesting are refused with 422 (a problem body naming the field)
and never reach the store.

Form fields are checked with the shared contract (kiosk.fieldtypes), the same code the kiosk runs: the
applicant's phone may be a mobile or a landline with its area code, as on the kiosk's form.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.fieldtypes import APPLICANT_PHONE, FIELD_TYPES, FieldError, FieldSpec, validate_field

ITEM_CODE = r"^[A-Z]{2,6}-[0-9]{3}$"
FIELD_KEY = r"^[a-z][a-z0-9_]{0,39}$"
ShortText = Annotated[str, Field(min_length=1, max_length=60)]


def _contract(spec: FieldSpec):
    def check(value: str) -> str:
        try:
            return validate_field(spec, value)
        except FieldError as error:
            # No value in the message: it may be personal data, and it ends up in a problem body.
            raise ValueError(f"{FIELD_TYPES[spec.type].description} ({error.key})") from None

    return AfterValidator(check)


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$", description=FIELD_TYPES["id_number"].description),
                         _contract(FieldSpec(key="id_number", type="id_number"))]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: Annotated[str, Field(max_length=20, description=FIELD_TYPES["phone"].description),
                     _contract(APPLICANT_PHONE)] = ""


class CommitmentIn(BaseModel):
    """Accepted on a commitment: 容缺 (waiver: listed waivable materials missing) or 告知承诺 (pledge)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["waiver", "pledge"]
    missing: Annotated[list[ShortText], Field(max_length=40)] = []  # as the kiosk saw it; re-checked
    supply_by: dt.date | None = None


FormValues = Annotated[
    dict[Annotated[str, Field(pattern=FIELD_KEY)], Annotated[str, Field(max_length=500)]],
    Field(max_length=40, description="field key -> value, each checked against the item's fields in the catalog "
                                     "(type, pattern, limits: the same contract the kiosk applies)"),
]


class DeliveryIn(BaseModel):
    """How the result reaches the applicant (issue #17): one of the item's guide.delivery methods; a mailing
    address for "mail" (the platform computes the postage, kiosk/sandbox/payments.py)."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["window", "kiosk_pickup", "mail", "electronic"]
    address: Annotated[str, Field(max_length=120)] = ""


class CertificateUse(BaseModel):
    """An electronic certificate (电子证照) the platform holds, used for one of the item's materials."""

    model_config = ConfigDict(extra="forbid")
    material: ShortText
    certificate_id: Annotated[str, Field(pattern=r"^EC-[A-Z]{2}-[0-9]{4}$")]


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: Annotated[str, Field(pattern=ITEM_CODE)]  # a bundle's code submits every member at once
    applicant: Applicant
    form: FormValues = {}
    materials_present: Annotated[list[ShortText], Field(max_length=40)] = []
    channel: Literal["kiosk"] = "kiosk"
    commitment: CommitmentIn | None = None
    delivery: DeliveryIn | None = None  # None (left out of the stored body): the item's first method
    certificates: Annotated[list[CertificateUse], Field(max_length=20)] | None = None
    # The material each uploaded page shows, in image order (pages photographed at the kiosk, issue #17).
    photographed: Annotated[list[ShortText], Field(max_length=100)] | None = None


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: Annotated[str, Field(pattern=ITEM_CODE)]
    receipt_number: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    level: Annotated[int, Field(ge=1, le=5)]  # 5 非常满意 … 1 非常不满意
    reasons: Annotated[list[ShortText], Field(max_length=10)] = []
    callback: bool = False


# -- heartbeats (kiosk/health.py makes them) ------------------------------------------------------------------
DeviceName = Literal["printer", "camera", "doc_camera", "idreader", "scanner"]


class DeviceReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["ok", "degraded", "fault", "disabled"]
    reason: Annotated[str, Field(max_length=300)] = ""
    required: bool = False


class OutboxReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pending: Annotated[int, Field(ge=0, le=10_000_000)]
    dead: Annotated[int, Field(ge=0, le=10_000_000)]
    oldest_pending_age_s: Annotated[int, Field(ge=0)] | None = None
    last_success_at: Annotated[str, Field(max_length=40)] | None = None


class PaperReport(BaseModel):
    """Paper printed since the last 换纸 (kiosk/consumables.py counts it from the ESC/POS bytes sent)."""

    model_config = ConfigDict(extra="forbid")
    printed_mm: Annotated[int, Field(ge=0)]
    roll_mm: Annotated[int, Field(ge=0)] | None = None
    changed_at: float | None = None


class ConsumableReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=20)]
    unit: Annotated[str, Field(max_length=8)] = ""
    used: Annotated[float, Field(ge=0)]
    limit: Annotated[float, Field(gt=0)]


class ConsumablesReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paper: PaperReport | None = None
    items: Annotated[list[ConsumableReport], Field(max_length=10)] = []


class Alert(BaseModel):
    """Something a technician must act on, e.g. applications the platform refused (dead outbox entries)."""

    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    count: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    detail: Annotated[str, Field(max_length=300)] = ""


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_: Annotated[int, Field(alias="schema", ge=1, le=100)] = 1
    device_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")] | None = None
    versions: Annotated[dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=40)]],
                        Field(max_length=10)] = {}
    devices: Annotated[dict[DeviceName, DeviceReport], Field(max_length=5)] = {}
    availability: Literal["available", "limited", "unavailable"] = "available"
    outbox: OutboxReport | None = None
    alerts: Annotated[list[Alert], Field(max_length=20)] = []
    disk_free_bytes: Annotated[int, Field(ge=0)] | None = None
    uptime_s: Annotated[int, Field(ge=0)] | None = None
    consumables: ConsumablesReport | None = None  # paper and other consumables (issue #15)
    reason: Annotated[str, Field(max_length=40)] | None = None  # why this one was sent: change | interval | …
    sent_at: Annotated[str, Field(max_length=40)] | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
