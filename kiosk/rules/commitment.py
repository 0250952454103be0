"""Whether 告知承诺制 may be offered: only for items that list it, and never to an applicant with a bad credit
record or an earlier false commitment (the platform answers both; the kiosk cannot know them offline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.catalog import CatalogItem


class Standing(Protocol):
    """What the platform says about the applicant (kiosk.platform_client.Eligibility has these)."""

    credit_ok: bool
    false_commitment: bool


@dataclass(frozen=True, slots=True)
class ApplicantStanding:
    credit_ok: bool = True
    false_commitment: bool = False


@dataclass(frozen=True, slots=True)
class CommitmentOffer:
    offered: bool
    reason_key: str  # flows.commitment.{offered,not_listed,bad_credit,false_commitment,unchecked}
    commitment_text: str = ""  # what the applicant commits to, shown before they agree
    consequence_text: str = ""  # the legal consequence of a false commitment

    @property
    def reason(self) -> str:
        """The reason as a word for the API: offered, not_listed, bad_credit, false_commitment, unchecked."""
        return self.reason_key.rsplit(".", 1)[-1]


def commitment_offer(item: CatalogItem, standing: Standing | None) -> CommitmentOffer:
    """``standing`` None means the platform could not be asked (offline): then it is not offered, because
    approving on a commitment without the credit check would break the rule it exists to keep."""
    guide = item.guide
    if not guide.commitment_allowed:
        return CommitmentOffer(False, "flows.commitment.not_listed")
    if standing is None:
        return CommitmentOffer(False, "flows.commitment.unchecked")
    if standing.false_commitment:  # checked first: it is the more specific reason
        return CommitmentOffer(False, "flows.commitment.false_commitment")
    if not standing.credit_ok:
        return CommitmentOffer(False, "flows.commitment.bad_credit")
    return CommitmentOffer(True, "flows.commitment.offered", guide.commitment_text, guide.commitment_consequence)
