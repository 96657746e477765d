"""The store as the one truth: commands on the latest state, notes per field, snapshots,
migration from schema 1, and what a participant's kernel may load. The rules run against
both stores (SQLite and PostgreSQL); SQLite's migrations against SQLite."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import Runbook, load_preset, load_runbook
from codevwidgets.core.session import Session, SessionError
from codevwidgets.store.feed import StoreWatcher
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SCHEMA_VERSION, SQLiteStore

NOTE = "set_note"
EXAMPLES = itertools.count()


def note(field: str, text: str, step: str = "presentation") -> Command:
    return Command(NOTE, {"step": step, "field": field, "text": text})


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore], session: Session) -> SQLStore:
    store = open_test_store()
    store.create(session, "classic", "en")
    return store


@pytest.fixture
def projector(store: SQLStore, open_test_store: Callable[..., SQLStore]) -> SQLStore:
    """A second console's kernel: its own connections to the same store."""
    return open_test_store()


def state(store: SQLStore) -> dict[str, object]:
    stored = store.load("test", private=True)
    assert stored is not None
    return stored.state


# -- commands on the latest state ----------------------------------------------------------


def test_a_stale_console_cannot_move_the_group_back(store: SQLStore, projector: SQLStore) -> None:
    # Tab A starts and moves on; tab B still shows step 1 and clicks "+1 min" and "next".
    store.execute("test", Command("start"))
    store.execute("test", Command("next", {"step": "presentation"}))
    revision = store.revision("test")
    for stale in (
        Command("extend", {"step": "presentation", "minutes": 1}),
        Command("next", {"step": "presentation"}),
        Command("previous", {"step": "presentation"}),
    ):
        with pytest.raises(SessionError) as refused:
            projector.execute("test", stale)
        assert refused.value.key == "console.moved_on"
        assert refused.value.values == {"number": 2}
    assert store.revision("test") == revision  # nothing was written
    assert state(projector)["index"] == 1
    assert state(projector)["extra"] == dict.fromkeys(state(store)["extra"], 0.0)  # type: ignore[arg-type]


def test_next_after_another_console_finished_is_refused(
    store: SQLStore, projector: SQLStore
) -> None:
    store.execute("test", Command("start"))
    store.execute("test", Command("finish", {"step": "presentation"}))
    with pytest.raises(SessionError):
        projector.execute("test", Command("next", {"step": "presentation"}))
    with pytest.raises(SessionError, match="while the session is finished"):
        projector.execute("test", Command("next"))
    assert state(store)["status"] == "finished"


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (Command("extend", {"minutes": 0}), ValueError),
        (Command("extend", {"minutes": "5"}), ValueError),
        (Command("go_to", {"index": 99}), SessionError),
        (Command("set_roles", {"roles": "Ana"}), ValueError),
        (Command("hide", {"id": 1}), ValueError),
        (note("nope", "x"), ValueError),
        (note("topic", "x" * 10_001), ValueError),
        (Command(NOTE, {"step": "presentation", "field": "topic", "text": 5}), ValueError),
    ],
)
def test_bad_commands_are_refused_and_write_nothing(
    store: SQLStore, command: Command, error: type[Exception]
) -> None:
    store.execute("test", Command("start"))
    revision, events = store.revision("test"), len(store.events("test"))
    with pytest.raises(error):
        store.execute("test", command)
    assert (store.revision("test"), len(store.events("test"))) == (revision, events)


def test_an_unknown_command_is_not_a_command() -> None:
    with pytest.raises(ValueError, match="unknown command 'save'"):
        Command("save")


# -- notes ---------------------------------------------------------------------------------


def test_two_consoles_typing_in_different_fields_keep_both(
    store: SQLStore, projector: SQLStore
) -> None:
    store.execute("test", note("topic", "Leading a new team"))
    projector.execute("test", note("headline", "New team, old habits"))
    store.execute("test", note("topic", "Leading a new team in Lyon"))
    assert store.notes("test") == {
        "presentation": {"headline": "New team, old habits", "topic": "Leading a new team in Lyon"}
    }


def test_in_one_field_the_last_keystroke_wins(store: SQLStore, projector: SQLStore) -> None:
    store.execute("test", note("topic", "Mine"))
    projector.execute("test", note("topic", "Theirs"))
    assert store.notes("test") == {"presentation": {"topic": "Theirs"}}


