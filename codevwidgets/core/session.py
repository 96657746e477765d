"""A consultation in progress: the current step, its countdown, notes and contributions.

Pure Python (no ipywidgets): widgets observe a ``Session`` through ``on_change`` and call its
methods; a store saves ``state()`` (its notes, contributions and signals kept apart) and other
kernels rebuild it with ``from_dict``. Its parts keep their own rules in modules of their own
(``notes``, ``contributions``, ``talk``, ``signals``); what a console's command changes is
decided by ``commands.apply_command``.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Any

from codevwidgets.core.breaks import TakesBreaks, breaks_from_dicts
from codevwidgets.core.call_time import CallsTime, TimeCalled
from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.contributions import (
    Contribution,
    Contributions,
    admit_contribution,
    rated_step,
)
from codevwidgets.core.effects import Effects, Event, Observable
from codevwidgets.core.errors import SessionError
from codevwidgets.core.limits import RateLimited
from codevwidgets.core.notes import Notes
from codevwidgets.core.roles import Roles, RolesError
from codevwidgets.core.runbook import Runbook, Step
from codevwidgets.core.signals import MAX_NAME, Signal, signals_from_dicts
from codevwidgets.core.talk import TalkTimer
from codevwidgets.core.topic_choice import ChoosesTopic, TopicChosen

# Roles and RolesError are re-exported: start() and set_roles() raise RolesError; so are the
# Contribution add_contribution returns, the RateLimited a store raises and the Event views get.
__all__ = [
    "Contribution",
    "DeletedError",
    "Event",
    "RateLimited",
    "Roles",
    "RolesError",
    "Session",
    "SessionError",
]

SCHEMA_VERSION = 1
STATUSES = ("ready", "running", "paused", "finished")
IN_PROGRESS = ("running", "paused")  # started and not finished: contributions and signals come
# Kept apart from the state (Session.state): written on their own, not loaded by every reader.
KEPT_APART = ("notes", "contributions", "signals")


def new_session_id() -> str:
    """Eight URL-safe characters (48 random bits), never starting with "-": a command line
    would read ``codev export -x…`` as an option (one session in 64 could not be exported)."""
    while (candidate := secrets.token_urlsafe(6)).startswith("-"):
        pass
    return candidate


STORE_UNREACHABLE = "live.store_unreachable"
"""The key of ``UnreachableError``: the locale text a console shows when its store is away."""


class UnreachableError(SessionError):
    """The session's store did not answer: nothing was applied and what was typed stays where
    it was. The store layer raises it at its boundary, so views, which never see the store,
    catch the core's own error and say so in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message, key=STORE_UNREACHABLE)


SESSION_DELETED = "live.session_deleted"
"""The key of ``DeletedError``: what a console says once its session was deleted; a
participant's or projector's page says ``SESSION_ENDED`` instead (it has no store to name)."""
SESSION_ENDED = "live.session_ended"


class DeletedError(SessionError, ValueError):
    """The session is no longer in its store (``codev sessions delete`` while pages served it):
    nothing was written, and nothing ever will be. A ``ValueError`` too, as the store's refusals
    of a contribution or a signal are: code that catches those still catches this one."""

    def __init__(self, message: str) -> None:
        super().__init__(message, key=SESSION_DELETED)


