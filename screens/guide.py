from __future__ import annotations

import re
from dataclasses import dataclass

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from kiosk.catalog import CatalogItem, item_text, localized
from kiosk.flow import ServiceFlow
from kiosk.glossary import plain
from kiosk.i18n import current_language
from screens import theme
from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import kept

_TITLES = re.compile(r"(《[^》]*》)")  # the titles of laws and documents, quoted whole
_FORMS = {"original": "guide.form.original", "copy": "guide.form.copy", "electronic": "guide.form.electronic"}


@dataclass(frozen=True, slots=True)
class GuideSection:
    """One heading of the office guide, its lines, and the materials in it that have a sample to show."""

    title: str
    lines: tuple[str, ...]
    samples: tuple[tuple[int, str], ...] = ()  # (the material's index in the guide, its name)

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))

    def in_plain_words(self) -> GuideSection:
        return GuideSection(plain_words(self.title), tuple(plain_words(line) for line in self.lines),
                            tuple((index, plain_words(name)) for index, name in self.samples))


def guide_sections(item: CatalogItem) -> list[GuideSection]:
    """The office guide as the citizen reads it, one section per heading: the legal basis, conditions, every
    material, the time limits, the result, the fee, what is checked, where to ask, how to appeal."""
    guide = localized(item, current_language()).guide  # English texts when the citizen chose English
    summary = ServiceFlow.guide_summary(item)

    def section(title_key: str, *lines: str, samples: tuple[tuple[int, str], ...] = ()) -> GuideSection:
        return GuideSection(tr._(title_key), lines, samples)

    sections = [section("guide.basis", *guide.legal_basis)]
    if guide.conditions:
        sections.append(section("guide.conditions", *[f"· {c}" for c in guide.conditions]))
    sections.append(section("guide.object", guide.service_object))
    materials = []
    for index, material in enumerate(guide.materials, 1):
        extra = []
        if material.shared:
            extra.append(tr._("guide.material.shared"))
        if material.waivable:
            extra.append(tr._("guide.material.waivable"))
        # Brackets and comma as the language writes them ("（waivable，…）" read as a typo in English).
        suffix = tr._("guide.material.notes", notes=tr._("guide.material.notes_separator").join(extra)) if extra else ""
        materials.append(f"{index}. {material.name}  {tr._(_FORMS[material.form])} × {material.count}{suffix}")
    # 材料样本 (issue #17): a button under the list for each material that has one (GuideScreen.show_sample).
    samples = tuple((index, material.name) for index, material in enumerate(guide.materials) if material.sample)
    sections.append(section("guide.materials", *materials, samples=samples))
    sections.append(section("guide.process", " → ".join(guide.process)))
    sections.append(section("guide.time_limit", tr._("guide.time_limit_text", legal=guide.legal_limit_days,
                                                     promised=guide.promised_limit_days)))
    sections.append(section("guide.result", guide.result,
                            " / ".join(tr._(f"guide.delivery.{d}") for d in guide.delivery)))
    fee = [tr._(summary.fee_text_key, amount=f"{summary.fee_amount:.2f}")]
    if not guide.fee.free:
        fee.append(guide.fee.basis)  # the fee's legal basis under the fee (it used to land under 告知承诺)
    sections.append(section("guide.fee_title", *fee))
    if guide.commitment_allowed:
        sections.append(section("guide.commitment", tr._("guide.commitment_text")))
    # The rest of a complete guide (issue #17): what is checked, where to ask, how to appeal.
    if guide.review_standard:
        sections.append(section("finish.guide.review_standard", *[f"· {r}" for r in guide.review_standard]))
    if guide.inquiry_channels:
        sections.append(section("finish.guide.inquiry", *[f"· {c}" for c in guide.inquiry_channels]))
    if guide.remedy:
        sections.append(section("finish.guide.remedy", guide.remedy))
    return sections


def plain_words(text: str) -> str:
    """``text`` with the glossary's plain words for its terms, except inside 《…》: the title of a law or a
    document is quoted as it is (its "告知承诺制" stays, or the citizen could not find it)."""
    return "".join(part if part.startswith("《") else plain(part) for part in _TITLES.split(text))


# Sections drawn in the frame the guide arrives in; the rest follow one a frame. Rendering a long guide as one
# label took 23 ms of the UI thread in that frame (issue #16: the soak's only frames over 33 ms); the top of the
# guide is all a citizen sees at first, and the rest is there a few frames later, long before a finger scrolls.
SECTIONS_IN_FIRST_FRAME = 3


