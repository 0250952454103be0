"""Demo papers for the simulated document camera: a white A4 sheet with Chinese text lines and a red stamp,
lying slightly rotated and perspective-skewed on a dark desk, put down by a hand that then moves away.

``PaperDesk`` is the ``sim://`` grabber of the document camera: it renders each frame on the fly (a desk
with the page is drawn once per paper; each frame only adds the hand), so the demo holds a few frames in
memory, not seconds of video. Frame by frame it plays, for each paper in turn: the hand moving off the page
(``HAND_FRAMES``), then the page lying still (``STILL_FRAMES``), then the next paper.
``desk_frame(paper, hand=...)`` renders one frame for tests and benchmarks.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from devices.camera.scene import SCENE_SIZE, SceneGrabber
from devices.fonts import cjk_face
from devices.priority import yield_cpu_to_the_ui

PAGE_PIXELS = (620, 877)  # width, height of the rendered sheet: A4's 1:√2 at ~75 dpi
HAND_FRAMES = 8  # frames of the hand moving off the page
STILL_FRAMES = 25  # frames of the page lying still before the next paper


@dataclass(frozen=True, slots=True)
class DemoPaper:
    title: str
    lines: tuple[str, ...]
    stamp: str
    angle: float  # degrees the sheet lies rotated on the desk
    skew: float  # how much nearer the camera the bottom edge is (perspective), 0..0.1


DEMO_PAPERS = (
    DemoPaper("居民户口簿", ("户主姓名：张某某", "住址：河南省洛阳市西工区道北路 12 号", "户号：410303000012",
                          "登记日期：2015 年 6 月 18 日", "与户主关系：户主", "承办人签章"), "洛阳市公安局", -4.0, 0.05),
    DemoPaper("收入证明", ("兹证明张某某同志系我单位职工，", "自 2019 年 3 月起在我单位工作，", "月均收入人民币 6500 元。",
                        "特此证明。", "单位地址：洛阳市涧西区建设路 8 号", "2026 年 11 月 20 日"), "洛阳某某有限公司", 3.0, 0.07),
    DemoPaper("租赁合同（首页）", ("出租方（甲方）：李某某", "承租方（乙方）：张某某", "房屋坐落：洛阳市西工区王城大道 66 号",
                             "租赁期限：2026 年 1 月 1 日至 2026 年 12 月 31 日", "月租金：人民币 1500 元",
                             "甲乙双方签字盖章后生效"), "洛阳市房屋租赁备案", -2.0, 0.04),
)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    face = cjk_face("Regular")
    return ImageFont.truetype(str(face.path), size, index=face.index)


@functools.lru_cache(maxsize=len(DEMO_PAPERS))
def render_paper(index: int) -> np.ndarray:
    """The flat sheet (BGR, ``PAGE_PIXELS``): title, text lines, a red round stamp."""
    paper = DEMO_PAPERS[index % len(DEMO_PAPERS)]
    width, height = PAGE_PIXELS
    image = Image.new("RGB", (width, height), (250, 249, 244))
    draw = ImageDraw.Draw(image)
    title = _font(44)
    left, _top, right, _bottom = draw.textbbox((0, 0), paper.title, font=title)
    draw.text(((width - (right - left)) // 2, 70), paper.title, font=title, fill=(20, 20, 20))
    body = _font(24)
    y = 180
    for line in paper.lines:
        draw.text((60, y), line, font=body, fill=(35, 35, 35))
        y += 62
    for rule in range(4):  # ruled lines of a form, as real papers have
        draw.line((60, y + 40 + rule * 56, width - 60, y + 40 + rule * 56), fill=(150, 150, 150), width=2)
    centre, radius = (width - 170, height - 190), 95
    red = (200, 30, 35)
    draw.ellipse((centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius), outline=red, width=7)
    star = [(centre[0] + 32 * math.cos(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4),
             centre[1] + 32 * math.sin(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4)) for k in range(10)]
    draw.polygon(star, fill=red)
    small = _font(20)
    left, _top, right, _bottom = draw.textbbox((0, 0), paper.stamp, font=small)
    draw.text((centre[0] - (right - left) // 2, centre[1] + 40), paper.stamp, font=small, fill=red)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def page_corners(index: int, size: tuple[int, int] = SCENE_SIZE) -> np.ndarray:
    """Where the sheet's corners lie in the camera frame (tl, tr, br, bl; float32): rotated and skewed."""
    paper = DEMO_PAPERS[index % len(DEMO_PAPERS)]
    width, height = size
    page_h = 0.86 * height
    page_w = page_h * PAGE_PIXELS[0] / PAGE_PIXELS[1]
    half_w, half_h = page_w / 2, page_h / 2
    spread = paper.skew * page_w  # the near (bottom) edge looks wider than the far one
    local = np.array([(-half_w + spread, -half_h), (half_w - spread, -half_h), (half_w + spread / 2, half_h),
                      (-half_w - spread / 2, half_h)], np.float32)
    turn = math.radians(paper.angle)
    rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]], np.float32)
    return (local @ rotation.T + np.array([width / 2, height / 2], np.float32)).astype(np.float32)