class Session(Observable, CallsTime, TakesBreaks, ChoosesTopic):
    """The state machine of one consultation, timed by deadlines from an injected clock.

    A step's budget is its minutes plus its extensions minus the time already spent in it, so
    going back to a step resumes what was left of it (possibly already in overtime).

    Parameters
    ----------
    runbook : Runbook
        The steps to run.
    roles : Roles, optional
        Who is who; ``start()`` refuses to run without valid roles.
    clock : Clock
        Seconds since the epoch; tests pass a ``FakeClock``.
    session_id : str, optional
        A stable id (the store's key); a random URL-safe one by default.

    Examples
    --------
    >>> from codevwidgets.core.clock import FakeClock
    >>> from codevwidgets.core.runbook import load_preset
    >>> clock = FakeClock()
    >>> session = Session(load_preset("classic"), Roles("Ana", "Bo", ("Cy", "Di")), clock)
    >>> session.start(); clock.advance(90)
    >>> session.remaining()  # 10 min for the presentation, 90 s gone
    510.0
    """

    def __init__(
        self,
        runbook: Runbook,
        roles: Roles | None = None,
        clock: Clock = system_clock,
        session_id: str | None = None,
    ) -> None:
        if not runbook.steps:
            raise ValueError("the runbook has no step")
        super().__init__()
        self.runbook = runbook
        self.clock = clock
        self.id = session_id or new_session_id()
        self._roles = roles
        self._status = "ready"
        self._index = 0
        ids = [step.id for step in runbook.steps]
        self._spent = dict.fromkeys(ids, 0.0)  # closed segments only; see _segment_start
        self._extra = dict.fromkeys(ids, 0.0)
        self._deadline: float | None = None  # set while running
        self._paused_remaining: float | None = None  # set while paused
        self._segment_start: float | None = None  # when the running segment began
        self._notes = Notes()
        self._contributions = Contributions()
        # Participants' standing signals (hands, ready, more time): the store's, mirrored.
        self._signals: list[Signal] = []
        self._talk = TalkTimer()  # who speaks (the facilitator's talk buttons), how long
        # Set at the end, for latecomers to rate, until the facilitator closes the ratings.
        self._ratings_open = False
        self._called: TimeCalled | None = None  # "5 minutes left" (core.call_time)
        self._breaks = ()  # the breaks taken (core.breaks)
        self._refused = SessionError  # how its parts refuse (core.topic_choice: _chosen)
        self._deleted = False  # the store no longer holds it: see mark_deleted

    def __repr__(self) -> str:
        return f"Session(id={self.id!r}, status={self._status!r}, step={self.current_step.id!r})"

    # -- state, read-only ------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self._status

    @property
    def deleted(self) -> bool:
        """Whether the store this session mirrors no longer holds it (``mark_deleted``)."""
        return self._deleted

    @property
    def index(self) -> int:
        return self._index

    @property
    def current_step(self) -> Step:
        return self.runbook.steps[self._index]

    @property
    def roles(self) -> Roles | None:
        return self._roles

    @property
    def deadline(self) -> float | None:
        """Epoch seconds when the current step's time is up, while running."""
        return self._deadline

    @property
    def notes(self) -> dict[str, dict[str, str]]:
        # A copy: writes must go through set_note, which validates and fires an event.
        return self._notes.copy()

    @property
    def in_progress(self) -> bool:
        """Started and not finished (running or paused): participants contribute and signal."""
        return self._status in IN_PROGRESS

    @property
    def contributions(self) -> list[Contribution]:
        return list(self._contributions.items)

    @property
    def ratings_open(self) -> bool:
        """Whether the session, ended, still takes evaluations (``close_ratings`` ends that)."""
        return self._ratings_open

    @property
    def signals(self) -> list[Signal]:
        return list(self._signals)

    @property
    def speaker(self) -> str | None:
        """Who speaks now, by the facilitator's talk buttons (None: nobody is timed)."""
        return self._talk.speaker

    # -- time ------------------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left in the current step; negative in overtime."""
        if self._deadline is not None and self._segment_start is not None:
            # During a break the segment starts at its end: the step's time stands still.
            return self._deadline - max(self.clock(), self._segment_start)
        if self._paused_remaining is not None:
            return self._paused_remaining
        return self._budget(self._index)

    def overtime(self) -> float:
        return max(0.0, -self.remaining())

    def elapsed_fraction(self) -> float:
        """Share of the current step's time used, 0 to 1 (1 in overtime), for colours and bars."""
        step = self.current_step
        total = step.minutes * 60 + self._extra[step.id]
        return min(1.0, max(0.0, 1.0 - self.remaining() / total)) if total > 0 else 1.0

    def planned_minutes(self) -> dict[str, int]:
        """Minutes per step as the runbook plans them (extensions not included)."""
        return {step.id: step.minutes for step in self.runbook.steps}

    def actual_minutes(self) -> dict[str, float]:
        """Minutes really spent per step, the running segment included, pauses excluded."""
        actual = dict(self._spent)
        if self._segment_start is not None:
            actual[self.current_step.id] += max(0.0, self.clock() - self._segment_start)
        return {step_id: seconds / 60 for step_id, seconds in actual.items()}

    def _budget(self, index: int) -> float:
        step = self.runbook.steps[index]
        return step.minutes * 60 + self._extra[step.id] - self._spent[step.id]

    def _close_segment(self, now: float) -> None:
        if self._segment_start is not None:  # after a break's start: nothing ran (core.breaks)
            self._spent[self.current_step.id] += max(0.0, now - self._segment_start)
        self._cut_break(now)
        self._segment_start = self._deadline = self._paused_remaining = None
        # A pause, a step change or the end stops the talk timer too.
        self._talk.stop(now, self.current_step.id)

    # -- talk time -------------------------------------------------------------------------

    def talk(self, name: str | None) -> None:
        """``name`` speaks now (the previous speaker's time is closed); ``None`` or the
        current speaker's name stops the timer. Only while the session is running."""
        if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME):
            raise ValueError(f"a speaker is a name of 1 to {MAX_NAME} characters, not {name!r}")
        self._require("running", action="time who speaks")
        self._talk.switch(name, self.clock(), self.current_step.id)
        self._emit("talk", speaker=self._talk.speaker)

    def talk_seconds(self, step_id: str | None = None) -> dict[str, float]:
        """Seconds each person spoke in ``step_id`` (None: the whole session), the running
        segment included."""
        return self._talk.totals(step_id, self.current_step.id, self.clock())

    def _enter(self, index: int, now: float) -> None:
        # Entering a step always runs it, even from pause: the facilitator moving on means
        # the group is moving on, and a step whose timer silently waits is what METHOD.md
        # lists as a facilitator's pitfall. Pausing again is one click.
        self._close_segment(now)
        self._index = index
        self._status = "running"
        self._called = None  # a call was about the step left: the next one has its own time
        self._segment_start = now
        self._deadline = now + self._budget(index)

    # -- transitions -----------------------------------------------------------------------

    def start(self) -> None:
        """Check the roles and start step 0's countdown."""
        self._require("ready", action="start")
        (self._roles or Roles("", "", ())).validate()
        self._enter(0, self.clock())
        self._emit("started", index=0, step=self.current_step.id, deadline=self._deadline)

    def next(self) -> None:
        self._require("running", "paused", action="go to the next step")
        if self._index == len(self.runbook.steps) - 1:
            raise SessionError("this is the last step: use finish() to end the session")
        self._change_step(self._index + 1)

    def previous(self) -> None:
        self._require("running", "paused", action="go back a step")
        if self._index == 0:
            raise SessionError("this is the first step: there is no previous one")
        self._change_step(self._index - 1)

    def go_to(self, index: int) -> None:
        self._require("running", "paused", action="change step")
        if not 0 <= index < len(self.runbook.steps):
            raise SessionError(f"no step {index}: steps are 0 to {len(self.runbook.steps) - 1}")
        if index == self._index:
            raise SessionError(f"already on step {index}")
        self._change_step(index)

    def _change_step(self, index: int) -> None:
        previous = self._index
        self._enter(index, self.clock())
        step_id = self.current_step.id
        self._emit("step", index=index, step=step_id, previous=previous, deadline=self._deadline)

    def pause(self) -> None:
        self._require("running", action="pause")
        remaining = self.remaining()
        self._close_segment(self.clock())
        self._status, self._paused_remaining = "paused", remaining
        self._emit("paused", remaining=remaining)

    def resume(self) -> None:
        self._require("paused", action="resume")
        now, remaining = self.clock(), self.remaining()
        self._status, self._paused_remaining = "running", None
        self._segment_start, self._deadline = now, now + remaining
        self._emit("resumed", deadline=self._deadline)

    def extend(self, minutes: int) -> None:
        """Give the current step ``minutes`` (1 to 60) more, counted from now even in overtime."""
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 60:
            raise ValueError(f"extend by 1 to 60 whole minutes, not {minutes!r}")
        self._require("running", "paused", action="extend the step")
        self._extra[self.current_step.id] += minutes * 60
        if self._deadline is not None:
            self._deadline += minutes * 60
        if self._paused_remaining is not None:
            self._paused_remaining += minutes * 60
        self._emit("extended", step=self.current_step.id, minutes=minutes, deadline=self._deadline)

    def finish(self) -> None:
        """End the session. Its ratings stay open (when the runbook asks for an evaluation):
        a latecomer's phone may still rate until the facilitator closes them."""
        self._require("running", "paused", action="finish")
        self._close_segment(self.clock())
        self._status, self._called = "finished", None
        self._ratings_open = rated_step(self.runbook.steps) is not None
        self._emit("finished", step=self.current_step.id)

    def close_ratings(self) -> None:
        """Close the ratings left open at the end: no evaluation is taken after."""
        self._require("finished", action="close the ratings")
        if not self._ratings_open:
            raise SessionError("the ratings are already closed", "console.ratings_closed")
        self._ratings_open = False
        self._emit("ratings_closed")

    def mark_deleted(self) -> None:
        """The session was deleted from its store while pages followed it: it has ended.

        Its countdown stops (the status becomes "finished", with no deadline), and one
        "deleted" event tells the views, which then show that in one line and write nothing
        more. Once only: a second call is quiet."""
        if self._deleted:
            return
        self._close_segment(self.clock())
        self._status, self._deleted, self._ratings_open = "finished", True, False
        self._emit("deleted", step=self.current_step.id)

    def require_stored(self) -> None:
        """Raise ``DeletedError`` once the session was deleted: a write has nowhere to go."""
        if self._deleted:
            raise DeletedError(f"session {self.id!r} was deleted")

    def set_roles(self, roles: Roles) -> None:
        """Replace the roles (allowed at any time: someone may leave mid-session)."""
        roles.validate()
        self._roles = roles
        self._emit("roles", roles=roles.to_dict())

    def _require(self, *statuses: str, action: str) -> None:
        if self._status not in statuses:
            raise SessionError(
                f"cannot {action} while the session is {self._status}",
                f"console.now_{self._status}",
            )

    # -- notes, contributions and signals -------------------------------------------------

    def set_note(self, step_id: str, field_id: str, text: str) -> None:
        """Store a note field of any step at once (nothing typed is lost if a kernel dies)."""
        self._notes.set(self.runbook.step(step_id), field_id, text)
        self._emit("note", step=step_id, field=field_id)

    def add_contribution(
        self, step_id: str, author: str | None, text: str, kind: str | None = None
    ) -> Contribution:
        """Add a contribution (1 to 1000 characters once trimmed, while the session is in
        progress); ``kind`` defaults to the step's ``collects``."""
        author, text, kind = self.admit_contribution(step_id, author, text, kind)
        added = self._contributions.add(
            Contribution(0, step_id, author, text, self.clock(), False, kind)
        )
        self._emit("contribution", id=added.id, step=step_id)
        return added

    def admit_contribution(
        self, step_id: str, author: str | None, text: str, kind: str | None
    ) -> tuple[str | None, str, str | None]:
        """The contribution as it would be stored now, or ``ValueError`` saying why not (the
        rule a store asks too): ``core.contributions.admit_contribution`` on this state."""
        return admit_contribution(
            self.runbook.step(step_id),
            author,
            text,
            kind,
            in_progress=self.in_progress,
            ended=self._status == "finished",
            ratings_open=self._ratings_open,
        )

    def hide_contribution(self, contribution_id: int, hidden: bool = True) -> None:
        """Hide (or show again) a contribution; it is kept, for the facilitator's record."""
        self._contributions.hide(contribution_id, hidden)
        self._emit("hidden", id=contribution_id, hidden=hidden)

    def contributions_for(self, step_id: str, include_hidden: bool = False) -> list[Contribution]:
        return self._contributions.of_step(step_id, include_hidden)

    def replace_contributions(self, items: list[Contribution]) -> None:
        """Mirror the contributions the store holds (written by participants' kernels)."""
        self._contributions = Contributions(list(items))
        self._emit("contribution")

    def replace_signals(self, items: list[Signal]) -> None:
        """Mirror the signals the store holds (written by participants' kernels)."""
        self._signals = list(items)
        self._emit("signals")

    def take(self, effects: Effects) -> None:
        """Apply to this session's own notes, contributions and signals what core decided a
        command or a signal changes (``apply_command``): a store writes the same ``effects``
        to its tables. The state (timer, roles, talk) the command has already moved."""
        for note in effects.notes:
            self.set_note(note.step_id, note.field_id, note.text)
        for change in effects.visibility:
            self.hide_contribution(change.id, change.hidden)
        signals = effects.signals_after(self._signals)
        if signals != self._signals:
            self._signals = signals
            self._emit("signals")

    # -- persistence -----------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """``to_dict()`` without what is kept apart (``KEPT_APART``: notes, contributions,
        signals): what a command moves, a store writes, every reader loads."""
        whole = self.to_dict()
        return {key: value for key, value in whole.items() if key not in KEPT_APART}

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-serialisable data (a session of one kernel saved whole)."""
        return _saved(self)

    def apply_state(self, data: dict[str, Any]) -> None:
        """Take the state another kernel saved (validated as ``from_dict`` does).

        Fires one "synced" event whose ``changed`` lists the parts that moved (``step``,
        ``timer``, ``roles``, ``notes``, ``contributions``), or none if nothing did."""
        fresh = Session.from_dict(data, self.runbook, self.clock)
        if fresh.id != self.id:
            raise ValueError(f"state of session {fresh.id!r} given to session {self.id!r}")
        changed = [
            part
            for part, names in _STATE_PARTS.items()
            if any(getattr(self, name) != getattr(fresh, name) for name in names)
        ]
        for name in _STATE_FIELDS:
            setattr(self, name, getattr(fresh, name))
        if changed:  # a save that changed nothing a view shows (e.g. spent time) stays quiet
            self._emit("synced", changed=changed)

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], runbook: Runbook, clock: Clock = system_clock
    ) -> Session:
        """Rebuild a session saved by ``to_dict`` over the same ``runbook``; no event fires."""
        return _restored(cls, data, runbook, clock)


