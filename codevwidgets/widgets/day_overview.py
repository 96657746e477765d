"""The lead's overview of a day: a tile per group, the room's link, and buttons for all.

Thin views: which group shows first and what a button for every group sends to each are
``core.day_overview``'s rules; the commands go through ``act(number, command)``, the page's
(each group's ``LiveLink``), and a move through ``move(name, number)``, the page's
(``Store.change_day``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day, DayError, DayGroup
from codevwidgets.core.day_overview import (
    call_time_for_all,
    furthest_behind,
    next_for_all,
    pause_for_all,
    pauses,
    ready_count,
    time_remains,
)
from codevwidgets.core.roles import RolesError
from codevwidgets.core.session import STORE_UNREACHABLE, Event, Session, SessionError
from codevwidgets.core.signals import hand_queue, present, signaller
from codevwidgets.core.theme import Theme
from codevwidgets.widgets._view import (
    TIMER_KINDS,
    Follower,
    Texts,
    brand,
    clock_text,
    close_page,
    literal,
    refusal,
    show,
    stylesheet,
    touches,
)
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.day_screen import room_screen_url
from codevwidgets.widgets.join import join_widget
from codevwidgets.widgets.step_header import StepHeader

__all__ = ["DayOverview", "GroupTile", "TileGroup"]

GroupAct = Callable[[int, Command], None]
"""Sends a command to group ``number``'s session; raises as ``Act`` does."""
Move = Callable[[str, int], Day]
"""Moves a person to group ``number``: the day as stored after; ``DayError`` refused."""

# What a tile shows changes with these (a follower's sync names the parts it changed).
TILE_CHANGES = (TIMER_KINDS | {"signals", "roles"}, {"signals", "step", "timer", "roles"})


@dataclass(frozen=True)
class TileGroup:
    """What a tile needs of a group: the day's group, its session (kept at the store's latest
    by the page) and the link to its console."""

    group: DayGroup
    session: Session
    console_url: str


class GroupTile(Follower, widgets.VBox):
    """One group (``codev-day-group``): its number and facilitator, its step, its countdown
    (the deadline its own pages show), who is ready, the hands raised, who is connected, its
    members, and a link to its console."""

    def __init__(
        self, group: TileGroup, texts: Texts, members: Sequence[str], clock: Clock = system_clock
    ) -> None:
        self.session, self.texts, self.clock = group.session, texts, clock
        self.number = group.group.number
        self.heading = literal(widgets.HTML().add_class("codev-day-group-heading"))
        self._heading(group.group)
        self.step = StepHeader(self.session, texts)
        self.countdown = Countdown(clock=clock, language=texts.language).show(self.session)
        self.ready = widgets.Label().add_class("codev-ready-count")
        self.hands = literal(widgets.Label().add_class("codev-day-hands"))
        self.presence = literal(widgets.Label().add_class("codev-day-presence"))
        self.members = literal(widgets.Label().add_class("codev-day-members"))
        link = html.escape(group.console_url)
        self.console = widgets.HTML(
            f'<a class="codev-day-console" href="{link}" target="_blank">'
            f"{html.escape(texts('day_overview.open_console'))}</a>"
        )
        super().__init__(
            [
                self.heading,
                self.step,
                self.countdown,
                self.ready,
                self.hands,
                self.presence,
                self.members,
                self.console,
            ]
        )
        self.add_class("codev-day-group")
        self.show_members(members)
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"GroupTile(number={self.number}, session={self.session.id!r})"

    def _heading(self, group: DayGroup) -> None:
        t = self.texts
        who = (
            t("day_overview.facilitator", name=group.facilitator)
            if group.facilitator
            else t("day_overview.lead")
        )
        self.heading.value = (
            f"<b>{html.escape(t('day_overview.group', number=group.number))}</b>"
            f' <span class="codev-day-facilitator">{html.escape(who)}</span>'
        )

    def show_members(self, members: Sequence[str]) -> None:
        t = self.texts
        self.members.value = (
            t("day_overview.members", names=", ".join(members))
            if members
            else t("day_overview.no_members")
        )

    def _on_event(self, event: Event) -> None:
        if touches(event, *TILE_CHANGES):
            self.refresh()

    def refresh(self) -> None:
        """Who is ready, the hands, who is connected (also on the page's beat: presence moves
        no revision, and a page that stopped beating leaves the list)."""
        session, t = self.session, self.texts
        ready, of = ready_count(session.signals, session.roles, session.current_step.id)
        self.ready.value = t("signals.ready_count", ready=ready, total=of)
        unnamed = t("signals.unnamed")
        queue = [signaller(s, unnamed) for s in hand_queue(session.signals)]
        self.hands.value = (
            t("day_overview.hands", names=", ".join(queue)) if queue else t("day_overview.no_hands")
        )
        here = present(session.signals, self.clock())
        names = ", ".join(dict.fromkeys(signaller(s, unnamed) for s in here))
        self.presence.value = t("day_overview.connected", count=len(here), names=names).rstrip(": ")
        # The tile tells its state to the stylesheet: a paused or finished group is seen at once.
        for status in ("ready", "running", "paused", "finished"):
            toggle = self.add_class if status == session.status else self.remove_class
            toggle(f"codev-day-group--{status}")


