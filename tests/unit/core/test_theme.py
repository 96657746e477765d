"""Themes: WCAG contrast ratios, brand colours made readable, which theme a page takes."""

from __future__ import annotations

import pytest

from codevwidgets.core.theme import (
    AA_TEXT,
    AAA_TEXT,
    NON_TEXT,
    THEMES,
    contrast_ratio,
    page_theme,
    palette,
    readable,
    relative_luminance,
)


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        # Reference values (WebAIM's contrast checker, WCAG 2.1 formula).
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),
        ("#767676", "#ffffff", 4.54),
        ("#1f4e79", "#ffffff", 8.66),
        ("#f2c200", "#ffffff", 1.68),  # axe-core's own figure for it on the console
        ("#388e3c", "#ffffff", 4.11),  # Jupyter's success button: axe's figure
    ],
)
def test_contrast_ratio_follows_wcag(first: str, second: str, ratio: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == pytest.approx(ratio, abs=0.01)


def test_relative_luminance_ends_and_bad_colours() -> None:
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#FFFFFF") == pytest.approx(1)
    for bad in ("#fff", "red", "#12345g", ""):
        with pytest.raises(ValueError):  # noqa: PT011
            relative_luminance(bad)


COLOURS = ["#f2c200", "#2050a0", "#ff0000", "#00ff00", "#777777", "#ffffff", "#000000"]


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("background", ["#ffffff", "#000000", "#e6eaee", "#1f262e"])
@pytest.mark.parametrize("minimum", [NON_TEXT, AA_TEXT, AAA_TEXT])
def test_readable_reaches_the_ratio_with_the_least_change(
    colour: str, background: str, minimum: float
) -> None:
    made = readable(colour, background, minimum)
    assert contrast_ratio(made, background) >= minimum
    if contrast_ratio(colour, background) >= minimum:
        assert made == colour  # a colour that reads already is kept as the client chose it
    else:
        # Just enough: one step less of mixing would not reach the ratio.
        assert contrast_ratio(made, background) < minimum + 0.6


def test_readable_keeps_the_hue() -> None:
    yellow = readable("#f2c200", "#ffffff")
    red, green, blue = (int(yellow[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green > blue  # still a yellow-brown, darkened, not black or grey
    assert readable("#2050a0", "#000000", AAA_TEXT) != "#ffffff"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(("primary", "accent"), [(None, None), ("#f2c200", "#2050a0")])
def test_every_text_colour_of_a_palette_passes_aa(
    theme: str, primary: str | None, accent: str | None
) -> None:
    chosen = palette(theme, primary, accent)  # type: ignore[arg-type]
    text_ratio = AAA_TEXT if theme == "dark" else AA_TEXT
    for name in ("text", "muted", "primary", "error", "success_text"):
        assert contrast_ratio(getattr(chosen, name), chosen.background) >= text_ratio, name
        assert contrast_ratio(getattr(chosen, name), chosen.surface) >= AA_TEXT, name
    assert contrast_ratio(chosen.text, chosen.highlight) >= text_ratio
    for fill in ("primary_fill", "success", "warning"):  # white text on them
        assert contrast_ratio("#ffffff", getattr(chosen, fill)) >= AA_TEXT, fill
    assert contrast_ratio(chosen.accent, chosen.background) >= NON_TEXT
    assert contrast_ratio(chosen.border, chosen.background) >= NON_TEXT


def test_palette_keeps_a_brand_colour_that_reads_and_changes_one_that_does_not() -> None:
    assert palette("light", "#1f4e79").primary == "#1f4e79"
    assert palette("light", "#f2c200").primary != "#f2c200"
    assert palette("dark", "#f2c200").primary == "#f2c200"  # yellow on black reads
    assert palette("dark", "#1f4e79").primary != "#1f4e79"
    assert "--codev-primary-fill:" in palette("dark").css_variables()


@pytest.mark.parametrize(
    ("asked", "runbook", "theme"),
    [
        (None, "light", "light"),
        (None, "dark", "dark"),
        ("dark", "light", "dark"),  # the link wins
        ("light", "dark", "light"),
        ("sepia", "dark", "dark"),  # anything else in the link is ignored
        ("DARK", "light", "light"),
        ("", "light", "light"),
        ("<script>", "light", "light"),
        (None, "", "light"),
    ],
)
def test_the_link_chooses_the_theme_else_the_runbook(
    asked: str | None, runbook: str, theme: str
) -> None:
    assert page_theme(asked, runbook) == theme