# What apply_state copies: the whole state, never the identity, the clock or the observers.
_STATE_FIELDS = (
    "_roles", "_status", "_index", "_spent", "_extra", "_deadline", "_paused_remaining",
    "_segment_start", "_notes", "_contributions", "_signals", "_talk", "_ratings_open",
    "_called", "_breaks", "_chosen",
)  # fmt: skip


# What a follower's views may need to redraw, by the fields behind it.
_STATE_PARTS = {
    "step": ("_index",),
    "timer": ("_status", "_deadline", "_paused_remaining", "_extra"),
    "roles": ("_roles",),
    "notes": ("_notes",),
    "contributions": ("_contributions",),
    "signals": ("_signals",),
    "talk": ("_talk",),
    "ratings": ("_ratings_open",),
    "called": ("_called",),
    "breaks": ("_breaks",),
    "chosen": ("_chosen",),
}


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _saved(session: Session) -> dict[str, Any]:
    """``Session.to_dict``: the state as JSON-serialisable data."""
    return {
        "version": SCHEMA_VERSION,
        "id": session.id,
        "runbook": session.runbook.name,
        "steps": [step.id for step in session.runbook.steps],
        "status": session._status,
        "index": session._index,
        "deadline": session._deadline,
        "paused_remaining": session._paused_remaining,
        "segment_start": session._segment_start,
        "spent": dict(session._spent),
        "extra": dict(session._extra),
        "roles": session._roles.to_dict() if session._roles else None,
        "notes": session.notes,
        "contributions": [asdict(c) for c in session._contributions.items],
        "signals": [asdict(s) for s in session._signals],
        "ratings_open": session._ratings_open,
        "called": session._called.to_dict() if session._called else None,
        "breaks": [taken.to_dict() for taken in session._breaks],
        "chosen": session._chosen.to_dict() if session._chosen else None,
        **session._talk.to_dict(),
    }


