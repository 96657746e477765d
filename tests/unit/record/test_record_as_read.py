"""The record as a client reads it (issue 22, item 9).

The runbook by its name, never a path of the consultant's machine; the timings table on one
page of the PDF; "step by step" holding only what the first pages do not already say; an
anonymous contribution saying so; ``--no-names`` listing each person once and labelling the
client's own contributions.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook, load_preset, resolve
from codevwidgets.core.session import Session
from codevwidgets.record.export import render
from codevwidgets.record.model import SessionRecord, build_record
from codevwidgets.server.sessions import new_session
from codevwidgets.store.sqlite import SQLiteStore

ROSTER = Roster(
    group="Managers",
    facilitator="rotate",
    members=[Member(name=n) for n in ("Ana", "Bruno", "Chloé", "David", "Farid")],
)
# Chloé is an advisor and the note-taker: one person, two roles.
ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"), note_taker="Chloé")

CONTRACT = "Help me find three ways to keep the team engaged"
OBJECTIVE = "Keep the team engaged until June"
QUESTION = "What did you try?"
IDEA = "Run a weekly open Q&A"
SIGNED_IDEA = "Ask each lead to draw the split"
CLIENT_LEARNING = "I learned to listen first"
FACILITATOR_LEARNING = "A good rhythm today"
GUEST_LEARNING = "From a guest's page"  # a name typed on a link, in nobody's role
NOTE_LEARNING = "Asking first helps"  # the conclusion's note: shown nowhere but step by step


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> SQLiteStore:
    return SQLiteStore(tmp_path / "s.db", clock)


def held(
    store: SQLiteStore,
    clock: FakeClock,
    book: Runbook | None = None,
    ref: str = "classic",
    ideas: tuple[str, ...] = (),
) -> str:
    """A classic session as consoles and participants drive it; ``ref`` as the store keeps
    it (a client file's path for a session made by ``codev serve --runbook FILE``)."""
    book = book or load_preset("classic").with_language("en")
    session = Session(book, ROLES, clock)
    store.create(session, ref, book.language, ROSTER)
    sid = session.id

    def run(name: str, **args: object) -> None:
        store.execute(sid, Command(name, args))

    def note(step: str, field: str, text: str) -> None:
        run("set_note", step=step, field=field, text=text)

    run("start")
    note("presentation", "headline", "Engagement in a reorganisation")
    clock.advance(12 * 60)
    run("next", step="presentation")
    store.add_contribution(sid, "clarification", "Bruno", QUESTION, None, "p1")
    clock.advance(15 * 60)
    run("next", step="clarification")
    note("contract", "contract", CONTRACT)
    clock.advance(10 * 60)
    run("next", step="contract")
    store.add_contribution(sid, "consultation", None, IDEA, None, "p2")
    store.add_contribution(sid, "consultation", "David", SIGNED_IDEA, None, "p4")
    for idea in ideas:
        clock.advance(60)  # a person's pace: a page may send only so many at once
        store.add_contribution(sid, "consultation", "Bruno", idea, None, "p1")
    clock.advance(30 * 60)
    run("next", step="consultation")
    note("synthesis", "objective", OBJECTIVE)
    note("synthesis", "date", "2027-06-30")
    clock.advance(14 * 60)
    run("next", step="synthesis")
    store.add_contribution(sid, "conclusion", "Ana", CLIENT_LEARNING, None, "p0")
    store.add_contribution(sid, "conclusion", "Farid", FACILITATOR_LEARNING, None, "pf")
    store.add_contribution(sid, "conclusion", "Zoé", GUEST_LEARNING, None, "pz")
    note("conclusion", "learnings", NOTE_LEARNING)
    clock.advance(10 * 60)
    run("finish", step="conclusion")
    return sid


def pdf_text(record: SessionRecord) -> str:
    pages = pypdf.PdfReader(io.BytesIO(render(record, "pdf"))).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def html_text(record: SessionRecord) -> str:
    """The HTML page's text as a reader sees it (tags and style left out)."""
    page = render(record, "html").decode()
    body = page.split("<body>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&").split())


