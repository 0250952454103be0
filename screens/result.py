from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from screens.base import KioskScreen


class RateFirstView(ModalView):
    """"先评价一下吗？": asked once when a citizen leaves a receipt unrated; either answer moves on."""


class RateFirst:
    """返回首页 on a screen that is rated next (一次一评): asks once whether to rate first, then never again in
    this visit of the screen, so the question can slow a citizen down but never trap them."""

    asked_rating = False

    def go_home(self) -> None:
        if self.asked_rating:
            self.app.end_session()
            return
        self.asked_rating = True
        view = RateFirstView()
        view.ids.rate_button.bind(on_release=lambda _b: self._answered(view, rate=True))
        view.ids.leave_button.bind(on_release=lambda _b: self._answered(view, rate=False))
        view.open(animation=False)

    def _answered(self, view: RateFirstView, rate: bool) -> None:
        view.dismiss(animation=False)
        if rate:
            self.app.go("rating")
        else:
            self.app.end_session()

    def on_pre_enter(self, *args) -> None:
        self.asked_rating = False


class ResultScreen(RateFirst, KioskScreen):
    title_key = "result.bar"
    # 返回首页 is always there (issue #13): it asks once "rate first?" (RateFirst). No 上一步: the application
    # is submitted, and a step back into the confirmation would only invite a second submission.
    show_back_button = False
    headline = StringProperty("")
    receipt_number = StringProperty("")
    print_text = StringProperty("")
    receipt_image = StringProperty("")
    printed = BooleanProperty(False)
    members_text = StringProperty("")
    slip_text = StringProperty("")

    def show(self, headline: str, receipt_number: str) -> None:
        self.headline = headline
        self.receipt_number = receipt_number
        self.receipt_image = ""
        self.printed = False
        self.members_text = self.slip_text = ""

    def show_members(self, members: list[tuple[str, str]]) -> None:
        from screens.i18n import tr

        self.members_text = tr._("result.members") + "\n" + "\n".join(f"{name}：{number}" for name, number in members)

    def show_slip(self, text: str) -> None:
        self.slip_text = text

    def show_print(self, text: str, image_path: str = "", printed: bool = False) -> None:
        self.print_text = text
        self.printed = printed
        # A new path loads by itself (the kv binds source to it); reload() only for a reused one: both loaded
        # and uploaded the receipt twice, in the frames that show it (issue #16).
        reused = image_path == self.receipt_image
        self.receipt_image = image_path
        if image_path and reused:
            self.ids.receipt.reload()

    def reset(self) -> None:
        self.asked_rating = False
        self.headline = self.receipt_number = self.print_text = self.receipt_image = ""
        self.members_text = self.slip_text = ""
        self.printed = False
