"""The ``codev`` command line: runbooks, cycle plans and the live server.

Bad input prints one ``FILE:LINE: field: what is wrong`` line per problem and exits 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from codevwidgets.core import runbook as rb
from codevwidgets.core.cycle import DEFAULT_TIME
from codevwidgets.core.i18n import languages
from codevwidgets.core.problems import InputError
from codevwidgets.store.base import StoreError

EXIT_BAD_INPUT = 2
# Where `codev serve` listens by default: the links of a day made for it name this address.
LOCAL_SERVER = "http://127.0.0.1:8866"
# What a shell reports for a command its closed output pipe stopped: 128 + SIGPIPE.
EXIT_CLOSED_PIPE = 128 + 13
STORE_HELP = (
    "a SQLite file, or a postgresql://USER@HOST/DATABASE URL"
    " (default: CODEV_STORE, else sessions.db in the user data directory)"
)


class UsageError(Exception):
    """A command-line argument is wrong; the message is printed as is."""


# The first line of ``codev --help``, plain: a docstring's ``markup`` would show as is.
DESCRIPTION = "The codev command line: runbooks, cycle plans and the live server."


class _Help(argparse.HelpFormatter):
    """Help lines that end with their option's default, when it has one worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = action.default not in (None, False, argparse.SUPPRESS)
        if not shown or "default" in text or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse's parser, which says which choice was meant (a command, a format, a preset).

    argparse 3.11 only lists the choices; a subcommand's parser is made of this class too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def _check_value(self, action: argparse.Action, value: object) -> None:
        if action.choices is None or value in action.choices:
            return
        names = [str(choice) for choice in action.choices]
        meant = difflib.get_close_matches(str(value), names, n=1)
        guess = f"did you mean {meant[0]!r}? " if meant else ""
        message = f"invalid choice: {value!r} ({guess}choose from {', '.join(names)})"
        raise argparse.ArgumentError(action, message)


