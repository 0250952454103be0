"""Colours and sizes. Sizes are strings with units ('34sp') so Metrics.fontscale can enlarge every label
at run time (large-text mode); the layout is designed for a 1080x1920 portrait screen at density 1."""

PRIMARY = (0.09, 0.33, 0.65, 1)  # government blue
PRIMARY_DARK = (0.05, 0.22, 0.47, 1)
ACCENT = (0.78, 0.13, 0.13, 1)  # seal red, used sparingly for what must not be missed
OK_GREEN = (0.10, 0.52, 0.27, 1)
BACKGROUND = (0.96, 0.97, 0.98, 1)
CARD = (1, 1, 1, 1)
TEXT = (0.11, 0.13, 0.16, 1)
TEXT_MUTED = (0.36, 0.40, 0.46, 1)
DISABLED = (0.70, 0.72, 0.75, 1)
WARNING_BG = (1.0, 0.95, 0.85, 1)

FONT_HUGE = "64sp"
FONT_TITLE = "48sp"
FONT_LARGE = "40sp"
FONT_BODY = "34sp"
FONT_SMALL = "28sp"
BUTTON_HEIGHT = "150dp"
PAD = "32dp"
