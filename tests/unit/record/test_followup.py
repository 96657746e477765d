"""Follow-up: choice notes, the library step, the group's previous plan and how it went, and
the console's panel during the follow-up step."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codevwidgets.cli import main
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.problems import InputError
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import (
    Runbook,
    library_step,
    library_step_ids,
    load_preset,
    load_runbook,
    preset_names,
)
from codevwidgets.core.session import STORE_UNREACHABLE, Session, SessionError
from codevwidgets.record.followup import (
    PreviousPlan,
    followup_outcome,
    has_followup,
    later_followup,
    previous_plan,
)
from codevwidgets.server.sessions import new_session
from codevwidgets.store.base import StoredSession
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.notes import NotesPanel

EXAMPLE = Path(__file__).parents[3] / "runbooks" / "example-client.yaml"
PLAN = {
    "objective": "Delegate the weekly report",
    "actions": "Ask Bo on Monday",
    "date": "2027-05-31",
}


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def with_followup(tmp_path: Path) -> Runbook:
    path = write(tmp_path, "extends: classic\nsteps:\n  - {id: followup, before: presentation}\n")
    return load_runbook(path)


def note(field: str, text: str, step: str = "followup") -> Command:
    return Command("set_note", {"step": step, "field": field, "text": text})


def roster(group: str) -> Roster:
    names = ("Ana", "Bo", "Cy", "Di")
    return Roster(group=group, facilitator="rotate", members=[Member(name=n) for n in names])


# -- choice notes ------------------------------------------------------------------------------

CHOICES = (
    "extends: classic\nsteps:\n  - id: contract\n    notes:\n"
    "      - id: mood\n        label: Mood\n"
)
BAD_CHOICES = [
    ("bad id", "        choices:\n          Very Good: Good\n", 8, "choices.Very Good", "an id is"),
    ("empty label", "        choices:\n          good: ''\n", 8, "choices.good", "not be empty"),
    ("none", "        choices: {}\n", 7, "choices", "give 1 to 12 choices, not 0"),
    ("a list", "        choices: [good, bad]\n", 7, "choices", "mapping of choice ids"),
    ("language", "        choices:\n          good: {xx: Gut}\n", 8, "choices.good", "'xx'"),
    ("twice", "        choices:\n          good: A\n          good: B\n", 9, "good", "given twice"),
]


@pytest.mark.parametrize(
    ("case", "tail", "line", "field", "message"), BAD_CHOICES, ids=[b[0] for b in BAD_CHOICES]
)
def test_bad_choices_get_one_located_line(
    tmp_path: Path, case: str, tail: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, CHOICES + tail)
    with pytest.raises(InputError) as caught:
        load_runbook(path)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1, (case, lines)
    assert lines[0].startswith(f"{path}:{line}: "), lines
    assert field in lines[0].split(": ")[1], lines
    assert message in lines[0], lines


def test_a_choice_field_takes_nothing_or_one_of_its_ids(with_followup: Runbook) -> None:
    session = Session(with_followup, session_id="s")
    session.set_note("followup", "outcome", "in_progress")
    session.set_note("followup", "outcome", "")
    for wrong in ("finished", "Done", " done", "done\n"):
        with pytest.raises(ValueError, match="holds one of done, in_progress, dropped"):
            session.set_note("followup", "outcome", wrong)
    assert session.notes["followup"]["outcome"] == ""
    session.set_note("followup", "note", "Anything at all")  # a text field stays free text


def test_the_store_refuses_a_wrong_choice_and_writes_nothing(
    tmp_path: Path, with_followup: Runbook, clock: FakeClock
) -> None:
    with SQLiteStore(tmp_path / "s.db", clock) as store:
        store.create(Session(with_followup, session_id="s"), "client.yaml", "en")
        revision = store.revision("s")
        with pytest.raises(ValueError, match="holds one of"):
            store.execute("s", note("outcome", "<b>maybe</b>"))
        assert store.revision("s") == revision
        assert store.notes("s") == {}


# -- the library step --------------------------------------------------------------------------


def test_the_followup_step_is_added_by_id_alone(with_followup: Runbook) -> None:
    assert [s.id for s in with_followup.steps][:2] == ["followup", "presentation"]
    step = with_followup.step("followup")
    assert step.minutes == 10
    assert [n.id for n in step.notes] == ["outcome", "note"]
    outcome = step.notes[0]
    assert outcome.choices is not None
    assert {k: with_followup.text(v, "fr") for k, v in outcome.choices.items()} == {
        "done": "Fait",
        "in_progress": "En cours",
        "dropped": "Abandonné",
    }
    assert [with_followup.text(v, "en") for v in outcome.choices.values()] == [
        "Done",
        "In progress",
        "Dropped",
    ]
    assert step.rules.client and step.rules.advisors and step.rules.facilitator
    assert step.prompts and step.reframing
    assert has_followup(with_followup)


def test_the_followup_step_is_overridable_like_an_inherited_step(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        extends: express
        steps:
          - id: followup
            after: presentation
            minutes: 5
            title: {fr: Suivi, en: Follow-up}
        """,
    )
    book = load_runbook(path)
    step = book.step("followup")
    assert [s.id for s in book.steps][:2] == ["presentation", "followup"]
    assert (step.minutes, book.text(step.title, "fr")) == (5, "Suivi")
    assert step.notes == library_step("followup").notes  # what it does not give is the kit's
    assert book.total_minutes == 65


