"""The 材料样本 popup (issue #17): a material's sample text at once, its picture when the platform sent it.

Opened from the guide's "看样本：<材料>" buttons (GuideScreen.show_sample). The picture is fetched and decoded on
a worker thread (the UI thread never waits on the network or on PNG decoding); only the texture blit is done on
the UI thread. With the platform down, or no picture for the material, the text stays and one line says the
picture cannot be shown now. 打印样本 prints the picture and the text (kiosk.sample_slip).

The pictures are catalog data (specimens, no personal data), so the last few are kept in memory for the next
citizen who asks about the same material.
"""

from __future__ import annotations

import io
import logging
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from kiosk.i18n import translate

log = logging.getLogger(__name__)
Builder.load_file(str(Path(__file__).with_suffix(".kv")))  # once: this module is imported once per process

PICTURES_KEPT = 4  # a few hundred KB at most; the guide of one item has at most a handful of samples
# name -> PNG bytes, most recently used last. Touched on the UI thread only (workers hand their answer back).
PICTURES: OrderedDict[str, bytes] = OrderedDict()


@dataclass(frozen=True, slots=True)
class DecodedPicture:
    """A sample picture decoded on a worker thread: its PNG (kept, and printed) and RGB rows ready to blit."""

    name: str
    png: bytes
    size: tuple[int, int]
    rgb: bytes  # bottom row first, as an OpenGL texture wants it


def fetch_and_decode(client: Any, name: str, cached_png: bytes | None) -> DecodedPicture:
    """Worker thread: the picture's PNG (from the platform unless the cache had it), decoded to RGB.
    A PlatformError (down, not found, not a PNG, too large) or a broken PNG propagates to the caller."""
    from PIL import Image

    png = cached_png if cached_png is not None else client.sample_image(name)
    with Image.open(io.BytesIO(png)) as opened:
        picture = opened.convert("RGB").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return DecodedPicture(name, png, picture.size, picture.tobytes())


def remember(name: str, png: bytes) -> None:
    PICTURES[name] = png
    PICTURES.move_to_end(name)
    while len(PICTURES) > PICTURES_KEPT:
        PICTURES.popitem(last=False)


class SampleView(ModalView):
    title = StringProperty("")  # the material's name
    text = StringProperty("")  # its 示范文本 / sample text
    picture_note = StringProperty("")  # loading, or why there is no picture
    print_status = StringProperty("")
    has_picture = BooleanProperty(False)
    printing = BooleanProperty(False)

    def __init__(self, app: Any, *, title: str, text: str, image_name: str, sample_text: str, **kwargs: Any) -> None:
        super().__init__(title=title, text=text, **kwargs)
        self.app = app
        self.image_name = image_name
        self.sample_text = sample_text  # printed as the platform wrote it (the screen may show plain words)
        self.png: bytes | None = None
        self.closed = False
        # Any change of screen (the session ended, the idle timeout) closes it: nothing stays over the next one.
        app.manager.bind(current=self._screen_changed)

    # -- the picture ----------------------------------------------------------------------------------------
    def load_picture(self) -> None:
        if not self.image_name:
            self.picture_note = translate("samples.unavailable")
            return
        self.picture_note = translate("samples.loading")
        client = self.app.runtime.client
        if client is None:
            self.picture_note = translate("samples.unavailable")
            return
        future = self.app.runtime.run_in_background(fetch_and_decode, client, self.image_name,
                                                    PICTURES.get(self.image_name))
        self.app.when_done(future, self._picture_came)

    def _picture_came(self, future: Future) -> None:
        if self.closed:
            return  # the citizen closed it (or the session ended) before the picture came
        error = future.exception()
        if error is not None:
            log.warning("sample picture %s cannot be shown: %s", self.image_name, error)
            self.picture_note = translate("samples.unavailable")
            return
        decoded: DecodedPicture = future.result()
        remember(decoded.name, decoded.png)
        texture = Texture.create(size=decoded.size, colorfmt="rgb")
        texture.blit_buffer(decoded.rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.ids.picture.texture = texture
        self.png = decoded.png
        self.has_picture = True
        self.picture_note = ""

    # -- paper ----------------------------------------------------------------------------------------------
    def print_sample(self) -> None:
        from kiosk.sample_slip import sample_print_job

        kiosk = self.app.runtime.config.kiosk
        job = sample_print_job(centre_name=kiosk.centre_name, material_name=self.title, sample_text=self.sample_text,
                               picture_png=self.png, kiosk_id=kiosk.device_id)
        self.printing = True
        self.print_status = translate("samples.printing")
        self.app.presenter.print(job, self._printed)

    def _printed(self, text: str, _image: str, _ok: bool) -> None:
        if self.closed:
            return
        self.printing = False
        self.print_status = text  # printed, or the printer's trouble in the words of every other print job

    # -- closing --------------------------------------------------------------------------------------------
    def _screen_changed(self, *_args: Any) -> None:
        self.close()

    def close(self) -> None:
        self.closed = True
        self.app.manager.unbind(current=self._screen_changed)
        self.ids.picture.texture = None  # the texture goes with the popup
        self.dismiss(animation=False)


def shown_sample_view() -> SampleView | None:
    """The sample popup on the screen now, if any (the tour and the tests look at it)."""
    from kivy.core.window import Window

    return next((child for child in Window.children if isinstance(child, SampleView)), None)


def show_sample_view(app: Any, *, title: str, text: str, image_name: str, sample_text: str) -> SampleView:
    """Open at once with the text; the picture follows from a worker thread."""
    view = SampleView(app, title=title, text=text, image_name=image_name, sample_text=sample_text)
    view.open(animation=False)
    view.load_picture()
    return view