def _unrecognized(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """argparse's message for arguments no option takes, with the option a typo meant."""
    options = [option for action in parser._actions for option in action.option_strings]
    typed = [extra.split("=", 1)[0] for extra in extras if extra.startswith("--")]
    meant = [m[0] for t in typed if (m := difflib.get_close_matches(t, options, n=1))]
    guess = f" (did you mean {', '.join(meant)}?)" if meant else ""
    return f"unrecognized arguments: {' '.join(extras)}{guess}"


def _runbook_name(value: str) -> str:
    """A ``--runbook``: a preset's name or a file (its content is checked when it is loaded);
    else ``UsageError`` naming the presets and the one a typo meant."""
    presets = rb.preset_names()
    if value in presets or Path(value).is_file():
        return value
    meant = difflib.get_close_matches(value, presets, n=1)
    guess = f"did you mean {meant[0]!r}? " if meant else ""
    raise UsageError(
        f"--runbook: {value!r} is neither a preset nor a runbook file"
        f" ({guess}presets: {', '.join(presets)})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:
            # Flushed here, not at exit: a reader that went away is noticed below.
            sys.stdout.flush()
    except BrokenPipeError:
        # ``codev … --json | head -1``: the reader has what it wanted. What is left goes
        # nowhere, as with any Unix command, rather than a traceback now and another when
        # Python flushes stdout at exit.
        with contextlib.suppress(OSError, ValueError):  # ValueError: no file descriptor
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLOSED_PIPE


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    # argparse reports an unknown option from the top parser, with codev's usage: it is
    # reported here from the subcommand that was given it, with that one's usage.
    args, extras = parser.parse_known_args(argv)
    if extras:
        given: argparse.ArgumentParser = getattr(args, "usage_of", parser)
        given.error(_unrecognized(given, extras))
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
    except UsageError as exc:
        print(f"codev: {exc}", file=sys.stderr)
    except StoreError as exc:
        print(exc, file=sys.stderr)
    return EXIT_BAD_INPUT


def _subcommand(
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    text: str,
    run: Callable[[argparse.Namespace], int] | None = None,
    aliases: Sequence[str] = (),
) -> _Parser:
    """A subcommand's parser: ``text`` in codev's help and atop its own."""
    parser = commands.add_parser(name, help=text, description=text, aliases=list(aliases))
    parser.set_defaults(usage_of=parser)
    if run is not None:
        parser.set_defaults(command=run)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="codev", description=DESCRIPTION)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = _subcommand(commands, "serve", "start Voilà on the kit's notebooks", _serve)
    serve.add_argument(
        "--runbook",
        metavar="NAME_OR_FILE",
        help="preset name or runbook file (default: classic, or the notebook's)",
    )
    serve.add_argument(
        "--notebook",
        type=Path,
        metavar="FILE",
        help="a client notebook (codev runbook new --notebook): the facilitator's page"
        " (default: the kit's console)",
    )
    serve.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    serve.add_argument("--port", type=int, default=8866, metavar="N", help="the port to listen on")
    serve.add_argument(
        "--ip",
        default="127.0.0.1",
        metavar="ADDR",
        help="the address to listen on: 127.0.0.1 is this machine alone (phones cannot reach"
        " it); 0.0.0.0 serves the room, its links naming the machine's address on its network",
    )
    serve.add_argument("--demo", action="store_true", help="seed a demo group and session")
    serve.add_argument(
        "--no-session",
        action="store_true",
        help="create no session: serve the pages of the sessions in the store",
    )
    serve.add_argument(
        "--roster",
        type=Path,
        metavar="FILE",
        help="the group's roster file (default: none; with --demo, the demo group)",
    )
    serve.add_argument(
        "--pool",
        default=None,
        metavar="N",
        help="participant kernels kept ready for people joining (default: 8; 0: none); auto:"
        " sized from the days and sessions in the store, a pool for the room's link too",
    )
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        metavar="N",
        help="kernels at most, pool included; beyond, a visitor is told the server is full"
        " (default: from the machine's memory)",
    )
    output = serve.add_mutually_exclusive_group()
    output.add_argument(
        "--log", type=Path, metavar="FILE", help="Voilà's log (default: voila.log beside the store)"
    )
    output.add_argument("--verbose", action="store_true", help="Voilà's log to the terminal")

    sessions = _subcommand(commands, "sessions", "sessions on this machine", _sessions_list)
    sessions.add_argument("--json", action="store_true", help="print them as JSON")
    sessions.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    session_verbs = sessions.add_subparsers(metavar="VERB")
    # `codev sessions list`: as `codev sessions`. Its options are left unset unless given, so
    # that `codev sessions --json list` keeps the --json given before the verb.
    listing = _subcommand(session_verbs, "list", "list them (as codev sessions)", _sessions_list)
    listing.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print them as JSON"
    )
    listing.add_argument(
        "--store", metavar="FILE_OR_URL", default=argparse.SUPPRESS, help=STORE_HELP
    )
    delete = _subcommand(
        session_verbs, "delete", "remove a session and all typed in it", _sessions_delete
    )
    delete.add_argument(
        "id", metavar="ID", help="the session's id (see codev sessions), or a day's"
    )
    delete.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    purge = _subcommand(session_verbs, "purge", "delete sessions older than DAYS", _sessions_purge)
    purge.add_argument(
        "--older-than",
        type=int,
        required=True,
        metavar="DAYS",
        help="delete the sessions not changed for DAYS days, and the days made before",
    )
    purge.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    new_session = _subcommand(
        session_verbs,
        "new",
        "create a session for a server already running; print its two links",
        _sessions_new,
    )
    new_session.add_argument(
        "--runbook",
        default="classic",
        metavar="NAME_OR_FILE",
        help="preset name or runbook file",
    )
    new_session.add_argument(
        "--roster", type=Path, metavar="FILE", help="the group's roster file (default: none)"
    )
    new_session.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    new_session.add_argument(
        "--url",
        default="http://127.0.0.1:8866",
        metavar="BASE",
        help="the running server's address",
    )

    export = _subcommand(
        commands, "export", "a session's record, or a day's summary: Markdown, HTML or PDF", _export
    )
    export.add_argument(
        "session", nargs="?", metavar="SESSION", help="the session's id (see codev sessions)"
    )
    export.add_argument(
        "--day",
        metavar="ID",
        help="the summary of a day of many groups instead of a session's record: its groups,"
        " minutes and evaluations, none of their contributions or notes (default: a session)",
    )
    export.add_argument(
        "--format", choices=("md", "html", "pdf"), default="pdf", help="the record's format"
    )
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="the file, or a folder to write it in (default: a name from the session's date"
        " and client, or the day's date and name, in this folder)",
    )
    export.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    export.add_argument(
        "--no-names",
        action="store_true",
        help="advisors, note-taker and observers as roles (a day: members as counts)",
    )
    export.add_argument(
        "--include-hidden", action="store_true", help="keep contributions the facilitator hid"
    )

    runbook = _subcommand(commands, "runbook", "list, check and create runbooks")
    verbs = runbook.add_subparsers(required=True, metavar="VERB")
    listing = _subcommand(verbs, "list", "the presets", _runbook_list)
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    check = _subcommand(verbs, "check", "validate a runbook file", _runbook_check)
    check.add_argument("file", type=Path, metavar="FILE", help="the runbook file (YAML)")
    check.add_argument("--json", action="store_true", help="print its steps as JSON")
    new = _subcommand(verbs, "new", "write a per-client runbook extending a preset", _runbook_new)
    new.add_argument("client", metavar="CLIENT", help="the client organisation's name")
    new.add_argument(
        "--from",
        dest="preset",
        default="classic",
        choices=rb.preset_names(),
        metavar="PRESET",
        help=f"the preset it extends: {', '.join(rb.preset_names())}",
    )
    new.add_argument(
        "--lang",
        choices=languages(),
        metavar="LANG",
        help=f"the runbook's language: {', '.join(languages())} (default: the preset's)",
    )
    new.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="the runbook file to write (default: print it)",
    )
    new.add_argument(
        "--notebook",
        action="store_true",
        help="also write the client's session notebook beside it (-o NAME.yaml: NAME.ipynb)",
    )

    plan = _subcommand(commands, "plan", "the cycle: who is client at each session", _plan)
    plan.add_argument("roster", type=Path, metavar="ROSTER", help="the group's roster file")
    plan.add_argument(
        "--start", metavar="DATE", help="first session date, YYYY-MM-DD (default: today)"
    )
    plan.add_argument("--every", type=int, default=14, metavar="DAYS", help="days between sessions")
    plan.add_argument(
        "--time",
        default=DEFAULT_TIME.strftime("%H:%M"),
        metavar="HH:MM",
        help="each session's local start time in the calendar",
    )
    plan.add_argument(
        "--minutes",
        type=int,
        metavar="N",
        help="each session's length in the calendar (default: the runbook's minutes)",
    )
    plan.add_argument(
        "--runbook",
        default="classic",
        metavar="NAME_OR_FILE",
        help="preset name or runbook file the sessions follow, for their length",
    )
    plan.add_argument(
        "--ics",
        type=Path,
        metavar="FILE",
        help="write the cycle as a calendar file (default: none)",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    _day_parser(commands)
    return parser


def _day_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    day = _subcommand(commands, "day", "a day of many groups: one room link, one lead")
    verbs = day.add_subparsers(required=True, metavar="VERB")
    new = _subcommand(
        verbs,
        "new",
        "form the groups, one session each, for a server already running; print the lead's"
        " link and the room's",
        _day_new,
    )
    who = new.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--roster",
        type=Path,
        metavar="FILE",
        help="the day's roster file, its members with an optional team: (no default: this or"
        " --people)",
    )
    who.add_argument(
        "--people",
        type=int,
        metavar="N",
        help="N people who give their own names on arrival (no default: this or --roster)",
    )
    how = new.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--groups", type=int, metavar="N", help="N groups (no default: this or --size)"
    )
    how.add_argument(
        "--size", type=int, metavar="N", help="groups of about N (no default: this or --groups)"
    )
    new.add_argument(
        "--runbook", default="classic", metavar="NAME_OR_FILE", help="preset name or runbook file"
    )
    new.add_argument(
        "--facilitators",
        metavar="rotate|lead|NAMES",
        help="who facilitates each group: its first member (rotate), the day's lead from the"
        " overview (lead), or one roster name per group, comma-separated (default: rotate with"
        " a roster, lead with --people or Troika)",
    )
    new.add_argument("--store", metavar="FILE_OR_URL", help=STORE_HELP)
    new.add_argument(
        "--url",
        metavar="BASE",
        help=f"the running server's address (default: CODEV_PUBLIC_URL, else {LOCAL_SERVER})",
    )
    new.add_argument("--json", action="store_true", help="print the day and its links as JSON")