def test_presets_do_not_include_the_library_step() -> None:
    assert library_step_ids() == ["followup", "topic_choice"]
    assert preset_names() == ["classic", "express", "flash", "kollegiale", "troika"]
    for name in preset_names():
        assert not has_followup(load_preset(name))


def test_every_library_text_is_in_both_languages() -> None:
    from tests.unit.core.test_i18n import texts

    found = texts(library_step("followup"))
    assert len(found) > 10
    assert all(set(t) == {"fr", "en", "de"} for t in found)


def test_example_client_runbook_passes_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runbook", "check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "total: 120 min" in out
    book = load_runbook(EXAMPLE)
    ids = [s.id for s in book.steps]
    assert ids[:4] == ["checkin", "followup", "topic_choice", "presentation"]
    assert book.total_minutes == 120
    checkin = book.step("checkin")
    assert {book.text(checkin.title, "fr"), book.text(checkin.title, "en")} == {
        "Tour de météo",
        "Check-in round",
    }
    renamed = book.text(book.step("consultation").title, "en")
    assert renamed != book.text(load_preset("classic").step("consultation").title, "en")


# -- the group's previous session and how its plan went ----------------------------------------


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.db", clock) as store:
        yield store


def add(
    store: SQLiteStore,
    clock: FakeClock,
    book: Runbook,
    session_id: str,
    group: str | None,
    client: str = "Ana",
    notes: dict[str, str] | None = None,
) -> None:
    clock.advance(14 * 86400)  # a fortnight between sessions
    roles = Roles(client, "Farid", tuple(n for n in ("Ana", "Bo", "Cy") if n != client))
    new = Session(book, roles, clock, session_id=session_id)
    store.create(new, "client.yaml", "en", roster(group) if group else None)
    steps = {"outcome": "followup", "note": "followup", "topic": "presentation"}
    for field, text in (notes or {}).items():
        store.execute(session_id, note(field, text, steps.get(field, "synthesis")))


def test_previous_plan_is_the_same_groups_latest_earlier_session(
    store: SQLiteStore, clock: FakeClock, with_followup: Runbook
) -> None:
    add(store, clock, with_followup, "a1", "Managers", "Ana", {"objective": "First plan"})
    add(store, clock, with_followup, "a2", "Managers", "Bo", {**PLAN, "topic": "Not the plan"})
    add(store, clock, with_followup, "other", "Nurses", "Cy", {"objective": "Not ours"})
    add(store, clock, with_followup, "a3", "Managers", "Cy")
    add(store, clock, with_followup, "a4", "Managers", "Ana", {"objective": "A later plan"})

    plan = previous_plan(store, "a3", "fr")
    assert plan is not None
    assert plan.session_id == "a2"  # not a1 (older), not "other" (another group), not a4
    assert plan.client == "Bo"
    assert plan.created == store.load("a2", private=True).created  # type: ignore[union-attr]
    assert plan.fields == (
        ("Objectif", "Delegate the weekly report"),
        ("Étapes", "Ask Bo on Monday"),
        ("Échéance", "2027-05-31"),  # resources was left empty: not listed
    )
    assert previous_plan(store, "a2", "en").fields == (("Objective", "First plan"),)  # type: ignore[union-attr]
    assert previous_plan(store, "a1", "en") is None  # the group's first session here
    assert previous_plan(store, "other", "en") is None  # the only session of its group
    assert previous_plan(store, "nope", "en") is None


