from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import translate
from screens.base import KioskScreen
from screens.icons import MORE_ICON, OTHER_ICON, icon_path, named_icon

if TYPE_CHECKING:  # kiosk.notices brings the platform client (requests): not before the first frame (issue #16)
    from kiosk.catalog import Catalog, CatalogItem
    from kiosk.notices import Notice

MORE_CODE = ""  # the code of the 更多事项 tile: it opens the whole catalog, not one item
SERVICES_CODE = "@services"  # the 其他服务 tile: the second elder page (progress, pickup, tickets …)
ITEMS_CODE = "@items"  # back from that page to the items
# The second elder page: what the normal home's small buttons do, as big tiles (code -> (words, action)).
ELDER_SERVICES: tuple[tuple[str, str], ...] = (
    ("@progress", "home.progress"), ("@pickup", "home.pickup"), ("@ticket", "home.ticket"),
    ("@mine", "finish.home_mine"), ("@complaint", "home.complaint"),
)


class ElderTile(ButtonBehavior, BoxLayout):
    """A big tile of the elder home (长辈模式): a pictogram above the item's name; one tap opens its guide.
    ``text`` is what the keypad focus says and what the Pilot taps by."""

    text = StringProperty("")
    code = StringProperty("")
    icon = StringProperty("")  # the category's pictogram ("" = none: the words alone)
    note = StringProperty("")  # why the item cannot be done now (a device is down), or ""


def top_items(catalog: Catalog | None, how_many: int) -> list[CatalogItem]:
    """The station's top items: the first of its catalog (the platform lists the most asked-for first)."""
    return list(catalog.items[:how_many]) if catalog is not None else []


class HomeScreen(KioskScreen):
    title_key = "home.bar"
    show_home_button = False
    availability_text = StringProperty("")
    notices_text = StringProperty("")  # operator notices in force (紧急通知, holiday hours …), newest rules
    notice_emergency = BooleanProperty(False)
    elder = BooleanProperty(False)  # 长辈模式: big tiles instead of the buttons
    elder_page = StringProperty("items")  # "items" (top items) | "services" (progress, pickup, tickets …)

    def on_kv_post(self, base_widget: Any) -> None:
        # Only one of the two homes is in the tree, so neither the keypad focus nor a tap finds the other's
        # buttons behind it.
        # The widgets themselves, not the weak proxies of ``ids``: the one out of the tree lives on here.
        self._normal_home = self.ids.normal_home.__self__
        self._elder_home = self.ids.elder_home.__self__
        self.remove_widget(self._elder_home)
        access = self.app.access
        access.bind(elder=lambda _a, on: self._show_elder(on), language=lambda *_a: self._refill_tiles())
        self.app.bind(catalog_state=lambda *_a: self._refill_tiles(),
                      availability=lambda *_a: self._refill_tiles())
        if access.elder:  # turned on before this screen was built
            self._show_elder(True)

    def _show_elder(self, on: bool) -> None:
        self.elder = on
        shown, hidden = (self._elder_home, self._normal_home) if on else (self._normal_home, self._elder_home)
        if hidden.parent is self:
            self.remove_widget(hidden)
        if shown.parent is None:
            self.add_widget(shown)
        self._refill_tiles()
        if self.manager is not None and self.manager.current_screen is self:
            self.app.access.focus.screen_changed(self)  # the keypad focus walks the tiles now

    def _refill_tiles(self) -> None:
        if not self.elder:
            return
        grid = self.ids.tiles
        grid.clear_widgets()
        if self.elder_page == "services":
            self._services_tiles(grid)
        else:
            self._item_tiles(grid)

    def _item_tiles(self, grid: Any) -> None:
        state = self.app.catalog_state
        catalog = state.catalog if state is not None else None
        availability = self.app.availability
        # At most max_choices choices on the screen, 其他服务 and 更多事项 included.
        how_many = (self.app.access.max_choices or 6) - 2
        for item in top_items(catalog, how_many):
            usable = availability is None or availability.item_available(item.code)
            reason = "" if usable else translate(availability.unavailable_items.get(item.code, ""))
            icon = icon_path(item.category, OTHER_ICON)
            self._add_tile(grid, item.name, item.code, str(icon) if icon else "", note=reason, disabled=not usable)
        other_icon = named_icon(OTHER_ICON)
        self._add_tile(grid, translate("elder.services"), SERVICES_CODE, str(other_icon) if other_icon else "")
        more_icon = named_icon(MORE_ICON)
        self._add_tile(grid, translate("elder.more"), MORE_CODE, str(more_icon) if more_icon else "")

    def _services_tiles(self, grid: Any) -> None:
        for code, key in ELDER_SERVICES:
            self._add_tile(grid, translate(key), code, "")
        self._add_tile(grid, translate("elder.back_to_items"), ITEMS_CODE, "")

    def _add_tile(self, grid: Any, text: str, code: str, icon: str, note: str = "", disabled: bool = False) -> None:
        tile = ElderTile(text=text, code=code, icon=icon, note=note, disabled=disabled)
        tile.bind(on_release=lambda t: self.open_tile(t.code))
        grid.add_widget(tile)

    def open_tile(self, code: str) -> None:
        actions = {
            MORE_CODE: self.start,
            SERVICES_CODE: lambda: self._turn_page("services"),
            ITEMS_CODE: lambda: self._turn_page("items"),
            "@progress": self.app.counter.open_progress,
            "@pickup": self.app.counter.open_pickup,
            "@ticket": self.app.counter.open_tickets,
            "@mine": self.app.finish.open_my_applications,
            "@complaint": self.complaint,
        }
        action = actions.get(code)
        if action is not None:
            action()
        else:
            self.app.journey.choose_item(code)

    def _turn_page(self, page: str) -> None:
        self.elder_page = page
        self._refill_tiles()
        self.app.access.focus.screen_changed(self)  # the keypad focus walks the new tiles

    def reset(self) -> None:
        super().reset()
        if self.elder_page != "items":  # the next citizen starts on the items
            self.elder_page = "items"
            self._refill_tiles()

    def start(self) -> None:
        # Guides are public: browse first, identify only when an item needs it.
        self.app.go("catalog")

    def complaint(self) -> None:
        self.app.help.open_complaint()

    def show_notices(self, notices: Sequence[Notice]) -> None:
        """Emergencies first; each says its kind in words ("紧急通知：…"), not by colour alone."""
        ordered = sorted(notices, key=lambda notice: not notice.emergency)
        self.notice_emergency = any(notice.emergency for notice in ordered)
        self.notices_text = "\n\n".join(
            translate("help_ui.home.notice", level=translate(f"help.notice.{notice.level}"), title=notice.title)
            + (f"\n{notice.body}" if notice.body else "") for notice in ordered)
