"""Session: the state machine of a consultation, driven by a fake clock to the second."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.contributions import (
    Contribution,
    evaluation_average,
    validate_contribution,
)
from codevwidgets.core.joining import joinable
from codevwidgets.core.roles import Roles, RolesError
from codevwidgets.core.runbook import Branding, NoteField, Rules, Runbook, Step, load_preset
from codevwidgets.core.session import Event, Session, SessionError, new_session_id

START = 1_800_000_000.0
PLAN = {
    "presentation": 10,
    "clarification": 15,
    "contract": 10,
    "consultation": 30,
    "synthesis": 15,
    "conclusion": 15,
}
NOTES = {"presentation": ("topic",), "contract": ("contract",), "synthesis": ("action_plan",)}
COLLECTS = {"clarification": "questions", "consultation": "ideas", "conclusion": "learnings"}


def make_step(step_id: str, minutes: int) -> Step:
    return Step(
        id=step_id,
        minutes=minutes,
        title=step_id.title(),
        speaker=None,
        rules=Rules(),
        prompts=(),
        reframing=(),
        notes=tuple(NoteField(id=n, label=n) for n in NOTES.get(step_id, ())),
        collects=COLLECTS.get(step_id),
        anonymous=False,
    )


@pytest.fixture
def runbook() -> Runbook:
    return Runbook(
        name="t",
        language="en",
        client=None,
        branding=Branding(),
        ground_rules=(),
        steps=tuple(make_step(i, m) for i, m in PLAN.items()),
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def roles() -> Roles:
    return Roles(client="Ana", facilitator="Bo", advisors=("Cy", "Di", "Ed"), note_taker="Cy")


@pytest.fixture
def session(runbook: Runbook, roles: Roles, clock: FakeClock) -> Session:
    return Session(runbook, roles, clock, session_id="s1")


@pytest.fixture
def running(session: Session) -> Session:
    session.start()
    return session


@pytest.fixture
def events(running: Session) -> list[Event]:
    seen: list[Event] = []
    running.on_change(seen.append)
    return seen


# -- countdown ---------------------------------------------------------------------------


def test_new_session_is_ready_with_the_first_step_full(session: Session) -> None:
    assert session.status == "ready"
    assert session.index == 0
    assert session.current_step.id == "presentation"
    assert session.remaining() == 600
    assert session.deadline is None


def test_default_id_is_random_and_url_safe(runbook: Runbook) -> None:
    first, second = Session(runbook).id, Session(runbook).id
    assert first != second
    assert len(first) == 8
    assert all(c.isalnum() or c in "-_" for c in first)


def test_an_id_never_starts_with_a_dash_which_a_command_line_reads_as_an_option() -> None:
    # One in 64 did: `codev export -Xb3…` then failed with "the following arguments are
    # required: SESSION" (found by a CLI test, now and then).
    ids = [new_session_id() for _ in range(3000)]
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids)


def test_start_sets_a_deadline(running: Session) -> None:
    assert running.status == "running"
    assert running.deadline == START + 600


def test_countdown_after_90_seconds(running: Session, clock: FakeClock) -> None:
    clock.advance(90)
    assert running.remaining() == 510
    assert running.overtime() == 0
    assert running.elapsed_fraction() == pytest.approx(0.15)


def test_pause_freezes_remaining(running: Session, clock: FakeClock) -> None:
    clock.advance(90)
    running.pause()
    clock.advance(300)
    assert running.status == "paused"
    assert running.remaining() == 510
    assert running.deadline is None


def test_resume_continues_from_where_it_paused(running: Session, clock: FakeClock) -> None:
    clock.advance(90)
    running.pause()
    clock.advance(300)
    running.resume()
    assert running.deadline == START + 390 + 510
    clock.advance(10)
    assert running.remaining() == 500


def test_extend_adds_minutes(running: Session, clock: FakeClock) -> None:
    clock.advance(90)
    running.extend(5)
    assert running.remaining() == 810
    assert running.deadline == START + 900


def test_extend_while_paused(running: Session, clock: FakeClock) -> None:
    clock.advance(90)
    running.pause()
    running.extend(1)
    assert running.remaining() == 570
    running.resume()
    clock.advance(70)
    assert running.remaining() == 500


def test_extend_in_overtime_counts_from_the_overrun(running: Session, clock: FakeClock) -> None:
    clock.advance(630)
    assert running.overtime() == 30
    running.extend(1)
    assert running.remaining() == 30
    assert running.overtime() == 0


@pytest.mark.parametrize("minutes", [0, -1, 61, 1.5, True])
def test_extend_rejects_bad_minutes(running: Session, minutes: int) -> None:
    with pytest.raises(ValueError, match="1 to 60"):
        running.extend(minutes)


def test_overtime_counts_up_after_zero(running: Session, clock: FakeClock) -> None:
    clock.advance(600)
    assert running.remaining() == 0
    assert running.overtime() == 0
    clock.advance(75)
    assert running.remaining() == -75
    assert running.overtime() == 75
    assert running.elapsed_fraction() == 1.0
    assert running.status == "running"


# -- steps -------------------------------------------------------------------------------


def test_next_auto_starts_the_next_step_with_its_full_budget(
    running: Session, clock: FakeClock
) -> None:
    clock.advance(200)
    running.next()
    assert running.index == 1
    assert running.current_step.id == "clarification"
    assert running.status == "running"
    assert running.deadline == START + 200 + 900
    clock.advance(60)
    assert running.remaining() == 840


def test_next_while_paused_runs_the_next_step(running: Session, clock: FakeClock) -> None:
    clock.advance(100)
    running.pause()
    clock.advance(500)
    running.next()
    assert running.status == "running"
    assert running.remaining() == 900
    assert running.actual_minutes()["presentation"] == pytest.approx(100 / 60)


def test_previous_returns_with_the_remaining_budget_and_notes(
    running: Session, clock: FakeClock
) -> None:
    running.set_note("presentation", "topic", "Leading a new team")
    clock.advance(240)
    running.next()
    clock.advance(120)
    running.previous()
    assert running.current_step.id == "presentation"
    assert running.remaining() == 360
    assert running.notes == {"presentation": {"topic": "Leading a new team"}}
    running.next()
    assert running.remaining() == 780  # clarification keeps its own remaining budget


def test_previous_into_a_step_already_in_overtime(running: Session, clock: FakeClock) -> None:
    clock.advance(660)
    running.next()
    clock.advance(30)
    running.previous()
    assert running.remaining() == -60
    assert running.overtime() == 60


def test_going_back_to_an_extended_step_keeps_the_extension(
    running: Session, clock: FakeClock
) -> None:
    running.extend(2)
    clock.advance(100)
    running.next()
    running.previous()
    assert running.remaining() == 620


def test_go_to_any_step(running: Session, clock: FakeClock) -> None:
    running.go_to(3)
    assert running.current_step.id == "consultation"
    assert running.remaining() == 1800
    clock.advance(60)
    running.go_to(0)
    assert running.remaining() == 600


def test_actual_and_planned_minutes(running: Session, clock: FakeClock) -> None:
    clock.advance(9 * 60)
    running.next()
    clock.advance(60)
    running.pause()
    clock.advance(600)  # paused time is not counted
    running.resume()
    clock.advance(6 * 60)
    actual = running.actual_minutes()
    assert actual["presentation"] == 9
    assert actual["clarification"] == 7  # the running segment counts up to now
    assert actual["contract"] == 0
    assert list(actual) == list(PLAN)
    assert running.planned_minutes() == PLAN


def test_actual_minutes_add_up_over_revisits(running: Session, clock: FakeClock) -> None:
    clock.advance(120)
    running.next()
    clock.advance(60)
    running.previous()
    clock.advance(180)
    assert running.actual_minutes()["presentation"] == 5
    assert running.actual_minutes()["clarification"] == 1


def test_finish_stops_the_clock(running: Session, clock: FakeClock) -> None:
    for _ in range(5):
        clock.advance(60)
        running.next()
    clock.advance(120)
    running.finish()
    clock.advance(1000)
    assert running.status == "finished"
    assert running.deadline is None
    assert running.remaining() == 15 * 60 - 120
    assert running.actual_minutes()["conclusion"] == 2
    assert sum(running.actual_minutes().values()) == 7


def test_finish_while_paused(running: Session, clock: FakeClock) -> None:
    clock.advance(60)
    running.pause()
    running.finish()
    assert running.status == "finished"
    assert running.actual_minutes()["presentation"] == 1


# -- invalid transitions -----------------------------------------------------------------


def test_start_needs_roles(runbook: Runbook, clock: FakeClock) -> None:
    session = Session(runbook, clock=clock)
    with pytest.raises(RolesError) as caught:
        session.start()
    assert "roles.error.no_client" in caught.value.keys
    assert session.status == "ready"


def test_start_needs_valid_roles(runbook: Runbook, clock: FakeClock) -> None:
    session = Session(runbook, Roles("Ana", "Ana", ("Cy", "Di")), clock)
    with pytest.raises(RolesError, match="client_is_facilitator"):
        session.start()
    assert session.status == "ready"


def test_start_twice(running: Session) -> None:
    with pytest.raises(SessionError, match="cannot start while the session is running"):
        running.start()


@pytest.mark.parametrize("action", ["next", "previous", "pause", "resume", "finish"])
def test_nothing_moves_before_start(session: Session, action: str) -> None:
    with pytest.raises(SessionError, match="while the session is ready"):
        getattr(session, action)()


def test_no_go_to_or_extend_before_start(session: Session) -> None:
    with pytest.raises(SessionError):
        session.go_to(2)
    with pytest.raises(SessionError):
        session.extend(1)


def test_next_on_the_last_step_says_use_finish(running: Session) -> None:
    running.go_to(5)
    with pytest.raises(SessionError, match=r"use finish\(\)"):
        running.next()
    assert running.index == 5


def test_previous_on_the_first_step(running: Session) -> None:
    with pytest.raises(SessionError, match="first step"):
        running.previous()


@pytest.mark.parametrize("index", [-1, 6])
def test_go_to_out_of_range(running: Session, index: int) -> None:
    with pytest.raises(SessionError, match="no step"):
        running.go_to(index)


def test_go_to_the_current_step(running: Session) -> None:
    with pytest.raises(SessionError, match="already on step 0"):
        running.go_to(0)


def test_pause_when_paused_and_resume_when_running(running: Session) -> None:
    with pytest.raises(SessionError, match="cannot resume while the session is running"):
        running.resume()
    running.pause()
    with pytest.raises(SessionError, match="cannot pause while the session is paused"):
        running.pause()


@pytest.mark.parametrize("action", ["next", "previous", "pause", "resume", "finish", "start"])
def test_nothing_moves_after_finish(running: Session, action: str) -> None:
    running.next()
    running.finish()
    with pytest.raises(SessionError, match="finished"):
        getattr(running, action)()
    with pytest.raises(SessionError, match="finished"):
        running.extend(1)


def test_a_session_needs_steps(runbook: Runbook) -> None:
    empty = Runbook("e", "en", None, Branding(), (), ())
    with pytest.raises(ValueError, match="no step"):
        Session(empty)


# -- roles -------------------------------------------------------------------------------


def test_set_roles_validates(running: Session) -> None:
    before = running.roles
    with pytest.raises(RolesError, match="too_few_advisors"):
        running.set_roles(Roles("Ana", "Bo", ("Cy",)))
    assert running.roles == before


def test_set_roles_replaces_them(session: Session) -> None:
    new = Roles("Di", "Bo", ("Ana", "Cy"))
    session.set_roles(new)
    assert session.roles == new


# -- notes and contributions -------------------------------------------------------------


def test_notes_are_stored_for_any_step(running: Session) -> None:
    running.set_note("synthesis", "action_plan", "Talk to HR by Friday")
    running.set_note("synthesis", "action_plan", "Talk to HR by Monday")
    assert running.notes == {"synthesis": {"action_plan": "Talk to HR by Monday"}}


def test_notes_can_only_change_through_set_note(running: Session) -> None:
    running.set_note("contract", "contract", "Help me delegate")
    running.notes["contract"]["contract"] = "tampered"
    assert running.notes["contract"]["contract"] == "Help me delegate"


def test_note_limits(session: Session) -> None:
    session.set_note("contract", "contract", "x" * 10_000)
    with pytest.raises(ValueError, match="10000"):
        session.set_note("contract", "contract", "x" * 10_001)
    with pytest.raises(ValueError, match="no step"):
        session.set_note("nope", "contract", "x")
    with pytest.raises(ValueError, match="no note field"):
        session.set_note("contract", "action_plan", "x")


def test_contributions_are_numbered_and_timed(running: Session, clock: FakeClock) -> None:
    first = running.add_contribution("clarification", "Cy", "  What have you tried?  ")
    clock.advance(5)
    second = running.add_contribution("consultation", None, "Try a pilot team", kind="ideas")
    assert first == Contribution(
        1, "clarification", "Cy", "What have you tried?", START, False, "questions"
    )
    assert (second.id, second.author, second.at, second.kind) == (2, None, START + 5, "ideas")
    assert running.contributions == [first, second]


def test_blank_author_is_anonymous(running: Session) -> None:
    assert running.add_contribution("consultation", "   ", "An idea").author is None


@pytest.mark.parametrize("text", ["", "   \n\t ", "x" * 1001])
def test_contribution_length_is_checked(running: Session, text: str) -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        running.add_contribution("consultation", "Cy", text)
    assert running.contributions == []


def test_contribution_of_1000_characters_is_accepted(running: Session) -> None:
    text = "x" * 1000
    assert running.add_contribution("consultation", "Cy", f"  {text}  ").text == text


def test_contribution_other_checks(running: Session) -> None:
    with pytest.raises(ValueError, match="no step"):
        running.add_contribution("nope", "Cy", "hello")
    with pytest.raises(ValueError, match="kind"):
        running.add_contribution("consultation", "Cy", "hello", kind="gossip")
    with pytest.raises(ValueError, match="author"):
        running.add_contribution("consultation", "C" * 101, "hello")


def test_hide_and_show_contributions(running: Session) -> None:
    kept = running.add_contribution("consultation", "Cy", "Useful idea")
    hidden = running.add_contribution("consultation", "Di", "Off topic")
    other = running.add_contribution("conclusion", "Ed", "I learned to listen")
    running.hide_contribution(hidden.id)
    assert running.contributions_for("consultation") == [kept]
    assert [c.id for c in running.contributions_for("consultation", include_hidden=True)] == [1, 2]
    assert running.contributions_for("conclusion") == [other]
    running.hide_contribution(hidden.id, hidden=False)
    assert len(running.contributions_for("consultation")) == 2
    with pytest.raises(ValueError, match="no contribution 99"):
        running.hide_contribution(99)


# -- events ------------------------------------------------------------------------------


def test_start_fires_started(session: Session) -> None:
    seen: list[Event] = []
    session.on_change(seen.append)
    session.start()
    assert seen == [Event("started", {"index": 0, "step": "presentation", "deadline": START + 600})]


def test_each_change_fires_exactly_one_event(
    running: Session, events: list[Event], clock: FakeClock
) -> None:
    running.next()
    running.previous()
    running.go_to(2)
    running.pause()
    running.resume()
    running.extend(1)
    running.set_note("contract", "contract", "Help me")
    contribution = running.add_contribution("clarification", "Cy", "Can I help?")
    running.hide_contribution(contribution.id)
    running.set_roles(Roles("Ana", "Bo", ("Cy", "Di")))
    running.finish()
    assert [e.kind for e in events] == [
        "step",
        "step",
        "step",
        "paused",
        "resumed",
        "extended",
        "note",
        "contribution",
        "hidden",
        "roles",
        "finished",
    ]
    assert events[0].data == {
        "index": 1,
        "step": "clarification",
        "previous": 0,
        "deadline": START + 900,
    }
    assert events[3].data == {"remaining": 600}
    json.dumps([e.data for e in events])  # small JSON, ready to sync


def test_refused_changes_fire_nothing(running: Session, events: list[Event]) -> None:
    with pytest.raises(SessionError):
        running.previous()
    with pytest.raises(ValueError, match="1 to 1000"):
        running.add_contribution("consultation", "Cy", " ")
    with pytest.raises(RolesError):
        running.set_roles(Roles("", "", ()))
    assert events == []


def test_callback_removal(running: Session, events: list[Event]) -> None:
    running.on_change(events.append)  # registering twice does not double the calls
    running.pause()
    running.on_change(events.append, remove=True)
    running.on_change(events.append, remove=True)  # removing an absent callback is harmless
    running.resume()
    assert [e.kind for e in events] == ["paused"]


def test_failing_callback_does_not_break_the_session(
    running: Session, events: list[Event], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("view crashed")

    running.on_change(broken)
    later: list[Event] = []
    running.on_change(later.append)
    with caplog.at_level(logging.ERROR, logger="codevwidgets.core.session"):
        running.next()
    assert running.index == 1
    assert [e.kind for e in events] == ["step"]
    assert [e.kind for e in later] == ["step"]
    assert "view crashed" in caplog.text


# -- JSON round trip ---------------------------------------------------------------------


def busy(session: Session, clock: FakeClock) -> Session:
    clock.advance(700)
    session.next()
    session.extend(2)
    clock.advance(100)
    session.set_note("presentation", "topic", "Leading a new team")
    session.add_contribution("clarification", None, "Since when?")
    session.hide_contribution(session.add_contribution("clarification", "Di", "Do X").id)
    return session


def reload(session: Session, runbook: Runbook, clock: FakeClock) -> Session:
    data = json.loads(json.dumps(session.to_dict()))
    return Session.from_dict(data, runbook, clock=clock)


def test_round_trip_while_running(running: Session, runbook: Runbook, clock: FakeClock) -> None:
    busy(running, clock)
    copy = reload(running, runbook, clock)
    assert copy.to_dict() == running.to_dict()
    assert copy.id == "s1"
    assert copy.roles == running.roles
    assert copy.contributions == running.contributions
    clock.advance(45)
    assert copy.remaining() == running.remaining() == 900 + 120 - 145
    assert copy.actual_minutes() == running.actual_minutes()
    copy.next()  # the copy goes on as the original would
    assert copy.remaining() == 600


def test_round_trip_while_paused(running: Session, runbook: Runbook, clock: FakeClock) -> None:
    busy(running, clock).pause()
    copy = reload(running, runbook, clock)
    clock.advance(500)
    assert copy.status == "paused"
    assert copy.remaining() == running.remaining() == 920
    copy.resume()
    clock.advance(20)
    assert copy.remaining() == 900


@pytest.mark.parametrize("state", ["ready", "finished"])
def test_round_trip_other_states(
    session: Session, runbook: Runbook, clock: FakeClock, state: str
) -> None:
    if state == "finished":
        session.start()
        clock.advance(30)
        session.finish()
    copy = reload(session, runbook, clock)
    assert copy.to_dict() == session.to_dict()
    assert copy.status == state


def test_round_trip_without_roles(runbook: Runbook, clock: FakeClock) -> None:
    session = Session(runbook, clock=clock)
    assert reload(session, runbook, clock).roles is None


def test_to_dict_shape(running: Session) -> None:
    data = running.to_dict()
    assert data["version"] == 1
    assert data["runbook"] == "t"
    assert data["steps"] == list(PLAN)
    assert data["status"] == "running"
    assert data["deadline"] == START + 600
    assert data["segment_start"] == START
    assert data["paused_remaining"] is None


def test_from_dict_needs_the_same_steps(running: Session, runbook: Runbook) -> None:
    other = Runbook("o", "en", None, Branding(), (), runbook.steps[:5])
    with pytest.raises(ValueError, match="do not match"):
        Session.from_dict(running.to_dict(), other)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version"),
        ({"status": "sleeping"}, "status"),
        ({"index": 9}, "out of range"),
        ({"deadline": None}, "do not fit"),
        ({"spent": {}}, "malformed"),
        ({"contributions": [{"id": 1}]}, "malformed"),
        ({"roles": {"client": "Ana"}}, "malformed roles"),
    ],
)
def test_from_dict_rejects_bad_data(
    running: Session, runbook: Runbook, change: dict[str, object], message: str
) -> None:
    data = {**running.to_dict(), **change}
    with pytest.raises(ValueError, match=message):
        Session.from_dict(data, runbook)


def test_from_dict_fires_no_event_and_keeps_no_callbacks(
    running: Session, events: list[Event], runbook: Runbook, clock: FakeClock
) -> None:
    copy = reload(running, runbook, clock)
    copy.pause()
    assert events == []


def test_repr_is_short(running: Session) -> None:
    assert repr(running) == "Session(id='s1', status='running', step='presentation')"


# -- following another kernel: apply_state and replace_contributions ----------------------


def test_validate_contribution_is_the_rule_both_paths_use(runbook: Runbook) -> None:
    step = runbook.steps[1]  # clarification collects questions
    assert validate_contribution(step, "  Cy ", "  Why?  ", None) == ("Cy", "Why?", "questions")
    assert validate_contribution(step, "", "Why?", "questions") == (None, "Why?", "questions")
    with pytest.raises(ValueError, match="does not collect ideas"):
        validate_contribution(step, None, "Try this", "ideas")  # no advice while clarifying
    with pytest.raises(ValueError, match="does not collect"):
        validate_contribution(runbook.steps[0], None, "Hello", None)  # presentation: listen
    for author, text, kind in [(None, "", None), (None, "x" * 1001, None), ("C" * 101, "ok", None)]:
        with pytest.raises(ValueError, match="characters"):
            validate_contribution(step, author, text, kind)
    with pytest.raises(ValueError, match="kind"):
        validate_contribution(step, None, "ok", "gossip")


def test_apply_state_follows_the_facilitator(
    running: Session, runbook: Runbook, roles: Roles, clock: FakeClock
) -> None:
    follower = Session(runbook, None, clock, session_id="s1")
    seen: list[Event] = []
    follower.on_change(seen.append)
    busy(running, clock)
    follower.apply_state(json.loads(json.dumps(running.to_dict())))
    assert follower.to_dict() == running.to_dict()
    assert follower.roles == roles
    assert follower.remaining() == running.remaining()
    assert [e.kind for e in seen] == ["synced"]  # one event, however much changed
    running.next()
    follower.apply_state(running.to_dict())
    assert follower.index == running.index == 2
    assert len(seen) == 2  # the observers stay registered


def test_apply_state_rejects_bad_data_and_keeps_the_state(
    running: Session, runbook: Runbook, clock: FakeClock
) -> None:
    follower = Session(runbook, None, clock, session_id="s1")
    before = follower.to_dict()
    seen: list[Event] = []
    follower.on_change(seen.append)
    broken = {**running.to_dict(), "status": "dancing"}
    with pytest.raises(ValueError, match="status"):
        follower.apply_state(broken)
    with pytest.raises(ValueError, match="steps"):
        follower.apply_state({**running.to_dict(), "steps": ["x"]})
    with pytest.raises(ValueError, match="s2"):
        follower.apply_state({**running.to_dict(), "id": "s2"})
    assert follower.to_dict() == before
    assert seen == []


def test_replace_contributions_mirrors_the_store(running: Session, events: list[Event]) -> None:
    running.add_contribution("clarification", "Cy", "Mine")
    items = [
        Contribution(7, "clarification", "Di", "From a phone", START, False, "questions"),
        Contribution(8, "consultation", None, "Hidden", START, True, "ideas"),
    ]
    running.replace_contributions(items)
    items.append(Contribution(9, "consultation", None, "later", START))
    assert [c.id for c in running.contributions] == [7, 8]  # a copy, not the caller's list
    assert [c.text for c in running.contributions_for("clarification")] == ["From a phone"]
    assert running.contributions_for("consultation") == []
    assert [e.kind for e in events] == ["contribution", "contribution"]


def test_apply_state_says_what_changed_and_is_quiet_otherwise(
    running: Session, runbook: Runbook, clock: FakeClock
) -> None:
    follower = Session.from_dict(running.to_dict(), runbook, clock)
    seen: list[Event] = []
    follower.on_change(seen.append)
    follower.apply_state(running.to_dict())
    assert seen == []
    running.set_note("presentation", "topic", "Reorg")
    follower.apply_state(running.to_dict())
    running.next()
    follower.apply_state(running.to_dict())
    assert [e.data["changed"] for e in seen] == [["notes"], ["step", "timer"]]


def test_evaluation_average_counts_each_persons_last() -> None:
    def item(number: int, author: str | None, text: str, kind: str = "evaluation") -> Contribution:
        return Contribution(number, "conclusion", author, text, START, False, kind)

    assert evaluation_average([]) is None
    given = [item(1, "Cy", "2"), item(2, "Di", "4"), item(3, " cy ", "5"), item(4, None, "3")]
    given += [item(5, None, "1"), item(6, "Ed", "I learned to listen", "learnings")]
    # Cy changed their mind (5, not 2; the name as typed differs only in case and spaces);
    # unnamed evaluations (stored before pages said who they are) count for nobody.
    assert evaluation_average(reversed(given)) == ((5 + 4) / 2, 2)
    given[1] = dataclasses.replace(given[1], hidden=True)  # Di's, hidden by the facilitator
    assert evaluation_average(given) == (5, 1)


def test_one_person_one_evaluation_however_many_pages() -> None:
    """The reported case: one participant link gave "from 7" with three unnamed pages, a
    reload and three made-up names, in a group of three (Ana, Bo, Cy)."""
    group = ("Ana", "Bo", "Cy")
    items: list[Contribution] = []

    def rate(author: str | None, score: int) -> None:
        number = len(items) + 1
        items.append(
            Contribution(number, "conclusion", author, str(score), START, False, "evaluation")
        )

    # As it was stored then: 3 unnamed pages, one of them reloaded (a 4th unnamed page),
    # then three names typed into the link.
    for score in (4, 5, 3, 4):
        rate(None, score)
    for made_up in ("Zorro", "Batman", "Nobody"):
        rate(made_up, 1)
    assert len(items) == 7  # "from 7" when each page counted
    # Per joined person of the group: nobody there said who they were.
    assert evaluation_average(items, group) is None
    # The same room now: each page says who it is first (names from the roster only: the
    # made-up ones are asked again), and Ana's reloaded page comes back as Ana.
    items.clear()
    assert [joinable(name, group) for name in ("Zorro", "Batman", "Nobody")] == [None] * 3
    rate("Ana", 4)
    rate("Bo", 5)
    rate("Cy", 3)
    rate("Ana", 2)  # after the reload: her last rating wins
    assert evaluation_average(items, group) == ((2 + 5 + 3) / 3, 3)
    # A name outside the group in the store (a crafted write) counts for nobody either.
    rate("Zorro", 1)
    assert evaluation_average(items, group) == ((2 + 5 + 3) / 3, 3)
    # Without a roster, free names are the people.
    assert evaluation_average(items) == ((2 + 5 + 3 + 1) / 4, 4)
    # And no page can add an unnamed one now: the rule every path uses refuses it.
    step = load_preset("classic").steps[-1]
    with pytest.raises(ValueError, match="needs the name"):
        validate_contribution(step, None, "4", "evaluation")
    assert validate_contribution(step, "Cy", "4", "evaluation") == ("Cy", "4", "evaluation")


def test_a_session_deleted_from_its_store_ends_once_and_takes_no_more_command(
    running: Session, clock: FakeClock
) -> None:
    from codevwidgets.core.commands import Command, apply_command
    from codevwidgets.core.session import DeletedError

    events: list[Event] = []
    running.on_change(events.append)
    clock.advance(90)
    running.mark_deleted()
    running.mark_deleted()  # the feed and a refused write may both say so: once is enough
    assert running.deleted
    assert [e.kind for e in events] == ["deleted"]
    # The countdown stops where it was: no deadline runs on, no chime at zero.
    assert (running.status, running.deadline) == ("finished", None)
    left = running.remaining()
    clock.advance(600)
    assert running.remaining() == left
    with pytest.raises(DeletedError) as refused:
        apply_command(running, Command("pause"))
    assert refused.value.key == "live.session_deleted"
    assert isinstance(refused.value, SessionError) and isinstance(refused.value, ValueError)
