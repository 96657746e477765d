"""Every rule is core's: a session of one kernel and each store, given the same commands,
contributions and signals, accept and refuse the same ones and end in the same state.

The store decides nothing of its own (DESIGN.md): it applies what core decided. A store that
refused what core takes (or took what core refuses), or wrote other than core's effects,
would end elsewhere. Hypothesis draws the sequences (a state machine: each kind of action is
a rule, drawn as often as the others); runs against SQLite and PostgreSQL (``store_location``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command, apply_command, apply_signal
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.store.sql import SQLStore

BOOK = load_preset("classic")
STEPS = [step.id for step in BOOK.steps]
ROLES = Roles("Ana", "Farid", ("Bruno", "Chloé", "David"))
SESSIONS = itertools.count()
PAGES = st.sampled_from(["p1", "p2"])
# Mostly text that may be taken; some that never is (blank, too long, a NUL).
TEXT = st.sampled_from(["Why now?", "Pilot it", "3", "5", "", "  ", "x\x00y", "x" * 1001])
MOVES = st.one_of(
    st.sampled_from(
        [Command(name) for name in ("start", "pause", "resume", "finish", "next", "previous")]
    ),
    st.builds(
        lambda name, step: Command(name, {"step": step}),
        st.sampled_from(["next", "previous", "finish", "pause"]),
        st.sampled_from(STEPS[:3]),
    ),
    st.builds(lambda i: Command("go_to", {"index": i}), st.integers(0, len(STEPS))),
    st.just(Command("set_roles", {"roles": ROLES.to_dict()})),
)


def outcome(act: Callable[[], object]) -> tuple[str, str] | None:
    """None when ``act`` was taken, else the refusal's type and message."""
    try:
        act()
    except (ValueError, RuntimeError) as exc:  # SessionError and RolesError among them
        return type(exc).__name__, str(exc)
    return None


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """A state with its contributions numbered 1, 2, … in order (core numbers a session's;
    a store, every session's together) and its signals oldest first (a store's order)."""
    items = sorted(state["contributions"], key=lambda c: c["id"])
    numbered = [{**c, "id": n} for n, c in enumerate(items, 1)]
    signals = sorted(state["signals"], key=lambda s: (s["at"], s["participant"], s["kind"]))
    return {**state, "contributions": numbered, "signals": signals}


@pytest.fixture
def store(open_test_store: Callable[..., SQLStore]) -> SQLStore:
    """One store for every example, a session of its own each: opening a store per example
    would cost PostgreSQL a connection pool each time."""
    opened = open_test_store(FakeClock(1_800_000_000.0))
    # The rate limits guard a store many pages share: the store counts a page's sends, and
    # core's RateLimit decides (tested on their own: test_store, test_signals); a session of
    # one kernel has no pages to count.
    opened.rate_limit, opened.signal_limit = None, 1_000_000
    return opened


def same_rules(store: SQLStore) -> type[RuleBasedStateMachine]:
    clock = store.clock
    assert isinstance(clock, FakeClock)

    class SameRules(RuleBasedStateMachine):
        """One session in core alone, its twin in the store; every action to both."""

        def __init__(self) -> None:
            super().__init__()
            self.name = f"r{next(SESSIONS)}"
            self.alone = Session(BOOK, ROLES, clock, self.name)
            store.create(Session(BOOK, ROLES, clock, self.name), "classic", "en")
            # Contribution ids in the order taken: core's and the store's differ.
            self.taken: dict[str, list[int]] = {"alone": [], "store": []}
            self.revision = 1

        def both(self, in_core: Callable[[], object], in_store: Callable[[], object]) -> None:
            clock.advance(1)
            core = outcome(in_core)
            assert outcome(in_store) == core
            self.revision += core is None  # one write per change taken, none for a refusal

        def command(self, command: Command) -> None:
            self.both(
                lambda: apply_command(self.alone, command),
                lambda: store.execute(self.name, command),
            )

        @initialize(started=st.sampled_from([True, True, True, False]))
        def begin(self, started: bool) -> None:
            if started:  # before the start nearly everything is refused
                self.command(Command("start"))

        @rule(command=MOVES)
        def move(self, command: Command) -> None:
            self.command(command)

        @rule(minutes=st.sampled_from([0, 1, 2]), step=st.sampled_from([None, *STEPS[:2]]))
        def extend(self, minutes: int, step: str | None) -> None:
            shown = {"step": step} if step else {}  # the step the console showed, if it says
            self.command(Command("extend", {"minutes": minutes, **shown}))

        @rule(
            step=st.sampled_from(["presentation", "conclusion"]),
            field=st.sampled_from(["topic", "learnings", "nope"]),
            text=TEXT,
        )
        def note(self, step: str, field: str, text: str) -> None:
            self.command(Command("set_note", {"step": step, "field": field, "text": text}))

        @rule(name=st.sampled_from([None, "Ana", "Bruno"]))
        def talk(self, name: str | None) -> None:
            self.command(Command("talk", {"name": name}))

        @rule(page=st.one_of(st.none(), PAGES))
        def lower_hand(self, page: str | None) -> None:
            self.command(Command("lower_hand", {"participant": page} if page else {}))

        @rule()
        def keep_time(self) -> None:
            self.command(Command("keep_time"))

        @rule(nth=st.integers(0, 3), hidden=st.booleans())
        def hide(self, nth: int, hidden: bool) -> None:
            def command(ids: list[int]) -> Command:
                number = ids[nth] if nth < len(ids) else 999_999  # none: refused alike
                return Command("hide", {"id": number, "hidden": hidden})

            self.both(
                lambda: apply_command(self.alone, command(self.taken["alone"])),
                lambda: store.execute(self.name, command(self.taken["store"])),
            )

        @rule(
            page=PAGES,
            step=st.sampled_from(["clarification", "consultation", "conclusion", "nope"]),
            author=st.sampled_from([None, "Chloé", " "]),
            text=TEXT,
            kind=st.sampled_from([None, None, "evaluation", "ideas"]),
        )
        def contribute(
            self, page: str, step: str, author: str | None, text: str, kind: str | None
        ) -> None:
            # Chloé from one page: a session of one kernel has no pages, so one person, one
            # voice (core.voices, the store's alone) is tested in test_voices.py.
            page = "chloe-page" if author == "Chloé" else page
            self.both(
                lambda: self.taken["alone"].append(
                    self.alone.add_contribution(step, author, text, kind).id
                ),
                lambda: self.taken["store"].append(
                    store.add_contribution(self.name, step, author, text, kind, page).id
                ),
            )

        @rule(
            page=PAGES,
            name=st.sampled_from([None, "Bruno", "x\x00"]),
            kind=st.sampled_from(["hand", "hand", "ready", "more_time", "wave"]),
            on=st.sampled_from([True, True, False]),
        )
        def signal(self, page: str, name: str | None, kind: str, on: bool) -> None:
            self.both(
                lambda: apply_signal(self.alone, page, name, kind, on),
                lambda: store.signal(self.name, page, name, kind, on),
            )

        @rule(seconds=st.sampled_from([30.0, 300.0, 900.0]))
        def wait(self, seconds: float) -> None:
            clock.advance(seconds)

        def teardown(self) -> None:
            stored = store.load(self.name, private=True)
            assert stored is not None
            assert comparable(stored.state) == comparable(self.alone.to_dict())
            assert stored.revision == self.revision

    return SameRules


def test_core_alone_and_the_store_take_refuse_and_reach_the_same(store: SQLStore) -> None:
    run_state_machine_as_test(
        same_rules(store),
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
