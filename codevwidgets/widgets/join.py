"""The join panel: the participants' link and its QR code, the projector's link, and the
facilitator's own link."""

from __future__ import annotations

import html

import ipywidgets as widgets
import segno

from codevwidgets.widgets._view import Texts


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
    ) -> None:
        self.participant_url, self.facilitator_url = participant_url, facilitator_url
        self.projector_url = projector_url
        self.join = join_widget(texts, participant_url)
        own = html.escape(facilitator_url)
        self.own = widgets.HTML(
            f"<details><summary>{html.escape(texts('live.own_link'))}</summary>"
            f'<div class="codev-own-link">{own}</div></details>'
        ).add_class("codev-own")
        parts: list[widgets.Widget] = [self.join]
        if projector_url is not None:
            # Holds the join code only, never the key: safe to show on the console.
            shown = html.escape(projector_url)
            self.projector = widgets.HTML(
                f"<b>{html.escape(texts('live.projector'))}</b>"
                f'<div class="codev-projector-link">'
                f'<a href="{shown}" target="_blank">{shown}</a></div>'
            ).add_class("codev-projector-links")
            parts.append(self.projector)
        super().__init__([*parts, self.own])
        self.add_class("codev-join-panel")

    def __repr__(self) -> str:
        return "JoinPanel()"