def test_the_followup_reads_the_groups_sessions_only(
    store: SQLiteStore, clock: FakeClock, with_followup: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(store, clock, with_followup, "a1", "Managers", "Ana", {"objective": "Ours"})
    add(store, clock, with_followup, "n1", "Nurses", "Cy", {"objective": "Not ours"})
    add(store, clock, with_followup, "a2", "Managers", "Cy")
    loads: list[str] = []
    load = store.load

    def counted(session_id: str, *, private: bool) -> StoredSession | None:
        loads.append(session_id)
        return load(session_id, private=private)

    monkeypatch.setattr(store, "load", counted)
    assert previous_plan(store, "a2", "en").fields == (("Objective", "Ours"),)  # type: ignore[union-attr]
    assert "n1" not in loads  # another group's session is not even read


def test_two_organisations_of_one_group_name_each_see_their_own_plan(
    open_test_store: Callable[..., SQLStore], clock: FakeClock, tmp_path: Path
) -> None:
    """Two client organisations, each its roster file, both groups called "Managers 2027"
    (with the same first names, even): each one's follow-up shows its own previous plan."""
    runbook = write(
        tmp_path, "extends: classic\nsteps:\n  - {id: followup, before: presentation}\n"
    )
    members = "".join(f"  - {{name: {n}}}\n" for n in ("Ana", "Bo", "Cy", "Di"))
    store = open_test_store()
    files = {}
    for org in ("acme", "globex"):
        (tmp_path / org).mkdir()
        files[org] = write(
            tmp_path / org, f"group: Managers 2027\nfacilitator: rotate\nmembers:\n{members}"
        )

    def held(org: str, objective: str | None) -> str:
        clock.advance(14 * 86400)
        session_id = new_session(store, str(runbook), files[org]).session_id
        if objective:
            store.execute(session_id, note("objective", objective, "synthesis"))
        return session_id

    held("acme", "Acme's first plan")
    acme = held("acme", "Acme's plan")
    globex = held("globex", "Globex's plan")  # the latest "Managers 2027" session of all
    acme_next, globex_next = held("acme", None), held("globex", None)
    assert previous_plan(store, acme_next, "en") == PreviousPlan(
        acme,
        store.load(acme, private=True).created,
        None,
        (("Objective", "Acme's plan"),),  # type: ignore[union-attr]
    )
    assert previous_plan(store, globex_next, "en").session_id == globex  # type: ignore[union-attr]
    assert previous_plan(store, globex, "en") is None  # Globex's first session
    assert later_followup(store, acme, "en") is None  # acme_next recorded nothing yet


def test_no_roster_no_previous_plan(
    store: SQLiteStore, clock: FakeClock, with_followup: Runbook
) -> None:
    add(store, clock, with_followup, "a1", "Managers", notes=PLAN)
    add(store, clock, with_followup, "lone", None)
    assert previous_plan(store, "lone", "en") is None


def test_how_the_plan_went_appears_in_both_sessions(
    store: SQLiteStore, clock: FakeClock, with_followup: Runbook
) -> None:
    add(store, clock, with_followup, "a1", "Managers", "Ana", PLAN)
    add(store, clock, with_followup, "other", "Nurses", "Cy", {"outcome": "dropped"})
    add(store, clock, with_followup, "a2", "Managers", "Bo")
    add(store, clock, with_followup, "a3", "Managers", "Cy", {"outcome": "done"})
    assert later_followup(store, "a1", "en") is None  # a2 recorded nothing yet
    store.execute("a2", note("note", "Half of it"))
    store.execute("a2", note("outcome", "in_progress"))

    later = later_followup(store, "a1", "fr")
    assert later is not None
    assert (later.session_id, later.outcome, later.outcome_label, later.note) == (
        "a2",
        "in_progress",
        "En cours",
        "Half of it",
    )
    here = followup_outcome(store.load("a2", private=True), "fr")  # type: ignore[arg-type]
    assert here == later  # the same words in both sessions' records
    # a3's follow-up is about a2's plan, never a1's; nothing later follows a3 up.
    assert later_followup(store, "a2", "en").outcome_label == "Done"  # type: ignore[union-attr]
    assert later_followup(store, "a3", "en") is None


def test_a_session_without_followup_step_has_no_outcome(
    store: SQLiteStore, clock: FakeClock, classic: Runbook
) -> None:
    add(store, clock, classic, "c1", "Managers", notes=PLAN)
    assert followup_outcome(store.load("c1", private=True), "en") is None  # type: ignore[arg-type]


# -- the console ---------------------------------------------------------------------------------


def console(book: Runbook, clock: FakeClock, plan: PreviousPlan | None) -> FacilitatorConsole:
    session = Session(book, Roles("Ana", "Farid", ("Bo", "Cy")), clock, session_id="s")
    return FacilitatorConsole(
        book, roster("Managers"), "en", clock, session=session, previous_plan=plan
    )


def test_the_console_shows_the_previous_plan_during_the_followup_step_only(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = write(tmp_path, "extends: classic\nsteps:\n  - {id: followup, after: presentation}\n")
    book = load_runbook(path)
    plan = PreviousPlan(
        "a1", clock(), "<b>Bo</b>", (("Objective", "<script>alert(1)</script> $x$"),)
    )
    page = console(book, clock, plan)
    panel = page.followup
    assert panel is not None
    assert "codev-followup" in panel._dom_classes
    assert not panel.visible  # the presentation comes first here
    page.session.start()
    assert not panel.visible
    page.session.next()
    assert page.session.current_step.id == "followup"
    assert panel.visible
    assert "Objective: <script>alert(1)</script> $x$" in panel.lines
    assert any(line.startswith("<b>Bo</b>, session of ") for line in panel.lines)
    assert "<script>" not in panel.value and "<b>Bo" not in panel.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel.value
    assert "mathjax_ignore" in panel._dom_classes
    page.session.next()
    assert not panel.visible
    page.session.previous()
    assert panel.visible
    page.close()


def test_the_console_says_when_there_is_no_earlier_session(
    with_followup: Runbook, clock: FakeClock
) -> None:
    page = console(with_followup, clock, None)
    assert page.followup is not None
    assert page.followup.lines[-1] == "No earlier session of this group in this store."
    page.session.start()
    assert page.followup.visible
    page.close()


def test_a_console_without_followup_step_has_no_panel(classic: Runbook, clock: FakeClock) -> None:
    page = console(classic, clock, None)
    assert page.followup is None
    page.close()


def test_the_choice_is_stored_as_its_id_through_the_store_and_followed(
    tmp_path: Path, with_followup: Runbook, clock: FakeClock
) -> None:
    with SQLiteStore(tmp_path / "s.db", clock) as store, SQLiteStore(store.path, clock) as other:
        store.create(Session(with_followup, session_id="s"), "client.yaml", "fr")
        stored = store.load("s", private=True)
        assert stored is not None
        session = stored.session(clock)
        link = LiveLink(store, session, private=True, revision=stored.revision, start_thread=False)
        panel = NotesPanel(link.session, Texts(with_followup, "fr"), link.act)
        outcome = panel.fields["outcome"]
        assert "codev-note-outcome" in outcome._dom_classes
        assert "codev-note-choice" in outcome._dom_classes
        assert [label for label, _ in outcome.options] == ["Fait", "En cours", "Abandonné"]
        assert outcome.value is None  # nothing chosen yet, nothing stored
        assert store.notes("s") == {}
        outcome.value = "in_progress"
        assert store.notes("s") == {"followup": {"outcome": "in_progress"}}
        panel.fields["note"].value = "Half done"  # the text field beside it, unchanged
        assert store.notes("s")["followup"]["note"] == "Half done"
        # Another console chooses: this one follows, and does not write it back.
        other.execute("s", note("outcome", "dropped"))
        revision = store.revision("s")
        link.watcher.poll()
        assert outcome.value == "dropped"
        assert store.revision("s") == revision
        panel.close()
        link.stop()


def test_a_choice_clicked_while_the_store_is_down_is_stored_on_the_next_beat(
    tmp_path: Path, with_followup: Runbook, clock: FakeClock
) -> None:
    with SQLiteStore(tmp_path / "s.db", clock) as store:
        store.create(Session(with_followup, session_id="s"), "client.yaml", "fr")
        stored = store.load("s", private=True)
        assert stored is not None
        link = LiveLink(
            store, stored.session(clock), private=True, revision=stored.revision, start_thread=False
        )
        down = [True]

        def act(command: Command) -> None:
            if down[0]:
                raise SessionError("the store does not answer", key=STORE_UNREACHABLE)
            link.act(command)

        panel = NotesPanel(link.session, Texts(with_followup, "fr"), act)
        outcome, box = panel.fields["outcome"], panel.choices["followup", "outcome"]
        outcome.value = "in_progress"
        assert box.unsaved.layout.display != "none"  # "not saved yet"
        assert store.notes("s") == {}
        panel.retry()  # the beat, still down
        down[0] = False
        panel.retry()
        assert store.notes("s") == {"followup": {"outcome": "in_progress"}}
        assert box.unsaved.layout.display == "none"
        panel.close()
        link.stop()


def test_the_lab_console_stores_its_group_and_shows_the_groups_last_plan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from codevwidgets.pages.session import facilitator_page

    group = tmp_path / "group.yaml"
    group.write_text(
        "group: Acme leads\nfacilitator: rotate\nmembers:\n  - {name: Yann}\n  - {name: Zoé}\n"
        "  - {name: Xavier}\n  - {name: Wanda}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    monkeypatch.setenv("QUERY_STRING", "")
    for name in ("VOILA_BASE_URL", "SERVER_SOFTWARE", "CODEV_ROSTER"):
        monkeypatch.delenv(name, raising=False)
    first = facilitator_page(str(EXAMPLE), str(group), "fr")
    assert isinstance(first, FacilitatorConsole)
    assert first.followup is not None
    assert first.followup.plan is None
    assert (
        first.followup.lines[-1]
        == "Aucune séance antérieure de ce groupe dans ce fichier de séances."
    )
    first.act(note("objective", "Recruter deux personnes", "synthesis"))
    second = facilitator_page(str(EXAMPLE), str(group), "fr")
    assert isinstance(second, FacilitatorConsole)
    assert second.followup is not None and second.followup.plan is not None
    assert second.followup.plan.session_id == first.session.id
    assert "Objectif : Recruter deux personnes" in second.followup.lines
    with SQLiteStore(tmp_path / "store.db") as store:
        stored = store.load(first.session.id, private=True)
        assert stored is not None and stored.roster is not None
        assert stored.roster.group == "Acme leads"
    # Another organisation's roster file, with the same group name and members: its own group.
    (tmp_path / "globex").mkdir()
    (tmp_path / "globex" / "group.yaml").write_bytes(group.read_bytes())
    other = facilitator_page(str(EXAMPLE), str(tmp_path / "globex" / "group.yaml"), "fr")
    assert isinstance(other, FacilitatorConsole) and other.followup is not None
    assert other.followup.plan is None
    for console in (first, second, other):
        console.close()


def test_lab_consoles_on_the_demo_roster_in_two_folders_never_mix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Everyone's console without a roster runs the kit's one demo roster: the notebook's
    folder tells their groups apart."""
    from codevwidgets.pages.session import facilitator_page

    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    monkeypatch.setenv("QUERY_STRING", "")
    for name in ("VOILA_BASE_URL", "SERVER_SOFTWARE", "CODEV_ROSTER"):
        monkeypatch.delenv(name, raising=False)
    consoles = []
    for folder in ("ana", "bruno", "ana"):
        (tmp_path / folder).mkdir(exist_ok=True)
        monkeypatch.chdir(tmp_path / folder)
        console = facilitator_page(str(EXAMPLE), None, "en")
        assert isinstance(console, FacilitatorConsole) and console.followup is not None
        console.act(note("objective", f"{folder}'s plan", "synthesis"))
        consoles.append(console)
    plans = [c.followup.plan for c in consoles]  # type: ignore[union-attr]
    assert plans[0] is None and plans[1] is None  # each folder's first demo session
    assert plans[2] is not None and plans[2].session_id == consoles[0].session.id
    for console in consoles:
        console.close()
