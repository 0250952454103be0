"""长辈模式 as an elderly citizen meets it (issue #13), in the real window: turned on from the top bar, the home
shows the station's top items as big tiles with pictograms, a tile opens the item's guide in plain words, the
catalog shows at most six items a page with big page buttons, and the next citizen gets the normal home back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui


def elder_on(ui) -> None:
    ui.pilot.tap(ui.app.top_bar.ids.elder_toggle)
    ui.pilot.frames(3)
    assert ui.app.access.elder


def tiles(ui) -> list:
    """The elder tiles on the glass, in reading order (Kivy keeps a layout's children last-added first)."""
    from screens.home import ElderTile

    shown = {id(w) for w in ui.pilot.visible_widgets() if isinstance(w, ElderTile)}
    return [w for w in reversed(ui.app.screen("home").ids.tiles.children) if id(w) in shown]


def shown_items(ui) -> list[str]:
    """The codes of the catalog items on the glass now."""
    grid = ui.app.screen("catalog").ids.item_list
    return [w.code for w in reversed(grid.children) if w.code] if ui.pilot.current == "catalog" else []


def test_elder_home_shows_top_items_as_tiles_with_pictograms_that_fit_and_open_the_guide(ui) -> None:
    from screens.tour import clipped_labels

    app, pilot = ui.app, ui.pilot
    assert not tiles(ui)  # normal mode: the normal home
    elder_on(ui)
    shown = tiles(ui)
    catalog = app.catalog_state.catalog
    top = catalog.items[:4]
    # At most six choices: the first four items of the catalog, 查进度 · 取件 · 取号 and 更多事项.
    assert len(shown) == 6 == app.access.max_choices
    assert [tile.code for tile in shown[:4]] == [item.code for item in top]
    assert [tile.text for tile in shown] == [item.name for item in top] + [_("elder.services"), _("elder.more")]
    # Each tile shows its category's pictogram (社保 → shebao.png …), the last two their own.
    expected = ["shebao", "yibao", "gongjijin", "gongjijin", "qita", "gengduo"]
    icons = [Path(tile.children[-1].source).stem for tile in shown]  # the Image is the tile's first child
    assert icons == expected
    assert all(Path(tile.children[-1].source).is_file() and tile.children[-1].texture is not None for tile in shown)
    # Big: each tile at least a quarter of the width and everything on the glass under the two-row top bar.
    manager = app.manager
    for tile in shown:
        left, bottom = tile.to_window(tile.x, tile.y)
        assert tile.width >= manager.width / 4 and tile.height >= manager.height / 6
        assert bottom >= manager.y - 1 and bottom + tile.height <= manager.top + 1, f"{tile.text} is off the screen"
    assert clipped_labels(app) == []
    # The normal home's buttons are not behind the tiles (neither a tap nor the keypad finds them).
    assert _("home.start") not in pilot.visible_texts()

    pilot.tap_text("住房公积金租房提取", exact=True)  # a tile opens its guide
    pilot.wait_for_screen("guide")
    guide = app.screen("guide")
    assert guide.item_name == "住房公积金租房提取"
    assert "法律规定最多几天办完" in guide.body and "法定办结时限" not in guide.body
    pilot.tap(app.top_bar.ids.back_button)
    pilot.wait_for_screen("home")
    pilot.tap_text(_("elder.more"), exact=True)  # the rest of the catalog, six a page
    pilot.wait_for_screen("catalog")
    pilot.tap_text("户籍证明开具")
    pilot.wait_for_screen("guide")
    assert guide.item_name == "户籍证明开具"
    # Plain words for terms: the legal time limit reads as "法律规定最多几天办完".
    assert "法律规定最多几天办完" in guide.body and "法定办结时限" not in guide.body
    assert any("法律规定最多几天办完" in text for text in pilot.visible_texts())
    elder_body = guide.body
    # Normal mode keeps the official terms.
    pilot.tap(app.top_bar.ids.elder_toggle)
    pilot.frames(3)
    assert "法定办结时限" in guide.body and "法律规定最多几天办完" not in guide.body
    # The titles of laws stay as they are written, terms and all (a citizen looks them up by these words).
    titles = re.findall(r"《[^》]*》", guide.body)
    assert any("告知承诺制" in title for title in titles)
    assert all(title in elder_body for title in titles)


def test_elder_second_page_has_progress_pickup_and_tickets_as_tiles(ui) -> None:
    app, pilot = ui.app, ui.pilot
    elder_on(ui)
    pilot.tap_text(_("elder.services"), exact=True)
    pilot.frames(2)
    words = [tile.text for tile in tiles(ui)]
    assert words == [_("home.progress"), _("home.pickup"), _("home.ticket"), _("finish.home_mine"),
                     _("home.complaint"), _("elder.back_to_items")]
    pilot.tap_text(_("home.ticket"), exact=True)
    pilot.wait_for_screen("ticket")
    pilot.tap(app.top_bar.ids.back_button)
    pilot.wait_for_screen("home")
    pilot.tap_text(_("elder.back_to_items"), exact=True)
    pilot.frames(2)
    assert tiles(ui)[-1].text == _("elder.more")
    pilot.tap_text(_("elder.services"), exact=True)
    app.end_session()  # the next citizen starts on the items (and in normal mode)
    pilot.frames(2)
    assert app.screen("home").elder_page == "items"


def test_elder_catalog_pages_by_six_without_category_chips(ui) -> None:
    app, pilot = ui.app, ui.pilot
    elder_on(ui)
    pilot.tap_text(_("elder.more"), exact=True)
    pilot.wait_for_screen("catalog")
    screen = app.screen("catalog")
    items = [item.code for item in app.catalog_state.catalog.items]
    pages = -(-len(items) // 6)
    assert pages >= 2
    seen: list[str] = []
    for page in range(1, pages + 1):
        pilot.wait_for_text(_("elder.page", page=page, pages=pages))
        shown = shown_items(ui)
        assert 0 < len(shown) <= 6
        seen += shown
        if page < pages:
            pilot.tap_text(_("elder.next_page"), exact=True)
    assert seen == items  # every item once, in order, over the pages
    assert screen.ids.next_page.disabled  # the last page: no 下一页
    pilot.tap_text(_("elder.prev_page"), exact=True)
    pilot.wait_for_text(_("elder.page", page=pages - 1, pages=pages))
    # No category or keyword chips in elder mode: they are more than six choices.
    visible = pilot.visible_texts()
    assert _("catalog.all") not in visible and "社保" not in visible
    # The chosen item opens from a later page too.
    name = app.catalog_state.catalog.item(shown_items(ui)[0]).name
    pilot.tap_text(name)
    pilot.wait_for_screen("guide")
    assert app.screen("guide").item_name == name


def test_normal_catalog_is_one_list_with_chips(ui) -> None:
    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    screen = ui.app.screen("catalog")
    assert len(screen.ids.item_list.children) == len(ui.app.catalog_state.catalog.items)
    assert screen.ids.pager.opacity == 0 and _("catalog.all") in pilot.visible_texts()


def test_the_next_citizen_gets_the_normal_home_back(ui) -> None:
    from kivy.metrics import Metrics

    app, pilot = ui.app, ui.pilot
    elder_on(ui)
    pilot.tap_text(_("elder.more"), exact=True)
    pilot.wait_for_screen("catalog")
    pilot.tap_text(_("elder.next_page"), exact=True)
    app.end_session()
    pilot.frames(3)
    assert pilot.current == "home" and not app.access.elder and Metrics.fontscale == 1.0
    assert not tiles(ui)
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    # The whole list from its first item, no pages.
    assert app.screen("catalog").page == 0 and app.screen("catalog").pages == 1
    assert len(shown_items(ui)) > 6


def test_the_clipping_check_sees_a_word_broken_in_two(ui) -> None:
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from screens.tour import clipped_labels

    text = "Appointment"  # "Appointmen" / "t", as the top bar showed it in 长辈模式 English
    label = Label(text=text, font_size="28sp", bold=True, size_hint=(None, None), size=(400, 400), pos=(20, 200))
    Window.add_widget(label)
    try:
        ui.pilot.frames(2)
        label.width = label.texture_size[0] * 0.6  # 60 % of the word's width
        label.text_size = (label.width, None)
        ui.pilot.frames(2)
        found = [entry["widget"] for entry in clipped_labels(ui.app) if entry["text"] == text]
        assert found == ["Label breaks the word 'Appointment' in two"]
        label.width = 900  # room for it on one line: nothing to report
        label.text_size = (label.width, None)
        ui.pilot.frames(2)
        assert [entry for entry in clipped_labels(ui.app) if entry["text"] == text] == []
    finally:
        Window.remove_widget(label)
