"""Input problems reported as ``FILE:LINE: field: what is wrong``, one line each."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from codevwidgets.core.yamlsource import Location, YamlDocument


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, located by file, line and field."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.field}: {self.message}"
        # One problem, one line: a key or value from the file may hold a newline, or an
        # escape sequence ("\e[2J" in a quoted YAML key) that a terminal would obey.
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class InputError(Exception):
    """Raised at load when an input file has problems; holds every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# A wrong value is quoted in its message, shortened: a file may hold a megabyte of it.
_SHOWN = reprlib.Repr()  # keyword arguments need Python 3.12
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlist = _SHOWN.maxdict = 5
_SHOWN.maxlevel = 2

# Say what a pattern means rather than showing the regular expression.
PATTERN_HINTS = {
    r"^[a-z][a-z0-9_-]*$": "an id is lowercase letters, digits, - or _, starting with a letter",
    r"^#[0-9a-fA-F]{6}$": "a colour is written #rrggbb, like #1f4e79",
}


def field_name(loc: Location) -> str:
    """``("steps", 2, "minutes")`` → ``steps[2].minutes``."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name or "(top level)"


def problem_at(doc: YamlDocument, loc: Location, message: str) -> Problem:
    return Problem(doc.file, doc.line_of(loc), field_name(loc), message)


def problems_from_validation(
    error: ValidationError, doc: YamlDocument, known_fields: Mapping[str, Iterable[str]]
) -> list[Problem]:
    """Turn pydantic's errors into located problems with plain-language messages.

    ``known_fields`` maps a parent field name to the names allowed under it, so that a typo
    such as ``minuts`` gets a "did you mean" hint.
    """
    problems = []
    for item in error.errors():
        loc: Location = tuple(p for p in item["loc"] if p != "[key]")
        problems.append(problem_at(doc, loc, _message(item, loc, known_fields)))
    return problems


def _message(item: object, loc: Location, known_fields: Mapping[str, Iterable[str]]) -> str:
    assert isinstance(item, dict)
    kind = item["type"]
    shown = _SHOWN.repr(item.get("input"))
    if kind == "extra_forbidden":
        parent = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), "")
        allowed = sorted(known_fields.get(parent, known_fields.get("", ())))
        what = "unknown role" if parent == "rules" else "unknown field"
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        if hint:
            return f"{what} '{loc[-1]}' (did you mean '{hint[0]}'?)"
        return f"{what} '{loc[-1]}' (allowed: {', '.join(allowed)})"
    if kind == "missing":
        return "is required"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"must be a whole number, not {shown}"
    if kind in {"string_type"}:
        return f"must be text, not {shown}"
    if kind in {"list_type"}:
        return "must be a list"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "must be a mapping of fields"
    if kind in {"bool_type", "bool_parsing"}:
        return "must be true or false"
    ctx = item.get("ctx", {})
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, not {shown}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}, not {shown}"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(ctx.get("pattern", ""), f"{shown} is not allowed here")
    if kind == "literal_error":
        expected = item.get("ctx", {}).get("expected", "")
        return f"{shown} is not allowed (use {expected})"
    text = str(item["msg"])
    return text.removeprefix("Value error, ").removeprefix("Assertion failed, ")