def _restored(cls: type[Session], data: dict[str, Any], runbook: Runbook, clock: Clock) -> Session:
    """``Session.from_dict``: the saved state, validated, over ``runbook``."""
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"unknown session schema version {data.get('version')!r}")
    ids = [step.id for step in runbook.steps]
    if data.get("steps") != ids:
        raise ValueError(f"the session's steps {data.get('steps')} do not match {ids}")
    if data.get("status") not in STATUSES:
        raise ValueError(f"unknown session status {data.get('status')!r}")
    try:
        roles = Roles.from_dict(data["roles"]) if data["roles"] is not None else None
        session = cls(runbook, roles, clock, str(data["id"]))
        session._status = data["status"]
        session._index = int(data["index"])
        session._deadline = _optional_float(data["deadline"])
        session._paused_remaining = _optional_float(data["paused_remaining"])
        session._segment_start = _optional_float(data["segment_start"])
        session._spent = {i: float(data["spent"][i]) for i in ids}
        session._extra = {i: float(data["extra"][i]) for i in ids}
        # What is kept apart may be missing: a participant's kernel loads no notes, and
        # sessions stored before talk time and signals have neither.
        session._notes = Notes.from_dict(data.get("notes", {}))
        session._contributions = Contributions.from_dicts(data.get("contributions", []))
        session._signals = signals_from_dicts(data.get("signals", []))
        session._talk = TalkTimer.from_dict(data)
        # Sessions stored before the ratings stayed open after the end have none open.
        session._ratings_open = data.get("ratings_open", False) is True
        # Sessions stored before time could be called have none.
        session._called = TimeCalled.from_dict(data.get("called"))
        session._breaks = breaks_from_dicts(data.get("breaks", []))  # none before breaks
        # Sessions stored before the group chose its topic have no choice.
        session._chosen = TopicChosen.from_dict(data.get("chosen"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed session data: {exc!r}") from None
    if not 0 <= session._index < len(ids):
        raise ValueError(f"step index {session._index} out of range")
    running = session._deadline is not None and session._segment_start is not None
    paused = session._paused_remaining is not None
    if (session._status == "running") != running or (session._status == "paused") != paused:
        raise ValueError(f"timer fields do not fit status {session._status!r}")
    if session._ratings_open and session._status != "finished":
        raise ValueError("ratings are open only once the session has finished")
    return session