def test_notes_never_reach_a_participants_kernel(
    store: SQLStore, session: Session, clock: FakeClock
) -> None:
    store.execute("test", Command("start"))
    store.execute("test", note("topic", "Confidential: my manager"))
    for step in ("clarification", "contract", "consultation", "synthesis", "conclusion"):
        store.execute(
            "test",
            Command("go_to", {"index": session.runbook.steps.index(session.runbook.step(step))}),
        )
    kept = store.add_contribution("test", "conclusion", "Bruno", "4", "evaluation", "p1")
    said = store.add_contribution("test", "conclusion", "Bruno", "I learned to wait", None, "p1")
    off = store.add_contribution("test", "conclusion", "Chloé", "Off topic", None, "p2")
    store.execute("test", Command("hide", {"id": off.id}))
    public = store.load("test", private=False)
    assert public is not None
    assert public.state["notes"] == {}
    assert [c["id"] for c in public.state["contributions"]] == [said.id]
    assert "Confidential" not in json.dumps(public.state)
    private = state(store)
    assert [c["id"] for c in private["contributions"]] == [kept.id, said.id, off.id]  # type: ignore[index]


# -- sessions outlive their files ----------------------------------------------------------


def test_a_session_reopens_with_its_runbook_after_the_file_changed_or_went(
    tmp_path: Path, clock: FakeClock, open_test_store: Callable[..., SQLStore]
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: classic\nclient: Acme\nsteps:\n  - id: consultation\n    minutes: 25\n",
        encoding="utf-8",
    )
    book = load_runbook(path)
    with open_test_store() as store:
        store.create(Session(book, session_id="acme"), str(path), "en")
    path.write_text("extends: flash\nclient: Someone else\n", encoding="utf-8")
    clock.advance(31 * 24 * 3600)  # a month later, after a restart
    with open_test_store() as store:
        stored = store.load("acme", private=True)
        assert stored is not None
        assert stored.runbook == book
        assert stored.runbook.step("consultation").minutes == 25
        path.unlink()
        store.execute("acme", Command("set_roles", {"roles": ROLES.to_dict()}))
        store.execute("acme", Command("start"))


ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))

