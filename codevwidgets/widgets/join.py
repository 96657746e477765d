"""The join panel: the participants' link and its QR code, the projector's link, and the
facilitator's own link."""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets
import segno

from codevwidgets.widgets._view import Texts, literal


def _qr(url: str) -> str:
    # segno writes the SVG itself; no text typed by a person goes into it unescaped. With
    # a viewBox and no size, it fills the box the stylesheet gives it.
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True))


def person_links(texts: Texts, people: Sequence[tuple[str, str]]) -> widgets.HTML:
    """Each member's own link (the participant link with ``&name=``) and its QR code, folded
    away (``codev-person-links``): the facilitator sends or shows one to each person, who
    then joins without being asked who they are."""
    rows = "".join(
        f'<div class="codev-person-link"><b class="codev-person-name">{html.escape(name)}</b>'
        f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a>'
        f'<div class="codev-person-qr">{_qr(url)}</div></div>'
        for name, url in people
    )
    summary = html.escape(texts("join.personal_links"))
    return literal(
        widgets.HTML(f"<details><summary>{summary}</summary>{rows}</details>").add_class(
            "codev-person-links"
        )
    )


def join_widget(texts: Texts, participant_url: str) -> widgets.HTML:
    """The participants' link and its QR code (``codev-join``): on the console and on the
    projector."""
    qr = _qr(participant_url)  # 12rem on the console and the projector (across a room)
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
        self.people = person_links(texts, people) if people else None
        if self.people is not None:
            parts.append(self.people)
        super().__init__([*parts, self.own])
        self.add_class("codev-join-panel")

    def __repr__(self) -> str:
        return "JoinPanel()"
