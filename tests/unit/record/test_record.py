"""The session record: built from the store alone, exported as Markdown, HTML and PDF."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook, load_preset, resolve
from codevwidgets.core.session import Session
from codevwidgets.core.theme import contrast_ratio
from codevwidgets.record.export import file_name, render, timing_chart, write_private
from codevwidgets.record.model import build_record, suggested_minutes
from codevwidgets.store.base import StoreError
from codevwidgets.store.sqlite import SQLiteStore

HOSTILE = "<script>alert('x')</script> *bold* $5"
ROSTER = Roster(
    group="Managers 2027",
    facilitator="rotate",
    members=[Member(name=n) for n in ("Ana", "Bruno", "Chloé", "David", "Farid")],
)
ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))


def held(store: SQLiteStore, clock: FakeClock, book: Runbook | None = None) -> str:
    """A classic session driven through the store as consoles and participants drive it."""
    book = book or load_preset("classic").with_language("en")
    session = Session(book, ROLES, clock)
    store.create(session, "classic", book.language, ROSTER)
    sid = session.id

    def run(name: str, **args: object) -> None:
        store.execute(sid, Command(name, args))

    def note(step: str, field: str, text: str) -> None:
        run("set_note", step=step, field=field, text=text)

    run("start")
    note("presentation", "topic", "Team engagement")
    note("presentation", "question", "How do I keep them on board?")
    note("presentation", "headline", "Engagement in a reorganisation")
    clock.advance(12 * 60)  # 2 min over the 10 planned
    run("next", step="presentation")
    store.add_contribution(sid, "clarification", "Bruno", "What did you try?", None, "p1")
    store.add_contribution(sid, "clarification", "Chloé", HOSTILE, None, "p2")
    clock.advance(15 * 60)
    run("next", step="clarification")
    note("contract", "contract", "Help me find three ways to keep the team engaged")
    run("extend", minutes=5, step="contract")  # 15 min in all
    clock.advance(16 * 60)  # 1 min over the extended budget
    run("next", step="contract")
    idea = store.add_contribution(sid, "consultation", None, "Run a weekly open Q&A", None, "p1")
    gone = store.add_contribution(sid, "consultation", None, "Fire the manager", None, "p3")
    run("hide", id=gone.id)
    run("pause")
    clock.advance(600)  # a pause is not time spent
    run("resume")
    clock.advance(30 * 60)
    run("next", step="consultation")
    note("synthesis", "objective", "Keep the team engaged until June")
    note("synthesis", "actions", "1. Open Q&A every Monday\n2. Workshop on roles")
    note("synthesis", "resources", "HR partner")
    note("synthesis", "date", "2027-06-30")
    clock.advance(14 * 60)
    run("next", step="synthesis")
    store.add_contribution(sid, "conclusion", "David", "Ask before advising", None, "p4")
    # Bruno changes his mind on his page (his last rating counts), Farid, a hidden one;
    # Emma is not in the group: her rating counts for nobody.
    store.add_contribution(sid, "conclusion", "Bruno", "2", "evaluation", "p1")
    store.add_contribution(sid, "conclusion", "Bruno", "4", "evaluation", "p1")
    store.add_contribution(sid, "conclusion", "Chloé", "5", "evaluation", "p2")
    store.add_contribution(sid, "conclusion", "Farid", "3", "evaluation", "p6")
    store.add_contribution(sid, "conclusion", "Emma", "1", "evaluation", "p7")
    troll = store.add_contribution(sid, "conclusion", "David", "1", "evaluation", "p4")
    run("hide", id=troll.id)
    note("conclusion", "learnings", "Asking first helps")
    assert idea.id
    clock.advance(10 * 60)
    run("finish", step="conclusion")
    return sid


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> SQLiteStore:
    return SQLiteStore(tmp_path / "s.db", clock)


def test_the_record_holds_every_part_of_the_session(store: SQLiteStore, clock: FakeClock) -> None:
    start = clock()
    sid = held(store, clock)
    record = build_record(store, sid, clock=clock)
    assert record.group == "Managers 2027"
    assert record.runbook == "classic"
    assert record.status == "finished"
    assert record.started is not None and record.started.timestamp() == start
    assert record.created.timestamp() == start
    assert dict(record.roles) == {
        "Client": "Ana",
        "Facilitator": "Farid",
        "Advisors": "Bruno, Chloé, David",
    }
    timings = {t.step_id: t for t in record.timings}
    assert (timings["presentation"].planned, timings["presentation"].actual) == (10, 12)
    assert timings["presentation"].overtime == 2
    assert timings["contract"].extended == 5
    assert timings["contract"].overtime == 1
    assert timings["consultation"].actual == 30  # the 10 min pause left out
    assert [n.text for n in record.problem] == [
        "Engagement in a reorganisation",
        "Team engagement",
        "How do I keep them on board?",
    ]
    assert [n.text for n in record.contract] == ["Help me find three ways to keep the team engaged"]
    assert [n.field_id for n in record.action_plan] == ["objective", "actions", "resources", "date"]
    assert [e.text for e in record.entries("questions")] == ["What did you try?", HOSTILE]
    assert [e.text for e in record.entries("ideas")] == ["Run a weekly open Q&A"]  # hidden left out
    assert [e.text for e in record.entries("learnings")] == ["Ask before advising"]
    assert record.evaluation is not None
    # Bruno 4 (his last), Chloé 5, Farid 3; David's hidden 1 and Emma's not counted.
    assert (record.evaluation.people, record.evaluation.average) == (3, 4.0)
    assert record.evaluation.counts == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}


def test_hidden_contributions_only_when_asked(store: SQLiteStore, clock: FakeClock) -> None:
    sid = held(store, clock)
    record = build_record(store, sid, include_hidden=True, clock=clock)
    ideas = record.entries("ideas")
    assert [(e.text, e.hidden) for e in ideas] == [
        ("Run a weekly open Q&A", False),
        ("Fire the manager", True),
    ]
    assert "Fire the manager" in render(record, "md").decode()
    assert "Fire the manager" not in render(build_record(store, sid, clock=clock), "md").decode()


def test_every_format_carries_the_plan_and_the_ideas(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, held(store, clock), clock=clock)
    markdown = render(record, "md").decode()
    page = render(record, "html").decode()
    pdf = pypdf.PdfReader(io.BytesIO(render(record, "pdf")))
    pdf_text = " ".join(p.extract_text() for p in pdf.pages)
    for text in ("Keep the team engaged until June", "Run a weekly open Q&A", "2027-06-30"):
        assert text in pdf_text
    assert "Keep the team engaged until June" in markdown
    assert "Run a weekly open Q&amp;A" in page  # escaped as HTML text
    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (210, 297)
    assert "1 / " in pdf_text  # page numbers
    assert '<img src="data:image/svg+xml;base64,' in page  # the chart, inside the file
    assert "<link" not in page and "http" not in page.split("<style>")[0]  # one file, no fetch


def test_what_people_typed_stays_text(store: SQLiteStore, clock: FakeClock) -> None:
    record = build_record(store, held(store, clock), clock=clock)
    page = render(record, "html").decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
    markdown = render(record, "md").decode()
    assert "<script>" not in markdown and r"\*bold\*" in markdown
    assert r"1\. Open Q&A" in markdown  # not turned into a Markdown list
    # A "$" would start mathematics in the chart's labels: the title is drawn as typed.
    first = record.steps[0]
    priced = replace(first, timing=replace(first.timing, title="Budget $5 or $10"))
    assert "Budget $5 or $10" in timing_chart(replace(record, steps=(priced, *record.steps[1:])))


def test_no_names_shows_advisors_as_roles(store: SQLiteStore, clock: FakeClock) -> None:
    sid = held(store, clock)
    record = build_record(store, sid, names=False, clock=clock)
    assert dict(record.roles)["Advisors"] == "Advisor 1, Advisor 2, Advisor 3"
    assert [e.author for e in record.entries("questions")] == ["Advisor 1", "Advisor 2"]
    for fmt in ("md", "html"):
        text = render(record, fmt).decode()
        assert "Bruno" not in text and "Chloé" not in text and "David" not in text


def test_the_record_is_in_the_sessions_language(store: SQLiteStore, clock: FakeClock) -> None:
    sid = held(store, clock, load_preset("classic").with_language("fr"))
    record = build_record(store, sid, clock=clock)
    assert record.language == "fr"
    markdown = render(record, "md").decode()
    assert "## Plan d'action" in markdown and "Questions de clarification" in markdown
    assert "Exposé de la problématique" in markdown
    assert '<html lang="fr">' in render(record, "html").decode()


def test_a_session_with_nothing_typed_exports_cleanly(store: SQLiteStore, clock: FakeClock) -> None:
    session = Session(load_preset("flash"), None, clock)
    store.create(session, "flash", "en")
    record = build_record(store, session.id, clock=clock)
    assert record.status == "ready" and record.roles == () and record.evaluation is None
    assert record.started is None and record.group is None
    for fmt in ("md", "html", "pdf"):
        assert render(record, fmt)
    assert "Nothing recorded." in render(record, "md").decode()


def test_unknown_session_is_a_store_error(store: SQLiteStore) -> None:
    with pytest.raises(StoreError, match="no session 'nope'"):
        build_record(store, "nope")


def test_suggested_minutes_are_rounded_medians(store: SQLiteStore, clock: FakeClock) -> None:
    records = [build_record(store, held(store, clock), clock=clock) for _ in range(3)]
    suggested = suggested_minutes(records)
    assert suggested["presentation"] == 12 and suggested["contract"] == 16


def test_files_are_written_whole_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "record.pdf"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_private(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["record.pdf"]  # no temp file left


def codev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args], capture_output=True, text=True
    )


def test_codev_export_from_the_command_line(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path, clock) as store:
        sid = held(store, clock)
        record = build_record(store, sid, clock=clock)
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("md", "html", "pdf"):
        done = codev("export", sid, "--format", fmt, "--store", str(path), "-o", str(out))
        assert done.returncode == 0, done.stderr
        written = out / file_name(record, fmt)  # a folder: the record's own name inside it
        assert done.stdout.strip() == str(written.resolve())
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    named = codev("export", sid, "--store", str(path), "--format", "md", "--no-names", "-o",
                  str(tmp_path / "r.md"))  # fmt: skip
    assert named.returncode == 0 and "Bruno" not in (tmp_path / "r.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "export: no session 'nope' in"),
        (["x", "--store", "{tmp}/missing.db"], "no store at {tmp}/missing.db"),
        (["SID", "-o", "{tmp}/no/such/dir/r.pdf"], "-o: cannot write {tmp}/no/such/dir/r.pdf"),
        (["SID", "--format", "docx"], "invalid choice: 'docx'"),
    ],
)
def test_bad_export_is_one_line_and_exit_2(
    tmp_path: Path, clock: FakeClock, args: list[str], message: str
) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path, clock) as store:
        session = Session(load_preset("flash"), None, clock)
        store.create(session, "flash", "en")
    args = [a.replace("{tmp}", str(tmp_path)).replace("SID", session.id) for a in args]
    if "--store" not in args:
        args += ["--store", str(path)]
    done = codev("export", *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert message.replace("{tmp}", str(tmp_path)) in lines[-1]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "missing.db").exists()  # asking for a missing store creates none


def test_the_follow_up_appears_in_both_sessions_records(
    store: SQLiteStore, clock: FakeClock
) -> None:
    first = held(store, clock)
    clock.advance(86_400)  # another group's session in between is not this group's
    store.create(Session(load_preset("flash"), None, clock), "flash", "en",
                 ROSTER.model_copy(update={"group": "Other group"}))  # fmt: skip
    clock.advance(14 * 86_400)
    book = resolve(str(Path(__file__).parents[3] / "runbooks" / "example-client.yaml"))
    book = book.with_language("en")
    session = Session(book, Roles("Bruno", "Ana", ("Chloé", "David", "Farid")), clock)
    store.create(session, "example-client", "en", ROSTER)
    for field, text in (("outcome", "in_progress"), ("note", "Q&A started, workshop in May")):
        store.execute(session.id, Command("set_note", {"step": "followup", "field": field,
                                                       "text": text}))  # fmt: skip
    later = build_record(store, session.id, clock=clock)
    texts = [n.text for n in later.followup]
    assert texts[0].startswith("Ana — ")  # whose plan, and when
    assert "Keep the team engaged until June" in texts
    assert "In progress" in texts and "Q&A started, workshop in May" in texts
    assert "Q&amp;A started, workshop in May" in render(later, "html").decode()
    earlier = build_record(store, first, clock=clock)
    assert [n.text for n in earlier.followed_up][1:] == [
        "In progress",
        "Q&A started, workshop in May",
    ]
    assert "Q&A started, workshop in May" in render(earlier, "md").decode()


def test_the_record_carries_the_clients_logo_and_colour(
    store: SQLiteStore, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#ffd700"/></svg>'
    )
    (tmp_path / "acme.yaml").write_text(
        "extends: classic\nlanguage: en\nclient: Acme\n"
        "branding: {title: Acme Codev, logo: logo.svg, colours: {primary: '#ffd700'}}\n"
    )
    book = resolve(str(tmp_path / "acme.yaml"))
    (tmp_path / "logo.svg").unlink()  # the session keeps what its runbook was
    record = build_record(store, held(store, clock, book), clock=clock)
    assert record.title == "Acme Codev" and record.organisation == "Acme"
    assert record.logo is not None and record.logo.startswith("data:image/svg+xml;base64,")
    assert record.colour is not None and record.colour != "#ffd700"  # gold is unreadable on white
    assert contrast_ratio(record.colour, "#ffffff") >= 4.5
    page = render(record, "html").decode()
    assert f'<img class="logo" src="{record.logo}" alt="">' in page
    assert f"--primary: {record.colour};" in page
    assert render(record, "pdf").startswith(b"%PDF")