def _desk(size: tuple[int, int]) -> np.ndarray:
    # A dark wooden desk with a little grain: the page must stand out the way it does under a real 高拍仪.
    width, height = size
    rng = np.random.default_rng(11)
    grain = rng.normal(0, 6, (height, 1, 1)).astype(np.float32)
    desk = np.full((height, width, 3), (38, 46, 58), np.float32) + grain + rng.normal(0, 3, (height, width, 1))
    return np.clip(desk, 0, 255).astype(np.uint8)


@functools.lru_cache(maxsize=len(DEMO_PAPERS))
def still_frame(index: int, size: tuple[int, int] = SCENE_SIZE) -> np.ndarray:
    """The desk with paper ``index`` lying on it, no hand (read-only: copy before drawing on it)."""
    sheet = render_paper(index)
    source = np.array([(0, 0), (PAGE_PIXELS[0], 0), PAGE_PIXELS, (0, PAGE_PIXELS[1])], np.float32)
    matrix = cv2.getPerspectiveTransform(source, page_corners(index, size))
    frame = _desk(size)
    warped = cv2.warpPerspective(sheet, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full(sheet.shape[:2], 255, np.uint8), matrix, size)
    cv2.copyTo(warped, mask, frame)
    frame.setflags(write=False)
    return frame


def draw_hand(frame: np.ndarray, reach: float) -> None:
    """A hand-like occluder (palm and fingers) reaching in from the lower right; ``reach`` 1.0 lies well
    over the page, 0.0 is out of view."""
    height, width = frame.shape[:2]
    if reach <= 0:
        return
    skin = (120, 160, 215)
    palm = (int(width * (1.05 - 0.45 * reach)), int(height * (1.1 - 0.5 * reach)))
    axes = (int(0.13 * height), int(0.17 * height))
    cv2.line(frame, palm, (int(width * 1.3), int(height * 1.4)), skin, int(0.2 * height))  # the forearm
    cv2.ellipse(frame, palm, axes, -35, 0, 360, skin, -1)
    for finger in range(4):
        angle = math.radians(-150 + finger * 18)
        tip = (int(palm[0] + math.cos(angle) * 0.34 * height), int(palm[1] + math.sin(angle) * 0.34 * height))
        cv2.line(frame, palm, tip, skin, int(0.045 * height))
    cv2.line(frame, palm, (palm[0] - int(0.3 * height), palm[1] + int(0.05 * height)), skin, int(0.05 * height))


def desk_frame(index: int, reach: float = 0.0, size: tuple[int, int] = SCENE_SIZE) -> np.ndarray:
    """One camera frame: paper ``index`` on the desk with the hand at ``reach`` (0: no hand)."""
    frame = still_frame(index, size).copy()
    draw_hand(frame, reach)
    return frame


def frame_at(step: int, size: tuple[int, int] = SCENE_SIZE) -> np.ndarray:
    """Frame number ``step`` of the endless demo: each paper put down, the hand leaving, the page still."""
    per_paper = HAND_FRAMES + STILL_FRAMES
    index, within = divmod(step, per_paper)
    reach = max(0.0, 1.0 - within / HAND_FRAMES) if within < HAND_FRAMES else 0.0
    return desk_frame(index % len(DEMO_PAPERS), reach, size)


class PaperDesk(SceneGrabber):
    """The ``sim://`` document camera. A test or demo may still ``show()``/``play()`` anything else (the
    scene's own behaviour); otherwise it plays the demo papers, ``restart()`` going back to the first."""

    def __init__(self, fps: float = 10.0, size: tuple[int, int] = SCENE_SIZE) -> None:
        super().__init__(fps=fps, size=size)
        self.location = "simulator (demo papers)"
        self._size = size
        self._step = 0
        self._step_lock = threading.Lock()
        self._fault = ""  # the fault switch: a reason while the simulated 高拍仪 is "unplugged"

    def fault(self, reason: str = "USB device disconnected") -> None:
        """Simulate a failing 高拍仪 (tests, demos): frames stop at once and it cannot be opened again until
        ``heal()``; the camera thread then reports a fault naming ``reason``, as with a pulled USB cable."""
        with self._step_lock:
            self._fault = reason

    def heal(self) -> None:
        with self._step_lock:
            self._fault = ""

    @property
    def faulty(self) -> str:
        with self._step_lock:
            return self._fault

    def open(self) -> None:
        reason = self.faulty
        if reason:
            raise OSError(f"{reason} (simulated fault)")
        yield_cpu_to_the_ui()  # called on the camera's thread: rendering the desk yields to the UI, as grabbing does
        super().open()

    def restart(self, paper: int = 0) -> None:
        with self._step_lock:
            self._step = paper * (HAND_FRAMES + STILL_FRAMES)

    def read(self) -> np.ndarray | None:
        if self.faulty:
            return None  # the camera stopped delivering: the Camera thread reports it and reconnects
        with self._lock:
            own = self._shown is None and self._sequence is None
        if not own:
            return super().read()
        if not self._pacer.wait_for_frame():
            return None
        with self._step_lock:
            step = self._step
            self._step += 1
        return frame_at(step, self._size)
