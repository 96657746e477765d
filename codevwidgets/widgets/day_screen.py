"""The room's screen of a day (``join.ipynb?day=ID&code=CODE&screen=1``): what the hall's
projector shows while people arrive.

The day's title, the room's link as a very large QR code and in large text, one line saying
what to do, and nothing else: no "who are you?", no names, no group. The room's code already
opens the day's names on the room's page; a screen seen by the whole hall shows none. The page
is read-only and follows nothing: it is drawn once and costs the kernel no link to the store.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import ipywidgets as widgets

from codevwidgets.core.theme import Theme
from codevwidgets.widgets._view import Texts, close_page, literal, stylesheet

__all__ = ["SCREEN", "RoomScreen", "room_screen_url", "wants_screen"]

SCREEN = "screen"
"""The room's link's parameter that asks for the screen (``&screen=1``)."""


def wants_screen(query: dict[str, str]) -> bool:
    """Whether the room's link asks for the room's screen rather than "who are you?".

    >>> wants_screen({"day": "d", "code": "c", "screen": "1"}), wants_screen({"day": "d"})
    (True, False)
    """
    return query.get(SCREEN, "") not in ("", "0")


def room_screen_url(room_url: str) -> str:
    """The room's screen's link: the room's link with ``screen=1`` (absolute or relative).

    >>> room_screen_url("http://h:8866/join.ipynb?day=d&code=c")
    'http://h:8866/join.ipynb?day=d&code=c&screen=1'
    """
    parts = urlsplit(room_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != SCREEN]
    return urlunsplit(parts._replace(query=urlencode([*query, (SCREEN, "1")])))


class RoomScreen(widgets.VBox):
    """The day's title, the room's link ``room_url`` as a QR code filling the screen's height,
    and the link in large text (``codev-room-screen``); dark unless ``theme`` says light.

    Examples
    --------
    >>> RoomScreen("Launch day", "http://h/join.ipynb?day=d&code=c", texts)  # doctest: +SKIP
    """

    def __init__(self, title: str, room_url: str, texts: Texts, theme: Theme = "dark") -> None:
        # Imported here: the room's page imports this module, and its kernels (one per person
        # in the hall) never load the QR code's library (segno).
        from codevwidgets.widgets.join import qr_svg

        self.room_url, self.theme = room_url, theme
        # Typed by a consultancy (the day's title): shown as text, never as markup or maths.
        self.title = literal(widgets.Label(title or texts("room_screen.title")))
        self.title.add_class("codev-room-screen-title")
        link = html.escape(room_url)
        self.qr = widgets.HTML(f'<div class="codev-qr">{qr_svg(room_url)}</div>')
        self.qr.add_class("codev-room-screen-qr")
        # Not ``link``: close_page stops a page's ``link`` (its link to the store).
        self.text = literal(
            widgets.HTML(
                f'<p class="codev-room-screen-hint">{html.escape(texts("room_screen.hint"))}</p>'
                f'<a class="codev-room-screen-link" href="{link}">{link}</a>'
            )
        ).add_class("codev-room-screen-text")
        body = widgets.Box([self.qr, self.text]).add_class("codev-room-screen-body")
        super().__init__([stylesheet(texts.runbook, theme), self.title, body])
        self.add_class("codev-console").add_class("codev-room-screen")
        self.add_class(f"codev-theme-{theme}")

    def __repr__(self) -> str:
        return f"RoomScreen(theme={self.theme!r})"

    def close(self) -> None:
        close_page(self)
        super().close()
