"""The runbook editor keeps a client file's break keys as they are (it edits other keys)."""

from __future__ import annotations

from pathlib import Path

from codevwidgets.authoring.draft import RunbookDraft
from codevwidgets.core.runbook import load_runbook


def test_the_break_keys_survive_an_edit_and_a_save(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: classic\nclient: Acme\nbreak_after_minutes: 45\nbreak_minutes: 7\n",
        encoding="utf-8",
    )
    draft = RunbookDraft.open(path)
    draft.set_minutes("consultation", 25)
    draft.set_colour("primary", "#1a2b3c")
    assert draft.problems == []
    saved = load_runbook(draft.save())
    assert (saved.break_after_minutes, saved.break_minutes) == (45, 7)
    assert saved.step("consultation").minutes == 25


def test_a_bad_break_key_is_a_located_problem_in_the_editor(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("extends: classic\nbreak_minutes: 5\n", encoding="utf-8")
    draft = RunbookDraft.open(path)
    assert [str(p) for p in draft.problems] == [
        f"{path}:2: break_minutes: needs break_after_minutes (when the console proposes the break)"
    ]
