"""我的电子证照: what the platform holds for the verified citizen (numbers masked), each with "打印核验件": a
certified copy carrying the platform's verification QR. Using one as a material is on the materials screen."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import grow_with_text


class CertificatesScreen(KioskScreen):
    title_key = "finish.cert_bar"  # short: the top bar beside its buttons; the heading says it in full
    stage = OptionProperty("loading", options=["loading", "shown", "failed"])
    message = StringProperty("")
    print_text = StringProperty("")
    print_failed = BooleanProperty(False)

    def start(self) -> None:
        self.reset()

    def show_certificates(self, certificates: Any) -> None:
        box = self.ids.cert_rows
        box.clear_widgets()
        for certificate in certificates:
            row = Factory.BoxLayout(size_hint_y=None, height="150dp", spacing="16dp")
            row.add_widget(Factory.KioskLabel(
                text=f"[b]{certificate.title}[/b]\n[size=26sp][color=5c6675]"
                     f"{tr._('finish.cert.number', number=certificate.number)}　"
                     f"{tr._('finish.cert.issuer', issuer=certificate.issuer)}[/color][/size]", markup=True))
            button = Factory.SecondaryButton(text=tr._("finish.cert.print_copy"), size_hint_x=0.4)
            button.certificate_id = certificate.certificate_id
            grow_with_text(button, 150, row)  # "Print certified copy" takes three lines in 长辈模式 English
            button.bind(on_release=lambda b: self.app.finish.print_copy(b.certificate_id))
            row.add_widget(button)
            box.add_widget(row)
        self.message = "" if certificates else tr._("finish.cert.none")
        self.stage = "shown"

    def show_error(self, text: str) -> None:
        self.message, self.stage = text, "failed"

    def show_print(self, text: str, ok: bool) -> None:
        self.print_text, self.print_failed = text, not ok

    def reset(self) -> None:
        self.stage = "loading"
        self.message = self.print_text = ""
        self.print_failed = False
        if "cert_rows" in self.ids:
            self.ids.cert_rows.clear_widgets()
