"""Hostile input files and paths: one ``FILE:LINE: field: what is wrong`` line, exit 2, at once.

Each case runs the real command line in a subprocess with a timeout and, on Linux, a 1 GiB
address-space limit: a hang, a memory blow-up or a traceback fails the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from codevwidgets.core.yamlsource import MAX_FILE_BYTES

GIB = 1024**3
ROSTER = (
    "group: G\nfacilitator: rotate\nmembers:\n  - {name: Ana}\n  - {name: Bea}\n  - {name: Cy}\n"
    "  - {name: Dee}\n"
)
TOO_LARGE = "(file): the file is larger than 1 MiB, too large for a kit file"
NOT_REGULAR = "(file): not a regular file (a device, a pipe or a socket)"
BOMB_MESSAGE = "(file): YAML aliases (*name) here expand to more than 20000 values"
TOO_DEEP = "(file): nested more than 50 levels deep"


def _limits(file_size: int | None) -> Callable[[], None] | None:
    if sys.platform != "linux":
        return None
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return apply


def run(
    argv: list[str], *, cwd: Path | None = None, file_size: int | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Python, bounded: 20 s, 1 GiB of address space, and files of at most ``file_size``."""
    return subprocess.run(
        [sys.executable, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=20,
        cwd=cwd,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=_limits(file_size),
    )


def codev(
    *args: str | Path, cwd: Path | None = None, file_size: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it, bounded."""
    return run(["-m", "codevwidgets.cli", *map(str, args)], cwd=cwd, file_size=file_size)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused input prints, after checking there is exactly one."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def bomb(levels: int = 9) -> str:
    """Billion laughs: each anchor is a list of nine aliases of the one before."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def padded(text: str, size: int) -> str:
    """``text`` followed by comment lines, exactly ``size`` bytes long."""
    filler = size - len(text.encode())
    comments = ("#" + "x" * 99 + "\n") * (filler // 101)
    return text + comments + "#" * (filler - len(comments) - 1) + "\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- size and kind of file -------------------------------------------------------------------


def test_a_runbook_over_one_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(padded("extends: classic\n", MAX_FILE_BYTES + 1), encoding="utf-8")
    assert refused(codev("runbook", "check", path)) == f"{path}:1: {TOO_LARGE}"


def test_a_runbook_of_exactly_one_mib_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    path.write_text(padded("extends: classic\n", MAX_FILE_BYTES), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    result = codev("runbook", "check", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "total: 95 min"


def test_a_large_file_in_an_extends_chain_is_refused_where_it_is(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(padded("extends: classic\n", 2 * MAX_FILE_BYTES), encoding="utf-8")
    client = tmp_path / "client.yaml"
    client.write_text("extends: base.yaml\n", encoding="utf-8")
    assert refused(codev("runbook", "check", client)) == f"{base}:1: {TOO_LARGE}"


def test_a_roster_over_one_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(padded(ROSTER, MAX_FILE_BYTES + 1), encoding="utf-8")
    assert refused(codev("plan", path)) == f"{path}:1: {TOO_LARGE}"


@pytest.mark.parametrize("option", ["--runbook", "--roster"])
def test_serve_refuses_a_large_file_before_serving(tmp_path: Path, option: str) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(padded(ROSTER, 3 * MAX_FILE_BYTES), encoding="utf-8")
    store = tmp_path / "store.db"
    result = codev("serve", option, path, "--store", store, "--port", str(free_port()))
    assert refused(result) == f"{path}:1: {TOO_LARGE}"


def test_dev_zero_is_refused_at_once() -> None:
    assert refused(codev("runbook", "check", "/dev/zero")) == f"/dev/zero:1: {NOT_REGULAR}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", ["runbook check", "plan"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert refused(codev(*command.split(), fifo)) == f"{fifo}:1: {NOT_REGULAR}"


@pytest.mark.parametrize("command", ["runbook check", "plan"])
def test_a_folder_is_refused(tmp_path: Path, command: str) -> None:
    line = refused(codev(*command.split(), tmp_path))
    assert line == f"{tmp_path}:1: (file): the file is a folder"


# --- YAML aliases and nesting ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["runbook check", "plan"])
def test_an_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(), encoding="utf-8")
    # The largest expansion is a9's (nine aliases of a8 on line 10).
    assert refused(codev(*command.split(), path)) == f"{path}:10: {BOMB_MESSAGE}"


def test_an_alias_bomb_before_a_syntax_error_is_bounded_on_the_python_reparse(
    tmp_path: Path,
) -> None:
    # libyaml fails on the last line, so the file is parsed again by PyYAML in Python.
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb() + "a: b: c\n", encoding="utf-8")
    line = refused(codev("runbook", "check", path))
    assert line == f"{path}:11: (file): YAML syntax: mapping values are not allowed here"


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("extends: classic\nground_rules: &r [a, *r]\n", encoding="utf-8")
    assert refused(codev("runbook", "check", path)).startswith(f"{path}:2: (file): ")


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: classic\n"
        "steps:\n"
        "  - id: contract\n"
        "    rules: {client: &own {may: [Say no]}}\n"
        "  - id: synthesis\n"
        "    rules: {client: *own}\n",
        encoding="utf-8",
    )
    result = codev("runbook", "check", path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_twenty_thousand_levels_of_nesting_are_one_line(tmp_path: Path, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    path = tmp_path / "deep.yaml"
    path.write_text(f"extends: classic\nclient: {opening * 20_000}1{closing * 20_000}\n")
    assert refused(codev("runbook", "check", path)).startswith(f"{path}:2: (file): ")


def test_nesting_libyaml_accepts_is_still_limited(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(f"group: {'[' * 200}{']' * 200}\n", encoding="utf-8")
    assert refused(codev("plan", path)) == f"{path}:1: {TOO_DEEP}"


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(f"steps: [{', '.join(['a'] * 100_000)}]\n", encoding="utf-8")
    line = refused(codev("runbook", "check", path))
    assert line == f"{path}:1: (file): more than 20000 values, too many for a kit file"


# Without libyaml: PyYAML's own composer, which recurses once per level of nesting.
PURE_PYTHON = """
import sys, yaml
from codevwidgets.core import yamlsource
yamlsource.Loader = yaml.SafeLoader
try:
    yamlsource.parse_yaml(sys.stdin.read(), "f.yaml")
except yamlsource.YamlSyntaxError as exc:
    print(exc)
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (bomb(), "f.yaml:10: YAML aliases (*name) here expand to more than 20000 values"),
        ("a: " + "[" * 20_000 + "]" * 20_000 + "\n", "f.yaml:1: nested more than 50 levels deep"),
    ],
    ids=["bomb", "deep"],
)
def test_pure_python_pyyaml_is_bounded_too(text: str, message: str) -> None:
    result = run(["-c", PURE_PYTHON], stdin=text)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [message]


def test_a_long_extends_chain_is_one_line(tmp_path: Path) -> None:
    count = 1500
    for i in range(count):
        target = f"r{i + 1}.yaml" if i < count - 1 else "classic"
        (tmp_path / f"r{i}.yaml").write_text(f"extends: {target}\n", encoding="utf-8")
    first = tmp_path / "r0.yaml"
    line = refused(codev("runbook", "check", first))
    assert line == f"{first}:1: extends: too many runbook files extending one another (hundreds)"


# --- encodings and bytes ---------------------------------------------------------------------


NUL = "the file contains a NUL byte: it is not UTF-8 text"
WIDE = "the file is UTF-16 or UTF-32 text; save it as UTF-8"
HEAD = "extends: classic\n"


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"extends: classic\nclient: a\0b\n", 2, NUL),
        (b"extends: classic\nclient: \xc9quipe\n", 2, "the file is not UTF-8 text (byte 0xc9)"),
        (HEAD.encode("utf-16"), 1, WIDE),
        (HEAD.encode("utf-16-be"), 1, NUL),
        (HEAD.encode("utf-32"), 1, WIDE),
        (b"extends: classic\nclient: a\x01b\n", 2, "YAML syntax: unacceptable character #x0001"),
    ],
    ids=["nul", "latin-1", "utf-16", "utf-16-no-bom", "utf-32", "control"],
)
def test_bytes_that_are_not_utf8_text(tmp_path: Path, data: bytes, line: int, message: str) -> None:
    path = tmp_path / "acme.yaml"
    path.write_bytes(data)
    assert refused(codev("runbook", "check", path)).startswith(f"{path}:{line}: (file): {message}")


def test_a_utf8_byte_order_mark_is_still_accepted(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_bytes(b"\xef\xbb\xbfextends: classic\n")
    assert codev("runbook", "check", path).returncode == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-13-45", "'2027-13-45' is not a valid timestamp"),
        ("9" * 5000, f"'{'9' * 37}...' is not a valid int"),
        ("!!bool maybe", "'maybe' is not a valid bool"),
    ],
    ids=["date", "huge-int", "tag"],
)
def test_values_python_cannot_hold(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(f"extends: classic\nclient: {value}\n", encoding="utf-8")
    assert refused(codev("runbook", "check", path)) == f"{path}:2: (file): YAML value: {message}"


def test_a_key_with_a_newline_or_an_escape_stays_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text('extends: classic\n"a\\nb\\e[2J": 1\n', encoding="utf-8")
    line = refused(codev("runbook", "check", path))
    assert line.startswith(f"{path}:2: a\\nb\\x1b[2J: unknown field 'a\\nb\\x1b[2J'")


def test_a_huge_wrong_value_is_shown_shortened(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        f"extends: classic\nsteps:\n  - id: contract\n    minutes: {'x' * 500_000}\n",
        encoding="utf-8",
    )
    line = refused(codev("runbook", "check", path))
    assert line.startswith(f"{path}:4: steps[0].minutes: must be a whole number, not 'xxx")
    assert len(line) < len(str(path)) + 150


# --- dates -----------------------------------------------------------------------------------


NO_ROOM = "leaves no room for 4 sessions at {}-day intervals (dates stop at 9999-12-31)"
EVERY = "is not a number of days from 1 to 365"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "9999-12-31"], "--start: 9999-12-31 " + NO_ROOM.format(14)),
        (
            ["--start", "9999-12-28", "--every", "1", "--ics", "x.ics"],
            "--start: 9999-12-28 " + NO_ROOM.format(1),
        ),
        (["--every", "0"], f"--every: 0 {EVERY}"),
        (["--every", "-3"], f"--every: -3 {EVERY}"),
        (["--every", str(10**30)], f"--every: {10**30} {EVERY}"),
    ],
    ids=["start-9999-12-31", "ends-after-9999", "every-0", "every-negative", "every-huge"],
)
def test_dates_out_of_range(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    assert refused(codev("plan", "roster.yaml", *args, cwd=tmp_path)) == f"codev: {message}"
    assert not (tmp_path / "x.ics").exists()


def test_the_last_possible_cycle_still_plans(tmp_path: Path) -> None:
    (tmp_path / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    result = codev("plan", "roster.yaml", "--start", "9999-12-27", "--every", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[1] == "9999-12-30"


# --- output paths ----------------------------------------------------------------------------


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def test_ics_into_a_missing_folder(tmp_path: Path, roster: Path) -> None:
    target = tmp_path / "nope" / "cycle.ics"
    line = refused(codev("plan", roster, "--ics", target))
    assert line == f"codev: --ics: no folder {target.parent} to write cycle.ics in"
    assert not target.parent.exists()


def test_ics_onto_a_folder(tmp_path: Path, roster: Path) -> None:
    line = refused(codev("plan", roster, "--ics", tmp_path))
    assert line == f"codev: --ics: {tmp_path} is a folder; name a file in it"


def test_ics_under_a_file(tmp_path: Path, roster: Path) -> None:
    line = refused(codev("plan", roster, "--ics", roster / "cycle.ics"))
    assert line == f"codev: --ics: no folder {roster} to write cycle.ics in"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_ics_into_an_unwritable_folder(tmp_path: Path, roster: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = refused(codev("plan", roster, "--ics", locked / "cycle.ics"))
    assert line == f"codev: --ics: cannot write {locked / 'cycle.ics'} (Permission denied)"
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE")
def test_ics_write_failure_leaves_the_old_calendar_and_no_partial_file(
    tmp_path: Path, roster: Path
) -> None:
    target = tmp_path / "cycle.ics"
    target.write_text("old calendar", encoding="utf-8")
    line = refused(codev("plan", roster, "--ics", target, file_size=100))
    assert line == f"codev: --ics: cannot write {target} (File too large)"
    assert target.read_text(encoding="utf-8") == "old calendar"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cycle.ics", "roster.yaml"]


def test_ics_replaces_a_calendar_keeping_its_mode(tmp_path: Path, roster: Path) -> None:
    target = tmp_path / "cycle.ics"
    target.write_text("old calendar", encoding="utf-8")
    target.chmod(0o600)
    assert codev("plan", roster, "--ics", target).returncode == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cycle.ics", "roster.yaml"]


def test_runbook_new_into_a_missing_folder_creates_it(tmp_path: Path) -> None:
    target = tmp_path / "clients" / "acme" / "acme.yaml"
    result = codev("runbook", "new", "Acme", "-o", target)
    assert result.returncode == 0, result.stderr
    assert codev("runbook", "check", target).returncode == 0


def test_runbook_new_onto_a_folder(tmp_path: Path) -> None:
    line = refused(codev("runbook", "new", "Acme", "-o", tmp_path))
    assert line == f"codev: {tmp_path} already exists; choose another file with -o"


def test_runbook_new_under_a_file(tmp_path: Path, roster: Path) -> None:
    line = refused(codev("runbook", "new", "Acme", "-o", roster / "sub" / "acme.yaml"))
    assert line == f"codev: -o: cannot make the folder {roster / 'sub'} (Not a directory)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_runbook_new_into_an_unwritable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = refused(codev("runbook", "new", "Acme", "-o", locked / "acme.yaml"))
    assert line == f"codev: -o: cannot write {locked / 'acme.yaml'} (Permission denied)"


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE")
def test_runbook_new_write_failure_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "acme.yaml"
    line = refused(codev("runbook", "new", "Acme", "-o", target, file_size=100))
    assert line == f"codev: -o: cannot write {target} (File too large)"
    assert not target.exists()


# -- what extends: and logo: point at ---------------------------------------------------------

SECRET = "hunter2-Zq"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def problems_of(path: Path) -> list[str]:
    from codevwidgets.core.problems import InputError
    from codevwidgets.core.runbook import load_runbook

    with pytest.raises(InputError) as refused:
        load_runbook(path)
    return [str(p) for p in refused.value.problems]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the runbook's, with a secret YAML file, a runbook and a logo in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secrets.yaml").write_text(f"db_password: {SECRET}\nclient: 12\n")
    (folder / "base.yaml").write_text("extends: classic\nclient: Other org\n")
    (folder / "logo.png").write_bytes(PNG)
    (tmp_path / "acme").mkdir()
    return folder


@pytest.mark.parametrize(
    ("line", "field", "named"),
    [
        ("extends: ../elsewhere/base.yaml", "extends", "../elsewhere/base.yaml"),
        ("extends: {outside}/secrets.yaml", "extends", "{outside}/secrets.yaml"),
        ("extends: linked.yaml", "extends", "linked.yaml"),  # a link to a file outside
        ("branding: {{logo: ../elsewhere/logo.png}}", "branding.logo", "../elsewhere/logo.png"),
        ("branding: {{logo: {outside}/logo.png}}", "branding.logo", "{outside}/logo.png"),
        ("branding: {{logo: linked.png}}", "branding.logo", "linked.png"),
    ],
)
def test_extends_and_logo_stay_in_the_runbooks_folder(
    tmp_path: Path, outside: Path, line: str, field: str, named: str
) -> None:
    folder = tmp_path / "acme"
    (folder / "linked.yaml").symlink_to(outside / "base.yaml")
    (folder / "linked.png").symlink_to(outside / "logo.png")
    book = folder / "acme.yaml"
    extends = "" if line.startswith("extends") else "extends: classic\n"
    book.write_text(f"{extends}{line.format(outside=outside)}\n")
    line_number = 1 if line.startswith("extends") else 2
    assert problems_of(book) == [
        f"{book}:{line_number}: {field}: {named.format(outside=outside)} is outside the"
        f" runbook's folder {folder}; copy it in"
    ]


def test_a_runbook_given_by_its_path_may_be_anywhere_its_files_beside_it(
    tmp_path: Path, outside: Path
) -> None:
    from codevwidgets.core.runbook import load_runbook

    (outside / "client.yaml").write_text(
        "extends: base.yaml\nbranding: {logo: logo.png}\n", encoding="utf-8"
    )
    book = load_runbook(outside / "client.yaml")  # named on the command line: from anywhere
    assert book.client == "Other org" and (book.branding.logo or "").startswith("data:image/png")
    (outside / "sub").mkdir()
    (outside / "sub" / "deeper.yaml").write_text("extends: ../base.yaml\n", encoding="utf-8")
    (outside / "sub.yaml").write_text("extends: sub/deeper.yaml\n", encoding="utf-8")
    assert load_runbook(outside / "sub.yaml").client == "Other org"  # ../ back inside: fine


@pytest.mark.parametrize(
    "content",
    [
        f"db_password: {SECRET}\nclient: 12\n",  # another program's settings
        f"client: [{SECRET}\n",  # not even YAML
        f"steps: !!int {SECRET}\n",  # a value YAML cannot build
        f"{SECRET}\n",  # not a mapping
    ],
)
def test_an_extends_error_never_quotes_the_file_it_points_at(tmp_path: Path, content: str) -> None:
    (tmp_path / "other.yaml").write_text(content, encoding="utf-8")
    book = tmp_path / "acme.yaml"
    book.write_text("client: Acme\nextends: other.yaml\n", encoding="utf-8")
    shown = problems_of(book)
    assert len(shown) == 1 and SECRET not in shown[0], shown
    assert shown[0].startswith((f"{book}:2: extends: other.yaml is not a runbook", str(tmp_path)))
    result = codev("runbook", "check", book)
    assert refused(result) == shown[0] and SECRET not in result.stdout
