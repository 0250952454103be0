"""自助领取: the outcome of collecting a result, and the printed paper itself (the virtual printer's image)."""

from __future__ import annotations

from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from screens.base import KioskScreen


class PickupScreen(KioskScreen):
    title_key = "desk.pickup_bar"
    # working: asking the platform; done: collected (printing or printed); refused: not this person or not
    # ready; failed: the platform could not be asked (retry makes sense)
    state = OptionProperty("working", options=["working", "done", "refused", "failed"])
    headline = StringProperty("")
    message = StringProperty("")
    receipt_number = StringProperty("")
    print_text = StringProperty("")
    printed = OptionProperty("pending", options=["pending", "ok", "failed"])
    image = StringProperty("")
    other_card = BooleanProperty(False)  # refused: another person's ID

    def show_working(self, receipt_number: str, text: str) -> None:
        self.reset()
        self.receipt_number = receipt_number
        self.message = text

    def show_done(self, headline: str, print_text: str) -> None:
        self.state = "done"
        self.headline, self.message, self.print_text = headline, "", print_text

    def show_print(self, text: str, image: str, ok: bool) -> None:
        self.print_text = text
        self.printed = "ok" if ok else "failed"
        reused = image == self.image  # a new path loads by itself (result.py)
        self.image = image
        if image and reused:
            self.ids.paper.reload()  # the virtual printer may reuse a file name

    def show_refused(self, headline: str, text: str, other_card: bool = False) -> None:
        self.state = "refused"
        self.headline, self.message, self.other_card = headline, text, other_card

    def show_failed(self, headline: str, text: str) -> None:
        self.state = "failed"
        self.headline, self.message = headline, text

    def reset(self) -> None:
        self.state = "working"
        self.headline = self.message = self.receipt_number = self.print_text = self.image = ""
        self.printed = "pending"
        self.other_card = False