# -- the runbook by its name -------------------------------------------------------------------


def test_a_client_files_record_names_it_without_its_path(
    store: SQLiteStore, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "consultant" / "clients"
    folder.mkdir(parents=True)
    (folder / "acme-managers.yaml").write_text("extends: classic\nlanguage: en\nclient: Acme\n")
    # As `codev serve --runbook clients/acme-managers.yaml` stores it: the file's whole path.
    made = new_session(store, str(folder / "acme-managers.yaml"))
    assert str(folder) in store.load(made.session_id, private=True).runbook_ref  # type: ignore[union-attr]
    record = build_record(store, made.session_id, clock=clock)
    assert record.runbook == "acme-managers"
    for text in (render(record, "md").decode(), html_text(record), pdf_text(record)):
        assert "acme-managers" in text
        assert str(tmp_path) not in text and "consultant" not in text and ".yaml" not in text


def test_a_presets_record_names_the_preset(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, held(store, clock), clock=clock)
    assert record.runbook == "classic"
    assert "Runbook: classic" in render(record, "md").decode()


def test_a_record_made_before_names_were_kept_shows_the_files_name(
    store: SQLiteStore, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "acme.yaml").write_text("extends: classic\nlanguage: en\n")
    book = resolve(str(tmp_path / "acme.yaml"))
    sid = held(store, clock, book, ref=str(tmp_path / "acme.yaml"))
    record = build_record(store, sid, clock=clock)
    assert record.runbook == "acme"
    assert str(tmp_path) not in render(record, "md").decode()


# -- the timings table on one page ---------------------------------------------------------------


def table_pages(record: SessionRecord, css_class: str) -> set[int]:
    """The PDF's pages (from 0) that hold a part of the table of ``css_class``."""
    import weasyprint

    document = weasyprint.HTML(string=render(record, "html").decode()).render()
    found = set()
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            # A table cut by a page break is a table box on each page, with its rows there.
            if (
                box.element_tag == "table"
                and element is not None
                and css_class in (element.get("class") or "").split()
                and box.children
            ):
                found.add(number)
    return found


def test_the_timings_table_never_breaks_across_pages(store: SQLiteStore, clock: FakeClock) -> None:
    # More ideas push the table down, a few lines at a time, until it is on the next page:
    # on the way it would fall across the page break, and must move whole instead.
    seen = []
    for count in range(12, 30, 3):
        ideas = tuple(f"Idea number {i} from the advisors" for i in range(count))
        record = build_record(store, held(store, clock, ideas=ideas), clock=clock)
        seen.append(sorted(table_pages(record, "timings")))
    assert seen[0] != seen[-1], seen  # the sweep did cross a page break
    assert all(len(pages) == 1 for pages in seen), seen


# -- step by step: what the first pages do not say -----------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_step_by_step_does_not_repeat_the_first_pages(
    store: SQLiteStore, clock: FakeClock, fmt: str
) -> None:
    record = build_record(store, held(store, clock), clock=clock)
    text = {"md": lambda: render(record, "md").decode(), "html": lambda: html_text(record)}.get(
        fmt, lambda: pdf_text(record)
    )()
    for once in (CONTRACT, OBJECTIVE, QUESTION, IDEA, SIGNED_IDEA, CLIENT_LEARNING):
        assert text.count(once) == 1, (once, fmt)
    assert "Engagement in a reorganisation" in text
    # What only the steps hold is still there, once, under its step.
    assert text.count(NOTE_LEARNING) == 1
    steps = text.split("Step by step", 1)[1]
    assert "Learnings and evaluation" in steps and NOTE_LEARNING in steps
    if fmt != "pdf":  # (the PDF's text has the chart's labels, drawn on the same page, last)
        assert "Consultation contract" not in steps  # nothing there not said above


