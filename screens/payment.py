"""缴纳费用: the platform's payment order as a QR code for the citizen's phone, the amount and the deadline;
the screen polls the order (off the UI thread, through the routes) and shows paid / cancelled / timed out.
No card data ever touches the kiosk: it shows a link and reads a state."""

from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty

from screens.base import KioskScreen


def qr_texture(text: str) -> Texture:
    """The QR code of ``text`` as a texture, dark on light with its quiet zone (OpenCV's encoder)."""
    import cv2

    from kiosk.demo_codes import qr_image

    image = cv2.cvtColor(cv2.flip(qr_image(text, module_pixels=6), 0), cv2.COLOR_BGR2RGB)
    texture = Texture.create(size=(image.shape[1], image.shape[0]), colorfmt="rgb")
    texture.mag_filter = "nearest"
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


class PaymentScreen(KioskScreen):
    title_key = "finish.pay_title"
    stage = OptionProperty("loading", options=["loading", "pending", "paid", "ended"])
    amount_text = StringProperty("")
    deadline_text = StringProperty("")
    status_text = StringProperty("")
    print_text = StringProperty("")
    print_failed = BooleanProperty(False)
    demo = BooleanProperty(False)  # the sandbox's "手机已支付" button (the demo only)
    qr = ObjectProperty(None, allownone=True)
    order: Any = None

    def start(self, demo: bool) -> None:
        self.reset()
        self.demo = demo

    def show_order(self, order: Any, amount: str, deadline: str, waiting: str) -> None:
        self.order = order
        self.amount_text, self.deadline_text, self.status_text = amount, deadline, waiting
        self.qr = qr_texture(order.pay_url)
        self.stage = "pending"

    def show_paid(self, text: str) -> None:
        self.status_text, self.qr, self.stage = text, None, "paid"

    def show_ended(self, text: str) -> None:
        self.status_text, self.qr, self.stage = text, None, "ended"

    def show_print(self, text: str, ok: bool) -> None:
        self.print_text, self.print_failed = text, not ok

    def reset(self) -> None:
        self.stage = "loading"
        self.amount_text = self.deadline_text = self.status_text = self.print_text = ""
        self.print_failed = False
        self.qr = None
        self.order = None
