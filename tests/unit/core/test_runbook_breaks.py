"""Runbook keys for breaks online: ``break_after_minutes`` and ``break_minutes``."""

from __future__ import annotations

from pathlib import Path

import pytest

from codevwidgets.cli import main
from codevwidgets.core.problems import InputError
from codevwidgets.core.runbook import (
    load_preset,
    load_runbook,
    preset_names,
    runbook_from_json,
    runbook_to_json,
)


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_runbook(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("name", preset_names())
def test_presets_propose_no_break(name: str) -> None:
    assert load_preset(name).break_after_minutes is None


def test_both_keys_and_the_default_length(tmp_path: Path) -> None:
    both = load_runbook(
        write(tmp_path, "extends: classic\nbreak_after_minutes: 45\nbreak_minutes: 7\n")
    )
    assert (both.break_after_minutes, both.break_minutes) == (45, 7)
    after_only = load_runbook(
        write(tmp_path, "extends: classic\nbreak_after_minutes: 45\n", "a.yaml")
    )
    assert (after_only.break_after_minutes, after_only.break_minutes) == (45, 5)


def test_inherited_through_extends_and_overridden(tmp_path: Path) -> None:
    write(tmp_path, "extends: classic\nbreak_after_minutes: 45\nbreak_minutes: 10\n", "base.yaml")
    inherited = load_runbook(write(tmp_path, "extends: base.yaml\n"))
    assert (inherited.break_after_minutes, inherited.break_minutes) == (45, 10)
    # A client file may change the length alone: the time to propose it is inherited.
    own = load_runbook(write(tmp_path, "extends: base.yaml\nbreak_minutes: 3\n", "own.yaml"))
    assert (own.break_after_minutes, own.break_minutes) == (45, 3)


def test_kept_by_the_snapshot_and_the_language_switch(tmp_path: Path) -> None:
    book = load_runbook(write(tmp_path, "extends: classic\nbreak_after_minutes: 45\n"))
    assert runbook_from_json(runbook_to_json(book)).break_after_minutes == 45
    assert book.with_language("fr").break_after_minutes == 45
    # A snapshot stored before breaks existed loads, with none.
    old = runbook_to_json(load_preset("classic")).replace(',"break_after_minutes":null', "")
    assert "break_after_minutes" not in old
    assert runbook_from_json(old).break_after_minutes is None


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("break_after_minutes: 0\n", 2, "break_after_minutes", "must be at least 1, not 0"),
        ("break_after_minutes: 481\n", 2, "break_after_minutes", "must be at most 480, not 481"),
        ("break_after_minutes: 45.5\n", 2, "break_after_minutes", "whole number"),
        ("break_after_minutes: soon\n", 2, "break_after_minutes", "whole number"),
        ("break_after_minutes: 45\nbreak_minutes: 0\n", 3, "break_minutes", "at least 1"),
        ("break_after_minutes: 45\nbreak_minutes: 61\n", 3, "break_minutes", "at most 60"),
        ("break_after_minutes: 45\nbreak_minutes: '5'\n", 3, "break_minutes", "whole number"),
        ("break_minutes: 5\n", 2, "break_minutes", "needs break_after_minutes"),
    ],
)
def test_each_bad_value_is_one_located_line(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, "extends: classic\n" + text)
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:{line}: {field}: ")
    assert message in problem


def test_runbook_check_exits_2_on_a_bad_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "extends: classic\nbreak_minutes: 5\n")
    assert main(["runbook", "check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"{path}:2: break_minutes: needs break_after_minutes (when the console proposes the break)"
    ]
