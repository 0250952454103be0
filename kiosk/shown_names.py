"""An item's names as the citizen's language shows them, on every screen of the application — the materials
list, the form, the 容缺 commitment, the one-time notice, the confirm screen — not only in the guide.

The Chinese names stay what the kiosk keeps and sends (a ticked material, a chosen choice, the platform's
fields); these are for display. Where the catalog has no translation the Chinese shows, as in the guide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.catalog import CatalogItem, FormField, item_text, item_translation
from kiosk.i18n import current_language


@dataclass(frozen=True)
class ShownNames:
    item: str
    materials: dict[str, str] = field(default_factory=dict)  # Chinese material name → shown
    labels: dict[str, str] = field(default_factory=dict)  # field key → shown label
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # field key → {Chinese choice → shown}

    def material(self, name: str) -> str:
        return self.materials.get(name, name)

    # On paper the Chinese stays beside the translation: the citizen hands the slip over at a window where
    # staff read the office's own names ("Housing lease contract (房屋租赁合同)").
    def printed_item(self, chinese: str) -> str:
        return _both(self.item, chinese)

    def printed_material(self, name: str) -> str:
        return _both(self.material(name), name)

    def label(self, form_field: FormField) -> str:
        return self.labels.get(form_field.key, form_field.label)

    def choice(self, form_field: FormField, value: str) -> str:
        return self.choices.get(form_field.key, {}).get(value, value)

    def value(self, form_field: FormField, value: str) -> str:
        """A form answer as shown: a choice in the citizen's language, anything typed as typed."""
        return self.choice(form_field, value) if form_field.type == "choice" else value


def _both(shown: str, chinese: str) -> str:
    return chinese if not shown or shown == chinese else f"{shown} ({chinese})"


def shown_names(item: CatalogItem, language: str | None = None) -> ShownNames:
    language = language or current_language()
    materials = dict(zip((m.name for m in item.guide.materials), item_text(item, "materials", language), strict=True))
    translation = item_translation(item, language)
    shown_fields = (translation.fields if translation is not None else None) or {}
    labels = {key: shown.label for key, shown in shown_fields.items()}
    choices = {f.key: dict(zip(f.choices, shown_fields[f.key].choices, strict=True)) for f in item.fields
               if f.key in shown_fields and shown_fields[f.key].choices}
    return ShownNames(item_text(item, "name", language), materials, labels, choices)


def translated_names(item: CatalogItem, language: str | None = None) -> ShownNames | None:
    """The item's names where the citizen reads another language than Chinese, None where they read Chinese:
    for what is said differently then (paper with the Chinese beside the translation, certificates named by
    the material they stand for)."""
    language = language or current_language()
    return None if language == "zh_CN" else shown_names(item, language)
