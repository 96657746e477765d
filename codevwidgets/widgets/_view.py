"""Small helpers shared by the views: localised text, showing and hiding, escaping."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import ipywidgets as widgets

from codevwidgets.core.branding import logo_src
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import LocalText, Runbook
from codevwidgets.core.session import STORE_UNREACHABLE, Event, Session, SessionError
from codevwidgets.core.theme import Theme, palette

W = TypeVar("W", bound=widgets.DOMWidget)

Shown = Callable[[], str]
"""The id of the step a page shows (step-bound commands name it: see ``commands``)."""


class Texts:
    """Interface text (catalog) and runbook text, both in the page's language."""

    def __init__(self, runbook: Runbook, language: str) -> None:
        self.runbook = runbook
        self.language = language
        self.t = Translator(language)

    def __call__(self, key: str, **values: object) -> str:
        return self.t(key, **values)

    def of(self, value: LocalText | None) -> str:
        return "" if value is None else self.runbook.text(value, self.language)


class Echo:
    """Marks, in the thread doing it, that a view is putting stored values into its own fields.

    Setting a field fires its observers in the same thread: they skip sending the value back
    while ``active``. Per thread, because the store's watcher thread sets fields while the
    widgets' thread handles keystrokes: a keystroke arriving meanwhile must still be sent.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def active(self) -> bool:
        return bool(getattr(self._local, "on", False))

    @contextmanager
    def __call__(self) -> Iterator[None]:
        self._local.on = True
        try:
            yield
        finally:
            self._local.on = False


class Follower:
    """A view that follows a session's events, and stops following when it is closed.

    Mixed in before the ipywidgets class: ``close()`` unsubscribes, then closes the widget, so
    a page that replaces a view leaves no callback behind holding it alive.
    """

    session: Session

    def _follow(self) -> None:
        self.session.on_change(self._on_event)

    def _on_event(self, event: Event) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.session.on_change(self._on_event, remove=True)
        super().close()  # type: ignore[misc]


def close_all(items: Iterable[widgets.Widget]) -> None:
    """Close widgets a view no longer shows, with everything inside them."""
    for item in items:
        close_all(getattr(item, "children", ()))
        close_parts(item)
        item.close()


def close_parts(widget: widgets.Widget) -> None:
    """ipywidgets' close() leaves a widget's Layout and Style widgets open (and kept in its
    registry for ever): close them."""
    for part in ("layout", "style"):
        if isinstance(getattr(widget, part, None), widgets.Widget):
            getattr(widget, part).close()


# Events that move the step or its timer (a local session's; a follower gets "synced").
TIMER_KINDS = {"started", "step", "paused", "resumed", "extended", "finished"}


def close_page(page: widgets.Box) -> None:
    """A page's parts closed and its link to the store (``page.link``, if any) stopped."""
    link = getattr(page, "link", None)
    if link is not None:
        link.stop()
    close_all(page.children)
    close_parts(page)


def touches(event: Event, kinds: set[str], parts: set[str]) -> bool:
    """Whether ``event`` concerns a view: one of its own ``kinds``, or a follower's sync
    (``apply_state``) that changed one of its ``parts``."""
    if event.kind == "synced":
        return bool(parts.intersection(event.data.get("changed", ())))
    return event.kind in kinds


def refusal(texts: Texts, exc: SessionError) -> str:
    """What a view says when its command was refused: the refusal's text, in the page's
    language; nothing for a store that did not answer (the console says that at its top)."""
    if exc.key == STORE_UNREACHABLE:
        return ""
    return texts(exc.key, **exc.values) if exc.key else str(exc)


ENDED = "codev-ended"
"""The class of the one line a page shows once its session was deleted from the store."""
ENDED_AWAY = "codev-ended-away"  # the parts it hides (console.css)


def ended_line(text: str) -> widgets.HTML:
    """The line (``ENDED``) saying ``text``: the session has ended, or was deleted."""
    return literal(widgets.HTML(ended_html(text))).add_class(ENDED)


def ended_html(text: str) -> str:
    """What the ended line shows for ``text`` (to say something else in the same line)."""
    return f'<div role="alert">{html.escape(text)}</div>'


def end_page(page: widgets.Box, text: str, kept: int) -> widgets.HTML:
    """Show, on ``page`` whose session was deleted from the store, one line saying ``text``
    right under its first ``kept`` parts (its stylesheet and brand, which stay) and hide every
    other part: nothing left on the page writes, and no stale step or timer misleads.

    A page ended already (ended, then deleted) keeps its one line, which says ``text`` now."""
    for child in page.children[kept:]:
        if ENDED in getattr(child, "_dom_classes", ()):
            child.value = ended_html(text)
            return child
    line = ended_line(text)
    with page.hold_sync():
        for child in page.children[kept:]:
            show(child, False)
            # A part whose own CSS forces its display (the console's grid) goes too.
            child.add_class(ENDED_AWAY)
        page.children = (*page.children[:kept], line, *page.children[kept:])
    return line


