"""The runbook editor served by Voilà, as a screen reader meets it: each language box is
named by its field and its language, the runbook's languages come first, and the languages
the runbook does not use are out of the way until asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LOAD_TIMEOUT_MS = 60_000


def test_language_boxes_are_named_by_field_and_language(chromium: Any, voila_server: Any) -> None:
    server = voila_server(NOTEBOOKS, env={"CODEV_EDITOR": "1"})
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(server.url("customise.ipynb"))
        page.wait_for_selector(".codev-editor-preview .codev-timer", timeout=LOAD_TIMEOUT_MS)
        english = page.get_by_role("textbox", name="Title (English)", exact=True)
        french = page.get_by_role("textbox", name="Title (français)", exact=True)
        assert english.input_value() == "Presentation of the problem"
        assert french.input_value() == "Exposé de la problématique"
        # One even row, English (the runbook's language) first.
        left, right = english.bounding_box(), french.bounding_box()
        assert left is not None and right is not None
        assert left["x"] < right["x"] and left["y"] == right["y"]
        assert abs(left["width"] - right["width"]) <= 1
        # No German box until asked for (the classic preset has no German text).
        german = page.get_by_role("textbox", name="Title (Deutsch)", exact=True)
        assert german.count() == 0
        page.get_by_role("checkbox", name="Other languages: Deutsch").check()
        german.wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
        # The brand colours are colour pickers, their text box named too.
        # The text box and the swatch (<input type="color">) are both named by the label.
        named = page.get_by_role("textbox", name="Primary colour")
        named.nth(1).wait_for()
        assert [named.nth(i).input_value() for i in range(named.count())] == ["#1f4e79"] * 2
        assert page.locator(".widget-colorpicker input[type=color]").count() == 2
    finally:
        page.close(run_before_unload=True)
