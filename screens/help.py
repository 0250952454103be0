"""The assist panel: what happened to a call for help, shown over whatever screen the citizen is on.

A modal view rather than a screen: the citizen's place in the journey stays where it was. It shows the
honest state the core words (kiosk/assist.py: waiting with the time waited, accepted, nobody on duty with
the phone numbers, saved while offline), a button to print the numbers when nobody can come, and the stuck
detector's offer ("需要帮助吗？"). It decides nothing: screens/routes_help.py tells it what to show.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.modalview import ModalView

from kiosk.assist import AssistState, AssistView
from kiosk.i18n import translate

NBSP = "\u00a0"
TONES = {AssistState.ACCEPTED: "ok", AssistState.CLOSED: "ok", AssistState.UNSTAFFED: "alert",
         AssistState.QUEUED: "alert", AssistState.REFUSED: "alert"}


class AssistPanel(ModalView):
    routes = ObjectProperty(None)  # screens.routes_help.HelpRoutes
    mode = OptionProperty("assist", options=["assist", "offer"])
    title = StringProperty("")
    message = StringProperty("")
    number_text = StringProperty("")
    tone = OptionProperty("info", options=["info", "ok", "alert"])
    printable = BooleanProperty(False)
    print_text = StringProperty("")
    offer_reason = StringProperty("")  # the assist reason if the citizen accepts the offer

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("auto_dismiss", False)  # a stray touch beside it must not hide the answer
        super().__init__(**kwargs)

    def show_text(self, text: str, tone: str = "info", printable: bool = False) -> None:
        self.message, self.tone, self.printable, self.number_text = text, tone, printable, ""

    def show_view(self, view: AssistView) -> None:
        # A phone number is read and dialled as one piece: never wrapped at its inner space.
        self.message = view.message.replace(view.duty_phone, view.duty_phone.replace(" ", NBSP)) \
            if view.duty_phone else view.message
        self.tone = TONES.get(view.state, "info")
        self.printable = view.printable
        self.number_text = translate("help_ui.panel.number", number=view.number) if view.number else ""