def _runbook_list(args: argparse.Namespace) -> int:
    books = [rb.load_preset(name) for name in rb.preset_names()]
    if args.json:
        presets = [
            {
                "name": book.name,
                "languages": list(book.languages()),
                "total_minutes": book.total_minutes,
                "steps": [step.id for step in book.steps],
            }
            for book in books
        ]
        print(json.dumps({"presets": presets}, ensure_ascii=False))
        return 0
    for book in books:
        print(f"{book.name}\t{book.total_minutes} min\t{len(book.steps)} steps")
    return 0


def _runbook_check(args: argparse.Namespace) -> int:
    book = rb.load_runbook(args.file)
    steps: list[dict[str, str | int]] = [
        {"id": step.id, "minutes": step.minutes, "title": book.text(step.title)}
        for step in book.steps
    ]
    if args.json:
        report = {"language": book.language, "steps": steps, "total_minutes": book.total_minutes}
        print(json.dumps(report, ensure_ascii=False))
        return 0
    width = max(len(step.id) for step in book.steps)
    for step in steps:
        print(f"{step['id']:<{width}}  {step['minutes']:>3} min  {step['title']}")
    print(f"total: {book.total_minutes} min")
    return 0


def _runbook_new(args: argparse.Namespace) -> int:
    from codevwidgets.authoring.scaffold import client_runbook

    # A German preset stays German unless asked: its texts may exist in no other language.
    args.lang = args.lang or rb.load_preset(args.preset).language
    text = client_runbook(args.client, args.preset, args.lang)
    if args.output is None:
        if args.notebook:
            raise UsageError("--notebook: name the runbook with -o FILE (the notebook goes beside)")
        print(text, end="")
        return 0
    out: Path = args.output
    notebook = out.with_suffix(".ipynb") if args.notebook else None
    if notebook is not None:
        if notebook == out:
            raise UsageError(f"-o: {out} is a notebook's name; name the runbook (.yaml)")
        # Checked before the runbook is written: both files are new, or neither is written.
        if notebook.exists() or notebook.is_symlink():
            raise UsageError(f"{notebook} already exists; choose another file with -o")
    _write_new(out, text)
    if notebook is not None:
        from codevwidgets.authoring.client_notebook import client_notebook

        try:
            book = rb.load_runbook(out)
            _write_new(notebook, client_notebook(book, out.name, args.lang))
        except BaseException:
            out.unlink(missing_ok=True)  # no runbook left without the notebook asked for
            raise
    print(f"wrote {out}" + (f"\nwrote {notebook}" if notebook is not None else ""))
    return 0


