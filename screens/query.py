"""Query-and-print: the platform's answer previewed on screen, then printed."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr


class QueryScreen(KioskScreen):
    title_key = "query.bar"
    show_home_button = True
    item_name = StringProperty("")
    body = StringProperty("")
    status_text = StringProperty("")
    image = StringProperty("")
    state = StringProperty("loading")  # loading | ready | printing | printed | failed | offline
    can_queue = BooleanProperty(False)

    def on_pre_enter(self, *args) -> None:
        item = self.app.current_item()
        self.item_name = item.name if item else ""

    def loading(self) -> None:
        self.state, self.body, self.image = "loading", "", ""
        self.status_text = tr._("query.loading")

    def show_document(self, document) -> None:
        rows = "\n".join(f"[b]{key}[/b]  {value}" for key, value in document.rows)
        table = ""
        if document.table_headers:
            table = "\n\n" + " | ".join(document.table_headers) + "\n" + "\n".join(
                " | ".join(str(cell) for cell in row) for row in document.table_rows)
        self.body = f"[b]{document.title}[/b]\n\n{rows}{table}"
        self.state = "ready"
        self.status_text = tr._("query.preview")

    def show_failure(self, text: str, offline: bool, can_queue: bool) -> None:
        self.state = "offline" if offline else "failed"
        self.can_queue = can_queue
        self.status_text = text

    def show_print(self, text: str, image: str, printed: bool) -> None:
        self.state = "printed" if printed else "failed"
        reused = image == self.image  # a new path loads by itself; reload() only a reused one (result.py)
        self.status_text, self.image = text, image
        if image and reused:
            self.ids.query_image.reload()

    def reset(self) -> None:
        self.item_name = self.body = self.status_text = self.image = ""
        self.state = "loading"
        self.can_queue = False
