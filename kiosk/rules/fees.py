"""What the citizen sees about the fee before committing: the amount and its legal basis, or that the item
is free. The kiosk takes no payment yet, so a fee is paid at the window."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kiosk.catalog import CatalogItem
from kiosk.i18n import translate


@dataclass(frozen=True, slots=True)
class FeeDisplay:
    free: bool
    amount: Decimal  # yuan, two decimals
    basis: str  # the legal basis, shown with the amount
    text_key: str  # flows.fee.free | flows.fee.amount (takes {amount})
    payment_key: str  # flows.fee.pay_at_window, or "" when free

    @property
    def amount_text(self) -> str:
        return f"{self.amount:.2f}"

    @property
    def must_confirm(self) -> bool:
        """A fee must be shown and acknowledged before the citizen submits."""
        return not self.free

    def lines(self, language: str | None = None) -> list[str]:
        """The fee as the guide and confirm screens print it, one line each."""
        lines = [translate(self.text_key, language, amount=self.amount_text)]
        if not self.free:
            lines.append(translate("flows.fee.basis", language, basis=self.basis))
            lines.append(translate(self.payment_key, language))
        return lines


def fee_display(item: CatalogItem) -> FeeDisplay:
    """For a bundle, pass the merged item (kiosk.rules.bundles.effective_item): its fee is the members' sum."""
    fee = item.guide.fee
    amount = Decimal(str(fee.amount_yuan)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if fee.free:
        return FeeDisplay(True, amount, "", "flows.fee.free", "")
    return FeeDisplay(False, amount, fee.basis, "flows.fee.amount", "flows.fee.pay_at_window")