class DayOverview(widgets.VBox):
    """The lead's page: one ``GroupTile`` per group, the group furthest behind first; the
    room's link and QR code; next step, pause or resume for all; moving a person.

    Examples
    --------
    >>> overview = DayOverview(day, groups, texts, room_url, act, move)  # doctest: +SKIP
    >>> overview.next_all.click()  # asks first (codev-confirm) while a group has time left
    """

    def __init__(
        self,
        day: Day,
        groups: Sequence[TileGroup],
        texts: Texts,
        room_url: str,
        act: GroupAct,
        move: Move,
        *,
        theme: Theme | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.day, self.texts, self.act, self.move_to = day, texts, act, move
        # The page's links to the store, one per group (``LiveLink``): stopped on close.
        self.links: Sequence[Any] = ()
        self.tiles = {
            g.group.number: GroupTile(g, texts, day.members(g.group.number), clock) for g in groups
        }
        self.sessions = {number: tile.session for number, tile in self.tiles.items()}
        t = texts
        self.next_all = self._button(
            t("day_overview.next_all"), "forward", self.ask_next, "primary"
        )
        self.next_all.add_class("codev-day-next-all")
        self.confirm = self._button("", "check", self.next_for_all, "warning")
        self.confirm.add_class("codev-confirm")
        show(self.confirm, False)
        self.pause_all = self._button("", "pause", self.pause_or_resume)
        self.pause_all.add_class("codev-day-pause-all")
        self.call_time = self._button(
            t("day_overview.call_time"), "bullhorn", self.call_time_for_all
        )
        self.call_time.add_class("codev-day-call-time")
        buttons: list[widgets.Widget] = [
            self.next_all, self.confirm, self.pause_all, self.call_time,
        ]  # fmt: skip
        self.message = literal(
            widgets.Label().add_class("codev-error").add_class("codev-day-message")
        )
        self.grid = widgets.Box().add_class("codev-day-grid")
        self.room = join_widget(texts, room_url).add_class("codev-day-room")
        # The hall's projector shows the room's QR code alone, in a tab of its own.
        screen = html.escape(room_screen_url(room_url))
        self.screen = widgets.HTML(
            f'<a class="codev-day-screen" href="{screen}" target="_blank">'
            f"{html.escape(t('day_overview.screen_link'))}</a>"
        )
        self.person = widgets.Dropdown(description=t("day_overview.move_person"))
        self.person.add_class("codev-day-move-person")
        self.target = widgets.Dropdown(
            description=t("day_overview.move_group"),
            options=[(t("day_overview.group", number=n), n) for n in sorted(self.tiles)],
        )
        self.target.add_class("codev-day-move-group")
        self.move_button = self._button(t("day_overview.move"), "exchange", self.move_selected)
        self.move_button.add_class("codev-day-move")
        self.moved = literal(widgets.Label().add_class("codev-day-moved"))
        moving = widgets.VBox(
            [
                widgets.Label(t("day_overview.move_title")).add_class("codev-heading"),
                self.person,
                self.target,
                self.move_button,
                self.moved,
            ]
        ).add_class("codev-day-move-panel")
        header = widgets.HBox(
            [
                brand(texts.runbook, texts),
                literal(widgets.Label(day.title or t("day_overview.title"))).add_class(
                    "codev-day-title"
                ),
                widgets.HBox(buttons).add_class("codev-day-buttons"),
            ]
        ).add_class("codev-header")
        main = widgets.Box(
            [self.grid, widgets.VBox([self.room, self.screen, moving]).add_class("codev-day-side")]
        ).add_class("codev-day-main")
        self.theme = theme or texts.runbook.theme
        super().__init__([stylesheet(texts.runbook, self.theme), header, self.message, main])
        self.add_class("codev-console").add_class("codev-day").add_class(
            f"codev-theme-{self.theme}"
        )
        self.show_day(day)
        for session in self.sessions.values():
            session.on_change(self._on_event)
        self.refresh()

    def __repr__(self) -> str:
        return f"DayOverview(day={self.day.id!r}, groups={len(self.tiles)})"

    def _button(
        self, text: str, icon: str, action: Callable[[], None], style: str = ""
    ) -> widgets.Button:
        button = widgets.Button(description=text, icon=icon, button_style=style)
        button.layout.width = "auto"
        button.on_click(lambda _: action())
        return button

    # -- actions: the rules are core.day_overview's -----------------------------------------

    def ask_next(self) -> None:
        """ "Next step for all": asks first (``codev-confirm``) while a group has time left."""
        remaining = time_remains(self.sessions)
        if remaining > 0:
            self.confirm.description = self.texts(
                "day_overview.confirm", remaining=clock_text(remaining)
            )
            show(self.confirm, True)
            return
        self.next_for_all()

    def next_for_all(self) -> None:
        show(self.confirm, False)
        self._send_all(next_for_all(self.sessions))

    def pause_or_resume(self) -> None:
        self._send_all(pause_for_all(self.sessions))

    def call_time_for_all(self) -> None:
        """ "Call time": "5 minutes left" on every page of every running group, for a minute."""
        self._send_all(call_time_for_all(self.sessions))

    def _send_all(self, commands: dict[int, Command]) -> None:
        """Each group's command; a refusal is one line naming its group, the others go on."""
        said = []
        for number, command in commands.items():
            try:
                self.act(number, command)
            except RolesError as exc:
                reason = " ".join(self.texts(key) for key in exc.keys)
                said.append(self.texts("day_overview.refused", number=number, reason=reason))
            except SessionError as exc:
                reason = refusal(self.texts, exc)
                if reason:
                    said.append(self.texts("day_overview.refused", number=number, reason=reason))
            except ValueError as exc:
                said.append(self.texts("day_overview.refused", number=number, reason=str(exc)))
        self.message.value = " ".join(said)
        self.refresh()

    def move_selected(self) -> None:
        """Move the person chosen to the group chosen; a refusal is the line under it."""
        name, number = self.person.value, self.target.value
        if not name or number is None:
            return
        try:
            day = self.move_to(name, number)
        except DayError as exc:
            self.moved.value = str(exc)
            self.moved.add_class("codev-error")
            return
        except SessionError as exc:  # the store did not answer: nothing moved
            self.moved.value = refusal(self.texts, exc) or self.texts(STORE_UNREACHABLE)
            self.moved.add_class("codev-error")
            return
        self.moved.remove_class("codev-error")
        self.moved.value = self.texts("day_overview.moved", name=name, number=number)
        self.show_day(day)

    # -- view -------------------------------------------------------------------------------

    def show_day(self, day: Day) -> None:
        """The day as stored now (a move, a latecomer): each tile's members, the people one
        can move."""
        self.day = day
        for number, tile in self.tiles.items():
            tile.show_members(day.members(number))
        chosen = self.person.value
        options = [
            (self.texts("day_overview.person_in", name=p.name, number=p.group), p.name)
            for p in sorted(day.people, key=lambda p: p.name.casefold())
        ]
        names = [name for _, name in options]
        self.person.options = options
        # The one chosen before, if still there; else the first (never an empty choice).
        self.person.value = chosen if chosen in names else (names[0] if names else None)

    def _on_event(self, event: Event) -> None:
        if touches(event, *TILE_CHANGES):
            self.refresh()

    def refresh(self) -> None:
        """The tiles in order (the group furthest behind first), and the pause button's
        word."""
        order = [self.tiles[n] for n in furthest_behind(self.sessions)]
        if list(self.grid.children) != order:
            self.grid.children = order
        key = "day_overview.pause_all" if pauses(self.sessions) else "day_overview.resume_all"
        self.pause_all.description = self.texts(key)
        self.pause_all.icon = "pause" if pauses(self.sessions) else "play"

    def beat(self) -> None:
        """The page's beat: each tile recounts who is connected."""
        for tile in self.tiles.values():
            tile.refresh()

    def close(self) -> None:
        for session in self.sessions.values():
            session.on_change(self._on_event, remove=True)
        # The page's links to the store (one per group), if it gave them.
        for link in self.links:
            link.stop()
        close_page(self)
        super().close()