def test_a_step_with_its_own_note_field_keeps_it_under_the_step(
    store: SQLiteStore, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "acme.yaml").write_text(
        "extends: classic\nlanguage: en\nsteps:\n"
        "  - id: consultation\n    notes:\n      - {id: mood, label: Mood of the group}\n"
    )
    book = resolve(str(tmp_path / "acme.yaml"))
    session = Session(book, ROLES, clock)
    store.create(session, "acme", "en", ROSTER)
    store.execute(session.id, Command("set_note", {"step": "consultation", "field": "mood",
                                                   "text": "Calm and focused"}))  # fmt: skip
    record = build_record(store, session.id, clock=clock)
    [(number, step)] = record.details
    assert (number, step.step_id) == (4, "consultation")
    assert [n.text for n in step.notes] == ["Calm and focused"]
    markdown = render(record, "md").decode()
    assert "### 4. Consultation\n\n- **Mood of the group**: Calm and focused" in markdown


def test_nothing_but_the_first_pages_leaves_no_step_by_step(
    store: SQLiteStore, clock: FakeClock
) -> None:
    session = Session(load_preset("flash"), None, clock)
    store.create(session, "flash", "en")
    record = build_record(store, session.id, clock=clock)
    assert record.details == ()
    for fmt in ("md", "html"):
        assert "Step by step" not in render(record, fmt).decode()


# -- anonymous contributions ---------------------------------------------------------------------


@pytest.mark.parametrize(("language", "label"), [("en", "anonymous"), ("fr", "anonyme")])
def test_an_anonymous_contribution_says_so(
    store: SQLiteStore, clock: FakeClock, language: str, label: str
) -> None:
    book = load_preset("classic").with_language(language)
    record = build_record(store, held(store, clock, book), clock=clock)
    markdown = render(record, "md").decode()
    assert f"- {IDEA} ({label})" in markdown
    assert f"{IDEA} ({label})" in html_text(record)
    assert f"{SIGNED_IDEA} — David" in html_text(record)  # a signed one keeps its name


# -- --no-names ----------------------------------------------------------------------------------


def test_each_person_is_listed_once_with_their_roles(store: SQLiteStore, clock: FakeClock) -> None:
    sid = held(store, clock)
    named = dict(build_record(store, sid, clock=clock).roles)
    assert named == {
        "Client": "Ana",
        "Facilitator": "Farid",
        "Advisors": "Bruno, Chloé (note-taker), David",
    }
    record = build_record(store, sid, names=False, clock=clock)
    assert dict(record.roles) == {
        "Client": "Ana",
        "Facilitator": "Farid",
        "Advisors": "Advisor 1, Advisor 2 (note-taker), Advisor 3",
    }
    markdown = render(record, "md").decode()
    assert markdown.count("note-taker") == 1 and "Note-taker" not in markdown


def test_no_names_labels_the_clients_and_facilitators_contributions(
    store: SQLiteStore, clock: FakeClock
) -> None:
    record = build_record(store, held(store, clock), names=False, clock=clock)
    authors = {e.text: e.author for e in record.entries("learnings")}
    assert authors[CLIENT_LEARNING] == "Client"
    assert authors[FACILITATOR_LEARNING] == "Facilitator"
    assert authors[GUEST_LEARNING] == "Participant"  # a name nobody holds: not shown
    assert [e.author for e in record.entries("ideas")] == [None, "Advisor 3"]
    markdown = render(record, "md").decode()
    assert f"{CLIENT_LEARNING} — *Client*" in markdown
    assert "Zoé" not in markdown and "(anonymous)" in markdown


def test_a_note_taker_outside_the_advisors_keeps_a_row(
    store: SQLiteStore, clock: FakeClock
) -> None:
    # Roles stored before the rule (the note-taker is an advisor) still read as people.
    roles = Roles("Ana", "Farid", ("Bruno", "David"), note_taker="Chloé")
    session = Session(load_preset("flash"), roles, clock)
    store.create(session, "flash", "en", ROSTER)
    rows = dict(build_record(store, session.id, names=False, clock=clock).roles)
    assert rows["Advisors"] == "Advisor 1, Advisor 2" and rows["Note-taker"] == "Note-taker"
