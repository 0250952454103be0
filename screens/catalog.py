from __future__ import annotations

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.catalog import Catalog, item_text
from kiosk.i18n import current_language
from kiosk.pinyin.lexicon import lexicon_if_loaded
from kiosk.search import search_items
from screens import theme
from screens.base import KioskScreen
from screens.i18n import tr
from screens.keyboard import OnScreenKeyboard  # noqa: F401  (the kv rule uses it)
from screens.widgets import CategoryChip, ChoiceButton

CARD_MIN_HEIGHT = 170  # dp: the card of widgets.kv


def _fit_card(button: ChoiceButton, texture_size: list[float]) -> None:
    button.height = max(dp(CARD_MIN_HEIGHT), texture_size[1] + dp(24))


class CatalogScreen(KioskScreen):
    title_key = "catalog.bar"
    greeting = StringProperty("")
    notice = StringProperty("")
    category = StringProperty("")  # "" = all
    query = StringProperty("")  # search words ("" = no search)
    typing = BooleanProperty(False)  # the on-screen keyboard is open under the list
    # 长辈模式 (issue #13): at most ``app.access.max_choices`` items at once, in pages; no category chips
    # (the home's tiles stand in for them).
    elder = BooleanProperty(False)
    page = NumericProperty(0)  # the page shown, from 0
    pages = NumericProperty(1)  # how many pages the list has (1 = not paged)
    page_text = StringProperty("")  # 第 2 页，共 4 页

    def on_kv_post(self, base_widget) -> None:
        keyboard = self.ids.keyboard
        keyboard.bind(text=lambda _k, text: self.search(text))
        keyboard.bind(on_hide=lambda _k: self.close_keyboard())
        self.app.access.bind(elder=lambda _a, on: self._elder_changed(on))
        self.elder = self.app.access.elder  # built after the citizen turned 长辈模式 on (screens build lazily)
        theme.live.bind(name=lambda *_a: self._refresh_if_shown())  # 高对比: the subtitles' grey follows

    def _refresh_if_shown(self) -> None:
        if self.manager is not None and self.manager.current_screen is self:
            self.show_catalog(self.app.catalog_state)

    def _elder_changed(self, on: bool) -> None:
        self.elder = on
        self.page = 0
        if self.manager is not None and self.manager.current_screen is self:
            self.show_catalog(self.app.catalog_state)
            self.app.access.focus.screen_changed(self)  # the keypad focus walks this page's items now

    def turn_page(self, step: int) -> None:
        """上一页 / 下一页: the next (or previous) items, the list from its top."""
        page = min(max(self.page + step, 0), self.pages - 1)
        if page != self.page:
            self.page = page
            self.show_catalog(self.app.catalog_state)
            self.ids.item_list.parent.scroll_y = 1
            self.app.access.focus.screen_changed(self)

    def open_keyboard(self) -> None:
        """Tapping the search field docks the letter keyboard at the bottom; results follow every key."""
        self.typing = True
        self.ids.keyboard.layout = "latin"

    def close_keyboard(self) -> None:
        self.typing = False
        self.ids.keyboard.layout = ""

    def on_pre_enter(self, *args) -> None:
        citizen = self.app.session.citizen
        self.greeting = tr._("catalog.greeting", name=citizen.masked_name or citizen.masked_id) if citizen else ""
        self.show_catalog(self.app.catalog_state)

    def choose_category(self, category: str) -> None:
        self.category = category
        self.page = 0
        self.show_catalog(self.app.catalog_state)

    def search(self, text: str) -> None:
        if text.strip() != self.query:
            self.page = 0
        self.query = text.strip()
        self.show_catalog(self.app.catalog_state)
        if self.query and lexicon_if_loaded() is None:
            # Pinyin needs the lexicon, still loading in the first seconds: search again once it is there.
            Clock.schedule_once(lambda _dt: self._search_when_ready(), 0.2)

    def _search_when_ready(self) -> None:
        if lexicon_if_loaded() is None:
            Clock.schedule_once(lambda _dt: self._search_when_ready(), 0.2)
        else:
            self._shown = None
            self.show_catalog(self.app.catalog_state)

    def toggle_keyword(self, word: str) -> None:
        # Typing Chinese is hard for many citizens: one tap on a common word searches for it.
        self.ids.keyboard.text = "" if self.query == word else word

    def _show_keywords(self) -> None:
        chips = self.ids.keywords
        chips.clear_widgets()
        for word in tr._("catalog.keywords").split():
            chip = CategoryChip(text=word, code=word, selected=word == self.query)
            chip.bind(on_release=lambda b: self.toggle_keyword(b.code))
            chips.add_widget(chip)

    def _show_categories(self, catalog: Catalog) -> None:
        chips = self.ids.categories
        chips.clear_widgets()
        for category in ["", *catalog.categories()]:
            chip = CategoryChip(text=category or tr._("catalog.all"), code=category,
                                selected=category == self.category)
            chip.bind(on_release=lambda b: self.choose_category(b.code))
            chips.add_widget(chip)

    def show_catalog(self, state) -> None:
        # Rebuilding ~20 buttons with markup textures costs a visible stall on a kiosk board: rebuild only when
        # what they show changed (catalog, availability, filter, search, language).
        availability = self.app.availability
        per_page = self.app.access.max_choices
        shown = (id(state), state.from_cache if state else None, self.category, self.query, current_language(),
                 tuple(sorted(availability.unavailable_items.items())) if availability else None,
                 per_page, self.page, theme.live.name)
        if shown == getattr(self, "_shown", None) and self.ids.item_list.children:
            return
        self._shown = shown
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
        self._teach_lexicon(catalog)
        self._show_categories(catalog)
        self._show_keywords()
        availability = self.app.availability
        found = search_items(catalog, self.query)
        if not found:
            self.notice = tr._("catalog.no_match", query=self.query)
        listed = [item for item in found if not self.category or item.category == self.category]
        if per_page:
            self.pages = max(1, -(-len(listed) // per_page))
            self.page = min(self.page, self.pages - 1)
            listed = listed[self.page * per_page:(self.page + 1) * per_page]
        else:
            self.pages, self.page = 1, 0
        self.page_text = tr._("elder.page", page=self.page + 1, pages=self.pages) if self.pages > 1 else ""
        # The subtitle's grey in markup (not a property the contrast switch can recolour): from the live palette.
        muted = "".join(f"{round(channel * 255):02x}" for channel in theme.live.text_muted[:3])
        for item in listed:
            subtitle = f"{item.category} · {item.department}"
            usable = availability is None or availability.item_available(item.code)
            if not usable:
                reason = availability.unavailable_items.get(item.code, "")
                subtitle = tr._("catalog.unavailable_item", reason=tr._(reason))
            button = ChoiceButton(
                text=f"[b]{item_text(item, 'name', current_language())}[/b]\n[size=26sp][color={muted}]{subtitle}[/color][/size]",
                code=item.code,
                disabled=not usable,
            )
            button.bind(on_release=lambda b: self.app.journey.choose_item(b.code))
            # The card grows with its text (长辈模式, long names); its text box has no height of its own, so the
            # text never follows the card's height back.
            button.bind(texture_size=_fit_card)
            grid.add_widget(button)

    def _teach_lexicon(self, catalog: Catalog) -> None:
        """Item names of the catalog the platform served become pinyin words (the built-in lexicon knows
        the demo catalog only); once per catalog, and only once the lexicon is loaded."""
        lexicon = lexicon_if_loaded()
        if lexicon is not None and getattr(self, "_taught", None) is not catalog:
            self._taught = catalog
            lexicon.add_words(item.name for item in catalog.items)

    def reset(self) -> None:
        self.greeting = ""
        self.category = ""
        self.query = ""
        self.page = 0
        # The next citizen sees the list from its top, not where the last one scrolled (or the keypad moved) to.
        scroller = self.ids.item_list.parent
        if scroller is not None and hasattr(scroller, "scroll_y"):
            scroller.scroll_y = 1
        self.close_keyboard()
        self.ids.keyboard.reset()
