"""The ``codev`` command line, run as a user runs it: output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codevwidgets.cli import main


def codev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args], capture_output=True, text=True
    )


def test_runbook_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runbook", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in out] == [
        "classic",
        "express",
        "flash",
        "kollegiale",
        "troika",
    ]
    assert "95 min" in out[0]


def test_runbook_check_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("extends: flash\nlanguage: fr\n", encoding="utf-8")
    assert main(["runbook", "check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["presentation", "5", "min", "Exposé", "de", "la", "problématique"]
    assert out[-1] == "total: 45 min"
    assert main(["runbook", "check", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["language"] == "fr"
    assert report["total_minutes"] == 45
    assert report["steps"][2] == {
        "id": "contract",
        "minutes": 4,
        "title": "Contrat de consultation",
    }


def test_runbook_check_bad_file_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text("extends: classic\nsteps:\n  - id: contract\n    minuts: 5\n", encoding="utf-8")
    result = codev("runbook", "check", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"{path}:4: steps[0].minuts: unknown field 'minuts' (did you mean 'minutes'?)"
    )


def test_runbook_check_missing_file(tmp_path: Path) -> None:
    result = codev("runbook", "check", str(tmp_path / "none.yaml"))
    assert result.returncode == 2
    assert "file not found" in result.stderr and "Traceback" not in result.stderr


def test_runbook_new_scaffolds_a_valid_runbook(tmp_path: Path) -> None:
    out = tmp_path / "runbooks" / "acme.yaml"
    assert (
        main(["runbook", "new", "Acme & Co", "--from", "express", "--lang", "fr", "-o", str(out)])
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "extends: express" in text and "language: fr" in text
    result = codev("runbook", "check", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_minutes"] == 60
    from codevwidgets.core.runbook import load_runbook

    assert load_runbook(out).client == "Acme & Co"


def test_runbook_new_takes_the_presets_language_by_default(tmp_path: Path) -> None:
    """A German preset makes a German client runbook unless --lang asks for another."""
    for preset, language in (("kollegiale", "de"), ("classic", "en")):
        out = tmp_path / f"{preset}.yaml"
        assert main(["runbook", "new", "Acme", "--from", preset, "-o", str(out)]) == 0
        assert f"language: {language}" in out.read_text(encoding="utf-8")
    out = tmp_path / "fr.yaml"
    assert (
        main(["runbook", "new", "Acme", "--from", "kollegiale", "--lang", "fr", "-o", str(out)])
        == 0
    )
    assert "language: fr" in out.read_text(encoding="utf-8")


def test_runbook_new_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "acme.yaml"
    out.write_text("keep me", encoding="utf-8")
    assert main(["runbook", "new", "Acme", "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep me"


def test_runbook_new_unknown_preset_exits_2() -> None:
    result = codev("runbook", "new", "Acme", "--from", "mega")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


ROSTER = """\
group: Managers 2027
facilitator: rotate
members:
  - {name: Ana, email: ana@example.org}
  - {name: Bea}
  - {name: Chloé}
  - {name: Dan}
