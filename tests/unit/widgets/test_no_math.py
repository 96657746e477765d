"""Text from a runbook, a roster or a person is never typeset as mathematics (MathJax)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import load_runbook
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import NO_MATH, Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView

RUNBOOK = """\
extends: classic
client: Acme $5 or $10
branding: {title: "Budget $1 to $2"}
ground_rules: ["Costs $3 and $4 stay here"]
steps:
  - id: clarification
    title: "Questions $a$ and $b$"
    speaker: "Advisors $x$"
    rules: {advisors: {may: ["Ask $y$"], may_not: ["Judge $z$"]}}
    prompts: ["Say $p$"]
    reframing: ["Reframe $r$"]
  - id: presentation
    notes: [{id: topic, label: "Topic $t$"}]
"""
ROSTER = """\
group: Group $g$ and $h$
facilitator: rotate
members: [{name: Ana $1}, {name: Bo $2}, {name: Cy $3}, {name: Di $4}]
"""


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def unprotected(page: widgets.Widget) -> list[str]:
    return [
        str(w.value)
        for w in walk(page)
        if isinstance(w, widgets.Label | widgets.HTML)
        and "$" in str(w.value)
        and not set(NO_MATH) <= set(w._dom_classes)
    ]


def test_runbook_and_roster_text_is_never_typeset(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(RUNBOOK, encoding="utf-8")
    (tmp_path / "group.yaml").write_text(ROSTER, encoding="utf-8")
    book = load_runbook(tmp_path / "acme.yaml")
    roster = load_roster(tmp_path / "group.yaml")
    clock = FakeClock()
    roles = Roles("Ana $1", "Bo $2", ("Cy $3", "Di $4"))
    session = Session(book, roles, clock)
    console = FacilitatorConsole(book, roster, "en", clock, session=session)
    phone = ParticipantView(session, Texts(book, "en"), "Cy $3", lambda *a: None, clock)
    session.start()
    found = 0
    for index in range(len(book.steps)):
        if index:
            session.go_to(index)
        console.rules.say(f"Said ${index}$")
        for page in (console, phone):
            assert unprotected(page) == [], book.steps[index].id
            found += sum(1 for w in walk(page) if "$" in str(getattr(w, "value", "")))
    assert found > 20  # the texts with $ were really shown
