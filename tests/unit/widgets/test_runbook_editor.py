"""The runbook editor's fields: language boxes in the runbook's languages, named for a screen
reader; brand colours as colour pickers that keep the file's #rrggbb."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest

from codevwidgets.authoring.draft import RunbookDraft, hex_colour
from codevwidgets.core.theme import DEFAULT_PRIMARY
from codevwidgets.widgets.editor import RunbookEditor

EXAMPLE = Path(__file__).resolve().parents[3] / "runbooks" / "example-client.yaml"


@pytest.fixture
def english(tmp_path: Path) -> Iterator[RunbookEditor]:
    view = RunbookEditor(RunbookDraft.new("Acme", "classic", "en", tmp_path / "acme.yaml"), "en")
    yield view
    view.close()


def shown(fields: widgets.HBox) -> list[str]:
    return [box.description for box in fields.children if box.layout.display != "none"]


def test_an_english_french_runbook_shows_english_then_french_and_no_german_box(
    english: RunbookEditor,
) -> None:
    assert shown(english.step_title) == ["Title (English)", "Title (français)"]
    assert shown(english.ground_rules) == ["Ground rules (English)", "Ground rules (français)"]
    assert english.other_languages.description == "Other languages: Deutsch"
    english.other_languages.value = True
    assert shown(english.step_title) == ["Title (English)", "Title (français)", "Title (Deutsch)"]
    english.other_languages.value = False
    assert english.step_title.boxes["de"].layout.display == "none"


def test_a_french_runbook_puts_french_first_and_names_boxes_in_the_pages_language(
    tmp_path: Path,
) -> None:
    path = tmp_path / "example-client.yaml"
    shutil.copy(EXAMPLE, path)
    view = RunbookEditor(RunbookDraft.open(path), "fr")
    try:
        assert shown(view.step_title)[:2] == ["Titre (français)", "Titre (English)"]
        assert view.title.children[0] is view.title.boxes["fr"]
    finally:
        view.close()


def test_changing_the_runbooks_language_puts_it_first(english: RunbookEditor) -> None:
    english.runbook_language.value = "fr"
    assert shown(english.speaker) == ["Who speaks (français)", "Who speaks (English)"]


def test_colours_are_colour_pickers_that_write_rrggbb(english: RunbookEditor) -> None:
    assert isinstance(english.primary, widgets.ColorPicker)
    assert english.primary.value == DEFAULT_PRIMARY
    assert "colours" not in english.draft.text().split("# branding:")[0]  # nothing written
    english.primary.value = "#1a2b3c"
    assert english.draft.colour("primary") == "#1a2b3c"
    english.accent.value = "#abc"  # typed short: kept as the file writes colours
    assert english.draft.colour("accent") == "#aabbcc"
    assert english.accent.value == "#aabbcc"


def test_a_colour_typed_wrong_is_refused_with_a_message_and_nothing_is_lost(
    english: RunbookEditor,
) -> None:
    english.primary.value = "#1a2b3c"
    english.primary.value = "blue"  # the picker's text box takes colour names
    assert english.saved.value == "blue is not a colour: write it #rrggbb, like #1f4e79"
    assert english.draft.colour("primary") == "#1a2b3c"
    assert english.primary.value == "#1a2b3c"
    assert english.draft.problems == []


def test_default_colours_drop_the_files_colours(english: RunbookEditor) -> None:
    english.primary.value = "#1a2b3c"
    english.default_colours.click()
    assert english.draft.colour("primary") == ""
    assert english.primary.value == DEFAULT_PRIMARY
    assert "\nbranding:" not in english.draft.text()


def test_hex_colour() -> None:
    assert hex_colour(" #1A2b3c ") == "#1A2b3c"
    assert hex_colour("#abc") == "#aabbcc"
    for bad in ("blue", "#abcd", "rgb(1,2,3)", ""):
        assert hex_colour(bad) is None
