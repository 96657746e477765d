"""``codev day new`` (issue 23): a day's groups formed and stored, the lead's and the room's
links printed, every bad input one line and exit 2; days in ``codev sessions delete/purge``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from codevwidgets.cli import main
from codevwidgets.store.sqlite import SQLiteStore


def codev(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", *args], capture_output=True, text=True, env=env
    )


def write_roster(folder: Path, count: int = 10, facilitator: str = "Marie Curie") -> Path:
    teams = ["sales", "sales", "ops", "ops"]
    members = "".join(
        f"  - {{name: P{i}" + (f", team: {teams[i]}" if i < len(teams) else "") + "}\n"
        for i in range(count)
    )
    path = folder / "day.yaml"
    path.write_text(
        f"group: Launch day\nfacilitator: {facilitator}\nmembers:\n{members}", encoding="utf-8"
    )
    return path


# A group's line: its number, its size, who facilitates it, its console's link.
GROUP_LINE = re.compile(r"^ *(\d+)  (\d+) people  facilitator: (.+)  (http\S+)$")


def group_lines(lines: list[str]) -> list[tuple[int, int, str, str]]:
    found = [GROUP_LINE.match(line) for line in lines]
    assert all(found), lines
    return [(int(m[1]), int(m[2]), m[3], m[4]) for m in found if m]


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out.splitlines()


def test_day_new_prints_the_lead_the_room_and_each_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.db"
    roster = write_roster(tmp_path)
    lines = run(
        capsys, "day", "new", "--roster", str(roster), "--groups", "2", "--store", str(store),
        "--url", "http://10.1.2.3:9000",
    )  # fmt: skip
    lead, room, *groups = lines
    assert lead.startswith("Lead: http://10.1.2.3:9000/voila/render/day.ipynb?day=")
    assert room.startswith("Room: http://10.1.2.3:9000/voila/render/join.ipynb?day=")
    assert len(groups) == 2
    lead_q, room_q = query(lead.split(" ", 1)[1]), query(room.split(" ", 1)[1])
    with SQLiteStore(store) as opened:
        [stored] = opened.days()
        day = stored.day
        assert day.id == lead_q["day"] == room_q["day"] and day.lead == "Marie Curie"
        assert opened.check_day_key(day.id, lead_q["key"])
        assert opened.check_day_code(day.id, room_q["code"])
        for (number, size, facilitator, console), group in zip(
            group_lines(groups), day.groups, strict=True
        ):
            assert (number, size, facilitator) == (group.number, 5, group.facilitator)
            params = query(console)
            assert console.startswith("http://10.1.2.3:9000/voila/render/facilitator.ipynb?")
            assert params["session"] == group.session_id
            assert opened.check_key(group.session_id, params["key"])
    # The teams are kept apart: one of each in each group.
    assert {p.name for p in day.people if p.group == 1} & {"P0", "P1"} != {"P0", "P1"}
    assert {p.name for p in day.people if p.group == 1} & {"P2", "P3"} != {"P2", "P3"}


def test_day_new_json_free_names_troika_and_the_lead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "s.db")
    argv = ["day", "new", "--people", "10", "--size", "3", "--runbook", "troika"]
    [line] = run(capsys, *argv, "--store", store, "--json")
    shown = json.loads(line)
    assert set(shown) == {"day", "lead", "room", "groups"}
    assert [(g["number"], g["facilitator"], g["members"]) for g in shown["groups"]] == [
        (1, None, 4),
        (2, None, 3),
        (3, None, 3),
    ]
    assert shown["lead"].startswith("http://127.0.0.1:8866/voila/render/day.ipynb?")
    with SQLiteStore(Path(store)) as opened:
        [stored] = opened.days()
        assert stored.day.id == shown["day"] and stored.day.runbook_ref == "troika"
        assert stored.day.lead == "Lead" and not stored.day.named
        for group in shown["groups"]:
            params = query(group["console"])
            assert opened.check_key(params["session"], params["key"])


@pytest.mark.parametrize(
    ("facilitators", "expected"),
    [("lead", ["Marie Curie", "Marie Curie"]), ("P5, P9", ["P5", "P9"]), ("rotate", None)],
)
def test_day_new_facilitators(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], facilitators: str, expected: list[str]
) -> None:
    store = str(tmp_path / "s.db")
    roster = str(write_roster(tmp_path))
    argv = ["day", "new", "--roster", roster, "--size", "5", "--facilitators", facilitators]
    lines = run(capsys, *argv, "--store", store)
    shown = [facilitator for _, _, facilitator, _ in group_lines(lines[2:])]
    with SQLiteStore(Path(store)) as opened:
        [stored] = opened.days()
    firsts = [stored.day.members(g.number)[0] for g in stored.day.groups]
    assert shown == (expected or firsts)


def test_day_new_takes_the_rooms_public_address(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "CODEV_PUBLIC_URL": "https://codev.example.org"}
    made = codev(
        "day", "new", "--people", "8", "--groups", "2", "--store", str(tmp_path / "s.db"), env=env
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Lead: https://codev.example.org/voila/render/day.ipynb?")


ROSTER_PROBLEMS = [
    # (the roster's members, the facilitator line, the one line expected, from its start)
    ("  - {name: P0}\n  - {name: P1}\n  - {name: P0}\n", "rotate", ":6: members[2].name: "),
    (
        "  - {name: P0, teem: x}\n  - {name: P1}\n  - {name: P2}\n",
        "rotate",
        ":4: members[0].teem: unknown field 'teem'",
    ),
]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--people", "7", "--groups", "2"], "codev: day new: 7 people in 2 groups makes groups"),
        (["--people", "12", "--size", "9"], "codev: day new: --size 9 is outside this runbook's"),
        (
            ["--people", "9", "--size", "5", "--runbook", "troika"],
            "codev: day new: --size 5 is outside Troika's group sizes, 3 to 4",
        ),
        (["--people", "0", "--groups", "1"], "codev: day new: --people must be at least 1, got 0"),
        (["--people", "8", "--groups", "0"], "codev: day new: --groups must be at least 1, got 0"),
        (
            ["--people", "8", "--groups", "2", "--facilitators", "rotate"],
            "codev: day new: free names (--people) have no one to rotate",
        ),
        (
            ["--people", "8", "--groups", "2", "--facilitators", "Ana,Bea"],
            "codev: day new: free names (--people) have no names to facilitate",
        ),
        (
            ["--roster", "{roster}", "--groups", "2", "--facilitators", "P1,Nobody"],
            "codev: day new: --facilitators: 'Nobody' is not in the roster",
        ),
        (
            ["--roster", "{roster}", "--groups", "2", "--facilitators", "P1"],
            "codev: day new: --facilitators names 1 facilitator(s) for 2 group(s)",
        ),
        (["--roster", "{missing}", "--groups", "2"], "{missing}"),
        (["--people", "8", "--groups", "2", "--runbook", "clasic"], "codev: --runbook: 'clasic'"),
        (["--people", "8", "--groups", "2", "--url", "javascript:x"], "codev: --url: 'javascr"),
    ],
)
def test_day_new_refuses_bad_input_in_one_line_and_stores_nothing(
    tmp_path: Path, argv: list[str], line: str
) -> None:
    roster, missing = write_roster(tmp_path), tmp_path / "missing.yaml"
    argv = [a.format(roster=roster, missing=missing) for a in argv]
    store = tmp_path / "s.db"
    result = codev("day", "new", *argv, "--store", str(store))
    assert (result.returncode, result.stdout) == (2, "")
    [problem] = result.stderr.splitlines()
    assert problem.startswith(line.format(missing=missing)), problem
    if store.exists():
        with SQLiteStore(store) as opened:
            assert opened.days() == [] and opened.session_ids() == []


@pytest.mark.parametrize(("members", "facilitator", "line"), ROSTER_PROBLEMS)
def test_day_new_says_where_a_roster_is_wrong(
    tmp_path: Path, members: str, facilitator: str, line: str
) -> None:
    roster = tmp_path / "day.yaml"
    roster.write_text(
        f"group: G\nfacilitator: {facilitator}\nmembers:\n{members}", encoding="utf-8"
    )
    store = str(tmp_path / "s.db")
    result = codev("day", "new", "--roster", str(roster), "--groups", "1", "--store", store)
    assert (result.returncode, result.stdout) == (2, "")
    [problem] = result.stderr.splitlines()
    assert problem.startswith(f"{roster}{line}"), problem


def test_a_roster_of_a_day_may_hold_more_than_a_group(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = str(write_roster(tmp_path, count=40))
    store = str(tmp_path / "s.db")
    lines = run(capsys, "day", "new", "--roster", roster, "--size", "8", "--store", store)
    assert [size for _, size, _, _ in group_lines(lines[2:])] == [8] * 5


@pytest.mark.parametrize(
    "argv",
    [
        ["--groups", "2"],  # neither --roster nor --people
        ["--people", "8", "--roster", "r.yaml", "--groups", "2"],  # both
        ["--people", "8"],  # neither --groups nor --size
        ["--people", "8", "--groups", "2", "--size", "4"],  # both
        ["--people", "eight", "--groups", "2"],
    ],
)
def test_day_new_wants_one_of_each_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["day", "new", *argv, "--store", str(tmp_path / "s.db")])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.splitlines()[-1].startswith("codev day new: error: ")
    assert not (tmp_path / "s.db").exists()


def test_sessions_delete_and_purge_take_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], store_location: str
) -> None:
    store = store_location  # a file, or a PostgreSQL database's URL
    roster = str(write_roster(tmp_path))
    [line] = run(
        capsys, "day", "new", "--roster", roster, "--groups", "2", "--store", store, "--json"
    )
    first = json.loads(line)["day"]
    [line] = run(capsys, "day", "new", "--people", "8", "--groups", "2", "--store", store, "--json")
    second = json.loads(line)["day"]
    assert run(capsys, "sessions", "delete", first, "--store", store) == [
        f"deleted {first} and its 2 group session(s)"
    ]
    listed = json.loads(run(capsys, "sessions", "--json", "--store", store)[0])["sessions"]
    assert len(listed) == 2  # the second day's groups
    # Nothing is older than a day yet; then everything is older than no day at all.
    assert run(capsys, "sessions", "purge", "--older-than", "1", "--store", store) == [
        "deleted 0 session(s)"
    ]
    purged = run(capsys, "sessions", "purge", "--older-than", "0", "--store", store)
    assert purged[0] == "deleted 2 session(s)"
    assert purged[3:] == ["deleted 1 day(s)", f"  {second}"]
