"""The record's files keep the shape of the template whatever people typed (issue 21, part 9).

A typed "x\\n===" must not become a heading in the Markdown record, "---" a rule, "*bold*"
emphasis; terminal escape bytes reach neither the .md nor the .html file. The Markdown is
read back with mistune (Jupyter's own Markdown reader, installed with Voilà), CommonMark as
GitHub, GitLab and editors read it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import mistune
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.record.export import render
from codevwidgets.record.model import build_record
from codevwidgets.store.sqlite import SQLiteStore

# A terminal's colour, its bell and "clear screen" (as one C1 character): shown "red alert".
COLOURED = "\x1b[31mred\x1b[0m alert\x07\x9b2J"
# What a careless or hostile participant types, each a way Markdown would change the record.
TYPED = (
    "x\n===",  # a setext heading
    "---",  # a rule (or a heading under the line before)
    "# not a heading",
    "*bold* and _this_ and **that**",
    COLOURED,
    "1) first\n2. second\n+ plus\n- minus\n-",  # lists
    "a\n\n    indented code\n\n\tand a tab",  # code blocks
    "`code` <b>html</b> [link](http://x) ![img](x.png) ~~gone~~ > quote | pipe",
    "=\n> quoted\n***\n___",
)
ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def benign(text: str) -> str:
    """The same lines, letters only: what the record's shape must be for ``text`` too."""
    return "\n".join(re.sub(r"\S", "a", line.strip()) for line in ESCAPES.sub("", text).split("\n"))


ROSTER = Roster(
    group="Managers",
    facilitator="rotate",
    members=[Member(name=n) for n in ("Ana", "Bruno", "Chloé", "David")],
)


def recorded(tmp_path: Path, texts: Sequence[str]) -> tuple[str, str]:
    """The .md and .html of a classic session where every text people type is ``texts``."""
    clock = FakeClock()
    with SQLiteStore(tmp_path / f"{len(list(tmp_path.iterdir()))}.db", clock) as store:
        session = Session(load_preset("classic"), Roles("Ana", "David", ("Bruno", "Chloé")), clock)
        store.create(session, "classic", "en", ROSTER)
        sid = session.id

        def run(name: str, **args: object) -> None:
            store.execute(sid, Command(name, args))

        def note(step: str, field: str, text: str) -> None:
            run("set_note", step=step, field=field, text=text)

        run("start")
        for i, text in enumerate(texts):
            note("presentation", ("topic", "question", "headline")[i % 3], text)
        run("next", step="presentation")
        # Bruno's page, a minute apart: a page may send only so many in a moment, and a name
        # speaks from one page (issue 21).
        for text in texts:
            clock.advance(60)
            store.add_contribution(sid, "clarification", "Bruno", text, None, "bruno")
        run("next", step="clarification")
        note("contract", "contract", "\n".join(texts))
        run("next", step="contract")
        for i, text in enumerate(texts):
            store.add_contribution(sid, "consultation", None, text, None, f"i{i}")
        run("next", step="consultation")
        for i, text in enumerate(texts):
            note("synthesis", ("objective", "actions", "resources")[i % 3], text)
        run("next", step="synthesis")
        for text in texts:
            clock.advance(60)
            store.add_contribution(sid, "conclusion", "Chloé", text, None, "chloe")
        record = build_record(store, sid, clock=clock)
    return render(record, "md").decode(), render(record, "html").decode()


def shape(tokens: list[dict[str, Any]]) -> Iterator[Any]:
    """The tree of mistune's tokens without their text (neighbouring text tokens as one)."""
    previous = None
    for token in tokens:
        kind = token["type"]
        if kind == "text" and previous == "text":
            continue
        previous = kind
        children = token.get("children")
        yield (kind, tuple(shape(children))) if children else kind


def plain(tokens: list[dict[str, Any]]) -> str:
    """The text a reader sees, line breaks as newlines."""
    parts = []
    for token in tokens:
        if token["type"] in {"linebreak", "softbreak"}:
            parts.append("\n")
        parts.append(token.get("raw", "") if token["type"] in {"text", "codespan"} else "")
        parts.append(plain(token.get("children", [])))
    return "".join(parts)


def parse(markdown: str) -> list[dict[str, Any]]:
    reader = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough"])
    tokens: list[dict[str, Any]] = reader(markdown)  # type: ignore[assignment]
    return tokens


def test_typed_text_keeps_the_records_markdown_shape(tmp_path: Path) -> None:
    hostile, _ = recorded(tmp_path, TYPED)
    harmless, _ = recorded(tmp_path, [benign(t) for t in TYPED])
    assert list(shape(parse(hostile))) == list(shape(parse(harmless)))


@pytest.mark.parametrize("typed", TYPED)
def test_typed_text_reads_as_typed_in_the_markdown(tmp_path: Path, typed: str) -> None:
    markdown, _ = recorded(tmp_path, [typed])
    # mistune leaves character references (&lt;) as they are written.
    seen = html.unescape(plain(parse(markdown)))
    for line in ["red alert"] if typed == COLOURED else typed.split("\n"):
        assert line.strip() in seen


def test_control_characters_reach_neither_file(tmp_path: Path) -> None:
    markdown, page = recorded(tmp_path, TYPED)
    for text in (markdown, page):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert ESCAPES.search(text.replace("\t", "")) is None
        assert "red" in text and "[31m" not in text
