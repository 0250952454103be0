"""The whole form of an item at once: every field checked, every problem returned together, so the screen
can mark all of them in one go rather than one per tap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.catalog import CatalogItem
from kiosk.fieldtypes import FieldError, validate_field  # the same contract the platform checks


@dataclass(frozen=True, slots=True)
class FormCheck:
    values: dict[str, str]  # normalised values of the fields that passed (empty optional fields left out)
    errors: dict[str, FieldError] = field(default_factory=dict)  # by field key

    @property
    def ok(self) -> bool:
        return not self.errors


def check_form(item: CatalogItem, form: Mapping[str, str], today: dt.date | None = None) -> FormCheck:
    values: dict[str, str] = {}
    errors: dict[str, FieldError] = {}
    for form_field in item.fields:
        try:
            value = validate_field(form_field, form.get(form_field.key, ""), today)
        except FieldError as error:
            errors[form_field.key] = error
            continue
        if value:
            values[form_field.key] = value
    for key in form:
        if key not in values and key not in errors and not any(f.key == key for f in item.fields):
            errors[key] = FieldError("flows.field.unknown", key)  # a screen bug: never send it on silently
    return FormCheck(values, errors)
