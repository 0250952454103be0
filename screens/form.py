"""The application form, one field at a time (large, simple, for elderly citizens); validated by the rules."""

from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.textinput import TextInput

from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import KioskButton, NumberPad

_PAD_TYPES = ("phone", "amount", "date", "id_number")


def display_value(field_type: str, raw: str) -> str:
    if field_type == "date" and raw.isdigit():
        return "-".join(part for part in (raw[:4], raw[4:6], raw[6:8]) if part)
    return raw


class FormScreen(KioskScreen):
    title_key = "form.bar"
    label = StringProperty("")
    value = StringProperty("")
    hint = StringProperty("")
    error_text = StringProperty("")
    index = NumericProperty(0)
    count = NumericProperty(0)

    def start(self, item, values: dict[str, str]) -> None:
        self.fields = list(item.fields)
        self.values = dict(values)
        self.count = len(self.fields)
        self.index = 0
        self._show()

    @property
    def field(self):
        return self.fields[self.index]

    def _show(self) -> None:
        field = self.field
        self.label = field.label + ("" if field.required else tr._("form.optional"))
        self.error_text = ""
        self.hint = tr._(f"form.hint.{field.type}")
        self.value = self.values.get(field.key, "")
        editor = self.ids.editor
        editor.clear_widgets()
        if field.type in _PAD_TYPES:
            pad = NumberPad()
            pad.bind(on_key=lambda _pad, key: self._pad_key(key))
            editor.add_widget(pad)
        elif field.type == "choice":
            for choice in field.choices:
                button = KioskButton(text=choice, height="120dp")
                button.bind(on_release=lambda b: self._choose(b.text))
                editor.add_widget(button)
        else:  # text and credit codes: the system keyboard / input method of the kiosk
            text_input = TextInput(text=self.value, multiline=False, font_size="40sp", size_hint_y=None,
                                   height="120dp", write_tab=False)
            text_input.bind(text=lambda _w, text: setattr(self, "value", text.upper() if field.type == "credit_code" else text))
            editor.add_widget(text_input)
            text_input.focus = True

    def _pad_key(self, key: str) -> None:
        field = self.field
        self.error_text = ""
        if key == "back":
            self.value = self.value[:-1]
        elif key == "X" and field.type != "id_number":
            return
        elif key == "X" or key.isdigit():
            if field.type == "amount" and len(self.value) >= 9:
                return
            limit = {"phone": 11, "date": 8, "id_number": 18}.get(field.type, 12)
            if len(self.value) < limit:
                self.value += key

    def _choose(self, choice: str) -> None:
        self.value = choice
        self.next()

    def shown_value(self) -> str:
        return display_value(self.field.type, self.value) if self.count else ""

    def next(self) -> None:
        from kiosk.catalog import FieldError, validate_field

        field = self.field
        raw = display_value(field.type, self.value) if field.type == "date" else self.value
        try:
            normalised = validate_field(field, raw)
        except FieldError as error:
            self.error_text = tr._(error.key, detail=error.detail, label=field.label)
            return
        self.values[field.key] = normalised
        if self.index + 1 < self.count:
            self.index += 1
            self._show()
        else:
            self.app.form_done(self.values)

    def back(self) -> None:
        if self.index == 0:
            self.app.go("guide")
            return
        self.index -= 1
        self._show()

    def show_error(self, text: str) -> None:
        self.error_text = text

    def reset(self) -> None:
        self.value = ""
        self.count = self.index = 0
        self.fields, self.values = [], {}
        self.label = self.hint = self.error_text = ""
        self.ids.editor.clear_widgets()
