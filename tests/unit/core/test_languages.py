"""Languages are the locale files present: every one complete, every preset text in each of
its languages, a dropped ``xx.yaml`` picked up with no code change; the German pages; the
new presets (kollegiale, troika) run a session start to finish; ``runbook list --json``."""

from __future__ import annotations

import json
import shutil
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.cli import main
from codevwidgets.core import i18n
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.i18n import LOCALES_DIR, Translator, catalog, languages
from codevwidgets.core.problems import InputError
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import Runbook, load_preset, load_runbook, preset_names
from codevwidgets.core.session import Session
from tests.unit.core.test_i18n import texts

LOCALES = sorted(path.stem for path in LOCALES_DIR.glob("*.yaml"))
PRESETS = preset_names()


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def shown(widget: widgets.Widget) -> Iterator[str]:
    """Every text a widget tree shows: values of labels and HTML, button captions."""
    if isinstance(widget, widgets.HTML | widgets.Label | widgets.HTMLMath):
        yield str(widget.value)
    if isinstance(widget, widgets.Button):
        yield widget.description
    if isinstance(widget, widgets.Text | widgets.Textarea):
        yield widget.placeholder
    if isinstance(widget, widgets.ToggleButtons):
        yield from (str(option) for option in widget.options)
    for child in getattr(widget, "children", ()):
        yield from shown(child)


# -- locale files ----------------------------------------------------------------------------


def test_the_languages_are_the_locale_files() -> None:
    assert languages() == tuple(LOCALES)
    assert {"de", "en", "fr"} <= set(LOCALES)


@pytest.mark.parametrize("language", LOCALES)
def test_every_locale_has_the_english_keys_and_placeholders(language: str) -> None:
    english, other = catalog("en"), catalog(language)
    assert sorted(set(english) - set(other)) == [], "missing"
    assert sorted(set(other) - set(english)) == [], "not in en.yaml"
    assert all(text.strip() for text in other.values())
    wrong = {k: (fields(v), fields(english[k])) for k, v in other.items()}
    assert {k: pair for k, pair in wrong.items() if pair[0] != pair[1]} == {}


def test_german_is_german() -> None:
    de = Translator("de")
    assert de("role.client") == "Klient(in)"
    assert de("role.facilitator") == "Moderator(in)"
    assert de("steps.next") == "Nächster Schritt"
    assert de("steps.total", minutes=40) == "Gesamt: 40 Min."
    # Not left in English: only a few texts are the same in both (PDF, Pause, Organisation).
    english = catalog("en")
    same = {k for k, v in catalog("de").items() if v == english[k] and any(c.isalpha() for c in v)}
    assert len(same) < len(english) / 20, sorted(same)


