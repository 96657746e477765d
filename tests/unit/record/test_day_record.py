"""The day's summary (issue 23): every group at a glance, and nothing that belongs to a group.

Days are built with ``core.day.form_day`` and ``store.create_day``; each group's session is
driven through the store as its console and pages drive it, a distinctive contribution and
note typed in every group, so that a leak into any format would show.
"""

from __future__ import annotations

import io
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day, form_day
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session, new_session_id
from codevwidgets.record.day import DayRecord, build_day_record
from codevwidgets.record.export import day_file_name, render_day
from codevwidgets.store.base import StoreError
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore

NAMES = (
    "Ana", "Bruno", "Chloé", "David", "Emma", "Farid",
    "Gaëlle", "Hugo", "Inès", "Jules", "Karim", "Léa",
)  # fmt: skip
# Each group's secret words: none may reach the day's summary, in any format.
SECRETS = ("Zanzibar", "Quetzal", "Xylophone")
SCORES = {1: ("3", "4", "5"), 2: ("2", "2", "5")}  # the held groups' ratings


def contribution_of(number: int) -> str:
    return f"{SECRETS[number - 1]} contribution of group {number}"


def note_of(number: int) -> str:
    return f"{SECRETS[number - 1]} note of group {number}"


def made_day(store: SQLStore, clock: FakeClock, language: str = "en") -> Day:
    """Twelve people in three groups of four, each member of a team of three (kept apart);
    groups 1 and 2 held (group 2 a minute over in every step), group 3 still running."""
    book = load_preset("classic").with_language(language)
    members = [Member(name=n, team=f"team {i % 4}") for i, n in enumerate(NAMES)]
    ids = [new_session_id() for _ in range(3)]
    day = form_day(members, book, groups=3, title="Launch day", language=language, session_ids=ids)
    sessions = []
    for group in day.groups:
        people = day.members(group.number)
        assert group.facilitator == people[0]
        client, *advisors = people[1:]
        roles = Roles(client, people[0], tuple(advisors))
        sessions.append(Session(book, roles, clock, session_id=group.session_id))
    store.create_day(day, sessions)
    for group in day.groups:
        sid, people = group.session_id, day.members(group.number)
        store.execute(sid, Command("start", {}))
        # Everyone types something private in every group.
        store.execute(sid, Command("set_note", {"step": "presentation", "field": "topic",
                                                "text": note_of(group.number)}))  # fmt: skip
        for step in book.steps:
            if group.number == 3 and step.id == "contract":
                break  # group 3 is still in its contract
            if step.id == "clarification":
                text = contribution_of(group.number)
                store.add_contribution(sid, step.id, people[2], text, None, people[2])
            clock.advance(60 * (step.minutes + (group.number - 1)))  # group 2: +1 min a step
            if step.id == "conclusion":
                for name, score in zip(people[1:], SCORES[group.number], strict=True):
                    store.add_contribution(sid, step.id, name, score, "evaluation", name)
                store.execute(sid, Command("finish", {"step": step.id}))
            else:
                store.execute(sid, Command("next", {"step": step.id}))
    return day


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[SQLStore]:
    opened = open_store(str(tmp_path / "day.db"), clock)
    assert isinstance(opened, SQLStore)
    with opened:
        yield opened


def test_the_summary_holds_the_groups_minutes_and_ratings(
    store: SQLStore, clock: FakeClock
) -> None:
    day = made_day(store, clock)
    record = build_day_record(store, day.id, clock=clock)
    assert (record.name, record.runbook, record.language, record.people) == (
        "Launch day",
        "classic",
        "en",
        12,
    )
    assert [g.label for g in record.groups] == ["Group 1", "Group 2", "Group 3"]
    assert [g.members for g in record.groups] == [tuple(day.members(n)) for n in (1, 2, 3)]
    assert [g.facilitator for g in record.groups] == [g.facilitator for g in day.groups]
    assert [g.status for g in record.groups] == ["finished", "finished", "running"]
    planned = [row.planned for row in record.minutes]
    assert planned == [10, 15, 10, 30, 15, 15]
    assert [row.actual[0] for row in record.minutes] == planned
    assert [row.actual[1] for row in record.minutes] == [p + 1 for p in planned]
    assert [row.actual[2] for row in record.minutes] == [12, 17, 0, 0, 0, 0]  # in its contract
    assert (record.groups[1].planned, record.groups[1].actual) == (95, 101)
    first, second, third = (g.evaluation for g in record.groups)
    assert first is not None and second is not None and third is None
    assert first.people == 3 and first.counts == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert second.counts == {1: 0, 2: 2, 3: 0, 4: 0, 5: 1} and second.average == 3


def test_the_summary_reads_the_same_on_postgresql(postgres_url: str, clock: FakeClock) -> None:
    with open_store(postgres_url, clock) as store:
        assert isinstance(store, SQLStore)
        day = made_day(store, clock)
        record = build_day_record(store, day.id, clock=clock)
    assert [g.status for g in record.groups] == ["finished", "finished", "running"]
    assert [row.actual[1] for row in record.minutes] == [11, 16, 11, 31, 16, 16]
    assert record.groups[0].evaluation is not None


def every_text(record: DayRecord) -> dict[str, str]:
    pdf = pypdf.PdfReader(io.BytesIO(render_day(record, "pdf")))
    return {
        "md": render_day(record, "md").decode(),
        "html": render_day(record, "html").decode(),
        "pdf": " ".join(page.extract_text() for page in pdf.pages),
    }


