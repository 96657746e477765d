"""Presence: the beat a participant page's kernel writes, and the console's panel of who is
connected now (``codev-presence``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.signals import PRESENT_WITHIN, SEEN, Signal, present
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.pages.session import PAGE_GONE_AFTER
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.presence import PresencePanel


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore], session: Session) -> SQLStore:
    store = open_test_store()
    store.create(session, "classic", "en")
    return store


def seen_rows(store: SQLStore, private: bool = True) -> list[Signal]:
    stored = store.load("test", private=private)
    assert stored is not None
    return [s for s in stored.session().signals if s.kind == SEEN]


# -- the beat, through the store -------------------------------------------------------------


def test_two_pages_beat_each_its_own_row(store: SQLStore, clock: FakeClock) -> None:
    t0 = clock()
    store.seen("test", "page-a", "Ana")  # before the start too: a page opened early is there
    clock.advance(5)
    store.seen("test", "page-b", None)
    rows = {s.participant: s for s in seen_rows(store)}
    assert {p: (s.name, s.at) for p, s in rows.items()} == {
        "page-a": ("Ana", t0),
        "page-b": (None, t0 + 5),
    }
    clock.advance(60)
    store.seen("test", "page-a", "Ana")
    rows = {s.participant: s for s in seen_rows(store)}
    assert rows["page-a"].at == t0 + 65 and rows["page-b"].at == t0 + 5  # one row per page, moved
    assert [s.name for s in present(rows.values(), clock())] == ["Ana", None]


def test_a_beat_writes_at_most_once_in_30_seconds(store: SQLStore, clock: FakeClock) -> None:
    t0 = clock()
    before = store.revision("test")
    store.seen("test", "page-a", "Ana")
    first = store.revision("test")
    assert first == before + 1  # an arrival wakes the console
    events = len(store.events("test"))
    for _ in range(5):  # a page's syncs at load, a tab shown again: no write, no reload
        clock.advance(5)
        store.seen("test", "page-a", "Ana")
    assert seen_rows(store)[0].at == t0
    clock.advance(5)  # 30 s since the last write: the next beat writes its time...
    store.seen("test", "page-a", "Ana")
    assert seen_rows(store)[0].at == t0 + 30
    # ... and moves no revision: no kernel reloads for a steady beat (the console reads the
    # rows on its own beat, see test_the_console_reads_the_beats_on_its_own_beat).
    assert store.revision("test") == first
    assert len(store.events("test")) == events  # beats are not history


def test_an_arrival_a_return_or_a_new_name_wakes_the_kernels(
    store: SQLStore, clock: FakeClock
) -> None:
    store.seen("test", "page-a", None)
    first = store.revision("test")
    clock.advance(PRESENT_WITHIN)  # two beats missed: counted gone; it comes back
    store.seen("test", "page-a", None)
    assert store.revision("test") == first + 1
    clock.advance(1)  # it says who it is: shown at once, not at the console's next beat
    store.seen("test", "page-a", "Ana")
    assert store.revision("test") == first + 2
    assert [s.name for s in seen_rows(store)] == ["Ana"]
    store.seen("test", "page-b", "Bo")
    assert store.revision("test") == first + 3


def test_the_console_reads_the_beats_on_its_own_beat(
    store: SQLStore, clock: FakeClock, classic: Runbook
) -> None:
    stored = store.load("test", private=True)
    assert stored is not None
    console = stored.session(clock)
    link = LiveLink(store, console, private=True, revision=stored.revision, start_thread=False)
    store.seen("test", "page-a", "Ana")
    link.watcher.poll()  # an arrival: followed at once
    assert [s.at for s in console.signals] == [clock()]
    clock.advance(40)
    store.seen("test", "page-a", "Ana")
    assert not link.watcher.poll()  # a steady beat: nothing to follow...
    assert [s.at for s in console.signals] == [clock() - 40]
    link.refresh()  # ... until the console's own page beats
    assert [s.at for s in console.signals] == [clock()]
    assert [s.name for s in present(console.signals, clock() + PRESENT_WITHIN - 1)] == ["Ana"]
    link.stop()


def test_a_participants_kernel_loads_nobodys_presence(store: SQLStore) -> None:
    store.execute("test", Command("start"))
    store.seen("test", "page-a", "Ana")
    store.signal("test", "page-a", "Ana", "hand", True)
    assert seen_rows(store, private=False) == []
    stored = store.load("test", private=False)
    assert stored is not None
    assert [s["kind"] for s in stored.state["signals"]] == ["hand"]  # its own hand stays
    assert len(seen_rows(store, private=True)) == 1


def test_bad_beats_are_refused(store: SQLStore) -> None:
    before = store.revision("test")
    for participant, name in (("", "Ana"), ("x" * 101, "Ana"), ("page", "x" * 101)):
        with pytest.raises(ValueError, match=r"id|name"):
            store.seen("test", participant, name)
    with pytest.raises(ValueError, match="no session"):
        store.seen("nope", "page-a", "Ana")
    assert store.revision("test") == before and seen_rows(store) == []


def test_delete_leaves_no_presence_behind(store: SQLStore) -> None:
    store.seen("test", "page-zq", "Zoltan-Quirinus")
    assert store.delete("test")
    with store._query() as db:
        assert db.execute("SELECT COUNT(*) FROM signals").fetchone()[0] == 0


def test_delete_leaves_no_presence_in_sqlites_files(
    tmp_path: Path, clock: FakeClock, session: Session
) -> None:
    with SQLiteStore(tmp_path / "store.db", clock) as store:
        store.create(session, "classic", "en")
        store.seen("test", "page-zq", "Zoltan-Quirinus")
        assert store.delete("test")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"CREATE TABLE signals" in raw  # the bytes are really the store's
    assert b"Zoltan-Quirinus" not in raw and b"page-zq" not in raw


def test_connected_means_what_a_page_alive_means() -> None:
    assert PRESENT_WITHIN == PAGE_GONE_AFTER


# -- the countdown tells when its page synced ------------------------------------------------


def test_the_countdown_calls_back_on_each_sync_only(clock: FakeClock) -> None:
    countdown = Countdown(clock=clock)
    heard: list[float] = []
    t0 = clock()

    def note() -> None:
        heard.append(clock())

    countdown.on_heard(note)
    countdown._on_message(countdown, {"type": "sync", "t0": 1.0}, [])
    clock.advance(60)
    countdown._on_message(countdown, {"type": "shown", "step": "x"}, [])
    countdown._on_message(countdown, {"type": "sync", "t0": "bad"}, [])
    countdown._on_message(countdown, {"type": "sync", "t0": 2.0}, [])
    assert heard == [t0, t0 + 60] and countdown.last_heard == t0 + 60
    countdown.on_heard(note, remove=True)
    countdown.heard()
    assert heard == [t0, t0 + 60]
    countdown.close()


# -- the console's panel ---------------------------------------------------------------------


def beat(who: str, name: str | None, at: float) -> Signal:
    return Signal(who, name, SEEN, "presentation", at)


def test_the_panel_lists_who_is_connected_with_when_last_seen(
    session: Session, clock: FakeClock
) -> None:
    panel = PresencePanel(session, Texts(session.runbook, "en"), clock)
    assert "codev-presence" in panel._dom_classes
    assert panel.count.value == "0 connected" and panel.who.value == ""
    t0 = clock()
    clock.advance(200)
    session.replace_signals(
        [beat("abcdefgh", None, t0 + 100), beat("b", "<Bo>", t0 + 190), beat("c", "Cy", t0 + 40)]
    )
    assert panel.count.value == "2 connected"
    assert panel.who.value == (
        "<ul><li>&lt;Bo&gt; · seen 0:10 ago</li><li>Participant abcd · seen 1:40 ago</li></ul>"
    )
    clock.advance(50)  # the unnamed page was seen 150 s ago: gone
    panel.refresh()
    assert panel.count.value == "1 connected" and "Participant" not in panel.who.value
    panel.close()
    session.replace_signals([])
    assert panel.count.value == "1 connected"  # closed: no longer follows


def test_the_console_recounts_when_its_own_page_syncs(classic: Runbook, clock: FakeClock) -> None:
    console = FacilitatorConsole(classic, load_roster(DEMO_ROSTER), "en", clock, cycle_session=2)
    console.session.replace_signals([beat("a", "Ana", clock())])
    assert console.presence.count.value == "1 connected"
    clock.advance(PRESENT_WITHIN)
    console.countdown._on_message(console.countdown, {"type": "sync", "t0": 1.0}, [])
    assert console.presence.count.value == "0 connected"
    console.close()


def test_the_served_console_reads_the_beats_when_its_page_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    from codevwidgets.pages.session import facilitator_page

    clock = FakeClock(1_000_000.0)
    with SQLiteStore(tmp_path / "served.db", clock) as writer:
        secrets = writer.create(session, "classic", "en")
        monkeypatch.setenv("CODEV_STORE", str(tmp_path / "served.db"))
        monkeypatch.setenv("VOILA_BASE_URL", "/")
        monkeypatch.setenv("QUERY_STRING", f"session=test&key={secrets.facilitator_key}")
        console = facilitator_page()
        assert isinstance(console, FacilitatorConsole)
        try:
            writer.seen("test", "page-a", "Ana")
            console.link.sync()
            clock.advance(40)
            writer.seen("test", "page-a", "Ana")  # a steady beat: no revision moved
            console.link.sync()
            assert [s.at for s in console.session.signals] == [clock() - 40]
            console.countdown.heard()  # the console's own page syncs its clock
            assert [s.at for s in console.session.signals] == [clock()]
        finally:
            console.link.stop()
            console.close()
