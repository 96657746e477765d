"""Page themes: light (the default) and dark (high contrast, for a projector), and colours
that stay readable in both.

Contrast follows WCAG 2.1 (relative luminance, ratio ``(L1 + 0.05) / (L2 + 0.05)``). A
client's brand colour is used as text only in a variant that keeps the ratio the theme asks
for on the theme's background: the same hue, darkened (light theme) or lightened (dark).

>>> round(contrast_ratio("#000000", "#ffffff"), 1)
21.0
>>> readable("#f2c200", "#ffffff")  # a pale yellow, darkened until it reads on white
'#907300'
>>> page_theme("dark", "light"), page_theme("sepia", "dark"), page_theme(None, "light")
('dark', 'dark', 'light')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Theme = Literal["light", "dark"]
THEMES: tuple[Theme, ...] = ("light", "dark")

# WCAG 2.1 AA asks 4.5:1 for body text (1.4.3); the projector's theme aims at AAA (7:1),
# since a projected image loses contrast in a lit room.
AA_TEXT = 4.5
AAA_TEXT = 7.0
NON_TEXT = 3.0  # borders and marks that carry meaning (1.4.11)


def page_theme(asked: str | None, runbook_theme: str) -> Theme:
    """The theme of a page: the link's ``&theme=`` when it is one we have, else the
    runbook's ``theme``, else light. Anything else in the link is ignored."""
    for value in (asked, runbook_theme):
        if value == "dark":
            return "dark"
        if value == "light":
            return "light"
    return "light"


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` → its three channels (0-255); ``ValueError`` for anything else."""
    text = colour.strip()
    if len(text) != 7 or not text.startswith("#"):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    value = int(text[1:], 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def readable(colour: str, background: str, minimum: float = AA_TEXT) -> str:
    """``colour`` itself when it has ``minimum`` contrast on ``background``; else the same
    hue mixed towards black (on a light background) or white (on a dark one), just enough.

    Always returns a colour with at least ``minimum`` contrast when one exists (black or
    white on any background reaches 4.5:1; up to 21:1 on black or white).
    """
    if contrast_ratio(colour, background) >= minimum:
        return colour.lower()
    towards = (0, 0, 0) if relative_luminance(background) > 0.18 else (255, 255, 255)
    source = _rgb(colour)
    # The ratio grows with the mix: search the smallest mix that reaches it, in 1/256 steps.
    low, high = 0, 256
    while low < high:
        middle = (low + high) // 2
        if contrast_ratio(_mix(source, towards, middle / 256), background) >= minimum:
            high = middle
        else:
            low = middle + 1
    return _mix(source, towards, low / 256)


def _mix(source: tuple[int, int, int], towards: tuple[int, int, int], amount: float) -> str:
    return _hex(tuple(s + (t - s) * amount for s, t in zip(source, towards, strict=True)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Palette:
    """The colours of one theme, each text colour readable on ``background``."""

    theme: Theme
    background: str
    text: str
    muted: str
    surface: str  # buttons and panels
    border: str
    primary: str  # the brand's colour, as text and headings
    accent: str  # the brand's second colour, as a mark (the spoken prompt's border)
    error: str
    primary_fill: str  # the brand's colour as a button's background (white text on it)
    success: str  # the start button's background (white text on it)
    warning: str  # the confirm button's background (white text on it)
    highlight: str  # the spoken prompt's background
    success_text: str  # "done" as text (a session held), on the page and on panels

    def css_variables(self) -> str:
        """``--codev-…: value;`` for each colour (the stylesheet's custom properties)."""
        names = [name for name in self.__dataclass_fields__ if name != "theme"]
        return "".join(f"--codev-{n.replace('_', '-')}: {getattr(self, n)};" for n in names)


DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#b35c00"

_BASE = {
    "light": {
        "background": "#ffffff",
        "text": "#111820",
        "muted": "#4a5560",
        "surface": "#e6eaee",
        "border": "#6b7680",
        "error": "#a4000f",
        "success": "#2e6b31",
        "warning": "#8a4600",
        "highlight": "#fff4e5",
        "success_text": "#1b5e20",
    },
    "dark": {
        "background": "#000000",
        "text": "#ffffff",
        "muted": "#d0d7de",
        "surface": "#1f262e",
        "border": "#a3afbb",
        "error": "#ff9a9a",
        "success": "#1b5e20",
        "warning": "#7a3e00",
        "highlight": "#1e1608",
        "success_text": "#8fe39a",
    },
}


def palette(theme: Theme, primary: str | None = None, accent: str | None = None) -> Palette:
    """The colours of ``theme`` with the brand's ``primary`` and ``accent`` (``#rrggbb``),
    each made readable on the theme's background (AA on light, AAA on dark)."""
    base = _BASE[theme]
    background = base["background"]
    text_ratio = AAA_TEXT if theme == "dark" else AA_TEXT
    # Headings sit on the page, links and summaries also on panels (the surface).
    on_page = readable(primary or DEFAULT_PRIMARY, background, text_ratio)
    return Palette(
        theme=theme,
        primary=readable(on_page, base["surface"], AA_TEXT),
        accent=readable(accent or DEFAULT_ACCENT, background, NON_TEXT),
        # Buttons keep white text in both themes: the brand's colour, dark enough under it.
        primary_fill=readable(primary or DEFAULT_PRIMARY, "#ffffff", AA_TEXT),
        **base,
    )
