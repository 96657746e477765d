"""PostgresStore's own parts: its schema files and version table, the LISTEN/NOTIFY change feed
and its safety net, choosing it by URL, and saying in one line when it cannot be used.

The rules it shares with SQLite (commands, contributions, signals…) are tested against both
stores in test_store.py, test_one_truth.py, test_signals.py and test_presence.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from postgres_server import PostgresServer

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.base import StoreError
from codevwidgets.store.location import default_store_path, redact, store_location
from codevwidgets.store.open import open_store
from codevwidgets.store.postgres import (
    SCHEMA_VERSION,
    PostgresStore,
    PostgresWatcher,
    channel_for,
    migrations,
)
from codevwidgets.store.sqlite import SQLiteStore

ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
WAIT = 30.0  # seconds at most for a thread to hear a change: a bound, not a measure


@pytest.fixture
def store(postgres_url: str, clock: FakeClock, session: Session) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_url, clock) as store:
        store.create(session, "classic", "en")
        yield store


def raw(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


def connections(url: str) -> int:
    """Connections to the test's database, but the one asking."""
    with raw(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(str(row[0]))


def touch(store: PostgresStore) -> int:
    """Another kernel changes the session: its revision moves."""
    note = {"step": "presentation", "field": "topic", "text": "Typed"}
    return store.execute("test", Command("set_note", note))


class Heard:
    """What a watcher's callback was called with, and a way to wait for the next call."""

    def __init__(self) -> None:
        self.revisions: list[int] = []
        self._event = threading.Event()

    def __call__(self, revision: int) -> None:
        self.revisions.append(revision)
        self._event.set()

    def wait(self) -> bool:
        heard = self._event.wait(WAIT)
        self._event.clear()
        return heard


# -- the schema ------------------------------------------------------------------------------


def test_the_schema_files_are_numbered_and_recorded(store: PostgresStore) -> None:
    files = migrations()
    assert [number for number, _ in files] == list(range(1, SCHEMA_VERSION + 1))
    assert "CREATE TABLE sessions" in files[0][1]
    with raw(store.url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version")]
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    assert {"sessions", "contributions", "events", "notes", "signals"} <= tables


def test_the_schema_files_ship_in_the_package() -> None:
    folder = (
        Path(__file__).resolve().parents[3] / "codevwidgets" / "store" / "migrations" / "postgres"
    )
    assert sorted(p.name for p in folder.glob("*.sql"))[0] == "001_schema.sql"


def test_opening_a_current_store_writes_nothing(store: PostgresStore) -> None:
    with raw(store.url) as listener:
        listener.execute(f'LISTEN "{channel_for("test")}"')
        with PostgresStore(store.url) as again:  # a page opening the store
            assert again.session_ids() == ["test"]
        assert list(listener.notifies(timeout=0.2)) == []
        count = listener.execute("SELECT COUNT(*) FROM schema_version").fetchone()
    assert count == (SCHEMA_VERSION,)


def test_two_servers_creating_the_schema_at_once_create_it_once(postgres_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        try:
            start.wait(timeout=30)
            PostgresStore(postgres_url).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with raw(postgres_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (SCHEMA_VERSION,)


def test_a_newer_schema_is_refused_in_one_line(store: PostgresStore) -> None:
    with raw(store.url) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 6,))
    with pytest.raises(StoreError) as refused:
        PostgresStore(store.url)
    message = str(refused.value)
    assert f"schema version {SCHEMA_VERSION + 6} is newer" in message
    assert "upgrade codevwidgets" in message and "\n" not in message


def test_a_database_of_something_else_is_refused(postgres_url: str) -> None:
    with raw(postgres_url) as conn:
        conn.execute("CREATE TABLE sessions (id INTEGER)")  # another application's
    with pytest.raises(StoreError, match="holds another application's tables"):
        PostgresStore(postgres_url)
    with raw(postgres_url) as conn:  # nothing half-made
        assert conn.execute("SELECT to_regclass('contributions')").fetchone() == (None,)


FOREIGN = "holds another application's tables"


def public_tables(url: str) -> set[str]:
    with raw(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {str(r[0]) for r in rows}


def test_another_applications_tables_are_refused_untouched(postgres_url: str) -> None:
    """Tables of another application, none named as the kit's: refused, not joined."""
    with raw(postgres_url) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError) as refused:
        PostgresStore(postgres_url)
    message = str(refused.value)
    assert f"{FOREIGN} (customers, invoices)" in message and "\n" not in message
    assert public_tables(postgres_url) == {"customers", "invoices"}
    # A schema of the kit's own in that database is fine: the other application's are elsewhere.
    with raw(postgres_url) as conn:
        conn.execute("CREATE SCHEMA codev")
    own = f"{postgres_url}?{urlencode({'options': '-csearch_path=codev'})}"
    with PostgresStore(own) as store:
        assert store.session_ids() == []
    assert public_tables(postgres_url) == {"customers", "invoices"}


@pytest.mark.parametrize(
    "schema_version",
    [
        "CREATE TABLE schema_version (version TEXT, applied TIMESTAMPTZ)",  # a tool's own
        "CREATE TABLE schema_version (id SERIAL, version INTEGER)",
        # Shaped as the kit's, but none of the kit's tables: a hand-made one.
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied TIMESTAMPTZ"
        " NOT NULL DEFAULT now()); INSERT INTO schema_version (version) VALUES (1)",
    ],
)
def test_a_schema_version_table_not_the_kits_is_refused_in_one_line(
    postgres_url: str, schema_version: str
) -> None:
    with raw(postgres_url) as conn:
        conn.execute(schema_version)
        if "TEXT" in schema_version:
            conn.execute("INSERT INTO schema_version VALUES ('1.2.3', now())")
    result = codev("sessions", "new", "--store", postgres_url)
    assert result.returncode == 2, result
    assert result.stderr.splitlines() == [
        f"{postgres_url}: the database {FOREIGN} (a schema_version not the kit's): give an"
        " empty database, or a schema of the kit's own (?options=-csearch_path%3Dcodev)"
    ]
    assert public_tables(postgres_url) == {"schema_version"}


def test_an_empty_database_is_a_store_only_for_serve_and_sessions_new(postgres_url: str) -> None:
    for args in (["sessions"], ["sessions", "delete", "x"], ["export", "x"]):
        result = codev(*args, "--store", postgres_url)
        assert result.returncode == 2, result
        assert result.stderr.splitlines() == [
            f"no store at {postgres_url}: the database has no codevwidgets tables (codev serve"
            " or codev sessions new creates them)"
        ]
    assert public_tables(postgres_url) == set()
    made = codev("sessions", "new", "--store", postgres_url)
    assert made.returncode == 0, made.stderr
    assert codev("sessions", "--store", postgres_url).returncode == 0


# -- the change feed -------------------------------------------------------------------------


def test_each_revision_is_announced_on_the_sessions_channel(store: PostgresStore) -> None:
    with raw(store.url) as listener:
        listener.execute(f'LISTEN "{channel_for("test")}"')
        revision = touch(store)
        (note,) = list(listener.notifies(timeout=WAIT, stop_after=1))
    assert note.channel == channel_for("test")
    assert json.loads(note.payload) == {"session": "test", "revision": revision}


def test_a_deleted_session_is_announced_as_revision_minus_1(store: PostgresStore) -> None:
    with raw(store.url) as listener:
        listener.execute(f'LISTEN "{channel_for("test")}"')
        assert store.delete("test")
        (note,) = list(listener.notifies(timeout=WAIT, stop_after=1))
    assert json.loads(note.payload) == {"session": "test", "revision": -1}


def test_poll_reads_the_revision(store: PostgresStore, postgres_url: str) -> None:
    heard = Heard()
    watcher = store.watch("test", heard, start_thread=False)
    try:
        assert not watcher.poll()
        with PostgresStore(postgres_url) as other:  # another kernel
            revision = touch(other)
        assert watcher.poll()
        assert heard.revisions == [revision] and watcher.revision == revision
        assert not watcher.poll()
    finally:
        watcher.stop()


def test_a_notification_is_heard_at_once(store: PostgresStore) -> None:
    # The safety net is an hour away: only the notification can wake the watcher.
    store.check_every = 3600.0
    heard = Heard()
    watcher = store.watch("test", heard)
    try:
        revision = touch(store)
        assert heard.wait(), "no notification heard"
        assert heard.revisions == [revision]
    finally:
        watcher.stop()
    assert not watcher.running


def test_another_sessions_changes_do_not_wake_the_watcher(
    store: PostgresStore, session: Session
) -> None:
    store.create(Session(session.runbook, session.roles, session.clock, "other"), "flash", "en")
    heard = Heard()
    watcher = store.watch("other", heard, start_thread=False)
    try:
        touch(store)  # "test" moves, not "other"
        assert not watcher.poll() and heard.revisions == []
    finally:
        watcher.stop()


def test_a_dropped_listening_connection_is_replaced_and_nothing_is_missed(
    store: PostgresStore,
) -> None:
    store.check_every = 0.2
    heard = Heard()
    watcher = store.watch("test", heard)
    try:
        pid = watcher.backend_pid
        assert pid is not None
        with raw(store.url) as admin:  # the server drops the watcher's connection…
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        revision = touch(store)  # … and a change is committed while nobody listens
        assert heard.wait(), "the change made while disconnected was missed"
        assert heard.revisions[-1] == revision
        new_pid = watcher.backend_pid
        assert new_pid is not None and new_pid != pid  # listening again
        with raw(store.url) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (new_pid,))
        revision = touch(store)
        assert heard.wait()
        assert heard.revisions[-1] == revision
    finally:
        watcher.stop()


def test_the_periodic_check_catches_a_change_nobody_announced(store: PostgresStore) -> None:
    # A notification lost on the way (as after a silent network drop): the revision moves
    # without one, and the periodic check still sees it.
    store.check_every = 0.2
    heard = Heard()
    watcher = store.watch("test", heard)
    try:
        with raw(store.url) as conn:
            conn.execute("ALTER TABLE sessions DISABLE TRIGGER sessions_announce_revision")
            conn.execute("UPDATE sessions SET revision = revision + 1 WHERE id = 'test'")
            revision = conn.execute("SELECT revision FROM sessions").fetchone()
        assert heard.wait(), "the periodic revision check did not run"
        assert (heard.revisions[-1],) == revision
    finally:
        watcher.stop()


def test_stop_from_the_callback(store: PostgresStore) -> None:
    watcher: PostgresWatcher | None = None
    calls: list[int] = []

    def once(revision: int) -> None:
        calls.append(revision)
        assert watcher is not None
        watcher.stop()

    watcher = store.watch("test", once, start_thread=False)
    touch(store)
    assert watcher.poll()
    touch(store)
    assert not watcher.poll()
    assert len(calls) == 1


# -- what PostgreSQL cannot hold -------------------------------------------------------------


def test_a_nul_character_is_refused_as_bad_input(store: PostgresStore) -> None:
    store.execute("test", Command("start"))
    with pytest.raises(ValueError, match="NUL"):
        store.add_contribution("test", "clarification", None, "a\x00b", None, "p1")
    note = {"step": "presentation", "field": "topic", "text": "x\x00"}
    with pytest.raises(ValueError, match="NUL"):
        store.execute("test", Command("set_note", note))
    assert store.notes("test") == {} and store.contributions("test") == []
    assert not store.check_key("test\x00", "key") and not store.check_code("test", "\x00")


# -- choosing it by URL ----------------------------------------------------------------------


def test_a_url_opens_postgresql_and_anything_else_a_file(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CODEV_STORE", raising=False)
    with open_store(postgres_url) as store:
        assert isinstance(store, PostgresStore) and store.location == postgres_url
    with open_store(str(tmp_path / "s.db")) as store:
        assert isinstance(store, SQLiteStore)
    monkeypatch.setenv("CODEV_STORE", postgres_url)
    assert store_location() == postgres_url
    with open_store() as store:
        assert isinstance(store, PostgresStore)
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "env.db"))
    with open_store() as store:
        assert isinstance(store, SQLiteStore) and store.path == tmp_path / "env.db"
    with pytest.raises(StoreError, match=r"mysql://u:\*\*\*@h/db: unknown kind of store"):
        open_store("mysql://u:secret@h/db")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ana:s3cret@db:5432/codev", "postgresql://ana:***@db:5432/codev"),
        ("postgresql://ana@db/codev", "postgresql://ana@db/codev"),
        ("postgresql:///codev?host=/run/pg&password=s3cret", "host=/run/pg&password=***"),
        ("postgresql://a:b:c@[::1]:5/x", "postgresql://a:***@[::1]:5/x"),
        ("postgresql://ana:s3cret@db:notaport/codev", "postgresql://ana:***@db:notaport/codev"),
        ("/var/lib/codev/sessions.db", "/var/lib/codev/sessions.db"),
    ],
)
def test_a_password_is_never_shown(url: str, shown: str) -> None:
    assert shown in redact(url)
    assert "s3cret" not in redact(url) and ":b:c@" not in redact(url)