SCHEMA_1 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, runbook TEXT NOT NULL, language TEXT NOT NULL,
    key_hash TEXT NOT NULL, code_hash TEXT NOT NULL,
    state TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE contributions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
    step_id TEXT NOT NULL, author TEXT, text TEXT NOT NULL, kind TEXT, at REAL NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0, participant TEXT NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,
    at REAL NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL
);
PRAGMA user_version=1;
"""


def test_a_store_of_the_first_release_migrates_on_open(
    tmp_path: Path, session: Session, classic: Runbook, clock: FakeClock
) -> None:
    session.start()
    session.set_note("presentation", "topic", "Written by release 1")
    old = session.to_dict()
    del old["contributions"]  # release 1 kept them in their own table, notes in the state
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_1)
    db.execute(
        "INSERT INTO sessions VALUES ('test', 'classic', 'en', 'k', 'c', ?, 7, 1, 1)",
        (json.dumps(old),),
    )
    db.commit()
    db.close()
    with SQLiteStore(path, clock) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.notes("test") == {"presentation": {"topic": "Written by release 1"}}
        stored = store.load("test", private=False)
        assert stored is not None
        assert stored.runbook == classic
        assert stored.revision == 7
        assert stored.state["notes"] == {}
        assert store.execute("test", Command("next", {"step": "presentation"})) == 8
    raw = sqlite3.connect(path).execute("SELECT state FROM sessions").fetchone()[0]
    assert "Written by release 1" not in raw  # moved out of the state participants load


# -- two writers at once: the store's order is the truth -----------------------------------

COMMANDS = st.one_of(
    st.sampled_from(
        [
            Command("start"),
            Command("pause"),
            Command("resume"),
            Command("finish"),
            Command("extend", {"minutes": 1}),
            Command("extend", {"minutes": 5}),
            Command("set_roles", {"roles": ROLES.to_dict()}),
        ]
    ),
    st.builds(
        lambda name, step: Command(name, {"step": step} if step else {}),
        st.sampled_from(["next", "previous"]),
        st.sampled_from([None, "presentation", "clarification", "contract"]),
    ),
    st.builds(lambda i: Command("go_to", {"index": i}), st.integers(0, 5)),
    st.builds(
        lambda field, text: note(field, text),
        st.sampled_from(["topic", "headline"]),
        st.text(max_size=5),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(st.sampled_from([0, 1]), COMMANDS), max_size=30))
def test_two_writers_reach_what_one_writer_would_in_the_stores_order(
    open_test_store: Callable[..., SQLStore], steps: list[tuple[int, Command]]
) -> None:
    # Two consoles (two connections to one file) send commands in an order Hypothesis picks;
    # one session alone, given the same commands in that order, must accept and refuse the
    # same ones and end in the same state. A writer that applied a command to a state it had
    # read earlier (a stale tab) would diverge.
    clock = FakeClock(1_800_000_000.0)
    book = load_preset("classic")
    name = f"s{next(EXAMPLES)}"  # a session of its own in the test's one store
    alone = Session(book, ROLES, clock, name)
    with open_test_store(clock) as laptop, open_test_store(clock) as projector:
        laptop.create(Session(book, ROLES, clock, name), "classic", "en")
        writers = (laptop, projector)
        for writer, command in steps:
            clock.advance(7)
            try:
                writers[writer].execute(name, command)
                stored_accepted = True
            except (SessionError, ValueError):
                stored_accepted = False
            try:
                apply_command(alone, command)
                alone_accepted = True
            except (SessionError, ValueError):
                alone_accepted = False
            assert stored_accepted == alone_accepted, command
        stored = laptop.load(name, private=True)
        assert stored is not None
        assert stored.state == alone.to_dict()
        assert stored.revision == 1 + sum(1 for e in laptop.events(name) if e[1] != "created")


def test_commands_from_many_kernels_at_once_each_apply_to_the_latest_state(
    store: SQLStore, open_test_store: Callable[..., SQLStore]
) -> None:
    # Four kernels each add a minute 15 times, all at once: a writer that read the state
    # before another wrote it (no lock on the session's row) would lose minutes.
    store.execute("test", Command("start"))
    kernels = [open_test_store() for _ in range(4)]
    start = threading.Barrier(len(kernels))
    errors: list[BaseException] = []

    def extend(kernel: SQLStore) -> None:
        try:
            start.wait(timeout=30)
            for _ in range(15):
                kernel.execute("test", Command("extend", {"minutes": 1}))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=extend, args=(kernel,)) for kernel in kernels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert state(store)["extra"]["presentation"] == 60 * 60  # type: ignore[index]
    assert store.revision("test") == 2 + 60


def test_opening_a_current_store_writes_nothing(tmp_path: Path, session: Session) -> None:
    with SQLiteStore(tmp_path / "store.db") as store:
        store.create(session, "classic", "en")
    watcher = StoreWatcher(tmp_path / "store.db", "test", lambda revision: None, start_thread=False)
    version = watcher._read_data_version()
    with SQLiteStore(tmp_path / "store.db") as again:  # a page opening the store
        assert again.session_ids() == ["test"]
    assert watcher._read_data_version() == version  # no commit: nobody woken up
    watcher.stop()


def test_an_old_session_whose_runbook_changed_gives_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    from urllib.parse import urlencode

    from codevwidgets.pages.session import facilitator_page, participant_page

    book = tmp_path / "acme.yaml"
    book.write_text("extends: classic\n", encoding="utf-8")
    state = Session(load_runbook(book), ROLES, session.clock, "test").to_dict()
    del state["contributions"]
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_1)
    db.execute(
        "INSERT INTO sessions VALUES ('test', ?, 'en', ?, ?, ?, 3, 1, 1)",
        (str(book), "k", "c", json.dumps(state)),
    )
    db.commit()
    db.close()
    book.write_text("extends: classic\nremove: [synthesis]\n", encoding="utf-8")  # edited since
    with SQLiteStore(path) as store:  # migrates: the edited file no longer fits the session
        with pytest.raises(ValueError, match="do not match"):
            store.load("test", private=True).session()  # type: ignore[union-attr]
        secrets = store.create(Session(load_preset("flash"), session_id="new"), "flash", "en")
    # Pages opened on it show one message (the key and code of an old session are not
    # needed: check_* fails first for the participant; use the store's hashes for the console).
    monkeypatch.setenv("CODEV_STORE", str(path))
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE sessions SET key_hash = (SELECT key_hash FROM sessions WHERE id = 'new'),"
        " code_hash = (SELECT code_hash FROM sessions WHERE id = 'new') WHERE id = 'test'"
    )
    db.commit()
    db.close()
    monkeypatch.setenv(
        "QUERY_STRING", urlencode({"session": "test", "key": secrets.facilitator_key})
    )
    page = facilitator_page()
    assert "codev-error" in page._dom_classes
    assert "do not match" in page.value
    monkeypatch.setenv("QUERY_STRING", urlencode({"session": "test", "code": secrets.join_code}))
    page = participant_page()
    assert "codev-error" in page._dom_classes
    assert "not valid" in page.value
