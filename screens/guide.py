from __future__ import annotations

import re

from kivy.properties import StringProperty

from kiosk.catalog import CatalogItem, item_text, localized
from kiosk.flow import ServiceFlow
from kiosk.glossary import plain
from kiosk.i18n import current_language
from screens.base import KioskScreen
from screens.i18n import tr

_TITLES = re.compile(r"(《[^》]*》)")  # the titles of laws and documents, quoted whole
_FORMS = {"original": "guide.form.original", "copy": "guide.form.copy", "electronic": "guide.form.electronic"}


def guide_text(item: CatalogItem) -> str:
    """The office guide as the citizen reads it: every material, the time limits, the result, the fee."""
    guide = localized(item, current_language()).guide  # English texts when the citizen chose English
    summary = ServiceFlow.guide_summary(item)
    lines = [f"[b]{tr._('guide.basis')}[/b]", *guide.legal_basis, ""]
    if guide.conditions:
        lines += [f"[b]{tr._('guide.conditions')}[/b]", *[f"· {c}" for c in guide.conditions], ""]
    lines += [f"[b]{tr._('guide.object')}[/b]", guide.service_object, ""]
    lines.append(f"[b]{tr._('guide.materials')}[/b]")
    for index, material in enumerate(guide.materials, 1):
        extra = []
        if material.shared:
            extra.append(tr._("guide.material.shared"))
        if material.waivable:
            extra.append(tr._("guide.material.waivable"))
        suffix = f"（{'，'.join(extra)}）" if extra else ""
        # 材料样本 (issue #17): tapping the link shows the sample (GuideScreen.show_sample).
        sample = f"  [ref=sample:{index - 1}][color=1f5fbf][u]{tr._('finish.sample.show')}[/u][/color][/ref]" \
            if material.sample else ""
        lines.append(f"{index}. {material.name}  {tr._(_FORMS[material.form])} × {material.count}{suffix}{sample}")
    lines += ["", f"[b]{tr._('guide.process')}[/b]", " → ".join(guide.process), ""]
    lines.append(f"[b]{tr._('guide.time_limit')}[/b]")
    lines.append(tr._("guide.time_limit_text", legal=guide.legal_limit_days, promised=guide.promised_limit_days))
    lines += ["", f"[b]{tr._('guide.result')}[/b]", guide.result]
    lines.append(" / ".join(tr._(f"guide.delivery.{d}") for d in guide.delivery))
    lines += ["", f"[b]{tr._('guide.fee_title')}[/b]", tr._(summary.fee_text_key, amount=f"{summary.fee_amount:.2f}")]
    if guide.commitment_allowed:
        lines += ["", f"[b]{tr._('guide.commitment')}[/b]", tr._("guide.commitment_text")]
    if not guide.fee.free:
        lines.append(guide.fee.basis)
    # The rest of a complete guide (issue #17): what is checked, where to ask, how to appeal.
    if guide.review_standard:
        lines += ["", f"[b]{tr._('finish.guide.review_standard')}[/b]", *[f"· {r}" for r in guide.review_standard]]
    if guide.inquiry_channels:
        lines += ["", f"[b]{tr._('finish.guide.inquiry')}[/b]", *[f"· {c}" for c in guide.inquiry_channels]]
    if guide.remedy:
        lines += ["", f"[b]{tr._('finish.guide.remedy')}[/b]", guide.remedy]
    return "\n".join(lines)


def plain_words(text: str) -> str:
    """``text`` with the glossary's plain words for its terms, except inside 《…》: the title of a law or a
    document is quoted as it is (its "告知承诺制" stays, or the citizen could not find it)."""
    return "".join(part if part.startswith("《") else plain(part) for part in _TITLES.split(text))


class GuideScreen(KioskScreen):
    title_key = "guide.bar"
    item_name = StringProperty("")
    department = StringProperty("")
    body = StringProperty("")
    kind = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        item = self.app.current_item()
        if item is None:
            return
        self.item_name = item_text(item, "name", current_language())
        self.kind = item.kind
        self.department = item_text(item, "department", current_language())
        self._show_body()
        self.ids.scroll.scroll_y = 1

    def on_kv_post(self, base_widget) -> None:
        # 长辈模式 turned on or off while the guide is shown: the same guide in the other words.
        self.app.access.bind(elder=lambda *_a: self._show_body())

    def _show_body(self) -> None:
        """The guide's text; in 长辈模式 its terms in plain words ("法定办结时限" → "法律规定最多几天办完", from the
        glossary in the locale files). The item's name stays the official one: it is what the window calls it."""
        item = self.app.current_item()
        if item is None or not self.item_name:
            return
        body = guide_text(item)
        if item.bundle_items:
            catalog = self.app.catalog_state.catalog
            names = "\n".join(f"· {item_text(catalog.item(code), 'name', current_language())}" for code in item.bundle_items)
            body = f"[b]{tr._('guide.bundle_members')}[/b]\n{names}\n\n{body}"
        self.body = plain_words(body) if self.app.access.elder else body

    def show_sample(self, ref: str) -> None:
        """A material's 材料样本 / 示范文本, from the link on its line."""
        item = self.app.current_item()
        if item is None or not ref.startswith("sample:"):
            return
        material = item.guide.materials[int(ref.split(":", 1)[1])]
        from screens.popups import show_message

        show_message(material.name, material.sample or tr._("finish.sample.none"))

    def reset(self) -> None:
        self.item_name = self.department = self.body = ""