"""


def test_plan_json_and_ics(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    ics = tmp_path / "cycle.ics"
    result = codev(
        "plan", str(roster), "--start", "2027-01-11", "--every", "14", "--json", "--ics", str(ics)
    )
    assert result.returncode == 0, result.stderr
    sessions = json.loads(result.stdout)["sessions"]
    assert [s["client"] for s in sessions] == ["Ana", "Bea", "Chloé", "Dan"]
    assert [s["date"] for s in sessions] == ["2027-01-11", "2027-01-25", "2027-02-08", "2027-02-22"]
    assert set(sessions[0]) == {"number", "date", "client", "facilitator"}
    assert all(s["client"] != s["facilitator"] for s in sessions)
    assert ics.read_bytes().count(b"BEGIN:VEVENT") == 4


def test_plan_text(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    result = codev("plan", str(roster), "--start", "2027-01-11")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split()[:4] == ["1", "2027-01-11", "client:", "Ana"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2027-13-01"], "--start"),
        (["--every", "0"], "every"),
    ],
)
def test_plan_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    result = codev("plan", str(roster), *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_plan_bad_roster_exit_2(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        "group: G\nfacilitator: rotate\nmembers:\n  - {name: Ana}\n", encoding="utf-8"
    )
    result = codev("plan", str(roster))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{roster}:3: members: ")


@pytest.mark.parametrize("kind", ["newer", "folder", "not sqlite"])
def test_serve_refuses_a_store_it_cannot_use_in_one_line(tmp_path: Path, kind: str) -> None:
    import sqlite3

    store = tmp_path / "store.db"
    if kind == "newer":
        db = sqlite3.connect(store)
        db.execute("PRAGMA user_version=9")
        db.close()
    elif kind == "folder":
        store.mkdir()
    else:
        store.write_bytes(b"these are somebody's notes, not a database" * 100)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = codev("serve", "--store", str(store), "--port", "1", "--pool", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(str(store))
    assert {"newer": "newer than", "folder": "folder", "not sqlite": "not a"}[kind] in line
    assert "Facilitator:" not in result.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_sessions_new_prints_the_two_links_of_a_stored_session(tmp_path: Path) -> None:
    from urllib.parse import parse_qs, urlsplit

    from codevwidgets.store.sqlite import SQLiteStore

    store = tmp_path / "store.db"
    result = codev(
        "sessions",
        "new",
        "--store",
        str(store),
        "--runbook",
        "express",
        "--url",
        "http://10.1.2.3:9000",
    )
    assert result.returncode == 0, result.stderr
    facilitator, participants = result.stdout.splitlines()
    assert facilitator.startswith(
        "Facilitator: http://10.1.2.3:9000/voila/render/facilitator.ipynb?"
    )
    assert participants.startswith(
        "Participants: http://10.1.2.3:9000/voila/render/participant.ipynb?"
    )
    key = parse_qs(urlsplit(facilitator.split(" ", 1)[1]).query)
    code = parse_qs(urlsplit(participants.split(" ", 1)[1]).query)
    assert "key" not in code
    with SQLiteStore(store) as opened:
        assert opened.check_key(key["session"][0], key["key"][0])
        assert opened.check_code(code["session"][0], code["code"][0])
        stored = opened.load(key["session"][0], private=True)
        assert stored is not None
        assert stored.runbook.total_minutes == 60


@pytest.mark.parametrize(
    "args",
    [["--runbook", "nope.yaml"], ["--url", "javascript:alert(1)"], ["--roster", "missing.yaml"]],
)
def test_sessions_new_refuses_bad_input_and_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    from codevwidgets.store.sqlite import SQLiteStore

    store = tmp_path / "store.db"
    result = codev("sessions", "new", "--store", str(store), *args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert "Facilitator:" not in result.stdout
    if store.exists():
        with SQLiteStore(store) as opened:
            assert opened.session_ids() == []


# -- inputs that load but cannot work, refused in one line (issue 21) --------------------------


def test_runbook_check_refuses_a_runbook_its_console_could_not_show(tmp_path: Path) -> None:
    from codevwidgets.core.limits import MAX_STEPS

    path = tmp_path / "long.yaml"
    steps = "".join(f"  - {{id: s{i}, minutes: 1, title: S{i}}}\n" for i in range(1500))
    path.write_text("language: en\nsteps:\n" + steps, encoding="utf-8")
    result = codev("runbook", "check", str(path), "--json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"{path}:2: steps: 1500 steps, more than the {MAX_STEPS} a runbook may have"
        " (its console would take too long to show)"
    ]


@pytest.mark.parametrize(
    ("members", "line"),
    [
        # Three members and rotate: no session can have a client, a facilitator and two advisors.
        (
            "  - {name: Ana}\n  - {name: Bea}\n  - {name: Cy}\n",
            "2: facilitator: with rotate, a session needs 4 members",
        ),
        (
            "  - {name: Ana}\n  - {name: Bea}\n  - {name: Cy}\n  - {name: '" + "D" * 101 + "'}\n",
            "7: members[3].name: is 101 characters long; a name has at most 100",
        ),
        (
            '  - {name: Ana}\n  - {name: Bea}\n  - {name: Cy}\n  - {name: "D\\u200bee"}\n',
            "7: members[3].name: holds an invisible character U+200B (ZERO WIDTH SPACE)",
        ),
    ],
)
def test_plan_and_sessions_new_refuse_a_roster_that_cannot_work(
    tmp_path: Path, members: str, line: str
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("group: G\nfacilitator: rotate\nmembers:\n" + members, encoding="utf-8")
    for args in (
        ("plan", str(roster)),
        ("sessions", "new", "--roster", str(roster), "--store", str(tmp_path / "s.db")),
    ):
        result = codev(*args)
        assert (result.returncode, result.stdout) == (2, ""), args
        [problem] = result.stderr.splitlines()
        assert problem.startswith(f"{roster}:{line}"), args


# -- output into a closed pipe (issue 21, part 10) ---------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("runbook", "check", "{runbook}", "--json"),
        ("runbook", "list"),
        ("plan", "{roster}", "--json"),
        ("sessions", "--json", "--store", "{store}"),
    ],
    ids=["runbook-check", "runbook-list", "plan", "sessions"],
)
def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    """``codev … | head -1``: the reader is gone before codev writes; no traceback."""
    import os

    from codevwidgets.store.sqlite import SQLiteStore

    (tmp_path / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "runbook.yaml").write_text("extends: classic\n", encoding="utf-8")
    with SQLiteStore(tmp_path / "store.db"):
        pass  # an existing, empty store: `sessions` prints an empty list
    paths = {
        name: str(tmp_path / f"{name}.{ext}")
        for name, ext in (("roster", "yaml"), ("runbook", "yaml"), ("store", "db"))
    }
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `head` does once it has its line: every write now fails
    try:
        result = subprocess.run(
            [sys.executable, "-m", "codevwidgets.cli", *(a.format(**paths) for a in args)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    # As the shell reports any command a closed pipe stopped: 128 + SIGPIPE.
    assert result.returncode == 141
