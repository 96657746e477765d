"""The topics not chosen stay with their authors: the cycle page lists them for the group,
newest first, each with its author and its session's date; a topic chosen in its session is
not listed; a session that never chose lists all of its topics. Everything typed is escaped,
only a facilitator link shows the list, and no record the page hands out has them."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import Runbook, load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.topics import CHECKLIST, TOPIC_CHOICE, admit_topic
from codevwidgets.pages.cycle import cycle_page
from codevwidgets.record.cycle import LaterTopic, later_topics
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets import cycle as views

GROUP = ("Ana", "Bruno", "Chloé", "David", "Emma")
ROSTER = Roster(group="Team", facilitator="rotate", members=[Member(name=n) for n in GROUP])
OTHER = Roster(group="Other", facilitator="rotate", members=[Member(name=n) for n in GROUP])
YES = dict.fromkeys(CHECKLIST, True)
HOSTILE = "<img src=x onerror=alert(1)>"
DAY = 86_400


def create(store: SQLiteStore, book: Runbook, sid: str, roster: Roster = ROSTER) -> str:
    roles = Roles("Ana", "Emma", ("Bruno", "Chloé", "David"))
    secrets = store.create(Session(book, roles, session_id=sid), "b", "en", roster)
    return f"session={sid}&key={secrets.facilitator_key}"


def prepare(store: SQLiteStore, sid: str, name: str, headline: str) -> None:
    topic = admit_topic(name, headline, f"{name}'s secret context", "tried", "help", YES)
    store.save_topic(sid, f"{sid}-{name}", topic)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock, choosing: Runbook) -> SQLiteStore:
    """Three sessions of the group, a day of another group: the first chose Bruno's topic, the
    second (no choice in its runbook) was held, the third is not started yet."""
    opened = SQLiteStore(tmp_path / "store.db", clock)
    create(opened, choosing, "s1")
    prepare(opened, "s1", "Bruno", "Late handovers")
    prepare(opened, "s1", "Chloé", HOSTILE)
    opened.execute("s1", Command("start"))
    args = {"author": "Bruno", "headline": "Late handovers", "tally": {"bruno": 2},
            "step": TOPIC_CHOICE}  # fmt: skip
    opened.execute("s1", Command("choose_topic", args))
    clock.advance(14 * DAY)
    create(opened, load_preset("classic"), "s2")
    prepare(opened, "s2", "David", "Wombat rota")
    clock.advance(2 * DAY)  # prepared two days ahead: the session is dated by its start
    opened.execute("s2", Command("start"))
    clock.advance(14 * DAY)
    create(opened, choosing, "s3")
    prepare(opened, "s3", "Chloé", "Quokka budgets")
    create(opened, choosing, "x", OTHER)  # another group's topic: never listed
    prepare(opened, "x", "Bruno", "Another group's koalas")
    return opened


def day(offset: int) -> dt.date:
    start = dt.datetime.fromtimestamp(1_800_000_000.0, dt.UTC).date()
    return start + dt.timedelta(days=offset)


def test_the_topics_not_chosen_newest_first_the_chosen_one_never(store: SQLiteStore) -> None:
    stored = store.load("s1", private=True)
    assert stored is not None and stored.group is not None
    assert later_topics(store, stored.group) == [
        LaterTopic("Chloé", "Quokka budgets", "s3", day(30)),  # never started
        LaterTopic("David", "Wombat rota", "s2", day(16)),  # held, no choice
        LaterTopic("Chloé", HOSTILE, "s1", day(0)),  # Bruno's was chosen
    ]
    assert all(topic.context == "" for _, topic in store.group_topics(stored.group))


def test_the_view_escapes_and_says_when_none_waits() -> None:
    t = Translator("en")
    part = views.later([LaterTopic(HOSTILE, HOSTILE, "s", dt.date(2027, 1, 4))], t)
    assert "<img" not in part.value and "&lt;img src=x" in part.value
    assert "codev-cycle-later" in part._dom_classes
    assert "prepared for the session of 2027-01-04" in part.value
    empty = views.later([], t)
    assert "<li" not in empty.value and t("dots.later_none") in empty.value


def served(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, query: str) -> None:
    monkeypatch.setenv("CODEV_STORE", str(store.path))
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    monkeypatch.delenv("CODEV_REFUSED_DIR", raising=False)
    monkeypatch.setenv("QUERY_STRING", query)


def test_the_facilitator_s_cycle_page_lists_them_and_no_record_it_hands_out_has_them(
    store: SQLiteStore, choosing: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = create(store, choosing, "s4")
    served(store, monkeypatch, link)
    page = cycle_page()
    assert page.error is None
    later = page.later()
    assert later is not None
    assert re.findall(r"<li>(.*?) —", later.value) == [
        "Quokka budgets",
        "Wombat rota",
        "&lt;img src=x onerror=alert(1)&gt;",
    ]
    assert "Late handovers" not in later.value and "koalas" not in later.value
    assert "secret context" not in later.value  # headlines only
    # The records the page hands out (each session's HTML file): none has a topic not chosen.
    sessions = page.sessions()
    assert sessions is not None and len(page.records) == 2
    files = [base64.b64decode(p).decode() for p in re.findall(r"base64,([^\"]+)", sessions.value)]
    assert len(files) == 2 and "Late handovers" in files[0]  # the chosen one, in its record
    for text in [*files, sessions.value]:
        assert all(word not in text for word in ("Quokka", "Wombat", "onerror", "koalas"))


@pytest.mark.parametrize("query", ["", "session=s1&key=nope"])
def test_without_a_facilitator_link_nothing_is_listed(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    served(store, monkeypatch, query)
    page = cycle_page()
    assert page.error is not None and page.later() is None
