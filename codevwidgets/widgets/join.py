"""The join panel: the participants' link and its QR code, and the facilitator's own link."""

from __future__ import annotations

import html

import ipywidgets as widgets
import segno

from codevwidgets.widgets._view import Texts


class JoinPanel(widgets.VBox):
    """Shown on the facilitator's console (and on the projector) so participants can join."""

    def __init__(self, texts: Texts, participant_url: str, facilitator_url: str) -> None:
        self.participant_url, self.facilitator_url = participant_url, facilitator_url
        # segno writes the SVG itself; no text typed by a person goes into it unescaped. With
        # a viewBox and no size, it fills the 12rem the stylesheet gives it (across a room).
        qr = segno.make(participant_url, error="m").svg_inline(scale=4, border=2, omitsize=True)
        link = html.escape(participant_url)
        own = html.escape(facilitator_url)
        self.join = widgets.HTML(
            f"<b>{html.escape(texts('live.join'))}</b>"
            f'<div class="codev-join-link"><a href="{link}" target="_blank">{link}</a></div>'
            f'<div class="codev-qr">{qr}</div>'
        ).add_class("codev-join")
        self.own = widgets.HTML(
            f"<details><summary>{html.escape(texts('live.own_link'))}</summary>"
            f'<div class="codev-own-link">{own}</div></details>'
        ).add_class("codev-own")
        super().__init__([self.join, self.own])
        self.add_class("codev-join-panel")

    def __repr__(self) -> str:
        return "JoinPanel()"
