"""The application form, one field at a time (large, simple, for elderly citizens); validated by the rules.

Every typed field uses the on-screen keyboard docked at the bottom, laid out by the field's type; a choice
is a column of big buttons; an address offers the kiosk's own townships and villages before any typing; a
credit code is checked as soon as its 18th character is typed.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.creditcode import CreditCodeError, parse_credit_code
from kiosk.places import Places, places_for
from kiosk.shown_names import ShownNames, shown_names
from screens.base import KioskScreen
from screens.i18n import tr
from screens.keyboard import layout_for_field
from screens.widgets import KioskButton, SecondaryButton, grow_with_text, kept


def display_value(field_type: str, raw: str) -> str:
    if field_type == "date" and raw.isdigit():
        return "-".join(part for part in (raw[:4], raw[4:6], raw[6:8]) if part)
    return raw


def is_name_field(field) -> bool:
    return field.type == "text" and (field.key.endswith("name") or "姓名" in field.label)


def is_address_field(field) -> bool:
    return field.type == "text" and ("address" in field.key or "地址" in field.label)


class FormScreen(KioskScreen):
    title_key = "form.bar"
    label = StringProperty("")
    value = StringProperty("")
    hint = StringProperty("")
    error_text = StringProperty("")
    ok_text = StringProperty("")  # a live check that passed (credit code), said in words, not colour only
    index = NumericProperty(0)
    count = NumericProperty(0)
    address_stage = StringProperty("")  # "township" | "village" | "detail" | "" (not an address)
    _address_prefix = ""  # the tapped part of an address (prefix, township, village)
    _township = ""
    names = ShownNames("")  # set by start(): the item's labels and choices in the citizen's language

    def __init__(self, **kwargs) -> None:
        self._choice_buttons: list[KioskButton] = []  # kept from field to field (screens.widgets.kept)
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget) -> None:
        self.ids.keyboard.bind(text=self._typed)

    def start(self, item, values: dict[str, str], first_field: str | None = None) -> None:
        self.fields = list(item.fields)
        self.names = shown_names(item)  # labels and choices in the citizen's language; values stay Chinese
        self.values = dict(values)
        self.count = len(self.fields)
        keys = [field.key for field in self.fields]
        self.index = keys.index(first_field) if first_field in keys else 0
        self._show()

    def _new_choice_button(self) -> KioskButton:
        button = KioskButton(height="120dp")
        grow_with_text(button, 120)  # "Going abroad (incl. Hong Kong, Macao, Taiwan)" in 长辈模式
        button.choice = ""
        button.bind(on_release=lambda b: self._choose(b.choice))
        return button

    @property
    def field(self):
        return self.fields[self.index]

    @property
    def places(self) -> Places | None:
        return places_for(self.app.config_kiosk)

    def _show(self) -> None:
        field = self.field
        self.label = self._label(field)
        self.error_text = self.ok_text = ""
        self.hint = tr._("keyboard.name.hint") if is_name_field(field) else tr._(f"form.hint.{field.type}")
        self._address_prefix = ""
        self.address_stage = ""
        keyboard = self.ids.keyboard
        keyboard.layout = ""
        keyboard.reset()
        keyboard.mode = "name" if is_name_field(field) else "text"
        keyboard.max_length = field.max_length
        self.ids.editor.clear_widgets()
        previous = self.values.get(field.key, "")
        if field.type == "choice":
            self.value = previous
            for index, choice in enumerate(field.choices):
                button = kept(self._choice_buttons, index, self._new_choice_button)
                button.text = self.names.choice(field, choice)
                button.choice = choice  # the value kept and sent: the catalog's Chinese choice
                self.ids.editor.add_widget(button)
        elif is_address_field(field) and not previous and self.places is not None:
            self.value = ""
            self._choose_township()
        else:
            keyboard.text = previous.replace("-", "") if field.type == "date" else previous
            self.value = keyboard.text
            keyboard.layout = layout_for_field(field.type)
        Clock.schedule_once(lambda _dt: self._scroll_to_field(), 0)

    def _scroll_to_field(self) -> None:
        # The keyboard sits below the form, never over it; on a small screen the field scrolls into view.
        scroll = self.ids.form_scroll
        if scroll.height < scroll.children[0].height:
            scroll.scroll_to(self.ids.field_value, padding=10, animate=False)

    # -- address: township → village → the rest typed --------------------------------------------------
    def _choose_township(self) -> None:
        self.address_stage = "township"
        self.hint = tr._("keyboard.address.township")
        self._offer(self.places.township_names(), self._township_chosen)

    def _township_chosen(self, township: str) -> None:
        self._township = township
        self.address_stage = "village"
        self.hint = tr._("keyboard.address.village")
        self._offer(self.places.villages(township), self._village_chosen)

    def _village_chosen(self, village: str) -> None:
        self._address_prefix = self.places.address(self._township, village, "")
        self._type_address()

    def _type_address(self) -> None:
        self.address_stage = "detail"
        self.hint = tr._("keyboard.address.detail")
        self.ids.editor.clear_widgets()
        keyboard = self.ids.keyboard
        keyboard.max_length = max(1, self.field.max_length - len(self._address_prefix))
        keyboard.layout = "pinyin"
        self.value = self._address_prefix + keyboard.text

    def _offer(self, names: list[str], chosen) -> None:
        editor = self.ids.editor
        editor.clear_widgets()
        for name in names:
            button = KioskButton(text=name, height="110dp")
            button.bind(on_release=lambda b: chosen(b.text))
            editor.add_widget(button)
        other = SecondaryButton(text=tr._("keyboard.address.other"), height="110dp")
        other.bind(on_release=lambda _b: self._type_address())
        editor.add_widget(other)

    # -- typing ---------------------------------------------------------------------------------------
    def _typed(self, _keyboard, text: str) -> None:
        if not self.count or self.field.type == "choice":
            return
        self.error_text = self.ok_text = ""
        self.value = self._address_prefix + text if self.address_stage == "detail" else text
        if self.field.type == "credit_code" and len(text) == 18:
            self._check_credit_code(text)

    def _check_credit_code(self, text: str) -> None:
        """Said at the field the moment the 18th character is typed, not after submitting."""
        try:
            parse_credit_code(text)
        except CreditCodeError as error:
            key = "keyboard.credit_code.check" if error.key == "creditcode.error.check_digit" else error.key
            self.error_text = tr._(key, detail=error.detail)
            return
        self.ok_text = tr._("keyboard.credit_code.ok")

    def _choose(self, choice: str) -> None:
        self.value = choice
        self.next()

    def _label(self, field) -> str:  # noqa: ANN001 - a FormField
        return self.names.label(field) + ("" if field.required else tr._("form.optional"))

    def _language_switched(self, *_args) -> None:
        """Label and choices in the new language; what is typed stays (the keyboard is not reset)."""
        item = self.app.current_item()
        if not self.count or item is None:
            return
        self.names = shown_names(item)
        field = self.field
        self.label = self._label(field)
        for button in self.ids.editor.children:
            if hasattr(button, "choice"):
                button.text = self.names.choice(field, button.choice)
        self.property("value").dispatch(self)  # the answer shown again, a choice in the new words

    def shown_value(self) -> str:
        return self.shown(self.value, self.index)

    def shown(self, value: str, index: float) -> str:
        """The answer as the field shows it: a date with its dashes, a choice in the citizen's language."""
        if not value or int(index) >= len(self.fields):
            return ""
        field = self.fields[int(index)]
        return self.names.value(field, display_value(field.type, value))

    def next(self) -> None:
        from kiosk.catalog import FieldError, validate_field

        field = self.field
        raw = display_value(field.type, self.value) if field.type == "date" else self.value
        try:
            normalised = validate_field(field, raw)
        except FieldError as error:
            key = "keyboard.credit_code.check" if error.key == "creditcode.error.check_digit" else error.key
            self.error_text = tr._(key, detail=error.detail, label=self.names.label(field))
            return
        self.values[field.key] = normalised
        if self.index + 1 < self.count:
            self.index += 1
            self._show()
        else:
            self.app.journey.form_done(self.values)

    def back_within(self) -> bool:
        """The top bar's 上一步 inside the form: the address's previous level, else the previous field. False on
        the first field: then 上一步 leaves the form for the journey's previous step (materials or identity)."""
        if self.address_stage in ("village", "detail"):
            self.ids.keyboard.layout = ""
            self.ids.keyboard.reset()
            self._address_prefix = ""
            self.value = ""
            self._choose_township()
            return True
        if self.index == 0:
            # Leaving the form for the previous step: what was typed waits for the citizen's return.
            typed = {self.field.key: self.value} if self.count and self.value else {}
            self.app.desk.apply.keep_draft({**self.values, **typed})
            return False
        self.index -= 1
        self._show()
        return True

    def back(self) -> None:
        if not self.back_within():
            self.app.back()

    def show_error(self, text: str) -> None:
        self.error_text = text

    def reset(self) -> None:
        self.value = ""
        self.count = self.index = 0
        self.fields, self.values = [], {}
        self.label = self.hint = self.error_text = self.ok_text = ""
        self.address_stage = ""
        self._address_prefix = ""
        self.ids.editor.clear_widgets()
        self.ids.keyboard.layout = ""
        self.ids.keyboard.reset()
