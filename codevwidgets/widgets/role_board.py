"""The role board: client, facilitator, advisors, note-taker and observers from the roster."""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command, local_act
from codevwidgets.core.cycle import PlannedSession
from codevwidgets.core.roles import Roles, RolesError
from codevwidgets.core.roster import Roster
from codevwidgets.core.session import Event, Session, SessionError
from codevwidgets.widgets._view import (
    Echo,
    Follower,
    Texts,
    literal,
    refusal,
    roles_summary,
    touches,
)

NOBODY = ""


class RoleBoard(Follower, widgets.VBox):
    """Assigns the roles of the session; refuses impossible ones with a message.

    ``suggested`` (the cycle plan's session) preselects its client and facilitator; the
    advisors default to every other member. Roles another console chose show here too.
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        roster: Roster,
        suggested: PlannedSession | None = None,
        act: Act | None = None,
    ) -> None:
        self.session, self.texts, self.roster = session, texts, roster
        self.act = act or local_act(session)
        self._echo = Echo()  # stored roles put in the fields are not a choice to send back
        members = roster.names
        facilitators = (
            members
            if roster.rotates or roster.facilitator in members
            else [
                roster.facilitator,
                *members,
            ]
        )
        client = suggested.client if suggested else members[0]
        facilitator = suggested.facilitator if suggested else facilitators[-1]
        self.client = widgets.Dropdown(
            options=[NOBODY, *members], value=client, description=texts("roles.client")
        )
        self.facilitator = widgets.Dropdown(
            options=[NOBODY, *facilitators],
            value=facilitator,
            description=texts("roles.facilitator"),
        )
        self.advisors = widgets.SelectMultiple(
            options=members, rows=min(len(members), 8), description=texts("roles.advisors")
        )
        self.note_taker = widgets.Dropdown(
            options=[NOBODY, *members], value=NOBODY, description=texts("roles.note_taker")
        )
        self.observers = widgets.Text(
            description=texts("roles.observers"), placeholder=texts("roles.observers_placeholder")
        )
        for field in (
            self.client,
            self.facilitator,
            self.advisors,
            self.note_taker,
            self.observers,
        ):
            field.style.description_width = "8em"
            field.layout.width = "100%"
        self.suggestion = literal(
            widgets.Label(texts("roles.suggested", name=suggested.client) if suggested else "")
        )
        self.message = widgets.Label().add_class("codev-roles-message")
        self.summary = literal(widgets.HTML().add_class("codev-roles-summary"))
        self._follow()
        if session.roles is None:
            self._default_advisors()
        else:
            self._show_roles(session.roles)
        # Roles apply as they are chosen (no button to forget); what is wrong shows at once.
        self.client.observe(lambda _: self._default_advisors(), "value")
        self.facilitator.observe(lambda _: self._default_advisors(), "value")
        for field in (self.advisors, self.note_taker, self.observers):
            field.observe(lambda _: self.confirm(), "value")
        super().__init__(
            [
                widgets.Label(texts("roles.title")).add_class("codev-heading"),
                self.summary,
                self.suggestion,
                self.client,
                self.facilitator,
                self.advisors,
                self.note_taker,
                self.observers,
                self.message,
            ]
        )
        self.add_class("codev-roles")

    def __repr__(self) -> str:
        return f"RoleBoard(session={self.session.id!r})"

    def _show_roles(self, roles: Roles) -> None:
        """Show roles the session has (a reopened console, or another console's choice)."""
        known = set(self.roster.names)
        with self._echo():
            self.client.value = roles.client if roles.client in known else NOBODY
            if roles.facilitator in self.facilitator.options:
                self.facilitator.value = roles.facilitator
            self.advisors.value = tuple(a for a in roles.advisors if a in known)
            self.note_taker.value = roles.note_taker if roles.note_taker in known else NOBODY
            self.observers.value = ", ".join(roles.observers)
        self.summary.value = roles_summary(roles, self.texts)

    def _default_advisors(self) -> None:
        if self._echo.active:
            return
        taken = {self.client.value, self.facilitator.value}
        self.advisors.value = tuple(n for n in self.roster.names if n not in taken)
        self.confirm()

    def roles(self) -> Roles:
        """The roles as currently chosen (not yet validated)."""
        observers = tuple(n.strip() for n in self.observers.value.split(",") if n.strip())
        return Roles(
            client=self.client.value or "",
            facilitator=self.facilitator.value or "",
            advisors=tuple(self.advisors.value),
            note_taker=self.note_taker.value or None,
            observers=observers,
        )

    def confirm(self) -> bool:
        """Give the chosen roles to the session; show what is wrong instead, if anything."""
        if self._echo.active:
            return True
        roles = self.roles()
        if roles == self.session.roles:
            return True
        shown = self.session.roles.to_dict() if self.session.roles else None
        try:
            self.act(Command("set_roles", {"roles": roles.to_dict(), "expected": shown}))
        except SessionError as exc:  # another console changed them: they show here now
            self.message.value = refusal(self.texts, exc)
            self.message.add_class("codev-error")
            return False
        except RolesError as exc:
            self.message.value = " ".join(self.texts(key) for key in exc.keys)
            self.message.add_class("codev-error")
            return False
        return True

    def _on_event(self, event: Event) -> None:
        if touches(event, {"roles"}, {"roles"}) and self.session.roles is not None:
            self.message.remove_class("codev-error")
            self.message.value = self.texts("roles.saved")
            if self.session.roles != self.roles():
                self._show_roles(self.session.roles)
            else:
                self.summary.value = roles_summary(self.session.roles, self.texts)