@pytest.fixture
def with_xx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the locales folder with ``xx.yaml`` dropped in (English texts, marked)."""
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    text = (LOCALES_DIR / "en.yaml").read_text(encoding="utf-8")
    (folder / "xx.yaml").write_text(text.replace("Next step", "XX next"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a locale", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", folder)
    return folder


def test_a_dropped_locale_file_adds_a_language(
    with_xx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert languages() == ("de", "en", "fr", "xx")
    assert Translator("xx")("steps.next") == "XX next"
    # A runbook may now be in xx and give xx texts; its check speaks of them.
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: flash\nlanguage: xx\nsteps:\n  - id: contract\n    title: {en: Deal, xx: XX}\n",
        encoding="utf-8",
    )
    book = load_runbook(path)
    assert book.language == "xx"
    assert book.text(book.step("contract").title) == "XX"
    assert main(["runbook", "check", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "xx"
    # Pages: a link's &lang=xx is taken.
    from codevwidgets.pages.params import page_language

    assert page_language({"lang": "xx"}, "en") == "xx"
    assert page_language({"lang": "yy"}, "en") == "en"


def test_an_unknown_language_is_one_located_line_naming_the_known_ones(
    with_xx: Path, tmp_path: Path
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: flash\nlanguage: yy\nsteps:\n  - id: contract\n    title: {zz: Vertrag}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_runbook(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: language: unknown language 'yy' (use de, en, fr or xx)",
        f"{path}:5: steps[0].title: unknown language 'zz' (use de, en, fr or xx)",
    ]


# -- presets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_text_is_in_each_of_its_languages(preset: str) -> None:
    book = load_preset(preset)
    found = texts(book)
    assert len(found) > 60  # step, rule, prompt, reframing, note, ground rule texts
    assert sum(1 for _ in book.texts()) == len(found)  # what `languages` reads: every text
    declared = set(book.languages())
    assert book.language in declared and len(declared) >= 2
    for text in found:
        assert set(text) == declared, text
        assert all(isinstance(t, str) and t.strip() for t in text.values()), text


def test_the_new_presets_languages_and_timings() -> None:
    kollegiale, troika = load_preset("kollegiale"), load_preset("troika")
    assert kollegiale.language == "de" and kollegiale.languages() == ("de", "en")
    assert [(s.id, s.minutes) for s in kollegiale.steps] == [
        ("casting", 5),
        ("story", 10),
        ("key_question", 5),
        ("method", 5),
        ("consultation", 10),
        ("closing", 5),
    ]
    assert kollegiale.text(kollegiale.steps[1].title) == "Spontanerzählung"
    assert troika.languages() == ("de", "en", "fr")
    assert troika.total_minutes == 34
    rounds = [s.id for s in troika.steps[1:]]
    assert rounds == [
        f"round{n}_{part}"
        for n in (1, 2, 3)
        for part in ("present", "clarify", "consult", "reflect")
    ]
    assert [s.minutes for s in troika.steps[1:5]] == [1, 3, 5, 2]
    consult = troika.step("round2_consult")
    assert "back" in troika.text(consult.title, "en")
    assert "previous client" in troika.text(troika.step("round2_present").speaker or "", "en")


def test_runbook_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runbook", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert list(listed) == ["presets"]
    by_name = {p["name"]: p for p in listed["presets"]}
    assert list(by_name) == PRESETS
    assert all(list(p) == ["name", "languages", "total_minutes", "steps"] for p in by_name.values())
    assert by_name["classic"]["languages"] == ["en", "fr"]
    assert by_name["classic"]["total_minutes"] == 95
    assert by_name["classic"]["steps"][0] == "presentation"
    assert by_name["kollegiale"] == {
        "name": "kollegiale",
        "languages": ["de", "en"],
        "total_minutes": 40,
        "steps": ["casting", "story", "key_question", "method", "consultation", "closing"],
    }
    assert by_name["troika"]["languages"] == ["de", "en", "fr"]
    assert len(by_name["troika"]["steps"]) == 13


def run_through(book: Runbook, clock: FakeClock) -> Session:
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé"), note_taker="Chloé")
    session = Session(book, roles, clock, session_id="languages")
    session.start()
    for i, step in enumerate(book.steps):
        assert session.index == i and session.current_step.id == step.id
        for note in step.notes:
            noted = "2027-03-01" if note.kind == "date" else "noted"
            session.set_note(step.id, note.id, next(iter(note.choices or {"": ""})) or noted)
        if step.collects:
            session.add_contribution(step.id, "Bruno", f"{step.collects} in {step.id}")
        if step.evaluation:
            session.add_contribution(step.id, "Chloé", "5", kind="evaluation")
        clock.advance(step.minutes * 60)
        if i < len(book.steps) - 1:
            session.next()
    session.finish()
    return session


@pytest.mark.parametrize("preset", ["kollegiale", "troika"])
def test_a_new_preset_runs_a_session_start_to_finish(preset: str, clock: FakeClock) -> None:
    book = load_preset(preset)
    session = run_through(book, clock)
    assert session.status == "finished"
    assert sum(session.actual_minutes().values()) == pytest.approx(book.total_minutes)
    kinds = {c.kind for c in session.contributions}
    assert {"ideas", "learnings", "evaluation"} <= kinds
    assert "questions" in kinds
    if preset == "kollegiale":
        assert session.notes["method"]["method"] == "brainstorming"
        assert session.notes["key_question"]["contract"] == "noted"
        assert session.notes["closing"]["objective"] == "noted"


# -- the German pages ------------------------------------------------------------------------


@pytest.fixture
def german_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from codevwidgets.store.sqlite import SQLiteStore

    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    roles = Roles("Ana", "Farid", ("Bruno", "Chloé"))
    session = Session(load_preset("kollegiale"), roles)
    session.start()
    session.next()  # Spontanerzählung: questions
    with SQLiteStore(path) as store:
        yield store.create(session, "kollegiale", "de")


def test_the_german_participant_page(german_session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from codevwidgets.pages.session import participant_page
    from tests.unit.participant_pages import joined

    query = {"session": german_session.session_id, "code": german_session.join_code}
    monkeypatch.setenv("QUERY_STRING", urlencode({**query, "name": "Bruno"}))
    view = joined(participant_page())
    try:
        view.link.stop()
        text = "\n".join(shown(view))
        for german in (
            "Spontanerzählung",  # the step, from the preset
            "Sie sind Berater(in).",  # the interface, from de.yaml
            "Senden",
            "Grundregeln",
            "Vertraulichkeit",
            "Nur Fragen stellen, die dem Verstehen dienen.",
        ):
            assert german in text, german
        lines = set(text.splitlines())
        assert not {"Send", "Send anonymously", "Contributions"} & lines
        for english in ("Ground rules", "You are", "Telling the case"):
            assert english not in text, english
        assert "participant." not in text  # no key shown for a missing text
    finally:
        view.link.stop()
        view.close()
    # The same link with &lang=en shows the same session in English.
    monkeypatch.setenv("QUERY_STRING", urlencode({**query, "name": "Bruno", "lang": "en"}))
    view = joined(participant_page())
    try:
        view.link.stop()
        assert "Telling the case" in "\n".join(shown(view))
    finally:
        view.close()


def test_the_german_console(german_session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from codevwidgets.pages.session import facilitator_page
    from codevwidgets.widgets.console import FacilitatorConsole

    link = {"session": german_session.session_id, "key": german_session.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(link))
    page = facilitator_page()
    assert isinstance(page, FacilitatorConsole)
    try:
        text = "\n".join(shown(page))
        for german in ("Spontanerzählung", "Nächster Schritt", "Der Fall in Stichworten", "Rollen"):
            assert german in text, german
        assert "Next step" not in text and "Roles" not in text
    finally:
        page.close()
