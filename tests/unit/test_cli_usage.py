"""The ``codev`` command line helps (issue 22, item 11): a subcommand's usage on its own
error, "did you mean", ``sessions list``, a header, a help line with its default for every
option, no reStructuredText in ``--help``, and each session's time in the calendar."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest

from codevwidgets.cli import _parser, main
from codevwidgets.core.runbook import preset_names

ROSTER = """\
group: Managers 2027
facilitator: rotate
members:
  - {name: Ana}
  - {name: Bea}
  - {name: Chloé}
  - {name: Dan}
"""


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """The lines ``codev ARGV`` writes on stderr, after checking it exits 2 with no output."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    return err.splitlines()


# -- each subcommand's usage on its own error ----------------------------------------------


def test_an_unknown_option_shows_the_subcommands_usage_and_what_was_meant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = usage_error(capsys, "serve", "--runbok", "classic")
    assert lines[0].startswith("usage: codev serve ")
    assert lines[-1] == (
        "codev serve: error: unrecognized arguments: --runbok classic (did you mean --runbook?)"
    )


@pytest.mark.parametrize(
    ("argv", "usage", "error"),
    [
        (["sessions", "delete", "ID", "--stroe", "s.db"], "codev sessions delete", "--store"),
        (["runbook", "check", "a.yaml", "--jsn"], "codev runbook check", "--json"),
        (["plan", "r.yaml", "--every=7", "--strat=2027-01-04"], "codev plan", "--start"),
    ],
)
def test_nested_subcommands_show_their_own_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str, error: str
) -> None:
    lines = usage_error(capsys, *argv)
    assert lines[0].startswith(f"usage: {usage} ")
    assert lines[-1].startswith(f"{usage}: error: unrecognized arguments: ")
    assert lines[-1].endswith(f"(did you mean {error}?)")


def test_an_unknown_option_with_nothing_close_says_so_without_a_guess(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = usage_error(capsys, "export", "S", "--zzzzzz")
    assert lines[-1] == "codev export: error: unrecognized arguments: --zzzzzz"


# -- did you mean --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "usage", "typo", "meant"),
    [
        (["serv"], "codev", "serv", "serve"),
        (["sesions"], "codev", "sesions", "sessions"),
        (["sessions", "lst"], "codev sessions", "lst", "list"),
        (["runbook", "chek", "a.yaml"], "codev runbook", "chek", "check"),
        (["export", "S", "--format", "pfd"], "codev export", "pfd", "pdf"),
        (["runbook", "new", "Acme", "--from", "clasic"], "codev runbook new", "clasic", "classic"),
    ],
)
def test_a_mistyped_choice_says_what_was_meant(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str, typo: str, meant: str
) -> None:
    lines = usage_error(capsys, *argv)
    assert lines[0].startswith(f"usage: {usage} ")
    assert f"invalid choice: {typo!r} (did you mean {meant!r}? choose from " in lines[-1]


@pytest.mark.parametrize("command", [["serve"], ["sessions", "new"], ["plan", "r.yaml"]])
def test_a_runbook_neither_preset_nor_file_lists_the_presets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "r.yaml").write_text(ROSTER, encoding="utf-8")
    command = [arg.replace("r.yaml", str(tmp_path / "r.yaml")) for arg in command]
    store = [] if command[0] == "plan" else ["--store", str(tmp_path / "s.db")]
    assert main([*command, "--runbook", "clasic", *store]) == 2
    presets = ", ".join(preset_names())
    assert capsys.readouterr() == (
        "",
        "codev: --runbook: 'clasic' is neither a preset nor a runbook file"
        f" (did you mean 'classic'? presets: {presets})\n",
    )
    assert not (tmp_path / "s.db").exists()


def test_a_runbook_file_is_still_a_runbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.yaml").write_text(ROSTER, encoding="utf-8")
    book = tmp_path / "acme.yaml"
    book.write_text("extends: flash\n", encoding="utf-8")
    assert (
        main(
            [
                "plan",
                str(tmp_path / "r.yaml"),
                "--runbook",
                str(book),
                "--ics",
                str(tmp_path / "c.ics"),
            ]
        )
        == 0
    )
    [event, *_] = icalendar.Calendar.from_ical((tmp_path / "c.ics").read_bytes()).walk("VEVENT")
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=45)


# -- sessions list and its header --------------------------------------------------------------


