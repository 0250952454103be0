from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.catalog import Catalog
from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import CategoryChip, ChoiceButton


class CatalogScreen(KioskScreen):
    title_key = "catalog.bar"
    greeting = StringProperty("")
    notice = StringProperty("")
    category = StringProperty("")  # "" = all

    def on_pre_enter(self, *args) -> None:
        citizen = self.app.session.citizen
        self.greeting = tr._("catalog.greeting", name=citizen.masked_name or citizen.masked_id) if citizen else ""
        self.show_catalog(self.app.catalog_state)

    def choose_category(self, category: str) -> None:
        self.category = category
        self.show_catalog(self.app.catalog_state)

    def _show_categories(self, catalog: Catalog) -> None:
        chips = self.ids.categories
        chips.clear_widgets()
        for category in ["", *catalog.categories()]:
            chip = CategoryChip(text=category or tr._("catalog.all"), code=category,
                                selected=category == self.category)
            chip.bind(on_release=lambda b: self.choose_category(b.code))
            chips.add_widget(chip)

    def show_catalog(self, state) -> None:
        grid = self.ids.item_list
        grid.clear_widgets()
        if state is None:
            self.notice = tr._("catalog.loading")
            return
        catalog: Catalog | None = state.catalog
        if catalog is None:
            self.notice = tr._("catalog.unavailable")
            return
        self.notice = tr._("catalog.from_cache", when=state.fetched_at or "") if state.from_cache else ""
        self._show_categories(catalog)
        availability = self.app.availability
        for item in catalog.items:
            if self.category and item.category != self.category:
                continue
            subtitle = f"{item.category} · {item.department}"
            usable = availability is None or availability.item_available(item.code)
            if not usable:
                reason = availability.unavailable_items.get(item.code, "")
                subtitle = tr._("catalog.unavailable_item", reason=tr._(reason))
            button = ChoiceButton(
                text=f"[b]{item.name}[/b]\n[size=26sp][color=5c6675]{subtitle}[/color][/size]",
                code=item.code,
                disabled=not usable,
            )
            button.bind(on_release=lambda b: self.app.choose_item(b.code))
            grid.add_widget(button)

    def reset(self) -> None:
        self.greeting = ""
        self.category = ""