def _write_new(out: Path, text: str) -> None:
    """Write ``text`` to the new file ``out``; ``UsageError`` if it exists or cannot be written."""
    exists = f"{out} already exists; choose another file with -o"
    if out.exists() or out.is_symlink():
        raise UsageError(exists)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"-o: cannot make the folder {out.parent} ({exc.strerror})") from None
    # Created exclusively ("x"), never over a file that appeared meanwhile, and removed
    # again if the write fails (disk full, quota): no half-written file is left behind.
    try:
        file = out.open("x", encoding="utf-8")
    except FileExistsError:
        raise UsageError(exists) from None
    except OSError as exc:
        raise UsageError(f"-o: cannot write {out} ({exc.strerror})") from None
    try:
        with file:
            file.write(text)
    except OSError as exc:
        out.unlink(missing_ok=True)
        raise UsageError(f"-o: cannot write {out} ({exc.strerror})") from None


def _plan(args: argparse.Namespace) -> int:
    import datetime as dt

    from codevwidgets.core.cycle import check_minutes, parse_start, parse_time, plan_cycle
    from codevwidgets.core.files import write_atomically
    from codevwidgets.core.roster import load_roster

    try:
        start = parse_start(args.start) if args.start else dt.date.today()
        time = parse_time(args.time)
        # The runbook's own length (classic: 95 minutes) unless --minutes says otherwise.
        minutes = check_minutes(
            rb.resolve(_runbook_name(args.runbook)).total_minutes
            if args.minutes is None
            else args.minutes
        )
        roster = load_roster(args.roster)
        plan = plan_cycle(roster, start, args.every)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    calendar = plan.to_ics(roster.group, start=time, minutes=minutes)
    if args.ics:
        # A device or a pipe (/dev/stdout) cannot be renamed over: it is written to directly.
        direct = args.ics.exists() and not args.ics.is_file() and not args.ics.is_dir()
        ics: Path = args.ics if direct else args.ics.resolve()  # a symbolic link's target
        if ics.is_dir():
            raise UsageError(f"--ics: {args.ics} is a folder; name a file in it")
        if not ics.parent.is_dir():
            raise UsageError(f"--ics: no folder {args.ics.parent} to write {args.ics.name} in")
        # Written beside, then renamed over the old calendar (keeping its mode): a failed
        # export (no permission, disk full) leaves no half-written file and keeps the previous.
        try:
            if direct:
                ics.write_bytes(calendar)
            else:
                write_atomically(ics, calendar)
        except OSError as exc:
            raise UsageError(f"--ics: cannot write {args.ics} ({exc.strerror})") from None
    if args.json:
        print(json.dumps(plan.to_json(), ensure_ascii=False))
        return 0
    for session in plan.sessions:
        print(
            f"{session.number:>2}  {session.date.isoformat()}  "
            f"client: {session.client}  facilitator: {session.facilitator}"
        )
    return 0