def test_sessions_list_is_sessions_with_a_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from codevwidgets.core.runbook import load_preset
    from codevwidgets.core.session import Session
    from codevwidgets.store.sqlite import SQLiteStore

    store = tmp_path / "s.db"
    with SQLiteStore(store) as opened:
        made = opened.create(Session(load_preset("express")), "express", "en")
    assert main(["sessions", "--store", str(store)]) == 0
    plain = capsys.readouterr().out
    assert main(["sessions", "list", "--store", str(store)]) == 0
    assert capsys.readouterr().out == plain
    header, row = plain.splitlines()
    assert header.split() == ["ID", "CREATED", "RUNBOOK", "CLIENT", "STATUS", "STEP"]
    assert row.split()[0] == made.session_id and row.split()[2] == "express"
    # Each column starts under its title.
    assert row.index("express") == header.index("RUNBOOK")
    assert main(["sessions", "list", "--json", "--store", str(store)]) == 0
    assert f'"id": "{made.session_id}"' in capsys.readouterr().out
    assert main(["sessions", "--json", "list", "--store", str(store)]) == 0
    assert capsys.readouterr().out.startswith('{"sessions": [')


def test_no_sessions_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from codevwidgets.store.sqlite import SQLiteStore

    with SQLiteStore(tmp_path / "s.db"):
        pass
    assert main(["sessions", "list", "--store", str(tmp_path / "s.db")]) == 0
    assert capsys.readouterr().out == f"no sessions in {tmp_path / 's.db'}\n"


# -- help ----------------------------------------------------------------------------------


def parsers() -> list[argparse.ArgumentParser]:
    """The command's parser and every subcommand's, nested ones too."""
    found, todo = [], [_parser()]
    while todo:
        parser = todo.pop()
        found.append(parser)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(dict.fromkeys(action.choices.values()))  # an alias: once
    return found


def test_every_subcommand_is_walked() -> None:
    names = {parser.prog for parser in parsers()}
    assert {"codev serve", "codev sessions list", "codev runbook new", "codev plan"} <= names


@pytest.mark.parametrize("parser", parsers(), ids=lambda parser: parser.prog)
def test_every_option_has_a_help_line_with_its_default(parser: argparse.ArgumentParser) -> None:
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help, f"{parser.prog} {name}: no help line"
        takes_a_value = action.option_strings and action.nargs != 0 and not action.required
        if takes_a_value:  # the line as printed: the formatter adds "(default: …)"
            line = parser._get_formatter()._get_help_string(action) or ""
            assert "default" in line, f"{parser.prog} {name}: no default said"
        if action.default not in (None, False, argparse.SUPPRESS):
            assert f"default: {action.default}" in text, f"{parser.prog} {name}"


@pytest.mark.parametrize("parser", parsers(), ids=lambda parser: parser.prog)
def test_help_shows_no_restructuredtext(parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert not re.search(r"``|:\w+:`|\.\. \w+::", text), text


def test_codev_help_describes_the_command_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "The codev command line: runbooks, cycle plans and the live server" in out


# -- each session's time in the calendar ----------------------------------------------------------


def plan_events(tmp_path: Path, *options: str) -> list[icalendar.Event]:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    ics = tmp_path / "cycle.ics"
    argv = ["plan", str(roster), "--start", "2027-01-11", "--ics", str(ics), *options]
    assert main(argv) == 0
    return list(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))


def test_each_session_starts_at_its_time_and_lasts_its_minutes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = plan_events(tmp_path, "--time", "09:30", "--minutes", "120")
    starts = [event.decoded("dtstart") for event in events]
    # Local time of the room, as a calendar shows it wherever it is opened (floating time).
    days = [(1, 11), (1, 25), (2, 8), (2, 22)]
    assert starts == [dt.datetime(2027, month, day, 9, 30) for month, day in days]
    assert all(
        e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(minutes=120) for e in events
    )


def test_by_default_sessions_start_at_two_and_last_the_runbooks_minutes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [first, *_] = plan_events(tmp_path)
    assert first.decoded("dtstart") == dt.datetime(2027, 1, 11, 14, 0)
    assert first.decoded("dtend") == dt.datetime(2027, 1, 11, 15, 35)  # classic: 95 min
    [first, *_] = plan_events(tmp_path, "--runbook", "express")
    assert first.decoded("dtend") == dt.datetime(2027, 1, 11, 15, 0)  # express: 60 min


@pytest.mark.parametrize(
    ("option", "value", "line"),
    [
        ("--time", "25:00", "codev: --time: '25:00' is not a time of day (use HH:MM, e.g. 14:00)"),
        ("--time", "2pm", "codev: --time: '2pm' is not a time of day (use HH:MM, e.g. 14:00)"),
        ("--time", "14:60", "codev: --time: '14:60' is not a time of day (use HH:MM, e.g. 14:00)"),
        ("--minutes", "0", "codev: --minutes: 0 is not a number of minutes from 1 to 1440"),
        ("--minutes", "1441", "codev: --minutes: 1441 is not a number of minutes from 1 to 1440"),
    ],
)
def test_a_bad_time_or_length_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, line: str
) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, encoding="utf-8")
    ics = tmp_path / "cycle.ics"
    assert main(["plan", str(roster), "--ics", str(ics), option, value]) == 2
    assert capsys.readouterr().err == line + "\n"
    assert not ics.exists()
