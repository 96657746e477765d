"""The join panel: the participants' link and its QR code, the projector's link, and the
facilitator's own link."""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable

import ipywidgets as widgets
import segno

from codevwidgets.widgets._view import Texts, literal, show

logger = logging.getLogger(__name__)

OpenRoom = Callable[[], tuple[str, str]]
"""Starts (or reuses) the room's server: ``-> (participants' URL, projector's URL)``."""

Run = Callable[[Callable[[], None]], None]
"""How the room's server is started: in a thread of its own on a page, at once in a test."""


def in_thread(job: Callable[[], None]) -> None:
    # Voilà takes seconds to start: the kernel keeps answering the console meanwhile.
    threading.Thread(target=job, name="codev-room", daemon=True).start()


def join_widget(texts: Texts, participant_url: str) -> widgets.HTML:
    """The participants' link and its QR code (``codev-join``): on the console and on the
    projector."""
    # segno writes the SVG itself; no text typed by a person goes into it unescaped. With
    # a viewBox and no size, it fills the 12rem the stylesheet gives it (across a room).
    qr = segno.make(participant_url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    link = html.escape(participant_url)
    return widgets.HTML(
        f"<b>{html.escape(texts('live.join'))}</b>"
        f'<div class="codev-join-link"><a href="{link}" target="_blank">{link}</a></div>'
        f'<div class="codev-qr">{qr}</div>'
    ).add_class("codev-join")


class JoinPanel(widgets.VBox):
    """Shown on the facilitator's console so participants can join; ``projector_url`` (if
    any): the page to open on the room's screen."""

    def __init__(
        self,
        texts: Texts,
        participant_url: str,
        facilitator_url: str,
        projector_url: str | None = None,
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
        parts: list[widgets.Widget] = [self.join_box]
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
        super().__init__([*parts, self.own])
        self.add_class("codev-join-panel")

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
        join = join_widget(self.texts, participants)
        self.join_box.children = [join]
        self.join = join
        if hasattr(self, "projector"):
            self.projector.value = self._projector_html(projector)
        show(self.room, False)
        show(self.room_status, False)

    def __repr__(self) -> str:
        return "JoinPanel()"