class GuideScreen(KioskScreen):
    title_key = "guide.bar"
    item_name = StringProperty("")
    department = StringProperty("")
    body = StringProperty("")  # the whole guide, as its sections show it
    kind = StringProperty("")
    complete = BooleanProperty(False)  # every section of the guide is shown

    def __init__(self, **kwargs) -> None:
        self._shown: list = []  # one GuideSectionView per section, kept and reused from guide to guide
        self._generation = 0  # a newer guide stops the filling of an older one
        super().__init__(**kwargs)

    def on_pre_enter(self, *args) -> None:
        item = self.app.current_item()
        if item is None:
            return
        self.kind = item.kind
        self._show_in_current_language()
        self.ids.scroll.scroll_y = 1

    def on_kv_post(self, base_widget) -> None:
        # 长辈模式 turned on or off while the guide is shown: the same guide in the other words.
        self.app.access.bind(elder=lambda *_a: self._show_body())

    def _show_in_current_language(self) -> None:
        item = self.app.current_item()
        if item is None:
            return
        self.item_name = item_text(item, "name", current_language())
        self.department = item_text(item, "department", current_language())
        self._show_body()

    def _show_body(self) -> None:
        """The guide's sections; in 长辈模式 its terms in plain words ("法定办结时限" → "法律规定最多几天办完", from the
        glossary in the locale files). The item's name stays the official one: it is what the window calls it."""
        item = self.app.current_item()
        if item is None or not self.item_name:
            return
        sections = guide_sections(item)
        if item.bundle_items:
            catalog = self.app.catalog_state.catalog
            names = tuple(f"· {item_text(catalog.item(code), 'name', current_language())}" for code in item.bundle_items)
            sections.insert(0, GuideSection(tr._("guide.bundle_members"), names))
        if self.app.access.elder:
            sections = [section.in_plain_words() for section in sections]
        self.body = "\n\n".join(section.text for section in sections)
        self._generation += 1
        self._fill(sections, 0, SECTIONS_IN_FIRST_FRAME, self._generation)

    def _fill(self, sections: list[GuideSection], start: int, count: int, generation: int) -> None:
        if generation != self._generation:
            return  # another guide (or the same in other words) replaced this one
        box = self.ids.sections
        if start == 0:
            for shown in self._shown[len(sections):]:
                if shown.parent is not None:
                    box.remove_widget(shown)
        for index in range(start, min(start + count, len(sections))):
            shown = kept(self._shown, index, Factory.GuideSectionView)
            self._show_section(shown, sections[index])
            if shown.parent is None:
                box.add_widget(shown)
        self.complete = start + count >= len(sections)
        if not self.complete:
            Clock.schedule_once(lambda _dt: self._fill(sections, start + count, 1, generation), 0)

    def _show_section(self, shown, section: GuideSection) -> None:
        shown.ids.heading.text = section.title
        shown.ids.lines.text = "\n".join(section.lines)
        buttons = shown.ids.samples
        buttons.clear_widgets()
        for index, name in section.samples:
            button = Factory.SecondaryButton(text=tr._("finish.sample.show_for", name=name), height="96sp",
                                             font_size=theme.FONT_BODY)
            button.bind(on_release=lambda _button, ref=f"sample:{index}": self.show_sample(ref))
            buttons.add_widget(button)

    def show_sample(self, ref: str) -> None:
        """A material's 材料样本 / 示范文本, from its button under the materials."""
        item = self.app.current_item()
        if item is None or not ref.startswith("sample:"):
            return
        material = localized(item, current_language()).guide.materials[int(ref.split(":", 1)[1])]
        from screens.sample_view import show_sample_view  # its kv loads with the first sample shown

        text = material.sample or tr._("finish.sample.none")
        show_sample_view(self.app, title=material.name, text=plain_words(text) if self.app.access.elder else text,
                         image_name=material.sample_image, sample_text=material.sample)

    def reset(self) -> None:
        self._generation += 1
        self.complete = False
        self.item_name = self.department = self.body = ""
        for shown in self._shown:  # nothing of this guide stays in a texture for the next citizen
            shown.ids.heading.text = shown.ids.lines.text = ""
            shown.ids.samples.clear_widgets()
