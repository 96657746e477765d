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
>>> apply_command(session, Command("start"))
>>> apply_command(session, Command("next", {"step": "presentation"}))
>>> session.current_step.id
'clarification'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codevwidgets.core.roles import Roles
from codevwidgets.core.session import Session, SessionError

__all__ = ["COMMANDS", "Act", "Command", "apply_command", "local_act"]

# Every change a console makes (who speaks, lowering hands). Notes, hiding and hands are
# commands too: the store writes them to tables of their own (participants' kernels never
# load notes), under the same revision.
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
)
# Commands whose meaning depends on the step in front of the group.
STEP_BOUND = {"next", "previous", "extend", "finish", "pause", "resume"}


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


def apply_command(session: Session, command: Command) -> None:
    """Apply ``command`` to ``session`` (the store's fresh copy, or a session of one kernel)."""
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
        case "extend":
            session.extend(_int(args, "minutes"))
        case "finish":
            session.finish()
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
        case "set_note":
            text = args.get("text")
            if not isinstance(text, str):
                raise ValueError(f"a note is text, not {text!r}")
            session.set_note(str(args.get("step")), str(args.get("field")), text)
        case "hide":
            session.hide_contribution(_int(args, "id"), bool(args.get("hidden", True)))
        case "talk":
            session.talk(_optional_text(args, "name"))
        case "lower_hand":
            session.lower_hand(_optional_text(args, "participant"))
        case "keep_time":
            session.keep_time()


def _roles_of(session: Session) -> dict[str, Any] | None:
    return session.roles.to_dict() if session.roles else None


def local_act(session: Session) -> Act:
    """Commands applied to ``session`` itself: a console with no store (tests, a notebook)."""
    return lambda command: apply_command(session, command)


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