def test_an_unreachable_server_is_one_line_without_the_password(
    postgres_server: PostgresServer,
) -> None:
    url = f"postgresql://codev:s3cret@127.0.0.1:{postgres_server.port + 1}/codev"
    with pytest.raises(StoreError) as refused:
        open_store(url)
    message = str(refused.value)
    assert message.startswith("postgresql://codev:***@127.0.0.1")
    assert "s3cret" not in message and "\n" not in message


def test_an_unknown_database_is_one_line(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreError, match='database "nowhere" does not exist'):
        open_store(postgres_server.url("nowhere"))


# -- the command line ------------------------------------------------------------------------


def codev(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_the_command_line_takes_a_url(store: PostgresStore, tmp_path: Path) -> None:
    listed = codev("sessions", "--json", "--store", store.url)
    assert listed.returncode == 0, listed.stderr
    assert [s["id"] for s in json.loads(listed.stdout)["sessions"]] == ["test"]
    made = codev("sessions", "new", "--runbook", "flash", env={"CODEV_STORE": store.url})
    assert made.returncode == 0, made.stderr
    assert "Participants:" in made.stdout
    assert len(store.session_ids()) == 2
    exported = codev("export", "test", "--format", "md", "-o", str(tmp_path), "--store", store.url)
    assert exported.returncode == 0, exported.stderr
    assert Path(exported.stdout.strip()).read_text(encoding="utf-8").startswith("#")
    deleted = codev("sessions", "delete", "test", "--store", store.url)
    assert deleted.returncode == 0, deleted.stderr
    assert store.session_ids() != [] and "test" not in store.session_ids()


def test_the_command_line_says_in_one_line_when_the_server_is_unreachable(
    postgres_server: PostgresServer,
) -> None:
    url = f"postgresql://codev:s3cret@127.0.0.1:{postgres_server.port + 1}/codev"
    for args in (["sessions"], ["export", "x"], ["sessions", "delete", "x"]):
        result = codev(*args, "--store", url)
        assert result.returncode == 2, result
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "s3cret" not in result.stderr and "Traceback" not in result.stderr
    served = codev("serve", "--store", url, "--port", str(postgres_server.port + 2))
    assert served.returncode == 2 and len(served.stderr.splitlines()) == 1, served.stderr
    assert "s3cret" not in served.stderr + served.stdout
    wrong = codev("sessions", "--store", "mysql://root:s3cret@db/x")
    assert wrong.returncode == 2 and "unknown kind of store" in wrong.stderr
    assert "s3cret" not in wrong.stderr


# -- the pages -------------------------------------------------------------------------------


def test_pages_open_the_store_that_codev_store_names(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codevwidgets.pages.session import facilitator_page, participant_page
    from codevwidgets.widgets.console import FacilitatorConsole
    from codevwidgets.widgets.participant import ParticipantView
    from tests.unit.participant_pages import joined

    secrets = store.create(Session(load_preset("flash"), session_id="room"), "flash", "en")
    monkeypatch.setenv("CODEV_STORE", store.url)
    monkeypatch.setenv("QUERY_STRING", urlencode({"session": "room", "code": "wrong"}))
    refused = participant_page()
    assert "codev-error" in refused._dom_classes
    query = {"session": "room", "key": secrets.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    monkeypatch.setenv("QUERY_STRING", urlencode({"session": "room", "code": secrets.join_code}))
    before = connections(store.url)
    view = joined(participant_page())  # its browser answers, the person says who they are
    assert isinstance(view, ParticipantView)
    links = [console.link, view.link]
    try:
        # Issue 21: built, the page's kernel holds no connection until its page has connected
        # (a request that never brings a browser cannot use up the database's connections).
        assert connections(store.url) == before and view.link.watcher is None
        view.countdown.heard()  # the page's first clock sync: its browser is there
        assert connections(store.url) == before + 2  # the pool's one and the change feed's
        for link in links:
            link.watcher.stop()  # followed by hand below, as the watcher's thread would
        assert view.link.session.status == "ready"
        store.execute("room", Command("set_roles", {"roles": ROLES.to_dict()}))
        store.execute("room", Command("start"))
        assert isinstance(view.link.store, PostgresStore)
        assert view.link.sync() and view.link.session.status == "running"
        assert console.link.sync() and console.session.status == "running"
    finally:
        for link in links:
            link.store.close()
        view.close()
        console.close()


def test_codev_serve_on_a_url_serves_the_stores_sessions(
    store: PostgresStore, tmp_path: Path
) -> None:
    from tests.unit.server.test_serve_no_session import NoSessionServer

    secrets = store.create(Session(load_preset("flash"), session_id="room"), "flash", "en")
    log = tmp_path / "voila.log"
    server = NoSessionServer(store.url, "--log", str(log))  # type: ignore[arg-type]
    try:
        assert server.until_serving()[-1].startswith("Serving on ")
        query = f"session=room&code={secrets.join_code}"
        assert "ProjectorView(session=" in server.page("projector.ipynb", query)
        assert "ProjectorView(session=" not in server.page("projector.ipynb", "session=room&code=x")
        assert server.stop() == 0
    finally:
        server.kill()
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
    assert store.session_ids() == ["test", "room"]


def test_the_kernels_get_the_url_and_the_log_stays_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codevwidgets.server.serve import default_log_path, voila_environment

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # platformdirs on Linux
    url = "postgresql://codev:s3cret@db.example/codev"
    env = voila_environment(url)
    assert env["CODEV_STORE"] == url  # the kernels connect with it: passed on whole
    assert Path(env["CODEV_REFUSED_DIR"]).parent == tmp_path / "data" / "codevwidgets"
    assert default_log_path(url) == tmp_path / "data" / "codevwidgets" / "voila.log"
    assert default_log_path(str(tmp_path / "s.db")) == tmp_path / "voila.log"
    monkeypatch.setenv("CODEV_STORE", url)
    with pytest.raises(StoreError, match=r"CODEV_STORE is postgresql://codev:\*\*\*@db"):
        default_store_path()


def test_a_server_gone_mid_session_is_one_line(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    store = PostgresStore(postgres_url)
    store._pool.timeout = 1.0  # not the 10 s a command waits for a connection in a room
    try:
        postgres_server.drop_database(postgres_url)  # its connections are ended with it
        with pytest.raises(StoreError) as gone:
            store.session_ids()
        message = str(gone.value)
        assert message.startswith(redact(postgres_url)) and "\n" not in message
    finally:
        store.close()