def show(widget: widgets.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


def escaped_list(items: Iterable[str], css: str = "") -> str:
    """An HTML list of plain texts; every text is escaped (runbooks are not trusted HTML)."""
    rows = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f'<ul class="{css}">{rows}</ul>' if rows else ""


def clock_text(seconds: float) -> str:
    """``605`` → ``10:05``; negative → ``+m:ss`` overtime."""
    sign = "+" if seconds < 0 else ""
    whole = int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


def ticking_text(seconds: float, now: float, *, ticks: bool = True) -> str:
    """``clock_text(seconds)`` as HTML; with ``ticks``, a span that the page's countdown
    moves on by itself each second (countdown.js, in the kernel's time): a waiting time or
    the current speaker's time goes on between two changes with no message per second."""
    text = clock_text(seconds)
    if not ticks:
        return text
    since_ms = round((now - seconds) * 1000)
    return f'<span class="codev-ticking" data-since-ms="{since_ms}">{text}</span>'


def roles_summary(roles: Roles | None, texts: Texts) -> str:
    """Who is who, as escaped HTML lines (names are typed by people)."""
    if roles is None:
        return ""
    rows = [
        ("client", [roles.client]),
        ("facilitator", [roles.facilitator]),
        ("advisors", list(roles.advisors)),
        ("note_taker", [roles.note_taker] if roles.note_taker else []),
        ("observers", list(roles.observers)),
    ]
    return "".join(
        f"<div><b>{html.escape(texts(f'role.{role}'))}</b> — {html.escape(', '.join(names))}</div>"
        for role, names in rows
        if names
    )


STYLESHEET = Path(__file__).with_name("console.css")


def stylesheet(runbook: Runbook, theme: Theme | None = None) -> widgets.HTML:
    """The kit's CSS, in ``theme`` (default: the runbook's), with the client's colours made
    readable in it (they are validated as #rrggbb at load).

    The colours also go to the whole Voilà page (``body[data-voila]``), so that a dark page is
    dark to its edges whatever Voilà's own theme.
    """
    return widgets.HTML(theme_style(theme or runbook.theme, runbook))


PAGE_SCOPE = ".codev-console, body[data-voila]"


def theme_style(theme: Theme, runbook: Runbook | None = None, scope: str = PAGE_SCOPE) -> str:
    """The kit's CSS as a ``<style>`` element: ``theme``'s palette, with ``runbook``'s brand
    colours if one is given; for the pages with no runbook of their own (an error, the cycle,
    the editor) as for the console.

    ``scope``: the elements the colours go to, the console and the whole Voilà page; the
    editor's ``html body[data-voila]`` wins over the ``body`` of the participant page it
    previews in the runbook's own theme (that page keeps its colours in its own box).
    """
    colours = runbook.branding.colours if runbook is not None else None
    chosen = palette(
        theme,
        colours.primary if colours else None,
        colours.accent if colours else None,
    )
    extra = f"{scope} {{{chosen.css_variables()}}}"
    if chosen.theme == "dark":
        # Large text for a projector: every size in rem grows with the root's.
        extra += "@media (min-width: 900px) { html:has(> body[data-voila]) { font-size: 20px; } }"
    return f"<style>{STYLESHEET.read_text(encoding='utf-8')}{extra}</style>"


def brand(runbook: Runbook, texts: Texts) -> widgets.HBox:
    """The client's logo (if any) and title, as every page shows them at its top.

    The logo is an ``<img>`` of its embedded ``data:`` URI, never inline markup (an SVG shown
    as an image runs no script); its text alternative is empty, as the title beside it says
    the same.
    """
    title = texts.of(runbook.branding.title) or texts("app.title")
    parts: list[widgets.Widget] = []
    src = logo_src(runbook.branding.logo)
    if src is not None:
        image = f'<img src="{html.escape(src)}" alt="" class="codev-logo">'
        parts.append(widgets.HTML(image).add_class("codev-brand-logo"))
    parts.append(literal(widgets.Label(title).add_class("codev-brand")))
    return widgets.HBox(parts).add_class("codev-brand-row")


# Jupyter pages typeset labels with MathJax: a participant's "$5 or $10" would become a formula.
# These classes make MathJax 3 (JupyterLab, Voilà) and MathJax 2 leave an element's text as is.
NO_MATH = ("mathjax_ignore", "tex2jax_ignore")


def literal(widget: W) -> W:
    """``widget`` with its text kept literal: never typeset as mathematics."""
    # One assignment, one message to the page (add_class twice would send two).
    missing = tuple(name for name in NO_MATH if name not in widget._dom_classes)
    if missing:
        widget._dom_classes = (*widget._dom_classes, *missing)
    return widget


def hidden_layout() -> dict[str, str]:
    """A new widget's ``layout`` that starts hidden: in the message that opens it, rather
    than one more message right after (``show(widget, False)``)."""
    return {"display": "none"}
