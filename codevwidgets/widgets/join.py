"""The join panel: the participants' link and its QR code, the projector's link, and the
facilitator's own link."""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import ipywidgets as widgets
import segno

from codevwidgets.core.address import ROOM_COMMAND, loopback_host
from codevwidgets.widgets._view import Texts, hidden_layout, literal, show

logger = logging.getLogger(__name__)

OpenRoom = Callable[[], tuple[str, str]]
"""Starts (or reuses) the room's server: ``-> (participants' URL, projector's URL)``."""

Run = Callable[[Callable[[], None]], None]
"""How the room's server is started: in a thread of its own on a page, at once in a test."""


def in_thread(job: Callable[[], None]) -> None:
    # Voilà takes seconds to start: the kernel keeps answering the console meanwhile.
    threading.Thread(target=job, name="codev-room", daemon=True).start()


def qr_svg(url: str) -> str:
    # segno writes the SVG itself; no text typed by a person goes into it unescaped. With
    # a viewBox and no size, it fills the box the stylesheet gives it.
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True))


def person_links_html(texts: Texts, people: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f'<div class="codev-person-link"><b class="codev-person-name">{html.escape(name)}</b>'
        f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a>'
        f'<div class="codev-person-qr">{qr_svg(url)}</div></div>'
        for name, url in people
    )
    summary = html.escape(texts("join.personal_links"))
    return f"<details><summary>{summary}</summary>{rows}</details>"


def person_links(texts: Texts, people: Sequence[tuple[str, str]]) -> widgets.HTML:
    """Each member's own link (the participant link with ``&name=``) and its QR code, folded
    away (``codev-person-links``): the facilitator sends or shows one to each person, who
    then joins without being asked who they are."""
    html_text = person_links_html(texts, people)
    return literal(widgets.HTML(html_text).add_class("codev-person-links"))


def join_widget(texts: Texts, participant_url: str) -> widgets.HTML:
    """The participants' link and its QR code (``codev-join``): on the console and on the
    projector."""
    qr = qr_svg(participant_url)  # 12rem on the console and the projector (across a room)
    link = html.escape(participant_url)
    return widgets.HTML(
        f"<b>{html.escape(texts('live.join'))}</b>"
        f'<div class="codev-join-link"><a href="{link}" target="_blank">{link}</a></div>'
        f'<div class="codev-qr">{qr}</div>'
    ).add_class("codev-join")


class JoinPanel(widgets.VBox):
    """Shown on the facilitator's console so participants can join; ``projector_url`` (if
    any): the page to open on the room's screen; ``people``: each member's name and personal
    link (none: no personal links)."""

    def __init__(
        self,
        texts: Texts,
        participant_url: str,
        facilitator_url: str,
        projector_url: str | None = None,
        people: Sequence[tuple[str, str]] = (),
        *,
        open_room: OpenRoom | None = None,
        run: Run = in_thread,
    ) -> None:
        """``open_room`` (JupyterLab, where the links are relative): an "Open to
        participants" button that puts the room's server's links in their place."""
        self.texts, self.open_room, self.run = texts, open_room, run
        self.participant_url, self.facilitator_url = participant_url, facilitator_url
        self.projector_url = projector_url
        self.join = join_widget(texts, participant_url)
        own = html.escape(facilitator_url)
        self.own = widgets.HTML(
            f"<details><summary>{html.escape(texts('live.own_link'))}</summary>"
            f'<div class="codev-own-link">{own}</div></details>'
        ).add_class("codev-own")
        # In a box of its own: the room's server's link and QR code may take its place.
        self.join_box = widgets.VBox([self.join])
        # Said once, under the link a phone would fail to open (codev serve's default address).
        self.hint = literal(widgets.HTML(layout=hidden_layout()).add_class("codev-join-hint"))
        self._hint_for(participant_url)
        parts: list[widgets.Widget] = [self.join_box, self.hint]
        if projector_url is not None:
            # Holds the join code only, never the key: safe to show on the console.
            self.projector = widgets.HTML(self._projector_html(projector_url))
            self.projector.add_class("codev-projector-links")
            parts.append(self.projector)
        if open_room is not None:
            self.room = widgets.Button(
                description=texts("live.open_room"), icon="wifi", layout={"width": "auto"}
            ).add_class("codev-open-room")
            self.room.on_click(lambda _: self.click_open_room())
            self.room_status = literal(widgets.Label().add_class("codev-room-status"))
            show(self.room_status, False)
            parts = [self.room, self.room_status, *parts]
        self.people_names = [name for name, _ in people]
        self.people = person_links(texts, people) if people else None
        if self.people is not None:
            parts.append(self.people)
        super().__init__([*parts, self.own])
        self.add_class("codev-join-panel")

    def _hint_for(self, participant_url: str) -> None:
        host = loopback_host(participant_url)
        if host is not None:
            # The whole line escaped (a catalog's text is not HTML), then the command as code.
            line = html.escape(self.texts("live.loopback", host=host, command="\0"))
            self.hint.value = line.replace("\0", f"<code>{html.escape(ROOM_COMMAND)}</code>")
        show(self.hint, host is not None)

    def _projector_html(self, url: str) -> str:
        shown = html.escape(url)
        return (
            f"<b>{html.escape(self.texts('live.projector'))}</b>"
            f'<div class="codev-projector-link">'
            f'<a href="{shown}" target="_blank">{shown}</a></div>'
        )

    def click_open_room(self) -> None:
        """Start (or reuse) the room's server, then show its links; a click while it starts
        does nothing."""
        if self.open_room is None or self.room.disabled:
            return
        self.room.disabled = True
        self.room_status.remove_class("codev-error").add_class("codev-hint")
        self.room_status.value = self.texts("live.room_starting")
        show(self.room_status, True)
        self.run(self._open)

    def _open(self) -> None:
        assert self.open_room is not None
        try:
            participants, projector = self.open_room()
        except Exception as exc:  # whatever went wrong, a line on the page, never a traceback
            logger.exception("the room's server could not start")
            lines = str(exc).strip().splitlines()
            self.room_status.remove_class("codev-hint").add_class("codev-error")
            self.room_status.value = self.texts(
                "live.room_failed", reason=lines[0] if lines else type(exc).__name__
            )
            self.room.disabled = False
            return
        self.participant_url, self.projector_url = participants, projector
        join, old = join_widget(self.texts, participants), self.join
        self.join_box.children = [join]
        self.join = join
        old.close()
        self._hint_for(participants)
        if hasattr(self, "projector"):
            self.projector.value = self._projector_html(projector)
        if self.people is not None:  # each member's link, on the room's server too
            people = [(n, f"{participants}&{urlencode({'name': n})}") for n in self.people_names]
            self.people.value = person_links_html(self.texts, people)
        show(self.room, False)
        show(self.room_status, False)

    def __repr__(self) -> str:
        return "JoinPanel()"
