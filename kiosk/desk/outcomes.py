"""What a desk step answers: one typed value that says what the citizen sees next.

The App routes each outcome to a screen (screens/presenter.py); it decides nothing. Words are i18n keys
with their values (``Message``), so the core chooses what is said and the UI only translates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.catalog import CatalogItem
from kiosk.desk.assurance import Step
from kiosk.platform_client import Progress, ResultDocument
from kiosk.printing.document import Document
from kiosk.rules.commitment import CommitmentOffer
from kiosk.rules.materials import MaterialsCheck
from kiosk.session import Citizen, Level


@dataclass(frozen=True, slots=True)
class Message:
    """Words for the citizen: an i18n key (kiosk/locale/*/*.toml) and the values it is formatted with."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)  # a value may itself be a Message

    def text(self) -> str:
        """In the current language (kiosk.i18n); nested messages are translated first."""
        from kiosk.i18n import translate

        return translate(self.key, **{name: value.text() if isinstance(value, Message) else value
                                      for name, value in self.values.items()})


@dataclass(frozen=True, slots=True)
class PrintJob:
    """A document to print for this session. ``printed`` is what the citizen is told once the printer
    confirms it; ``purpose`` says which part of the screen reports it (the receipt or a second slip)."""

    document: Document
    printed: Message
    purpose: str = "main"
    failed: Message | None = None  # what to say when it did not print (default: the printer's reason)


# -- identify -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NeedIdentity:
    """Ask for exactly the missing identity step: the card (or an e-ID code), or the live face.
    ``hint`` says why (e.g. "place your own card" at pickup)."""

    need: Level = Level.VERIFIED
    step: Step = Step.CARD
    hint: Message | None = None


@dataclass(frozen=True, slots=True)
class Identified:
    citizen: Citizen
    reminder: Message | None = None  # e.g. 证照临期提醒: the card expires soon


@dataclass(frozen=True, slots=True)
class IdentifyRefused:
    message: Message


# -- the application journey -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LoadEligibility:
    """Show the materials screen (loading) and ask the platform in the background (``Desk.apply.eligibility``)."""

    item: CatalogItem


@dataclass(frozen=True, slots=True)
class ShowMaterials:
    item: CatalogItem
    fetched: frozenset[str] | None  # what the platform fetches by data sharing (None: unknown, offline)
    offer: CommitmentOffer
    ticked: frozenset[str]


@dataclass(frozen=True, slots=True)
class AskCommitment:
    """容缺 or 告知承诺: the citizen reads and agrees to the written commitment first."""

    check: MaterialsCheck
    offer: CommitmentOffer


@dataclass(frozen=True, slots=True)
class MissingNotice:
    """一次性告知: everything missing, at once, printed."""

    check: MaterialsCheck
    job: PrintJob


@dataclass(frozen=True, slots=True)
class ShowForm:
    item: CatalogItem
    values: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FieldRefused:
    """The form stays, with what is wrong said at the field."""

    field_key: str
    message: Message


@dataclass(frozen=True, slots=True)
class ShowConfirm:
    pass


@dataclass(frozen=True, slots=True)
class StepRefused:
    """A step taken out of order or not allowed: shown as a message, nothing changes."""

    message: Message


@dataclass(frozen=True, slots=True)
class Submitted:
    """The platform acknowledged: the one case the kiosk says "submitted"."""

    receipt_number: str
    members: tuple[tuple[str, str], ...]  # a bundle's (item name, receipt number)
    jobs: tuple[PrintJob, ...]


@dataclass(frozen=True, slots=True)
class SavedOffline:
    """Saved durably on this kiosk; uploads by itself. The local reference is printed and quotable."""

    reference: str
    message: Message
    jobs: tuple[PrintJob, ...]


@dataclass(frozen=True, slots=True)
class SubmitRefused:
    message: Message


@dataclass(frozen=True, slots=True)
class Uploaded:
    """An application saved on this kiosk reached the platform while its citizen is still here."""

    receipt_number: str


# -- query and print -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RunQuery:
    """Show the query screen (loading) and fetch in the background (``Desk.query.fetch``)."""


@dataclass(frozen=True, slots=True)
class QueryReady:
    document: ResultDocument


@dataclass(frozen=True, slots=True)
class QueryFailed:
    message: Message
    offline: bool
    can_queue: bool


@dataclass(frozen=True, slots=True)
class QueryQueued:
    reference: str
    job: PrintJob


# -- rating ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AskRatingReasons:
    """A bad rating asks why, and offers a callback to the (masked) phone when there is one."""

    level: int
    reason_keys: tuple[str, ...]
    callback_phone: Message


@dataclass(frozen=True, slots=True)
class Rated:
    message: Message


# -- progress, pickup, tickets ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HistoryStep:
    when: str
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class ProgressView:
    """What the progress screen shows: public data only (progress is keyed by the receipt number)."""

    progress: Progress
    item_name: str
    receipt: Message
    current: Message
    tone: str  # info | ok | alert
    explain: Message
    history: tuple[HistoryStep, ...]
    members: tuple[tuple[str, str], ...]  # a bundle's (item name, receipt number)
    bundle_receipt: str  # a member's bundle receipt, "" when none
    notice: Message | None
    can_pick_up: bool


@dataclass(frozen=True, slots=True)
class LookingUp:
    receipt_number: str


@dataclass(frozen=True, slots=True)
class ReceiptRefused:
    """A refused scan or a failed lookup, shown at the receipt entry."""

    message: Message


@dataclass(frozen=True, slots=True)
class PickupReady:
    """The result is ready: identify its applicant, then ``Desk.service.pick_up``."""

    progress: Progress
    hint: Message | None
    need: Level = Level.VERIFIED


@dataclass(frozen=True, slots=True)
class PickedUp:
    receipt_number: str
    job: PrintJob


@dataclass(frozen=True, slots=True)
class PickupRefused:
    reason: Message
    other_card: bool  # the identity presented cannot collect it: forgotten, so another card is asked for


@dataclass(frozen=True, slots=True)
class PickupFailed:
    reason: Message


@dataclass(frozen=True, slots=True)
class TicketIssued:
    number: str
    waiting: Message
    offline: bool
    job: PrintJob


@dataclass(frozen=True, slots=True)
class TicketRefused:
    message: Message


Outcome = (
    NeedIdentity | Identified | IdentifyRefused | LoadEligibility | ShowMaterials | AskCommitment | MissingNotice
    | ShowForm | FieldRefused | ShowConfirm | StepRefused | Submitted | SavedOffline | SubmitRefused | Uploaded
    | RunQuery | QueryReady | QueryFailed | QueryQueued | AskRatingReasons | Rated | ProgressView | LookingUp
    | ReceiptRefused | PickupReady | PickedUp | PickupRefused | PickupFailed | TicketIssued | TicketRefused
)
