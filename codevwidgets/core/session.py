"""A consultation in progress: the current step, its countdown, notes and contributions.

Pure Python (no ipywidgets): widgets observe a ``Session`` through ``on_change`` and call its
methods; the store saves ``to_dict()`` and other kernels rebuild it with ``from_dict``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.joining import person_key
from codevwidgets.core.roles import Roles, RolesError
from codevwidgets.core.runbook import CONTRIBUTION_KINDS, Runbook, Step
from codevwidgets.core.signals import SEEN, SIGNAL_KINDS, Signal

# Roles and RolesError are re-exported: start() and set_roles() raise RolesError.
__all__ = [
    "Contribution",
    "Event",
    "RateLimited",
    "Roles",
    "RolesError",
    "Session",
    "SessionError",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
STATUSES = ("ready", "running", "paused", "finished")
MAX_NOTE = 10_000
MAX_CONTRIBUTION = 1_000
MAX_AUTHOR = 100
MAX_NAME = 100


def new_session_id() -> str:
    """Eight URL-safe characters (48 random bits), never starting with "-": a command line
    would read ``codev export -x…`` as an option (one session in 64 could not be exported)."""
    while (candidate := secrets.token_urlsafe(6)).startswith("-"):
        pass
    return candidate


def validate_contribution(
    step: Step, author: str | None, text: str, kind: str | None
) -> tuple[str | None, str, str | None]:
    """The contribution as stored (trimmed, kind defaulted), or ``ValueError`` saying why not.

    One rule for every path: a session in one kernel and the store written by many.
    """
    text = text.strip() if isinstance(text, str) else ""
    if not 1 <= len(text) <= MAX_CONTRIBUTION:
        raise ValueError(f"a contribution is 1 to {MAX_CONTRIBUTION} characters of text")
    author = (author.strip() or None) if isinstance(author, str) else None
    if author is not None and len(author) > MAX_AUTHOR:
        raise ValueError(f"an author name is at most {MAX_AUTHOR} characters")
    kind = kind or step.collects
    if kind is not None and kind not in CONTRIBUTION_KINDS:
        raise ValueError(f"unknown contribution kind '{kind}'")
    # Only what the step asks for: its own kind, or a 1-5 evaluation where it asks for one.
    accepted = {step.collects} | ({"evaluation"} if step.evaluation else set())
    if kind is None or kind not in accepted:
        raise ValueError(f"step '{step.id}' does not collect {kind or 'contributions'}")
    if kind == "evaluation" and text not in {"1", "2", "3", "4", "5"}:
        raise ValueError("an evaluation is a whole number from 1 to 5")
    if kind == "evaluation" and author is None:
        # One person, one evaluation: a page that has not said who it is cannot be told from
        # another (nor from itself reloaded), so it does not evaluate.
        raise ValueError("an evaluation needs the name of who gives it")
    return author, text, kind


class SessionError(RuntimeError):
    """A method was called in a state where it makes no sense (e.g. ``pause`` when paused).

    ``key`` (with ``values``) names the locale text a page shows instead of the message, for
    refusals a person meets in a room (another console moved the session on).
    """

    def __init__(self, message: str, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key, self.values = key, values


STORE_UNREACHABLE = "live.store_unreachable"
"""The key of ``UnreachableError``: the locale text a console shows when its store is away."""


class UnreachableError(SessionError):
    """The session's store did not answer: nothing was applied and what was typed stays where
    it was. The store layer raises it at its boundary, so views, which never see the store,
    catch the core's own error and say so in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message, key=STORE_UNREACHABLE)


class RateLimited(ValueError):  # noqa: N818 — the name pages and widgets already catch
    """A participant sent too many contributions in a short time."""


