"""The store shared by every console's kernel and every participant's: SQLite's file (its
files, modes and schema) and, for the rules, both stores (``store_location``)."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.runbook import Runbook, load_preset
from codevwidgets.core.session import Session, SessionError
from codevwidgets.store.base import RateLimited, StoredSession, StoreError, join_code_for
from codevwidgets.store.location import default_store_path
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore
from tests.unit.processes import exit_codes_at_once


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore]) -> SQLStore:
    return open_test_store()


@pytest.fixture
def sqlite_store(tmp_path: Path, clock: FakeClock) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.db", clock) as store:
        yield store


@pytest.fixture
def running(session: Session) -> Session:
    session.start()
    return session


def add(store: SQLStore, text: str = "Why now?", who: str = "p1", author: str = "Cy") -> int:
    return store.add_contribution("test", "clarification", author, text, None, who).id


def hide(store: SQLStore, number: int, hidden: bool = True, session_id: str = "test") -> None:
    store.execute(session_id, Command("hide", {"id": number, "hidden": hidden}))


# -- files, modes and schema -------------------------------------------------------------


def test_default_path_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "deep" / "s.db"))
    assert default_store_path() == tmp_path / "deep" / "s.db"
    assert (tmp_path / "deep").is_dir()


def test_default_path_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CODEV_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # platformdirs on Linux
    assert default_store_path() == tmp_path / "data" / "codevwidgets" / "sessions.db"
    assert SQLiteStore().path == default_store_path()


def test_wal_mode_pragmas_and_schema_version(sqlite_store: SQLiteStore) -> None:
    db = sqlite3.connect(sqlite_store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "contributions", "events", "notes"} <= tables
    assert sqlite_store._db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert sqlite_store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    db.close()


def test_only_the_owner_can_read_the_files(
    sqlite_store: SQLiteStore, session: Session, tmp_path: Path
) -> None:
    sqlite_store.create(session, "classic", "en")
    for name in ("store.db", "store.db-wal", "store.db-shm"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_a_store_readable_by_others_is_made_owner_only_when_opened(
    sqlite_store: SQLiteStore, session: Session, tmp_path: Path
) -> None:
    sqlite_store.create(session, "classic", "en")  # -wal and -shm exist while it is open
    for name in ("store.db", "store.db-wal", "store.db-shm"):
        (tmp_path / name).chmod(0o644)  # an older release's file, or a copy
    with SQLiteStore(tmp_path / "store.db"):
        for name in ("store.db", "store.db-wal", "store.db-shm"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_reopening_keeps_the_data(
    store: SQLStore, session: Session, open_test_store: Callable[..., SQLStore]
) -> None:
    store.create(session, "classic", "en")
    store.close()
    assert open_test_store().session_ids() == ["test"]


def test_a_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=9")
    db.close()
    with pytest.raises(StoreError, match=r"schema version 9 is newer .*upgrade codevwidgets"):
        SQLiteStore(path)


# -- sessions and secrets ----------------------------------------------------------------


def test_round_trip(store: SQLStore, running: Session, classic: Runbook) -> None:
    running.set_note("presentation", "topic", "Leading a new team — à Lyon")
    store.create(running, "classic", "fr")
    stored = store.load("test", private=True)
    assert isinstance(stored, StoredSession)
    assert (stored.session_id, stored.runbook_ref, stored.language) == ("test", "classic", "fr")
    assert stored.state == running.to_dict()
    assert stored.runbook == classic
    copy = stored.session(running.clock)
    assert copy.to_dict() == running.to_dict()
    assert copy.remaining() == running.remaining()
    public = store.load("test", private=False)
    assert public is not None
    assert public.state["notes"] == {}  # a participant's kernel never loads a note


def test_unknown_sessions(store: SQLStore, session: Session, classic: Runbook) -> None:
    assert store.load("nope", private=True) is None
    assert store.revision("nope") == -1
    with pytest.raises(SessionError, match="no session 'nope'"):
        store.execute("nope", Command("start"))
    with pytest.raises(ValueError, match="no session"):
        store.add_contribution("nope", "clarification", None, "Hi", None, "p")


def test_a_session_is_created_once(store: SQLStore, session: Session) -> None:
    store.create(session, "classic", "en")
    with pytest.raises(ValueError, match="already exists"):
        store.create(session, "classic", "en")


def test_secrets_are_long_and_only_their_hashes_are_stored(
    sqlite_store: SQLiteStore, session: Session
) -> None:
    keys = sqlite_store.create(session, "classic", "en")
    assert keys.session_id == "test"
    assert len(keys.facilitator_key) >= 32  # 24 random bytes
    assert len(keys.join_code) >= 12  # at least token_urlsafe(9)'s 72 bits
    assert keys.join_code == join_code_for(keys.facilitator_key)
    assert keys.join_code != keys.facilitator_key
    for _ in ("while open (in the WAL)", "once closed (checkpointed)"):
        raw = b"".join(p.read_bytes() for p in sqlite_store.path.parent.iterdir())
        assert b"test" in raw  # the bytes are really the store's
        assert keys.facilitator_key.encode() not in raw
        assert keys.join_code.encode() not in raw
        sqlite_store.close()


def test_each_session_gets_its_own_secrets(store: SQLStore, classic: Runbook) -> None:
    one = store.create(Session(classic, session_id="a"), "classic", "en")
    two = store.create(Session(classic, session_id="b"), "classic", "en")
    assert one.facilitator_key != two.facilitator_key
    assert one.join_code != two.join_code
    assert not store.check_key("b", one.facilitator_key)
    assert store.session_ids() == ["a", "b"]


def test_right_and_wrong_keys_and_codes(store: SQLStore, session: Session) -> None:
    keys = store.create(session, "classic", "en")
    assert store.check_key("test", keys.facilitator_key)
    assert store.check_code("test", keys.join_code)
    assert not store.check_key("test", keys.join_code)  # a participant cannot steer
    assert not store.check_code("test", keys.facilitator_key)
    for bad in (None, "", "x", keys.facilitator_key[:-1], "\udc80", ["list"], 42):
        assert not store.check_key("test", bad)
        assert not store.check_code("test", bad)
    for session_id in ("other", "", None, "\x00"):
        assert not store.check_key(session_id, keys.facilitator_key)
        assert not store.check_code(session_id, keys.join_code)


# -- saving, revisions and events --------------------------------------------------------


def test_a_command_bumps_the_revision_and_logs_the_event(
    store: SQLStore, session: Session, clock: FakeClock
) -> None:
    store.create(session, "classic", "en")
    first = store.revision("test")
    clock.advance(5)
    assert store.execute("test", Command("start")) == first + 1
    assert store.execute("test", Command("extend", {"minutes": 2})) == first + 2
    stored = store.load("test", private=True)
    assert stored is not None
    assert stored.state["status"] == "running"
    assert stored.session(clock).remaining() == 12 * 60
    assert store.events("test") == [
        (clock.now - 5, "created", {"runbook": "classic"}),
        (clock.now, "start", {}),
        (clock.now, "extend", {"minutes": 2}),
    ]


def test_a_command_never_clobbers_contributions_from_another_kernel(
    store: SQLStore, running: Session, open_test_store: Callable[..., SQLStore]
) -> None:
    store.create(running, "classic", "en")
    participant = open_test_store()  # another kernel's connection
    add(participant, "Typed on a phone")
    store.execute("test", Command("next"))
    assert [c.text for c in store.contributions("test")] == ["Typed on a phone"]
    stored = store.load("test", private=True)
    assert stored is not None
    assert [c["text"] for c in stored.state["contributions"]] == ["Typed on a phone"]
    assert stored.session().contributions == participant.contributions("test")


# -- contributions -----------------------------------------------------------------------


def test_contributions_are_validated_stored_and_counted(
    store: SQLStore, running: Session, classic: Runbook, clock: FakeClock
) -> None:
    store.create(running, "classic", "en")
    before = store.revision("test")
    made = store.add_contribution("test", "clarification", " Cy ", "  Why? ", None, "p1")
    assert (made.author, made.text, made.kind, made.at) == ("Cy", "Why?", "questions", clock.now)
    anonymous = store.add_contribution("test", "consultation", None, "Pilot", "ideas", "p2")
    assert anonymous.author is None
    assert anonymous.id > made.id
    assert store.contributions("test") == [made, anonymous]
    assert store.revision("test") == before + 2
    assert [e[1] for e in store.events("test")][-2:] == ["contribution", "contribution"]


@pytest.mark.parametrize(
    ("step", "text", "kind", "message"),
    [
        ("clarification", "", None, "1 to 1000 characters"),
        ("clarification", "   ", None, "1 to 1000 characters"),
        ("clarification", "x" * 1001, None, "1 to 1000 characters"),
        ("clarification", "ok", "gossip", "kind"),
        ("nope", "ok", None, "no step"),
    ],
)
def test_bad_contributions_are_refused_and_not_stored(
    store: SQLStore,
    running: Session,
    classic: Runbook,
    step: str,
    text: str,
    kind: str | None,
    message: str,
) -> None:
    store.create(running, "classic", "en")
    revision = store.revision("test")
    with pytest.raises(ValueError, match=message):
        store.add_contribution("test", step, None, text, kind, "p1")
    assert store.contributions("test", include_hidden=True) == []
    assert store.revision("test") == revision


def test_a_contribution_of_1000_characters_is_accepted(
    store: SQLStore, running: Session, classic: Runbook
) -> None:
    store.create(running, "classic", "en")
    add(store, f"  {'x' * 1000}  ")  # counted once trimmed
    assert [c.text for c in store.contributions("test")] == ["x" * 1000]


def test_the_step_must_belong_to_the_stored_session(store: SQLStore, running: Session) -> None:
    store.create(running, "classic", "en")
    with pytest.raises(ValueError, match="no step 'extra'"):
        store.add_contribution("test", "extra", None, "Hi", None, "p1")


def test_no_contribution_before_the_start_or_after_the_end(
    store: SQLStore, session: Session
) -> None:
    store.create(session, "classic", "en")
    with pytest.raises(ValueError, match="not running"):
        add(store)
    store.execute("test", Command("start"))
    add(store)
    store.execute("test", Command("finish"))
    with pytest.raises(ValueError, match="not running"):
        add(store)
    assert len(store.contributions("test")) == 1


def test_rate_limit_per_participant(
    store: SQLStore, running: Session, classic: Runbook, clock: FakeClock
) -> None:
    store.create(running, "classic", "en")
    for i in range(5):
        add(store, f"question {i}")
        clock.advance(1)
    with pytest.raises(RateLimited, match="at most 5 contributions every 30 seconds"):
        add(store, "one too many")
    add(store, "someone else", who="p2", author="Di")  # the limit is per participant
    clock.advance(25)  # the first one is now more than 30 s old
    add(store, "again")
    with pytest.raises(RateLimited):
        add(store, "still too fast")
    assert len(store.contributions("test")) == 7


def test_rate_limit_is_configurable(store: SQLStore, running: Session, classic: Runbook) -> None:
    store.create(running, "classic", "en")
    store.rate_limit, store.rate_window = 1, 60.0
    add(store)
    with pytest.raises(RateLimited, match="at most 1 contributions every 60 seconds"):
        add(store)
    store.rate_limit = None
    for _ in range(20):
        add(store)


def test_hide_and_show_again(store: SQLStore, running: Session, classic: Runbook) -> None:
    store.create(running, "classic", "en")
    kept, hidden = add(store, "Useful"), add(store, "Off topic")
    revision = store.revision("test")
    hide(store, hidden)
    assert [c.id for c in store.contributions("test")] == [kept]
    assert [c.hidden for c in store.contributions("test", include_hidden=True)] == [False, True]
    assert store.revision("test") == revision + 1
    hide(store, hidden, hidden=False)
    assert [c.id for c in store.contributions("test")] == [kept, hidden]
    assert [e for e in store.events("test") if e[1] == "hide"][-2:] == [
        (running.clock(), "hide", {"id": hidden, "hidden": True}),
        (running.clock(), "hide", {"id": hidden, "hidden": False}),
    ]
    with pytest.raises(ValueError, match="no contribution 99"):
        hide(store, 99)
    store.create(Session(running.runbook, session_id="other"), "classic", "en")
    with pytest.raises(ValueError, match="no contribution"):
        hide(store, kept, session_id="other")  # not through another session's id


def test_the_event_log_only_grows(
    store: SQLStore, running: Session, classic: Runbook, clock: FakeClock
) -> None:
    store.create(running, "classic", "en")
    commands = [
        Command("pause"),
        Command("set_note", {"step": "presentation", "field": "topic", "text": "Secret"}),
        Command("next"),
    ]
    for command in commands:
        clock.advance(1)
        store.execute("test", command)
    add(store)
    kinds = [e[1] for e in store.events("test")]
    assert kinds == ["created", "pause", "set_note", "next", "contribution"]
    assert "Secret" not in str(store.events("test"))  # the log never holds what notes say
    times = [e[0] for e in store.events("test")]
    assert times == sorted(times)
    assert store.events("other") == []


def test_usable_from_a_watcher_thread(store: SQLStore, running: Session, classic: Runbook) -> None:
    store.create(running, "classic", "en")
    store.rate_limit = None
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                add(store)
                store.load("test", private=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(20):
        store.execute("test", Command("extend", {"minutes": 1}))
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.contributions("test")) == 80


# -- several processes -------------------------------------------------------------------


def _submit(location: str, worker: int, start: Barrier) -> None:
    store = open_store(location)
    assert isinstance(store, SQLStore)
    store.rate_limit = None  # 50 at once from one process: this test is about the database
    start.wait(timeout=60)
    for i in range(50):
        text = f"{worker}-{i}"
        store.add_contribution("test", "clarification", f"w{worker}", text, None, f"p{worker}")
    store.close()


def test_sixteen_processes_submitting_at_once_lose_nothing(
    store: SQLStore, running: Session, store_location: str
) -> None:
    store.create(running, "classic", "en")
    assert exit_codes_at_once(_submit, store_location, 16) == [0] * 16
    stored = store.contributions("test")
    assert len(stored) == 800
    assert len({c.id for c in stored}) == 800
    assert {c.text for c in stored} == {f"{w}-{i}" for w in range(16) for i in range(50)}
    assert store.revision("test") == 1 + 800


def _open_and_create(path: str, worker: int, start: Barrier) -> None:
    start.wait(timeout=60)
    with SQLiteStore(Path(path)) as store:
        store.create(Session(load_preset("classic"), session_id=f"s{worker}"), "classic", "en")


def test_servers_opening_one_new_store_at_once_all_open_it(tmp_path: Path) -> None:
    # Two `codev serve` started together on a new file: switching it to WAL needs an
    # exclusive lock that SQLite does not wait for, and one server used to exit with
    # "not a codevwidgets store (database is locked)". Several rounds: a race.
    for round_ in range(12):
        path = tmp_path / f"new{round_}.db"
        codes = exit_codes_at_once(_open_and_create, str(path), 6, method="fork")
        assert codes == [0] * 6, f"round {round_}"
        with SQLiteStore(path) as store:
            assert sorted(store.session_ids()) == [f"s{n}" for n in range(6)]


def test_a_store_locked_too_long_says_so_not_that_it_is_foreign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("codevwidgets.store.sqlite.OPEN_PATIENCE", 0.2)
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        with pytest.raises(StoreError, match=r"held.db: the store stayed locked .* try again"):
            SQLiteStore(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_killed_writer_loses_nothing(
    store: SQLStore, running: Session, store_location: str, open_test_store: Callable[..., SQLStore]
) -> None:
    store.create(running, "classic", "en")
    store.close()
    script = textwrap.dedent(
        f"""
        import os
        from codevwidgets.core.commands import Command
        from codevwidgets.store.open import open_store

        store = open_store({store_location!r})
        note = {{"step": "presentation", "field": "topic", "text": "Typed just before the crash"}}
        store.execute("test", Command("set_note", note))
        os._exit(1)  # no close, no atexit, no flush: a kernel killed mid-step
        """
    )
    result = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert result.returncode == 1
    stored = open_test_store().load("test", private=True)
    assert stored is not None
    session = stored.session()
    assert session.notes == {"presentation": {"topic": "Typed just before the crash"}}
    assert session.current_step.id == running.current_step.id
    assert session.deadline == running.deadline
