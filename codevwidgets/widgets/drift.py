"""The client's drift flag: their page's button, and what the console and the room's screen show.

During the consultation the client's page (only the client's: ``core.drift``) has "We are
drifting from my question" (``codev-drift-flag``); pressed, it says it was sent and can be
taken back. The console and the projector show "The client says the group is drifting from
the question" (``codev-drift-shown``) with the contract, until the facilitator clears it
(``codev-drift-clear``, the console's only).
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as widgets

from codevwidgets.core.commands import Act, Command
from codevwidgets.core.drift import CLEAR_DRIFT, drift_standing, may_flag_drift
from codevwidgets.core.limits import RateLimited
from codevwidgets.core.notes import shared_notes
from codevwidgets.core.session import (
    SESSION_ENDED,
    DeletedError,
    Event,
    Session,
    SessionError,
    UnreachableError,
)
from codevwidgets.core.signals import DRIFT
from codevwidgets.core.voices import RefusedError
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Texts,
    close_all,
    literal,
    show,
    touches,
)
from codevwidgets.widgets.hands import Send

SHOWN = "codev-drift-shown"  # the console's and projector's, while a flag stands
CHANGES = (
    TIMER_KINDS | {"signals", "roles", "note"},
    {"signals", "step", "timer", "roles", "notes"},
)


class DriftFlag(Follower, widgets.VBox):
    """The client's "we are drifting from my question", on their page during the
    consultation; ``name`` the page's, ``participant`` its id in the store.

    A page that is not the client's holds no button in its page (``children``); a message
    crafted to the button's model all the same is refused by core, and said in one line.

    Examples
    --------
    >>> flag = DriftFlag(session, Texts(book, "en"), "Ana", "page-1", send)  # doctest: +SKIP
    >>> flag.flag.click()  # doctest: +SKIP
    """

    def __init__(
        self, session: Session, texts: Texts, name: str | None, participant: str, send: Send
    ) -> None:
        self.session, self.texts, self.name = session, texts, name
        self.participant, self.send = participant, send
        self.flag = literal(widgets.Button(description=texts("drift.flag")))
        self.flag.add_class("codev-drift-flag")
        self.flag.on_click(lambda _: self.toggle())
        self.sent = literal(widgets.Label(texts("drift.sent")).add_class("codev-drift-sent"))
        self.message = literal(widgets.Label().add_class("codev-drift-message"))
        self._shown: list[widgets.Widget] = []  # what the page holds now (``children``)
        super().__init__([])
        self.add_class("codev-drift")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"DriftFlag(session={self.session.id!r}, name={self.name!r})"

    def close(self) -> None:
        # The button and its lines are not always among the children: closed here, so that a
        # page that changes who it is leaves none of them behind.
        close_all([self.flag, self.sent, self.message])
        super().close()

    @property
    def allowed(self) -> bool:
        """Whether this page has the button now: the client's, during the consultation."""
        session = self.session
        return session.in_progress and may_flag_drift(
            session.current_step, session.roles, self.name
        )

    @property
    def raised(self) -> bool:
        """Whether this page's flag stands."""
        return any(s.participant == self.participant for s in drift_standing(self.session.signals))

    def toggle(self) -> None:
        """Raise this page's flag, or take it back; a refusal (core's) becomes the message."""
        said = ""
        try:
            self.send(DRIFT, not self.raised)
        except DeletedError:  # before ValueError: it is one, and says more
            said = self.texts(SESSION_ENDED)
        except RateLimited:
            said = self.texts("participant.rate_limited")
        except RefusedError as exc:  # another device spoke as the client first
            said = self.texts(exc.key, name=exc.name)
        except ValueError:
            said = self.texts("drift.refused")
        except UnreachableError:
            said = self.texts("signals.store_unreachable")
        self.message.value = said
        self.refresh()

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    def refresh(self) -> None:
        raised = self.raised
        self.flag.description = self.texts("drift.take_back" if raised else "drift.flag")
        self.flag.button_style = "warning" if raised else ""
        show(self.sent, raised)
        # The button is in the page only while the client may use it (or take it back).
        parts = [self.flag, self.sent] if self.allowed or (raised and self.name) else []
        children = [*parts, *([self.message] if self.message.value else [])]
        if list(self._shown) != children:
            self._shown = children
            self.children = children


class DriftShown(Follower, widgets.VBox):
    """What the console and the room's screen show while the client's drift flag stands:
    "The client says the group is drifting from the question", with the contract (its
    shared notes) beside it when ``with_contract``, and on the console (``act`` given) the
    button that clears it."""

    def __init__(
        self, session: Session, texts: Texts, act: Act | None = None, *, with_contract: bool = True
    ) -> None:
        self.session, self.texts, self.act = session, texts, act
        self.with_contract = with_contract
        self.says = literal(widgets.HTML().add_class("codev-drift-says"))
        parts: list[widgets.Widget] = [self.says]
        self.clear: widgets.Button | None = None
        if act is not None:
            self.clear = widgets.Button(description=texts("drift.clear"), icon="check")
            self.clear.add_class("codev-drift-clear")
            self.clear.on_click(lambda _: self.clear_flag())
            parts.append(self.clear)
        super().__init__(parts, layout={"display": "none"})
        self.add_class("codev-drift-panel")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"DriftShown(session={self.session.id!r})"

    @property
    def standing(self) -> bool:
        return bool(drift_standing(self.session.signals))

    def clear_flag(self) -> None:
        """The facilitator has dealt with it: every drift flag standing is cleared."""
        if self.act is not None:
            with contextlib.suppress(SessionError, ValueError):
                self.act(Command(CLEAR_DRIFT))

    def _on_event(self, event: Event) -> None:
        if touches(event, *CHANGES):
            self.refresh()

    def refresh(self) -> None:
        standing = self.standing
        if standing:
            value = f'<div role="alert">{html.escape(self.texts("drift.shown"))}</div>'
            if self.with_contract:
                value += self._contract()
            if self.says.value != value:
                self.says.value = value
            self.add_class(SHOWN)
        else:
            self.remove_class(SHOWN)
        show(self, standing)

    def _contract(self) -> str:
        """The question and the contract as every page shares them (``shared_notes``)."""
        session = self.session
        notes = shared_notes(session.runbook, session.index, session.notes)
        rows = "".join(
            f'<div class="codev-contract-label">{html.escape(self.texts.of(n.label))}</div>'
            f'<div class="codev-contract-body">{html.escape(n.text)}</div>'
            for n in notes
        )
        if not rows:
            return ""
        title = html.escape(self.texts("contract.title"))
        return f'<div class="codev-drift-contract"><b>{title}</b>{rows}</div>'