def _sessions_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from codevwidgets.store.location import redact, store_location
    from codevwidgets.store.open import open_store

    where = store_location(args.store, create=False)
    with open_store(where, create=False) as store:
        found = store.summaries()
    if args.json:
        print(json.dumps({"sessions": [asdict(s) for s in found]}, ensure_ascii=False))
        return 0
    if not found:
        print(f"no sessions in {redact(where)}")
        return 0
    titles = ("ID", "CREATED", "RUNBOOK", "CLIENT", "STATUS", "STEP")
    rows = [
        titles,
        *((s.id, s.created, s.runbook, s.client or "-", s.status, s.step) for s in found),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(titles) - 1)]
    for row in rows:  # each column under its title; the last one as long as it is
        print("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]))
    return 0


def _sessions_delete(args: argparse.Namespace) -> int:
    from codevwidgets.store.location import redact
    from codevwidgets.store.open import open_store

    with open_store(args.store, create=False) as store:
        # A day's id (codev day new) deletes the day and its groups' sessions.
        day = store.load_day(args.id)
        if not (store.delete_day(args.id) if day else store.delete(args.id)):
            raise UsageError(
                f"sessions delete: no session {args.id!r} in {redact(args.store or 'the store')}"
            )
    groups = f" and its {len(day.day.groups)} group session(s)" if day else ""
    print(f"deleted {args.id}{groups}")
    return 0


def _sessions_purge(args: argparse.Namespace) -> int:
    import time

    from codevwidgets.store.open import open_store

    if not 0 <= args.older_than <= 100_000:
        raise UsageError(f"--older-than: {args.older_than} is not a number of days from 0")
    before = time.time() - args.older_than * 86_400
    with open_store(args.store, create=False) as store:
        gone = store.purge(before)
        days = store.purge_days(before)
    print(f"deleted {len(gone)} session(s)" + "".join(f"\n  {g}" for g in gone))
    if days:  # a store without days says what it always said
        print(f"deleted {len(days)} day(s)" + "".join(f"\n  {d}" for d in days))
    return 0


def _export(args: argparse.Namespace) -> int:
    from codevwidgets.record.day import build_day_record
    from codevwidgets.record.export import (
        day_file_name,
        file_name,
        render,
        render_day,
        write_private,
    )
    from codevwidgets.record.model import build_record
    from codevwidgets.store.location import redact, store_location
    from codevwidgets.store.open import open_store

    if args.session is not None and args.day is not None:
        raise UsageError("export: give a SESSION or --day ID, not both")
    if args.session is None and args.day is None:
        raise UsageError("export: give a SESSION, or --day ID for a day's summary")
    if args.day is not None and args.include_hidden:
        raise UsageError("--include-hidden: a day's summary shows no group's contributions")
    where = store_location(args.store, create=False)
    with open_store(where, create=False) as store:
        if args.day is not None:
            if store.load_day(args.day) is None:
                raise UsageError(f"export: no day {args.day!r} in {redact(where)}")
            day = build_day_record(store, args.day, names=not args.no_names)
            data, name = render_day(day, args.format), day_file_name(day, args.format)
        else:
            if store.load(args.session, private=True) is None:
                raise UsageError(f"export: no session {args.session!r} in {redact(where)}")
            # The record handed to the client: with their chosen topic's preparation, unless
            # it is the anonymous one (--no-names), which may go further.
            record = build_record(
                store,
                args.session,
                names=not args.no_names,
                include_hidden=args.include_hidden,
                for_client=not args.no_names,
            )
            data, name = render(record, args.format), file_name(record, args.format)
    output: Path = args.output or Path(name)
    if output.is_dir():
        output = output / name
    try:
        written = write_private(output, data)
    except OSError as exc:
        raise UsageError(f"-o: cannot write {output} ({exc.strerror})") from None
    print(written)
    return 0


def _sessions_new(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from codevwidgets.server.sessions import links, new_session
    from codevwidgets.store.open import open_store

    url = urlsplit(args.url)
    if url.scheme not in {"http", "https"} or not url.netloc or url.query or url.fragment:
        raise UsageError(f"--url: {args.url!r} is not a server address like http://HOST:PORT")
    _runbook_name(args.runbook)  # before the store is opened: a typo creates nothing
    with open_store(args.store) as store:
        secrets = new_session(store, args.runbook, args.roster)
    print(links(args.url, secrets).lines())
    return 0


def _server_address(given: str | None) -> str:
    """``--url``, else ``CODEV_PUBLIC_URL`` (the room's address), else this machine's server;
    ``UsageError`` unless it is a server's address."""
    from urllib.parse import urlsplit

    from codevwidgets.core.environment import PUBLIC_URL

    public = os.environ.get(PUBLIC_URL, "").strip()
    address = given or public or LOCAL_SERVER
    option = "--url" if given or not public else PUBLIC_URL
    url = urlsplit(address)
    if url.scheme not in {"http", "https"} or not url.netloc or url.query or url.fragment:
        raise UsageError(f"{option}: {address!r} is not a server address like http://HOST:PORT")
    return address


def _day_new(args: argparse.Namespace) -> int:
    from codevwidgets.core.day import MOST_PEOPLE, DayError, planned_sizes
    from codevwidgets.core.roster import load_roster
    from codevwidgets.demo import roster_source
    from codevwidgets.pages.day_making import day_links, make_day
    from codevwidgets.store.open import open_store

    base = _server_address(args.url)
    _runbook_name(args.runbook)  # before the store is opened: a typo creates nothing
    roster = load_roster(args.roster, most=MOST_PEOPLE) if args.roster else None
    source = roster_source(args.roster, roster) if args.roster and roster else None
    # Everything that can be checked without the store is, so that bad input creates no file.
    with open_store(args.store) as store:
        try:
            day, secrets = make_day(
                store,
                args.runbook,
                roster=roster,
                people=args.people,
                groups=args.groups,
                size=args.size,
                facilitators=args.facilitators,
                source=source,
            )
        except DayError as exc:
            raise UsageError(f"day new: {exc}") from None
    links = day_links(day, secrets, base)
    sizes = planned_sizes(day)
    if args.json:
        groups = [
            {"number": number, "facilitator": facilitator, "members": size, "console": console}
            for (number, facilitator, console), size in zip(links.consoles, sizes, strict=True)
        ]
        shown = {"day": day.id, "lead": links.lead, "room": links.room, "groups": groups}
        print(json.dumps(shown, ensure_ascii=False))
        return 0
    print(f"Lead: {links.lead}\nRoom: {links.room}")
    # One line per group: its number, its size, who facilitates it, its console.
    for (number, facilitator, console), size in zip(links.consoles, sizes, strict=True):
        print(f"{number:>3}  {size} people  facilitator: {facilitator or day.lead}  {console}")
    return 0


def _pool(given: str | None, default: int, most: int, auto: str) -> int | str:
    """``--pool``: a number of kernels from 0 to ``most``, or ``auto``; else one line."""
    if given is None:
        return default
    if given.strip().lower() == auto:
        return auto
    try:
        pool = int(given)
    except ValueError:
        pool = -1
    if not 0 <= pool <= most:
        raise UsageError(
            f"--pool: {given!r} is not a number of kernels from 0 to {most}, nor {auto}"
        )
    return pool


def _serve(args: argparse.Namespace) -> int:
    import os
    from urllib.parse import urlsplit

    from codevwidgets.server.serve import (
        AUTO,
        MAX_KERNELS,
        MAX_POOL,
        POOL_SIZE,
        PUBLIC_URL,
        default_max_kernels,
        port_holder,
        port_in_use,
        serve,
    )

    # The room's address when it is a load balancer's: every console's join link is made from it.
    if public := os.environ.get(PUBLIC_URL, "").strip():
        parts = urlsplit(public)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query:
            raise UsageError(f"{PUBLIC_URL}: {public!r} is not an address like http://HOST[:PORT]")

    pool = _pool(args.pool, POOL_SIZE, MAX_POOL, AUTO)
    # --pool auto sizes its pools within the kernels allowed, at least two (a pool and a page).
    fewest = 1 if pool == AUTO else int(pool)
    most = default_max_kernels(fewest) if args.max_kernels is None else args.max_kernels
    if not fewest < most <= MAX_KERNELS:
        raise UsageError(
            f"--max-kernels: {most} is not a number of kernels from {fewest + 1} (more than"
            f" the pool) to {MAX_KERNELS}"
        )
    if not 0 < args.port < 65536:
        raise UsageError(f"--port: {args.port} is not a port number from 1 to 65535")
    if args.log is not None and not args.log.parent.is_dir():
        raise UsageError(f"--log: {args.log.parent} is not a folder")
    if args.no_session:
        # Nothing to create: these name the session codev serve would make. A roster stays the
        # server's group (sessions stored without one), a client notebook its console's page.
        for given, option in ((args.demo, "--demo"), (args.runbook, "--runbook")):
            if given:
                raise UsageError(f"{option}: not with --no-session, which creates no session")
    from codevwidgets.authoring.client_notebook import ClientNotebook, NotebookError

    notebook = None
    if args.notebook is not None:
        if args.runbook is not None:
            raise UsageError("--runbook: not with --notebook, whose parameters cell names it")
        try:
            notebook = ClientNotebook.read(args.notebook)
        except NotebookError as exc:
            raise UsageError(f"--notebook: {exc}") from None
    if args.runbook is not None:
        _runbook_name(args.runbook)
    # Checked before a session is created; Voilà would only say so in its log.
    if (why := port_in_use(args.ip, args.port)) is not None:
        held = port_holder(args.port)
        why = f"{why}; {held}" if held else why
        raise UsageError(f"--port: cannot listen on {args.ip}:{args.port}: {why}")
    try:
        return serve(
            args.runbook or "classic",
            args.store,
            args.port,
            args.ip,
            demo=args.demo,
            roster=args.roster,
            pool=pool,
            max_kernels=most,
            log=args.log,
            verbose=args.verbose,
            notebook=notebook,
            no_session=args.no_session,
        )
    except NotebookError as exc:  # its copy to serve could not be made
        raise UsageError(f"--notebook: {exc}") from None


if __name__ == "__main__":
    sys.exit(main())
