from __future__ import annotations

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.modalview import ModalView

Builder.load_string("""
#:import tr screens.i18n.tr
#:import theme screens.theme
<MessageView>:
    size_hint: 0.86, None
    height: '640dp'
    background_color: 0, 0, 0, 0.6
    BoxLayout:
        orientation: 'vertical'
        padding: dp(40)
        spacing: dp(24)
        canvas.before:
            Color:
                rgba: theme.CARD
            RoundedRectangle:
                pos: self.pos
                size: self.size
                radius: [dp(24)]
        TitleLabel:
            text: root.title
            halign: 'center'
        KioskLabel:
            text: root.body
            halign: 'center'
        Widget:
        KioskButton:
            id: ok_button
            text: tr._('nav.ok')
            on_release: root.dismiss(animation=False)
""")


class MessageView(ModalView):
    title = StringProperty("")
    body = StringProperty("")


def show_message(title: str, body: str) -> MessageView:
    view = MessageView(title=title, body=body)
    view.open(animation=False)
    return view
