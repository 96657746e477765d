"""codev sessions: list the sessions on this machine, delete one so that it is gone from the
file, purge the old ones."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset, load_runbook
from codevwidgets.core.session import Session
from codevwidgets.store.location import is_url
from codevwidgets.store.open import open_store
from codevwidgets.store.sql import SQLStore
from codevwidgets.store.sqlite import SQLiteStore

ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
SECRET_NOTE = "Confidential: my manager Xavier-Quintus"
SECRET_IDEA = "Try a pilot with Zephyrine's team"
SECRET_NAME = "Hand-of-Quirinella"  # a participant's name, on a raised hand


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def codev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args], capture_output=True, text=True
    )


def stored_bytes(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def a_session_with_texts(store: SQLStore, session_id: str) -> None:
    store.create(Session(load_preset("classic"), ROLES, store.clock, session_id), "classic", "en")
    store.execute(session_id, Command("start"))
    note = {"step": "presentation", "field": "topic", "text": SECRET_NOTE}
    store.execute(session_id, Command("set_note", note))
    store.execute(session_id, Command("next", {"step": "presentation"}))
    store.execute(session_id, Command("next", {"step": "clarification"}))
    store.execute(session_id, Command("next", {"step": "contract"}))
    store.add_contribution(session_id, "consultation", "Bruno", SECRET_IDEA, None, "p1")
    store.signal(session_id, "p1", SECRET_NAME, "hand", True)


def test_delete_leaves_no_trace_of_the_texts_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SQLiteStore(path, FakeClock()) as store:
        a_session_with_texts(store, "gone")
        a_session_with_texts(store, "kept")
        assert SECRET_IDEA.encode() in stored_bytes(path)  # the search can find them
        assert store.delete("gone")
        assert not store.delete("gone")
        assert store.session_ids() == ["kept"]
        assert store.load("gone", private=True) is None
        assert store.contributions("gone", include_hidden=True) == []
        assert store.notes("gone") == {} and store.events("gone") == []
        store.delete("kept")
        raw = stored_bytes(path)
    for text in (SECRET_NOTE, SECRET_IDEA, SECRET_NAME):
        assert text.encode() not in raw


def test_list_and_purge_from_the_command_line(tmp_path: Path, store_location: str) -> None:
    path = store_location  # a file, or a PostgreSQL database's URL
    book = tmp_path / "acme.yaml"
    book.write_text("extends: flash\nclient: Acme\n", encoding="utf-8")
    start = float(int(time.time()) - 40 * 86_400)  # 40 days ago, then today
    clock = FakeClock(start)
    with open_store(path, clock) as store:
        a_session_with_texts(store, "old")
        clock.advance(40 * 86_400)
        store.create(Session(load_runbook(book), ROLES, clock, "acme"), str(book), "en")
    listed = codev("sessions", "--json", "--store", str(path))
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {
        "sessions": [
            {
                "id": "old",
                "created": iso(start),
                "runbook": "classic",
                "client": None,
                "status": "running",
                "step": "consultation",
            },
            {
                "id": "acme",
                "created": iso(start + 40 * 86_400),
                "runbook": str(book),
                "client": "Acme",
                "status": "ready",
                "step": "presentation",
            },
        ]
    }
    text = codev("sessions", "--store", str(path)).stdout.splitlines()
    assert [line.split()[0] for line in text] == ["ID", "old", "acme"]  # a header, the rows
    purged = codev("sessions", "purge", "--older-than", "30", "--store", str(path))
    assert purged.returncode == 0, purged.stderr
    assert purged.stdout.split() == ["deleted", "1", "session(s)", "old"]
    left = json.loads(codev("sessions", "--json", "--store", str(path)).stdout)["sessions"]
    assert [s["id"] for s in left] == ["acme"]
    if not is_url(path):  # PostgreSQL: see test_postgres_store.py
        assert SECRET_IDEA.encode() not in stored_bytes(Path(path))


def test_bad_input_is_one_line_and_exit_2(store_location: str) -> None:
    path = store_location
    with open_store(path):
        pass
    for args in (["delete", "nope"], ["purge", "--older-than", "-1"]):
        result = codev("sessions", *args, "--store", path)
        assert result.returncode == 2
        assert len(result.stderr.splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_a_mistyped_store_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    """Only serve and sessions new make a store: the others open an existing one."""
    for where in (tmp_path / "typo.db", tmp_path / "no" / "such" / "folder" / "s.db"):
        for args in (
            ["sessions"],
            ["sessions", "--json"],
            ["sessions", "delete", "x"],
            ["sessions", "purge", "--older-than", "3"],
            ["export", "x"],
        ):
            result = codev(*args, "--store", str(where))
            assert result.returncode == 2, (args, result)
            assert result.stderr.splitlines() == [
                f"no store at {where}: "
                + ("no such file" if where.parent.is_dir() else f"no folder {where.parent}")
                + " (give --store FILE_OR_URL or set CODEV_STORE)"
            ]
    assert [p.name for p in tmp_path.iterdir()] == []  # no file, no folder


def test_the_default_store_missing_is_refused_without_making_its_folder(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    env.pop("CODEV_STORE", None)
    result = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", "sessions"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2 and result.stderr.startswith("no store at "), result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("variable", [False, True])
def test_a_libpq_keyword_string_is_refused_without_its_password(
    tmp_path: Path, variable: bool
) -> None:
    conninfo = "host=db.example dbname=codev user=ana password=s3cret-Pw"
    args = ["sessions", "new"] if variable else ["sessions", "new", "--store", conninfo]
    env = {**os.environ, "CODEV_STORE": conninfo} if variable else None
    result = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "PostgreSQL keyword string" in result.stderr
    assert "CODEV_STORE" in result.stderr if variable else "--store" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []  # no SQLite file named after the password


def test_a_sqlite_file_of_another_application_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "firefox-places.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")
    db.close()
    before = other.read_bytes()
    result = codev("sessions", "new", "--store", str(other))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{other}: not a codevwidgets store (it holds another application's tables);"
        " give another file"
    ]
    assert other.read_bytes() == before
