"""The cycle at a glance: held sessions by group, the plan as CSV, minutes across sessions,
suggested durations, the figure, escaping, and who may see the page when Voilà serves it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.cycle import plan_cycle
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset, load_runbook
from codevwidgets.core.session import Session
from codevwidgets.demo.cycle import hold_session, seed_demo_cycle
from codevwidgets.pages.cycle import cycle_page
from codevwidgets.record.cycle import (
    held_for,
    held_sessions,
    minutes_figure,
    minutes_svg,
    minutes_table,
    plan_csv,
)
from codevwidgets.server.sessions import new_session
from codevwidgets.store.base import Store, StoredSession
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets import cycle as views

HOSTILE = "<img src=x onerror=alert(1)>"
DAY = 86_400
START = dt.datetime(2027, 1, 4, 14, tzinfo=dt.UTC).timestamp()
LABELS = {"planned": "Planned", "suggested": "Suggested", "minutes": "min"}


def roster(group: str, *names: str) -> Roster:
    return Roster(group=group, facilitator="rotate", members=[Member(name=n) for n in names])


DEMO = roster("Demo group", "Ana", "Bruno", "Chloé", "David", "Emma")
OTHER = roster("Other group", "Victor", "Wendy", "Xavier", "Yuna", "Zoé")


def hold(store: SQLiteStore, group: Roster, client: int, at: float, seed: int = 0) -> str:
    names = group.names
    facilitator = names[(client + 1) % len(names)]
    advisors = tuple(n for n in names if n not in {names[client], facilitator})
    roles = Roles(names[client], facilitator, advisors)
    return hold_session(store, load_preset("classic"), group, roles, start=at, seed=seed)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "s.db")


def group_of(store: Store, session_id: str) -> str:
    stored = store.load(session_id, private=True)
    assert stored is not None and stored.group is not None
    return stored.group


def test_the_plan_as_csv() -> None:
    group = roster("G", "Ana", "=HYPERLINK(1)", "Chloé, Jr")
    rows = list(csv.reader(io.StringIO(plan_csv(plan_cycle(group, dt.date(2027, 1, 4), 14)))))
    assert rows == [
        ["number", "date", "client", "facilitator"],
        ["1", "2027-01-04", "Ana", "'=HYPERLINK(1)"],
        # A formula stays text in a spreadsheet; a comma stays inside its cell.
        ["2", "2027-01-18", "'=HYPERLINK(1)", "Chloé, Jr"],
        ["3", "2027-02-01", "Chloé, Jr", "Ana"],
    ]


def test_held_sessions_are_the_groups_started_ones_oldest_first(store: SQLiteStore) -> None:
    late = hold(store, DEMO, 1, START + 14 * DAY, seed=1)  # held second, stored first
    early = hold(store, DEMO, 0, START, seed=2)
    # Created (prepared) before both, but held last: sessions are held in their start order.
    prepared = Session(load_preset("classic"), Roles("Chloé", "David", ("Ana", "Bruno", "Emma")))
    store.clock = FakeClock(START - 7 * DAY)
    store.create(prepared, "classic", "en", DEMO)
    store.clock = FakeClock(START + 28 * DAY)
    store.execute(prepared.id, Command("start"))
    hold(store, OTHER, 0, START + 7 * DAY)
    planned = Session(load_preset("classic"), Roles("David", "Emma", ("Ana", "Bruno", "Chloé")))
    store.create(planned, "classic", "en", DEMO)  # planned, never started: not held
    records = held_sessions(store, group_of(store, early))
    assert [r.session_id for r in records] == [early, late, prepared.id]
    assert [r.client for r in records] == ["Ana", "Bruno", "Chloé"]
    assert [r.status for r in records] == ["finished", "finished", "running"]
    other = next(s for s in store.session_ids() if s not in {early, late, prepared.id, planned.id})
    assert [r.session_id for r in held_sessions(store, group_of(store, other))] == [
        s for s in store.session_ids() if s not in {early, late, prepared.id, planned.id}
    ]
    plan = plan_cycle(DEMO, dt.date(2027, 1, 4), 14)
    held = held_for(plan, records)
    assert {n: r.client for n, r in held.items()} == {1: "Ana", 2: "Bruno", 3: "Chloé"}


def test_suggested_durations_are_rounded_medians(store: SQLiteStore) -> None:
    ids = seed_demo_cycle(store, 3, roster=DEMO, start=START)
    records = held_sessions(store, group_of(store, ids[0]))
    table = minutes_table(records)
    assert [r.step_id for r in table.rows] == [s.id for s in load_preset("classic").steps]
    for row in table.rows:
        spent = [t.actual for r in records for t in r.timings if t.step_id == row.step_id]
        assert row.actual == tuple(spent)
        assert row.suggested == max(1, round(statistics.median(spent)))
    # The demo runs some steps over and some under: the suggestion is not just the plan.
    assert any(r.suggested != r.planned for r in table.rows)


def test_the_figure_has_a_bar_per_session_and_step_and_dollars_stay_text(
    store: SQLiteStore,
) -> None:
    ids = seed_demo_cycle(store, 2, roster=DEMO, start=START)
    table = minutes_table(held_sessions(store, group_of(store, ids[0])))
    figure = minutes_figure(table, LABELS, ["Session 1 · $5 $", "Session 2"])
    axes = figure.axes[0]
    assert len(axes.patches) == 3 * len(table.rows)  # planned + 2 sessions, per step
    svg = minutes_svg(figure)
    assert svg.startswith("<?xml") and "$5 $" in svg
    assert minutes_svg(minutes_figure(table, LABELS, ["a", "b"])) == minutes_svg(
        minutes_figure(table, LABELS, ["a", "b"])
    )  # reproducible


def test_person_typed_text_is_escaped_everywhere(store: SQLiteStore) -> None:
    group = roster(HOSTILE, "Ana", HOSTILE, "Chloé", "David", "Emma")
    records = held_sessions(store, group_of(store, hold(store, group, 1, START)))
    assert [r.client for r in records] == [HOSTILE]
    plan = plan_cycle(group, dt.date(2027, 1, 4), 14)
    held = held_for(plan, records)
    t = Translator("en")
    parts = [
        views.header(group.group, plan, 14, False, t),
        views.rotation(plan, held, t),
        views.downloads(plan.to_ics(group.group), plan_csv(plan), HOSTILE, t),
        views.sessions(records, {records[0].session_id: 2}, lambda r: (b"x", HOSTILE), t),
        views.suggested(minutes_table(records), ["2"], t),
    ]
    for part in parts:
        assert "<img" not in part.value, part.summary
    assert "&lt;img src=x onerror=alert(1)&gt;" in parts[1].value
    assert parts[1].value.count('class="held"') == 1


def test_the_core_imports_no_widgets() -> None:
    code = (
        "import sys, codevwidgets.record.cycle\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'ipywidgets', 'traitlets'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


# -- who sees the page -----------------------------------------------------------------------


@pytest.fixture
def served(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A store of two groups' sessions, as Voilà serves it; the facilitator keys."""
    seed_demo_cycle(store, 2, roster=DEMO, start=START)
    hold(store, OTHER, 0, START)
    keys = {}
    for name, group in (("demo", DEMO), ("other", OTHER)):
        roles = Roles(group.names[-1], group.names[0], tuple(group.names[1:-1]))
        session = Session(load_preset("classic"), roles)
        secret = store.create(session, "classic", "en", group).facilitator_key
        keys[name] = f"session={session.id}&key={secret}"
    monkeypatch.setenv("CODEV_STORE", str(store.path))
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    monkeypatch.delenv("CODEV_REFUSED_DIR", raising=False)
    return keys