def test_no_groups_contribution_or_note_is_in_any_format(store: SQLStore, clock: FakeClock) -> None:
    day = made_day(store, clock)
    record = build_day_record(store, day.id, clock=clock)
    assert not any(word in repr(record) for word in SECRETS)  # not even in the read model
    for fmt, text in every_text(record).items():
        for word in SECRETS:
            assert word not in text, (fmt, word)
        assert "Launch day" in text and "Group 3" in text, fmt  # the summary itself is there
    # The groups' own records still hold them: the words were typed, the summary left them.
    assert contribution_of(1) in [c.text for c in store.contributions(day.groups[0].session_id)]


def test_every_format_shows_groups_members_and_minutes(store: SQLStore, clock: FakeClock) -> None:
    day = made_day(store, clock)
    record = build_day_record(store, day.id, clock=clock)
    texts = every_text(record)
    for fmt, text in texts.items():
        for name in NAMES:
            assert name in text, (fmt, name)
        assert "Presentation of the problem" in text, fmt
    markdown = texts["md"]
    assert "| Presentation of the problem | 10 | 10 | 11 | 12 |" in markdown
    assert "| **Total** | 95 | 95 | 101 | 29 |" in markdown
    page = texts["html"]
    assert '<img src="data:image/svg+xml;base64,' in page  # one chart, inside the file
    assert page.count("<figure>") == 1
    assert 'alt="Minutes per step: the planned minutes, and each group' in page
    assert "<figcaption>" in page
    assert "12 people in 3 groups" in texts["pdf"]
    pdf = pypdf.PdfReader(io.BytesIO(render_day(record, "pdf")))
    width = round(float(pdf.pages[0].mediabox.width) / 72 * 25.4)
    assert width == 210  # A4, as the session record


def test_no_names_shows_counts_and_no_name(store: SQLStore, clock: FakeClock) -> None:
    day = made_day(store, clock)
    record = build_day_record(store, day.id, names=False, clock=clock)
    assert [g.members for g in record.groups] == [(), (), ()]
    assert [g.size for g in record.groups] == [4, 4, 4]
    assert {g.facilitator for g in record.groups} == {"A member"}
    for fmt, text in every_text(record).items():
        for name in NAMES:
            assert name not in text, (fmt, name)
        assert "4 members" in text, fmt


def test_the_summary_is_in_the_days_language(store: SQLStore, clock: FakeClock) -> None:
    day = made_day(store, clock, language="fr")
    record = build_day_record(store, day.id, clock=clock)
    markdown = render_day(record, "md").decode()
    assert "# Codéveloppement — Bilan de la journée" in markdown
    assert "Groupe 2" in markdown and "Exposé de la problématique" in markdown
    assert "12 personnes en 3 groupes" in markdown
    assert '<html lang="fr">' in render_day(record, "html").decode()


def test_a_groups_deleted_session_leaves_its_group_listed(
    store: SQLStore, clock: FakeClock
) -> None:
    day = made_day(store, clock)
    assert store.delete(day.groups[1].session_id)
    record = build_day_record(store, day.id, clock=clock)
    assert [g.status for g in record.groups] == ["finished", None, "running"]
    assert [row.actual[1] for row in record.minutes] == [None] * 6
    assert "No record (deleted)" in render_day(record, "md").decode()


def test_an_unknown_day_is_a_store_error(store: SQLStore) -> None:
    with pytest.raises(StoreError, match="no day 'day-nope'"):
        build_day_record(store, "day-nope")


def codev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args], capture_output=True, text=True
    )


def test_codev_export_day_writes_owner_only_files(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "day.db"
    with open_store(str(path), clock) as store:
        assert isinstance(store, SQLStore)
        day = made_day(store, clock)
        record = build_day_record(store, day.id, clock=clock)
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("md", "html", "pdf"):
        done = codev("export", "--day", day.id, "--format", fmt, "--store", str(path), "-o",
                     str(out))  # fmt: skip
        assert done.returncode == 0, done.stderr
        written = out / day_file_name(record, fmt)
        assert written.name.startswith("codev-day-") and "launch-day" in written.name
        assert done.stdout.strip() == str(written.resolve())
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    unnamed = tmp_path / "summary.md"
    done = codev("export", "--day", day.id, "--store", str(path), "--format", "md", "--no-names",
                 "-o", str(unnamed))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(unnamed.stat().st_mode) == 0o600
    assert "Ana" not in unnamed.read_text() and "4 members" in unnamed.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--day", "day-nope"], "export: no day 'day-nope' in"),
        (["SID", "--day", "DAY"], "export: give a SESSION or --day ID, not both"),
        ([], "export: give a SESSION, or --day ID for a day's summary"),
        (["--day", "DAY", "--include-hidden"], "--include-hidden: a day's summary shows no"),
    ],
)
def test_bad_day_export_is_one_line_and_exit_2(
    tmp_path: Path, clock: FakeClock, args: list[str], message: str
) -> None:
    path = tmp_path / "day.db"
    with open_store(str(path), clock) as store:
        assert isinstance(store, SQLStore)
        day = made_day(store, clock)
    args = [a.replace("SID", day.groups[0].session_id).replace("DAY", day.id) for a in args]
    done = codev("export", *args, "--store", str(path), "-o", str(tmp_path / "x.md"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert message in lines[-1]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.md").exists()
