"""The printed 材料样本 (issue #17): a material's sample picture and its text, to take home from the guide.

Catalog data only (a specimen with invented data, watermarked 样本 by the platform): nothing of the citizen is
on it, so it prints the same for anyone. The picture goes as an ESC/POS raster image (kiosk.printing.picture),
the words as printer text.
"""

from __future__ import annotations

import datetime as dt

from kiosk.desk.outcomes import Message, PrintJob
from kiosk.i18n import translate
from kiosk.printing.document import Align, Cut, Document, KeyValue, Picture, Separator, Text, Title

PRINTED = Message("finish.sample.printed")  # "材料样本已打印。"


def sample_slip(*, centre_name: str, material_name: str, sample_text: str, picture_png: bytes | None,
                kiosk_id: str, at: dt.datetime | None = None) -> Document:
    """材料样本: heading, the material, its picture (when the platform had one), its text, "样本，仅供参考"."""
    doc = Document(name="material-sample")
    doc.add(Text(centre_name, Align.CENTER, bold=True), Title(translate("samples.paper.title")), Separator("="),
            KeyValue(translate("samples.paper.material"), material_name, bold_value=True))
    if picture_png:
        doc.add(Picture(picture_png))
    if sample_text:
        doc.add(Text(sample_text))
    doc.add(Separator(), Text(translate("samples.paper.foot"), Align.CENTER, bold=True),
            KeyValue(translate("finish.paper.printed_at"), (at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")),
            Text(f"{translate('finish.paper.kiosk')} {kiosk_id}", Align.CENTER), Cut())
    return doc


def sample_print_job(*, centre_name: str, material_name: str, sample_text: str, picture_png: bytes | None,
                     kiosk_id: str) -> PrintJob:
    """The slip as a print job: "材料样本已打印。" once the printer confirms it, its own reason otherwise."""
    return PrintJob(sample_slip(centre_name=centre_name, material_name=material_name, sample_text=sample_text,
                                picture_png=picture_png, kiosk_id=kiosk_id), PRINTED, purpose="sample")
