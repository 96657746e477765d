"""What a console asks of a session, as data: applied by the store to the latest stored state.

A console never writes a session it read earlier. It sends a ``Command``; the store applies it
in one transaction to the state it holds now and bumps the session's revision, so two tabs of
one console (a laptop and the room's projector) cannot undo each other. A command that
depends on what the person saw names it (``step``: the step their page showed): if another
console moved the session on meanwhile, it is refused instead of applied to a step nobody chose.

>>> from codevwidgets.core.clock import FakeClock
>>> from codevwidgets.core.runbook import load_preset
>>> from codevwidgets.core.session import Roles, Session
>>> session = Session(load_preset("flash"), Roles("Ana", "Bo", ("Cy", "Di")), FakeClock())
>>> _ = apply_command(session, Command("start"))
>>> effects = apply_command(session, Command("next", {"step": "presentation"}))
>>> session.current_step.id, effects.state["index"], effects.notes
('clarification', 1, ())

What a command changes is decided here and returned as data (``Effects``): a store writes it
in one transaction without asking which command it came from. A participant's signal is
applied the same way (``apply_signal``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codevwidgets.core.drift import CLEAR_DRIFT, admit_drift
from codevwidgets.core.effects import Answer, Effects, Event, NoteText, Visibility
from codevwidgets.core.roles import Roles
from codevwidgets.core.session import Session, SessionError
from codevwidgets.core.signals import (
    DRIFT,
    HAND,
    MORE_TIME,
    Signal,
    admit_signal,
    page_and_name,
    standing_after,
)
from codevwidgets.core.topic_choice import choice_notes

__all__ = ["COMMANDS", "Act", "Command", "apply_command", "apply_signal", "local_act"]

# Every change a console makes (who speaks, lowering hands). Notes, hiding and hands are
# commands too: their effects are kept apart from the state (participants' kernels never load
# notes), written under the same revision.
COMMANDS = (
    "start",
    "next",
    "previous",
    "go_to",
    "pause",
    "resume",
    "extend",
    "finish",
    "set_roles",
    "set_note",
    "hide",
    "talk",
    "lower_hand",
    "keep_time",
    "close_ratings",
    "call_time",
    CLEAR_DRIFT,
    "take_break",
    "end_break",
    "choose_topic",
)
# Commands whose meaning depends on the step in front of the group.
STEP_BOUND = {"next", "previous", "extend", "finish", "pause", "resume", "choose_topic"}


@dataclass(frozen=True)
class Command:
    """A console's request: ``name`` (one of ``COMMANDS``) and small JSON ``args``.

    ``args["step"]``, when given, is the step id the sender's page showed; a step-bound command
    is refused when the session is no longer there.
    """

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in COMMANDS:
            raise ValueError(f"unknown command {self.name!r}")

    def to_json(self) -> str:
        return json.dumps({"name": self.name, "args": dict(self.args)}, ensure_ascii=False)


Act = Callable[[Command], None]
"""How a view sends a command: ``act(command)``; raises ``SessionError``, ``RolesError`` or
``ValueError`` when it is refused."""


def apply_command(session: Session, command: Command) -> Effects:
    """Apply ``command`` to ``session`` (the store's fresh copy, or a session of one kernel);
    what it changed, as data.

    The state machine moves here; what is kept apart from the state (notes, contributions
    hidden or shown, signals answered) is decided here too, as ``Effects`` that
    ``Session.take`` applies to the session's own copies and a store writes to its tables.
    Raises ``SessionError``, ``RolesError`` or ``ValueError`` when the command is refused,
    the session unchanged (``DeletedError`` once it was deleted from its store).
    """
    session.require_stored()
    effects = _decide(session, command)
    session.take(effects)
    return effects


def reads_kept_apart(command: Command) -> bool:
    """Whether deciding ``command`` reads what a session keeps apart from its state: only
    ``hide``, which refuses a contribution that does not exist, and ``choose_topic``, which
    fills the client's question only when nobody has written it. Every other command decides
    on the state alone, and a store reads the session's row only: a note is stored at each
    keystroke, and the contributions and signals are not read for it."""
    return command.name in {"hide", "choose_topic"}


def apply_signal(
    session: Session, participant: str, name: str | None, kind: str, on: bool
) -> Effects:
    """A participant's page (``participant``, its id; ``name``, how the console shows it)
    raises or lowers its own signal; what that changes, applied to ``session`` as
    ``apply_command`` does. Raises ``ValueError`` for a bad page, name or kind, or a signal
    the session does not take now (``admit_signal``)."""
    name = page_and_name(participant, name, "a signal needs the page's id")
    admit_signal(kind, on, in_progress=session.in_progress, remaining=session.remaining())
    said: dict[str, object] = {"kind": kind, "on": on, "participant": participant}
    if kind == DRIFT:  # the client's page only, in the consultation; the record says where
        admit_drift(session.current_step, session.roles, name, on)
        said["step"] = session.current_step.id
    logged = Event("signal", said)
    if on:
        mine = (s for s in session.signals if (s.participant, s.kind) == (participant, kind))
        raised = Signal(participant, name, kind, session.current_step.id, session.clock())
        effects = Effects(logged, raised=(standing_after(next(mine, None), raised),))
    else:
        effects = Effects(logged, answered=(Answer(kind, participant),))
    session.take(effects)
    return effects


def _decide(session: Session, command: Command) -> Effects:
    args = command.args
    expected = args.get("step")
    if command.name in STEP_BOUND and expected is not None:
        current = session.current_step
        if expected != current.id or session.status == "finished":
            raise SessionError(
                f"the session is now at step {session.index + 1} ({current.id}, "
                f"{session.status}): nothing was changed",
                "console.moved_on",
                number=session.index + 1,
            )
    logged = Event(command.name, dict(args))
    match command.name:
        case "set_note":
            text = args.get("text")
            if not isinstance(text, str):
                raise ValueError(f"a note is text, not {text!r}")
            note = NoteText(str(args.get("step")), str(args.get("field")), text)
            # The log says a note changed, never what it says.
            said = {key: value for key, value in args.items() if key != "text"}
            return Effects(Event(command.name, said), notes=(note,))
        case "hide":
            shown = Visibility(_int(args, "id"), bool(args.get("hidden", True)))
            return Effects(logged, visibility=(shown,))
        case "lower_hand":  # one participant's hand, or (None) every hand
            return Effects(logged, answered=(Answer(HAND, _optional_text(args, "participant")),))
        case "clear_drift":  # the facilitator has dealt with the client's drift flag
            return Effects(logged, answered=(Answer(DRIFT),))
        case "keep_time":  # the step keeps its time: the requests for more are turned down
            return Effects(logged, answered=(Answer(MORE_TIME),))
        case "extend":  # more time given: the requests for it are answered
            session.extend(_int(args, "minutes"))
            return Effects(logged, session.state(), answered=(Answer(MORE_TIME),))
        case "choose_topic":  # the group's topic: its author the client, the notes filled
            notes = choice_notes(session.runbook, session.notes, args)  # checked first
            session.choose_topic(args.get("author"), args.get("headline"), args.get("tally"))
            # The log says whose topic, never what its preparation says.
            said = {"author": args.get("author"), "step": args.get("step")}
            return Effects(Event(command.name, said), session.state(), notes=notes)
        case "finish":  # the end: a hand still up is lowered, nobody is waiting to speak
            session.finish()
            return Effects(logged, session.state(), answered=(Answer(HAND),))
    _move(session, command)
    return Effects(logged, session.state())


def _move(session: Session, command: Command) -> None:
    """The commands that only move the state machine."""
    args = command.args
    match command.name:
        case "start":
            session.start()
        case "next":
            session.next()
        case "previous":
            session.previous()
        case "go_to":
            session.go_to(_int(args, "index"))
        case "pause":
            session.pause()
        case "resume":
            session.resume()
        case "close_ratings":
            session.close_ratings()
        case "set_roles":
            roles = args.get("roles")
            if not isinstance(roles, dict):
                raise ValueError(f"roles must be a mapping, not {roles!r}")
            # The roles the sender's page showed: another console may have changed them since.
            if "expected" in args and args["expected"] != _roles_of(session):
                raise SessionError(
                    "another console changed the roles meanwhile: nothing was changed",
                    "console.roles_changed",
                )
            session.set_roles(Roles.from_dict(roles))
        case "talk":
            session.talk(_optional_text(args, "name"))
        case "call_time":  # a day's lead, for every group: "5 minutes left" on every page
            session.call_time(_int(args, "minutes"))
        case "take_break":  # the runbook's break, proposed by the console (core.breaks)
            session.take_break()
        case "end_break":
            session.end_break()


def _roles_of(session: Session) -> dict[str, Any] | None:
    return session.roles.to_dict() if session.roles else None


def local_act(session: Session) -> Act:
    """Commands applied to ``session`` itself: a console with no store (tests, a notebook)."""

    def act(command: Command) -> None:
        apply_command(session, command)

    return act


def _optional_text(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {value!r}")
    return value


def _int(args: Mapping[str, Any], name: str) -> int:
    value = args.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return value
