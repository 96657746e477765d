"""The runbook editor's core: round trips that keep the file, the CLI's messages, safe saves."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest

from codevwidgets import cli
from codevwidgets.authoring.draft import DraftError, RunbookDraft, client_file_name
from codevwidgets.authoring.scaffold import client_runbook
from codevwidgets.core.runbook import load_runbook

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "runbooks" / "example-client.yaml"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "runbooks" / "example-client.yaml"
    path.parent.mkdir()
    shutil.copy(EXAMPLE, path)
    return path


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def cli_lines(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """What `codev runbook check PATH` prints on stderr."""
    capsys.readouterr()
    status = cli.main(["runbook", "check", str(path)])
    err = capsys.readouterr().err
    assert status == (2 if err else 0)
    return err.splitlines()


def test_opening_and_saving_unchanged_gives_the_same_bytes(example: Path) -> None:
    before = example.read_bytes()
    draft = RunbookDraft.open(example)
    assert draft.problems == []
    draft.save()
    assert example.read_bytes() == before


def test_save_then_load_is_lossless_and_changes_only_the_edited_lines(example: Path) -> None:
    before = example.read_text(encoding="utf-8")
    draft = RunbookDraft.open(example)
    draft.set_text("checkin", "title", {"fr": "Météo du jour", "en": "Check-in round"})
    draft.set_minutes("consultation", 40)
    assert draft.save() == example
    after = example.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        '-    title: {fr: "Tour de météo", en: "Check-in round"}',
        '+    title: {fr: "Météo du jour", en: "Check-in round"}',
        "-    minutes: 25",
        "+    minutes: 40",
    ]
    assert "# A renamed step, with the time the 2-hour slot leaves it." in after
    book = load_runbook(example)
    assert book.text(book.step("checkin").title) == "Météo du jour"
    assert book.step("consultation").minutes == 40
    assert book.total_minutes == 135
    again = RunbookDraft.open(example)
    assert again.text() == after
    assert again.texts("checkin", "title") == {"fr": "Météo du jour", "en": "Check-in round"}


@pytest.mark.parametrize("preset", ["classic", "express", "flash"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_new_draft_is_what_codev_runbook_new_writes(preset: str, language: str) -> None:
    draft = RunbookDraft.new("Acme", preset, language, Path("runbooks/acme.yaml"))
    assert draft.text() == client_runbook("Acme", preset, language)
    assert draft.problems == []
    # Jinja writes & as \u0026 in its quoted string; the draft writes it as itself.
    other = RunbookDraft.new("Acme & Co", preset, language, Path("runbooks/acme.yaml"))
    assert other.header("client") == "Acme & Co"
    assert other.problems == []
    assert draft.language == language


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.set_minutes("consultation", 0), "steps[2].minutes: must be at least 1"),
        (
            lambda d: d.set_rules("checkin", "coach", "may", [{"en": "Coach"}]),
            "steps[1].rules.coach: unknown role 'coach'",
        ),
        (lambda d: d.rename_id("checkin", "followup"), "duplicate step id 'followup'"),
        (
            lambda d: d.set_placement("checkin", "before", "nowhere"),
            "steps[1].before: no step 'nowhere' to place this step before",
        ),
        (lambda d: d.set_colour("primary", "blue"), "branding.colours.primary: a colour is"),
    ],
)
def test_a_bad_edit_shows_the_clis_lines_and_saves_nothing(
    example: Path, capsys: pytest.CaptureFixture[str], edit, expected: str
) -> None:
    before = example.read_bytes()
    draft = RunbookDraft.open(example)
    edit(draft)
    shown = [str(problem) for problem in draft.problems]
    assert any(expected in line for line in shown), shown
    assert all(line.startswith(f"{example}:") for line in shown)
    with pytest.raises(DraftError, match=re.escape(shown[0])):
        draft.save()
    assert example.read_bytes() == before
    assert list(example.parent.iterdir()) == [example]  # no temporary file left
    # The very lines `codev runbook check` prints for the file holding the draft.
    bad = example.with_name("bad.yaml")
    bad.write_text(draft.text(), encoding="utf-8")
    checked = RunbookDraft(draft.text(), bad).problems
    assert [str(p) for p in checked] == cli_lines(bad, capsys)
    assert [str(p).replace(str(bad), str(example)) for p in checked] == shown


def test_add_remove_reorder_and_rename(example: Path) -> None:
    draft = RunbookDraft.open(example)
    start = draft.step_ids
    assert start[:4] == ["checkin", "followup", "topic_choice", "presentation"]
    new = draft.add_step("clarification", "Pause", minutes=5)
    assert new == "step"
    assert draft.step_ids[draft.step_ids.index("clarification") + 1] == "step"
    assert draft.total_minutes == 125
    draft.rename_id("step", "pause")
    assert "pause" in draft.step_ids
    draft.set_text("pause", "title", {"fr": "Pause", "en": "Break"})
    draft.move("pause", -1)
    assert draft.step_ids.index("pause") == draft.step_ids.index("clarification") - 1
    draft.move("contract", -1)
    assert draft.step_ids.index("contract") == draft.step_ids.index("clarification") - 1
    draft.move("contract", +1)
    draft.remove_step("conclusion")  # inherited: listed in remove
    draft.remove_step("checkin")  # added by the file: deleted, and followup placed anew
    assert draft.header("remove") == ["conclusion"]
    assert draft.step_ids == [
        "followup", "topic_choice", "presentation", "pause", "clarification", "contract",
        "consultation", "synthesis",
    ]  # fmt: skip
    assert draft.problems == []
    text = draft.save()
    assert [s.id for s in load_runbook(text).steps] == draft.step_ids
    saved = example.read_text(encoding="utf-8")
    assert "checkin" not in saved
    assert "# A renamed step, with the time the 2-hour slot leaves it." in saved


def test_moving_an_inherited_step_back_leaves_no_trace(example: Path) -> None:
    draft = RunbookDraft.open(example)
    before = draft.text()
    draft.move("synthesis", -1)
    assert draft.step_ids[-3:] == ["synthesis", "consultation", "conclusion"]
    draft.move("synthesis", +1)
    assert draft.text() == before


def test_an_edit_back_to_the_inherited_value_adds_no_line() -> None:
    draft = RunbookDraft.new("Acme", "classic", "en", Path("runbooks/acme.yaml"))
    before = draft.text()
    draft.set_minutes("presentation", 12)
    assert "minutes: 12" in draft.text()
    draft.set_minutes("presentation", 10)
    assert draft.text() == before.replace("steps: []", "steps: []")
    assert draft.total_minutes == 95


def test_languages_texts_rules_ground_rules_and_branding(tmp_path: Path) -> None:
    draft = RunbookDraft.new("Acme", "classic", "fr", tmp_path / "acme.yaml")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    draft.set_text("presentation", "title", {"fr": "Exposé", "en": ""})
    draft.set_rules("presentation", "advisors", "may", [{"fr": "Écouter", "en": "Listen"}])
    draft.set_list("presentation", "reframing", [{"en": "Let them finish"}, {"fr": ""}])
    draft.set_ground_rules([{"fr": "Confidentialité", "en": "Confidentiality"}])
    draft.set_title({"fr": "Codév Acme", "en": "Acme codev"})
    draft.set_colour("primary", "#1f4e79")
    draft.set_logo("logo.png")
    draft.set_client("Acme SA")
    draft.set_language("en")
    assert draft.problems == []
    book = draft.runbook
    assert book is not None
    step = book.step("presentation")
    assert step.title == {"fr": "Exposé"}
    assert step.rules.advisors is not None and step.rules.advisors.may == [
        {"fr": "Écouter", "en": "Listen"}
    ]
    # The role's other list is kept: a role's rules are replaced whole.
    assert step.rules.advisors.may_not
    assert step.reframing == ({"en": "Let them finish"},)
    assert book.ground_rules == ({"fr": "Confidentialité", "en": "Confidentiality"},)
    assert book.branding.title == {"fr": "Codév Acme", "en": "Acme codev"}
    assert book.branding.colours is not None and book.branding.colours.primary == "#1f4e79"
    assert (book.client, book.language) == ("Acme SA", "en")
    assert draft.branding("logo") == "logo.png"
    assert draft.rules("presentation", "advisors", "may") == [{"fr": "Écouter", "en": "Listen"}]
    assert draft.title_texts() == {"fr": "Codév Acme", "en": "Acme codev"}


def test_save_refuses_to_overwrite_a_file_it_did_not_open(tmp_path: Path) -> None:
    target = tmp_path / "acme.yaml"
    target.write_text("# someone's\n", encoding="utf-8")
    draft = RunbookDraft.new("Acme", "classic", "en", target)
    with pytest.raises(DraftError, match="already exists"):
        draft.save()
    assert target.read_text(encoding="utf-8") == "# someone's\n"


def test_save_refuses_when_the_file_changed_since_it_was_opened(example: Path) -> None:
    draft = RunbookDraft.open(example)
    draft.set_minutes("consultation", 40)
    example.write_text(example.read_text(encoding="utf-8") + "# edited elsewhere\n")
    with pytest.raises(DraftError, match="changed since it was opened"):
        draft.save()


def test_start_opens_the_clients_file_when_it_exists(example: Path) -> None:
    folder = example.parent
    new = RunbookDraft.start("express", "Acme", folder, "en")
    assert new.target == folder / "acme.yaml" and new.header("extends") == "express"
    new.save()
    assert RunbookDraft.start("classic", "Acme", folder, "en").header("extends") == "express"
    copy = RunbookDraft.start(str(example), "Beta", folder, "en")
    assert copy.target == folder / "beta.yaml"
    assert copy.header("client") == "Beta"
    assert copy.problems == []


def test_client_file_name() -> None:
    assert client_file_name("Organisation exemple") == "organisation-exemple.yaml"
    assert client_file_name("Société Générale / RH") == "societe-generale-rh.yaml"
    with pytest.raises(DraftError):
        client_file_name("../")


# -- the widgets and the page ------------------------------------------------------------------


@pytest.fixture
def editor(example: Path):
    from codevwidgets.widgets.editor import RunbookEditor

    view = RunbookEditor(RunbookDraft.open(example), "en")
    yield view
    view.close()


def test_the_editor_shows_the_clis_lines_as_you_type_and_saves_nothing(
    editor, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = example.read_bytes()
    editor.select("consultation")
    editor.minutes.value = 0
    assert "codev-error" in editor.problems._dom_classes
    bad = example.with_name("bad.yaml")
    bad.write_text(editor.draft.text(), encoding="utf-8")
    expected = [line.replace(str(bad), str(example)) for line in cli_lines(bad, capsys)]
    assert expected == [f"{example}:51: steps[2].minutes: must be at least 1, not 0"]
    assert editor.problems.value == f'<ul class=""><li>{expected[0]}</li></ul>'
    assert editor.save_button.disabled
    assert editor.total.value == ""
    editor.save()
    assert example.read_bytes() == before
    editor.minutes.value = 40
    assert editor.problems.value == ""
    assert editor.total.value == "Total: 135 min"
    editor.save_button.click()
    assert editor.saved.value == f"Saved to {example}"
    assert changed_lines(before.decode(), example.read_text(encoding="utf-8")) == [
        "-    minutes: 25",
        "+    minutes: 40",
    ]


def test_the_preview_shows_the_selected_step_as_edited(editor) -> None:
    editor.select("checkin")
    assert editor.preview.header.title_text == "Tour de météo"  # the runbook's language: fr
    editor.step_title.boxes["fr"].value = "Météo <b>du jour</b>"
    assert editor.preview.header.title_text == "Météo <b>du jour</b>"
    assert "Météo &lt;b&gt;du jour&lt;/b&gt;" in editor.preview.header.value
    assert editor.steps.options[0] == ("1. Check-in round — 10 min", "checkin")
    editor.select("synthesis")
    assert editor.preview.session.current_step.id == "synthesis"


def test_the_editor_adds_moves_and_removes_steps(editor) -> None:
    editor.select("clarification")
    editor.add_button.click()
    assert editor.selected == "step"
    ids = editor.draft.step_ids
    assert ids[ids.index("clarification") + 1] == "step"
    editor.up_button.click()
    ids = editor.draft.step_ids
    assert ids[ids.index("clarification") - 1] == "step"
    editor.remove_button.click()
    assert "step" not in editor.draft.step_ids
    editor.select("conclusion")
    editor.remove_button.click()
    assert editor.draft.header("remove") == ["conclusion"]


def test_the_problems_box_escapes_what_was_typed(editor) -> None:
    editor.draft.set_rules("checkin", "<img src=x onerror=alert(1)>", "may", [{"en": "x"}])
    editor.refresh()
    assert "<img" not in editor.problems.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in editor.problems.value


def test_editing_leaves_no_widget_behind(editor) -> None:
    import ipywidgets as widgets

    editor.select("checkin")
    editor.minutes.value = 11
    before = len(widgets.Widget.widgets)
    for minutes in range(12, 32):
        editor.minutes.value = minutes
    assert len(widgets.Widget.widgets) <= before


def test_served_by_voila_the_editor_refuses_unless_its_owner_opted_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from codevwidgets.pages.editor import editor_page

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    monkeypatch.delenv("CODEV_EDITOR", raising=False)
    page = editor_page("classic", "Acme", "runbooks")
    assert "codev-error" in page._dom_classes
    assert "runs in JupyterLab" in page.value
    monkeypatch.setenv("CODEV_EDITOR", "1")
    page = editor_page("classic", "Acme", "runbooks")
    assert repr(page) == "Runbook editor: acme.yaml, 6 steps, 95 min, no problem"
    assert list(tmp_path.iterdir()) == []  # nothing written before a click
    page.close()


def test_codev_serve_never_opens_the_editor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from codevwidgets.server import serve

    monkeypatch.setenv("CODEV_EDITOR", "1")
    assert "CODEV_EDITOR" not in serve.voila_environment(tmp_path / "store.db")
    command = serve.voila_command(8866, "x")
    assert "--VoilaKernelManager.preheat_denylist=/customise.ipynb" in command
