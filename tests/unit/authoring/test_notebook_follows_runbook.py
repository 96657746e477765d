"""A client notebook's step cells follow its runbook when the editor saves it: comments say
the step's id, minutes and title as the runbook now has them, and say they are generated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from codevwidgets.authoring.client_notebook import (
    NotebookError,
    client_notebook,
    follow_runbook,
    follow_runbook_file,
)
from codevwidgets.authoring.draft import RunbookDraft
from codevwidgets.core.runbook import load_runbook

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "runbooks" / "example-client.yaml"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    for suffix in (".yaml", ".ipynb"):
        shutil.copy(EXAMPLE.with_suffix(suffix), tmp_path / EXAMPLE.with_suffix(suffix).name)
    return tmp_path / EXAMPLE.name


def cells(path: Path) -> dict[str, nbformat.NotebookNode]:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return {cell.id: cell for cell in notebook.cells}


def test_generated_step_comments_say_they_follow_the_runbook() -> None:
    made = json.loads(client_notebook(load_runbook(EXAMPLE), EXAMPLE.name))
    source = "".join(next(c for c in made["cells"] if c["id"] == "step-contract")["source"])
    assert source.splitlines()[:2] == [
        "# Step 'contract' (10 min): Contrat de consultation",
        "# Generated from example-client.yaml: the runbook editor rewrites these lines when it "
        "saves it.",
    ]


def test_an_edit_saved_by_the_editor_rewrites_the_step_comments(example: Path) -> None:
    from codevwidgets.widgets.editor import RunbookEditor

    notebook = example.with_suffix(".ipynb")
    before = cells(notebook)
    editor = RunbookEditor(RunbookDraft.open(example), "en")
    try:
        editor.select("consultation")
        editor.step_title.boxes["fr"].value = "Le tour des idées"
        editor.minutes.value = 30
        editor.save_button.click()
        assert editor.saved.value == (
            f"Saved to {example}; its notebook example-client.ipynb follows the steps"
        )
    finally:
        editor.close()
    after = cells(notebook)
    consultation = after["step-consultation"].source
    assert consultation.startswith("# Step 'consultation' (30 min): Le tour des idées\n")
    # What the cell displays is kept, line for line, below its comments.
    old_body = before["step-consultation"].source.split("with console.during", 1)[1]
    assert consultation.split("with console.during", 1)[1] == old_body
    assert [c for c in after if c != "step-consultation"] == [
        c for c in before if c != "step-consultation"
    ]
    for cell_id in after:
        if cell_id != "step-consultation":
            assert after[cell_id].source == before[cell_id].source


def test_added_renamed_and_removed_steps(example: Path) -> None:
    notebook = example.with_suffix(".ipynb")
    draft = RunbookDraft.open(example)
    new = draft.add_step("contract", "Pause")
    draft.rename_id(new, "pause")
    draft.rename_id("checkin", "weather")
    draft.remove_step("followup")
    draft.save()
    assert draft.renamed == {"step": "pause", "checkin": "weather"}
    book = load_runbook(example)
    assert follow_runbook_file(example, book, draft.renamed) == notebook
    after = cells(notebook)
    steps = [c for c in after if c.startswith("step-")]
    assert steps == [
        "step-weather",  # the renamed step keeps its cell and what it displays
        "step-followup",  # no longer in the runbook: kept as text
        "step-topic_choice",
        "step-presentation",
        "step-clarification",
        "step-contract",
        "step-pause",  # a new step's cell, in its place
        "step-consultation",
        "step-synthesis",
        "step-conclusion",
    ]
    assert 'with console.during("weather"):' in after["step-weather"].source
    assert "Pour lancer le tour" in after["step-weather"].source
    assert after["step-pause"].source.startswith("# Step 'pause' (10 min): Pause\n")
    gone = after["step-followup"]
    assert gone.cell_type == "raw"
    assert gone.source.startswith("# Step 'followup' is no longer in example-client.yaml")
    assert 'with console.during("followup"):' in gone.source


def test_a_notebook_for_another_runbook_is_left_alone(example: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    shutil.copy(example, other)
    shutil.copy(example.with_suffix(".ipynb"), other.with_suffix(".ipynb"))  # names example
    before = other.with_suffix(".ipynb").read_bytes()
    assert follow_runbook_file(other, load_runbook(other)) is None
    assert other.with_suffix(".ipynb").read_bytes() == before
    assert follow_runbook_file(tmp_path / "none.yaml", load_runbook(other)) is None


def test_following_an_unchanged_runbook_changes_nothing(example: Path) -> None:
    text = example.with_suffix(".ipynb").read_text(encoding="utf-8")
    assert follow_runbook(text, load_runbook(example), example.name) == text


def test_a_broken_notebook_is_one_line(example: Path) -> None:
    notebook = example.with_suffix(".ipynb")
    notebook.write_text("{not json", encoding="utf-8")
    with pytest.raises(NotebookError, match=rf"^{notebook}: not a readable notebook"):
        follow_runbook_file(example, load_runbook(example))