@dataclass(frozen=True)
class Event:
    """What changed: ``kind`` (``"step"``, ``"paused"``, …) and small JSON ``data``."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Contribution:
    """A question, idea or learning typed during a step; ``author`` ``None`` is anonymous."""

    id: int
    step_id: str
    author: str | None
    text: str
    at: float
    hidden: bool = False
    kind: str | None = None


Callback = Callable[[Event], None]


def latest_evaluations(
    contributions: Iterable[Contribution], people: Sequence[str] = ()
) -> list[int]:
    """The 1-5 evaluations that count, one per joined person, never saying whose.

    A person may change their mind, from any page (a reload, another device): only their
    last evaluation counts, names compared without regard to case or spaces. An unnamed
    evaluation (stored before pages had to say who they are) counts for nobody; with the
    group's names (``people``, the roster), only its members' count: a name made up in a
    link is not a joined person. Hidden ones do not count.
    """
    members = {person_key(name) for name in people}
    latest: dict[str, int] = {}
    for item in sorted(contributions, key=lambda c: c.id):
        if item.kind != "evaluation" or item.hidden or not item.author:
            continue
        key = person_key(item.author)
        if not members or key in members:
            latest[key] = int(item.text)
    return list(latest.values())


def evaluation_average(
    contributions: Iterable[Contribution], people: Sequence[str] = ()
) -> tuple[float, int] | None:
    """The mean 1-5 evaluation and how many people it counts (``latest_evaluations``), or
    None if nobody evaluated."""
    scores = latest_evaluations(contributions, people)
    return (sum(scores) / len(scores), len(scores)) if scores else None


class Session:
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
        self._notes: dict[str, dict[str, str]] = {}
        self._contributions: list[Contribution] = []
        # Participants' standing signals (hands, ready, more time): the store's, mirrored.
        self._signals: list[Signal] = []
        # Who speaks (the facilitator's talk timer): closed seconds per step and person, and
        # the running segment, timed like the step's.
        self._speaker: str | None = None
        self._talk_since: float | None = None
        self._talk: dict[str, dict[str, float]] = {}
        self._callbacks: list[Callback] = []

    def __repr__(self) -> str:
        return f"Session(id={self.id!r}, status={self._status!r}, step={self.current_step.id!r})"

    # -- state, read-only ------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self._status

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
        return {step_id: dict(fields) for step_id, fields in self._notes.items()}

    @property
    def contributions(self) -> list[Contribution]:
        return list(self._contributions)

    @property
    def signals(self) -> list[Signal]:
        return list(self._signals)

    @property
    def speaker(self) -> str | None:
        """Who speaks now, by the facilitator's talk buttons (None: nobody is timed)."""
        return self._speaker

    # -- time ------------------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left in the current step; negative in overtime."""
        if self._deadline is not None:
            return self._deadline - self.clock()
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
            actual[self.current_step.id] += self.clock() - self._segment_start
        return {step_id: seconds / 60 for step_id, seconds in actual.items()}

    def _budget(self, index: int) -> float:
        step = self.runbook.steps[index]
        return step.minutes * 60 + self._extra[step.id] - self._spent[step.id]

    def _close_segment(self, now: float) -> None:
        if self._segment_start is not None:
            self._spent[self.current_step.id] += now - self._segment_start
        self._segment_start = self._deadline = self._paused_remaining = None
        # A pause, a step change or the end stops the talk timer too.
        self._stop_talk(now)

    # -- talk time -------------------------------------------------------------------------

    def talk(self, name: str | None) -> None:
        """``name`` speaks now (the previous speaker's time is closed); ``None`` or the
        current speaker's name stops the timer. Only while the session is running."""
        if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME):
            raise ValueError(f"a speaker is a name of 1 to {MAX_NAME} characters, not {name!r}")
        self._require("running", action="time who speaks")
        now = self.clock()
        stopping = name is None or name == self._speaker
        self._stop_talk(now)
        if not stopping:
            self._speaker, self._talk_since = name, now
        self._emit("talk", speaker=self._speaker)

    def talk_seconds(self, step_id: str | None = None) -> dict[str, float]:
        """Seconds each person spoke in ``step_id`` (None: the whole session), the running
        segment included."""
        totals: dict[str, float] = {}
        for step, people in self._talk.items():
            if step_id is None or step == step_id:
                for name, seconds in people.items():
                    totals[name] = totals.get(name, 0.0) + seconds
        now_here = step_id is None or step_id == self.current_step.id
        if self._speaker is not None and self._talk_since is not None and now_here:
            running = max(0.0, self.clock() - self._talk_since)
            totals[self._speaker] = totals.get(self._speaker, 0.0) + running
        return totals

    def _stop_talk(self, now: float) -> None:
        if self._speaker is not None and self._talk_since is not None:
            people = self._talk.setdefault(self.current_step.id, {})
            people[self._speaker] = people.get(self._speaker, 0.0) + max(
                0.0, now - self._talk_since
            )
        self._speaker = self._talk_since = None

    def _enter(self, index: int, now: float) -> None:
        # Entering a step always runs it, even from pause: the facilitator moving on means
        # the group is moving on, and a step whose timer silently waits is what METHOD.md
        # lists as a facilitator's pitfall. Pausing again is one click.
        self._close_segment(now)
        self._index = index
        self._status = "running"
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
        # More time given: the participants' requests are answered.
        self._signals = [s for s in self._signals if s.kind != "more_time"]
        self._emit("extended", step=self.current_step.id, minutes=minutes, deadline=self._deadline)

    def finish(self) -> None:
        self._require("running", "paused", action="finish")
        self._close_segment(self.clock())
        self._status = "finished"
        self._emit("finished", step=self.current_step.id)

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

    # -- notes and contributions -----------------------------------------------------------

    def set_note(self, step_id: str, field_id: str, text: str) -> None:
        """Store a note field of any step at once (nothing typed is lost if a kernel dies)."""
        step = self._step(step_id)
        note = next((note for note in step.notes if note.id == field_id), None)
        if note is None:
            raise ValueError(f"step '{step_id}' has no note field '{field_id}'")
        if not isinstance(text, str) or len(text) > MAX_NOTE:
            raise ValueError(f"a note is text of at most {MAX_NOTE} characters")
        if not note.accepts(text):
            known = ", ".join(note.choices or ())
            raise ValueError(f"note field '{field_id}' holds one of {known} (or nothing)")
        self._notes.setdefault(step_id, {})[field_id] = text
        self._emit("note", step=step_id, field=field_id)

    def add_contribution(
        self, step_id: str, author: str | None, text: str, kind: str | None = None
    ) -> Contribution:
        """Add a contribution (1 to 1000 characters once trimmed); ``kind`` defaults to the
        step's ``collects``."""
        author, text, kind = validate_contribution(self._step(step_id), author, text, kind)
        number = max((c.id for c in self._contributions), default=0) + 1
        contribution = Contribution(number, step_id, author, text, self.clock(), False, kind)
        self._contributions.append(contribution)
        self._emit("contribution", id=number, step=step_id)
        return contribution

    def hide_contribution(self, contribution_id: int, hidden: bool = True) -> None:
        """Hide (or show again) a contribution; it is kept, for the facilitator's record."""
        for i, contribution in enumerate(self._contributions):
            if contribution.id == contribution_id:
                self._contributions[i] = replace(contribution, hidden=hidden)
                self._emit("hidden", id=contribution_id, hidden=hidden)
                return
        raise ValueError(f"no contribution {contribution_id}")

    def replace_contributions(self, items: list[Contribution]) -> None:
        """Mirror the contributions the store holds (written by participants' kernels)."""
        self._contributions = list(items)
        self._emit("contribution")

    def replace_signals(self, items: list[Signal]) -> None:
        """Mirror the signals the store holds (written by participants' kernels)."""
        self._signals = list(items)
        self._emit("signals")

    def lower_hand(self, participant: str | None = None) -> None:
        """Lower one participant's hand, or (None) every hand: the facilitator's call."""
        self._signals = [
            s
            for s in self._signals
            if not (s.kind == "hand" and (participant is None or s.participant == participant))
        ]
        self._emit("signals")

    def keep_time(self) -> None:
        """Turn down the requests for more time: the step keeps its time (the facilitator's
        call, as giving it is)."""
        self._signals = [s for s in self._signals if s.kind != "more_time"]
        self._emit("signals")

    def contributions_for(self, step_id: str, include_hidden: bool = False) -> list[Contribution]:
        shown = (c for c in self._contributions if include_hidden or not c.hidden)
        return [c for c in shown if c.step_id == step_id]

    def _step(self, step_id: str) -> Step:
        for step in self.runbook.steps:
            if step.id == step_id:
                return step
        raise ValueError(f"no step '{step_id}' in runbook '{self.runbook.name}'")

    # -- events ----------------------------------------------------------------------------

    def on_change(self, callback: Callback, remove: bool = False) -> None:
        """Register (or with ``remove=True`` unregister) ``callback(event)``."""
        if remove:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
        elif callback not in self._callbacks:
            self._callbacks.append(callback)

    def _emit(self, kind: str, **data: Any) -> None:
        event = Event(kind, data)
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                # One broken view must not stop the session nor the other views.
                logger.exception("session %s: a callback failed on %r", self.id, kind)

    # -- persistence -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-serialisable data (what the store saves)."""
        return {
            "version": SCHEMA_VERSION,
            "id": self.id,
            "runbook": self.runbook.name,
            "steps": [step.id for step in self.runbook.steps],
            "status": self._status,
            "index": self._index,
            "deadline": self._deadline,
            "paused_remaining": self._paused_remaining,
            "segment_start": self._segment_start,
            "spent": dict(self._spent),
            "extra": dict(self._extra),
            "roles": self._roles.to_dict() if self._roles else None,
            "notes": self.notes,
            "contributions": [asdict(c) for c in self._contributions],
            "signals": [asdict(s) for s in self._signals],
            "speaker": self._speaker,
            "talk_since": self._talk_since,
            "talk": {step: dict(people) for step, people in self._talk.items()},
        }

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
            # The store keeps notes and contributions apart from the state: a state read by
            # a participant's kernel has neither.
            session._notes = {
                s: {f: str(t) for f, t in n.items()} for s, n in data.get("notes", {}).items()
            }
            session._contributions = [Contribution(**c) for c in data.get("contributions", [])]
            # Sessions stored before talk time and signals have neither.
            session._signals = [Signal(**s) for s in data.get("signals", [])]
            if any(s.kind not in (*SIGNAL_KINDS, SEEN) for s in session._signals):
                raise ValueError("unknown signal kind")
            speaker = data.get("speaker")
            session._speaker = None if speaker is None else str(speaker)
            session._talk_since = _optional_float(data.get("talk_since"))
            session._talk = {
                str(step): {str(n): float(v) for n, v in people.items()}
                for step, people in data.get("talk", {}).items()
            }
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed session data: {exc!r}") from None
        if not 0 <= session._index < len(ids):
            raise ValueError(f"step index {session._index} out of range")
        running = session._deadline is not None and session._segment_start is not None
        paused = session._paused_remaining is not None
        if (session._status == "running") != running or (session._status == "paused") != paused:
            raise ValueError(f"timer fields do not fit status {session._status!r}")
        return session


# What apply_state copies: the whole state, never the identity, the clock or the observers.
_STATE_FIELDS = (
    "_roles", "_status", "_index", "_spent", "_extra", "_deadline", "_paused_remaining",
    "_segment_start", "_notes", "_contributions", "_signals", "_speaker", "_talk_since", "_talk",
)  # fmt: skip


# What a follower's views may need to redraw, by the fields behind it.
_STATE_PARTS = {
    "step": ("_index",),
    "timer": ("_status", "_deadline", "_paused_remaining", "_extra"),
    "roles": ("_roles",),
    "notes": ("_notes",),
    "contributions": ("_contributions",),
    "signals": ("_signals",),
    "talk": ("_speaker", "_talk_since", "_talk"),
}


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