@pytest.mark.parametrize("query", ["", "lang=fr", "session=nope&key=nope", "wrong key"])
def test_voila_without_a_facilitator_link_shows_only_the_error(
    served: dict[str, str], monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    if query == "wrong key":  # a real session's id with another session's key
        query = served["demo"].split("&")[0] + "&" + served["other"].split("&")[1]
    monkeypatch.setenv("QUERY_STRING", query)
    page = cycle_page(demo=True)  # nor does the demo open the door
    error = page.header()
    assert error is not None and "codev-error" in error._dom_classes
    assert [page.rotation(), page.downloads(), page.sessions(), page.suggested()] == [None] * 4


def test_voila_with_a_facilitator_link_shows_that_group_only(
    served: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUERY_STRING", served["demo"])
    page = cycle_page(roster="/nonexistent.yaml", demo=True)
    assert page.error is None and not page.demo
    assert [r.client for r in page.records] == ["Ana", "Bruno"]
    assert repr(page.rotation()) == "5 sessions, 2 held"
    monkeypatch.setenv("QUERY_STRING", served["other"])
    other = cycle_page()
    assert [r.client for r in other.records] == ["Victor"]


def test_jupyterlab_shows_the_stores_sessions_or_the_demo(
    served: dict[str, str], store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOILA_BASE_URL")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    # The demo roster's sessions (its six members; the served ones' DEMO has five: another
    # group of the same name, not shown).
    seed_demo_cycle(store, 2, start=START + 60 * DAY)
    page = cycle_page(demo=False, store=str(store.path))
    assert page.error is None and page.roster is not None
    assert page.roster.group == "Demo group"
    assert len(page.records) == 2 and not page.demo
    assert [r.client for r in page.records] == ["Ana", "Bruno"]
    demo = cycle_page()
    assert demo.demo and len(demo.records) == 3
    assert "codev-cycle-header" in demo.header()._dom_classes  # type: ignore[union-attr]


def test_two_organisations_of_one_group_name_each_see_their_own_cycle(
    store_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two client organisations, each its roster file, both groups called "Managers 2027" (the
    same first names, even), their sessions in one served store: a facilitator link of one
    opens that organisation's cycle only."""
    members = "".join(f"  - {{name: {n}}}\n" for n in DEMO.names)
    files = {}
    for org in ("acme", "globex"):
        (tmp_path / org).mkdir()
        files[org] = tmp_path / org / "roster.yaml"
        files[org].write_text(f"group: Managers 2027\nfacilitator: rotate\nmembers:\n{members}")
    made: dict[str, list[str]] = {"acme": [], "globex": []}
    with open_store(store_location) as store:
        for org in ("acme", "globex", "acme", "globex", "globex"):
            secrets = new_session(store, "classic", files[org], planned_roles=True)
            store.execute(secrets.session_id, Command("start"))
            made[org].append(f"session={secrets.session_id}&key={secrets.facilitator_key}")
    monkeypatch.setenv("CODEV_STORE", store_location)
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    monkeypatch.delenv("CODEV_REFUSED_DIR", raising=False)
    for org, links in made.items():
        for link in links:
            monkeypatch.setenv("QUERY_STRING", link)
            page = cycle_page()
            assert page.error is None
            assert [f"session={r.session_id}" for r in page.records] == [
                own.split("&")[0] for own in links
            ], org


# -- a group is queried, not scanned -----------------------------------------------------------


def test_the_cycle_page_loads_each_of_its_groups_sessions_once(
    store_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each record is built once, its follow-ups' neighbours from the sessions loaded for the
    page: N loads for N sessions (it once loaded every session per record, N² and more)."""
    import codevwidgets.pages.cycle as page_module

    held = 5
    client_file = tmp_path / "client.yaml"
    client_file.write_text("extends: classic\nsteps:\n  - {id: followup, before: presentation}\n")
    book = load_runbook(client_file)  # a follow-up step: each record looks both ways
    with open_store(store_location) as store:
        hold(store, OTHER, 0, START - DAY)  # another group's sessions: never loaded
        ids = seed_demo_cycle(store, held, runbook=book, start=START)  # the demo roster's
        hold(store, OTHER, 1, START + 100 * DAY)
    loads: list[str] = []
    load = SQLStore.load

    def counted(self: SQLStore, session_id: str, *, private: bool) -> StoredSession | None:
        loads.append(session_id)
        return load(self, session_id, private=private)

    opened: list[Store] = []

    def open_and_keep(location: str | None = None) -> Store:
        opened.append(open_store(location))
        return opened[-1]

    monkeypatch.setattr(SQLStore, "load", counted)
    monkeypatch.setattr(page_module, "open_store", open_and_keep)
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    try:
        page = cycle_page(demo=False, store=store_location)
    finally:
        for store in opened:
            store.close()
    assert page.error is None and [r.session_id for r in page.records] == ids
    assert sorted(loads) == sorted(ids)  # each of the group's sessions once, and no other
    # The records still found their neighbours: the plan before, the follow-up after.
    assert page.records[1].followup and page.records[0].followup == ()
