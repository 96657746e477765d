"""StoreWatcher: a kernel notices what another kernel committed, by polling data_version."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.store.feed import StoreWatcher
from codevwidgets.store.sqlite import SQLiteStore as SessionStore


@pytest.fixture
def store(tmp_path: Path, session: Session, clock: FakeClock) -> Iterator[SessionStore]:
    with SessionStore(tmp_path / "store.db", clock) as store:
        store.create(session, "classic", "en")
        yield store


@pytest.fixture
def other(store: SessionStore, clock: FakeClock) -> Iterator[SessionStore]:
    """Another kernel's store: its own connection to the same file."""
    with SessionStore(store.path, clock) as other:
        yield other


@pytest.fixture
def seen(store: SessionStore) -> list[int]:
    return []


@pytest.fixture
def watcher(store: SessionStore, seen: list[int]) -> Iterator[StoreWatcher]:
    watcher = StoreWatcher(store.path, "test", seen.append, start_thread=False)
    yield watcher
    watcher.stop()


def touch(store: SessionStore, session: Session) -> None:
    """Another kernel changes the session (any command moves its revision)."""
    assert session.roles is not None
    store.execute("test", Command("set_roles", {"roles": session.roles.to_dict()}))


def test_nothing_changed_nothing_called(watcher: StoreWatcher, seen: list[int]) -> None:
    assert watcher.revision == 1
    assert not watcher.poll()
    assert not watcher.poll()
    assert seen == []


def test_sees_another_connections_commit(
    watcher: StoreWatcher, other: SessionStore, session: Session, seen: list[int]
) -> None:
    other.execute("test", Command("start"))
    assert watcher.poll()
    assert seen == [2]
    assert not watcher.poll()  # once per change
    touch(other, session)
    touch(other, session)
    assert watcher.poll()
    assert seen == [2, 4]  # changes in between are folded into one call


def test_sees_contributions_and_hiding(
    watcher: StoreWatcher, other: SessionStore, classic: Runbook, seen: list[int]
) -> None:
    other.execute("test", Command("start"))
    number = other.add_contribution("test", "clarification", None, "Why?", None, "p").id
    assert watcher.poll()
    other.execute("test", Command("hide", {"id": number}))
    assert watcher.poll()
    assert seen == [3, 4]


def test_ignores_commits_to_other_sessions(
    watcher: StoreWatcher, other: SessionStore, classic: Runbook, seen: list[int]
) -> None:
    other.create(Session(classic, session_id="elsewhere"), "classic", "en")
    assert not watcher.poll()
    assert seen == []


def test_a_failing_callback_is_logged_and_watching_goes_on(
    store: SessionStore, other: SessionStore, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def broken(revision: int) -> None:
        calls.append(revision)
        raise RuntimeError("view crashed")

    watcher = StoreWatcher(store.path, "test", broken, start_thread=False)
    with caplog.at_level(logging.ERROR, logger="codevwidgets.store.feed"):
        touch(other, session)
        assert watcher.poll()
        touch(other, session)
        assert watcher.poll()
    assert calls == [2, 3]
    assert "view crashed" in caplog.text
    watcher.stop()


def test_a_missing_store_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unable to open"):
        StoreWatcher(tmp_path / "missing.db", "test", print, start_thread=False)
    assert not (tmp_path / "missing.db").exists()


def test_stop_closes_and_polls_no_more(
    watcher: StoreWatcher, other: SessionStore, session: Session, seen: list[int]
) -> None:
    watcher.stop()
    touch(other, session)
    assert not watcher.poll()
    watcher.stop()  # twice is harmless
    assert seen == []


def test_the_thread_calls_back_and_can_be_stopped_from_the_callback(
    store: SessionStore, other: SessionStore, session: Session
) -> None:
    called = threading.Event()
    revisions: list[int] = []

    def on_change(revision: int) -> None:
        revisions.append(revision)
        watcher.stop()  # what a kernel whose page is gone does
        called.set()

    watcher = StoreWatcher(store.path, "test", on_change, interval=0.001)
    assert watcher.running
    touch(other, session)
    assert called.wait(timeout=10)  # a bound for a stuck thread, not a sleep
    watcher._thread.join(timeout=10)  # type: ignore[union-attr]
    assert not watcher.running
    assert revisions == [2]


def test_a_broken_store_does_not_kill_the_thread(
    store: SessionStore, other: SessionStore, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    called = threading.Event()
    watcher = StoreWatcher(store.path, "test", lambda _: called.set(), interval=0.001)
    failures = iter([RuntimeError("disk hiccup")] * 3)
    real_poll = watcher.poll

    def flaky_poll() -> bool:
        error = next(failures, None)
        if error is not None:
            raise error
        return real_poll()

    watcher.poll = flaky_poll  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="codevwidgets.store.feed"):
        touch(other, session)
        assert called.wait(timeout=10)
    watcher.stop()
    assert caplog.text.count("cannot read the store") == 1  # said once, not at every poll
