"""拍摄材料: the citizen lays each paper material under the document camera; the live preview shows the page
outline found, the page is photographed once it is still, and the pages taken so far are shown with 重拍 and
删除. The screen only shows: kiosk/desk/capture.py decides, screens/routes_capture.py runs the camera."""

from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.base import KioskScreen
from screens.i18n import tr


class CapturePreview(Widget):
    """The live picture, fitted into the widget, with the page outline drawn over it."""

    texture = ObjectProperty(None, allownone=True)
    picture_pos = ListProperty([0, 0])
    picture_size = ListProperty([0, 0])
    outline_points = ListProperty([])
    progress = NumericProperty(0.0)

    def on_size(self, *_args: Any) -> None:
        self._fit()

    def on_pos(self, *_args: Any) -> None:
        self._fit()

    def show(self, preview: Any) -> None:
        width, height = preview.size
        if self.texture is None or tuple(self.texture.size) != (width, height):
            self.texture = Texture.create(size=(width, height), colorfmt="rgb")
        self.texture.blit_buffer(preview.rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.canvas.ask_update()
        self._outline = preview.outline
        self.progress = preview.progress
        self._fit()

    def clear(self) -> None:
        self.texture = None
        self._outline = ()
        self.outline_points = []
        self.progress = 0.0

    def _fit(self) -> None:
        if self.texture is None:
            self.picture_size = [0, 0]
            return
        width, height = self.texture.size
        scale = min(self.width / width, self.height / height)
        self.picture_size = [width * scale, height * scale]
        self.picture_pos = [self.x + (self.width - width * scale) / 2, self.y + (self.height - height * scale) / 2]
        outline = getattr(self, "_outline", ())
        points: list[float] = []
        for i in range(0, len(outline), 2):  # fractions of the frame, y downwards -> widget coordinates
            points += [self.picture_pos[0] + outline[i] * self.picture_size[0],
                       self.picture_pos[1] + (1 - outline[i + 1]) * self.picture_size[1]]
        self.outline_points = points


class PageThumb(BoxLayout):
    """One page taken: its thumbnail, 重拍 and 删除."""

    texture = ObjectProperty(None, allownone=True)
    number = NumericProperty(1)


class CaptureScreen(KioskScreen):
    reset_at_once = True  # its reset stops the 高拍仪 and forgets the pages taken, at once (KioskScreen)
    title_key = "capture.bar"
    spoken_prompt = "capture.prompt"
    progress_text = StringProperty("")
    message_text = StringProperty("")
    alert = BooleanProperty(False)
    last_material = BooleanProperty(False)
    page_count = NumericProperty(0)
    camera_down = BooleanProperty(False)  # the 高拍仪 failed: no preview, 不拍照，继续办理 offered
    _shown_pages: tuple[Any, ...] = ()  # the pages in the strip, and their thumbnails, in the same order
    _thumbs: tuple[PageThumb, ...] = ()

    def on_enter(self, *args: Any) -> None:
        self.app.capture.start()

    def on_leave(self, *args: Any) -> None:
        self.app.capture.stop()
        self.ids.preview.clear()

    def show_view(self, view: Any) -> None:
        self.progress_text = tr._("capture.progress", current=view.current + 1, total=len(view.materials),
                                  material=view.shown_material)
        self.camera_down = view.camera_down
        self.show_message(view.message.text(), alert=view.camera_down)
        self.last_material = view.is_last
        self.page_count = len(view.pages)
        self._show_pages(view.pages)

    def _show_pages(self, pages: Any) -> None:
        """The strip of thumbnails: a page taken adds one, 删除 removes one and 重拍 replaces one; the others
        keep their widgets and only renumber. (Building the strip anew on every change made each 删除 build
        seven thumbnails and their buttons in one frame: a stall of ~50 ms, issue #17.) Pages are known by
        identity: the desk hands the same Page objects again."""
        strip = self.ids.page_strip
        kept = {id(page): thumb for page, thumb in zip(self._shown_pages, self._thumbs, strict=True)}
        thumbs = []
        for number, page in enumerate(pages, start=1):
            thumb = kept.pop(id(page), None)
            if thumb is None:  # taken since the strip was last shown (or retaken)
                thumb = self._thumb(page)
            thumb.number = number
            thumbs.append(thumb)
        for gone in kept.values():  # deleted, or the pages of the material before
            strip.remove_widget(gone)
        for position, thumb in enumerate(thumbs):  # in the order shown: a BoxLayout lays out reversed(children)
            if thumb.parent is None:
                strip.add_widget(thumb, index=len(strip.children) - position)
        self._shown_pages, self._thumbs = tuple(pages), tuple(thumbs)

    @staticmethod
    def _thumb(page: Any) -> PageThumb:
        texture = Texture.create(size=page.thumb_size, colorfmt="luminance")
        texture.blit_buffer(page.thumb, colorfmt="luminance", bufferfmt="ubyte")
        return PageThumb(texture=texture)

    def show_message(self, text: str, alert: bool = False) -> None:
        self.message_text = text
        self.alert = alert

    def show_preview(self, preview: Any) -> None:
        self.ids.preview.show(preview)

    def reset(self) -> None:
        self.app.capture.stop()  # the session ended (perhaps on this screen): no camera for nobody
        self.app.capture.desk.forget()
        self.progress_text = self.message_text = ""
        self.page_count = 0
        self.camera_down = False
        self._shown_pages, self._thumbs = (), ()
        self.ids.page_strip.clear_widgets()  # the thumbnails show a citizen's papers
        self.ids.preview.clear()
