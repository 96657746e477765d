"""The lead's overview's composition root (``day.ipynb?day=ID&key=KEY``): checks the day's key,
opens the store, follows every group's session and builds the overview.

The day's key opens this page and derives each group's console link (``group_key_for``);
without it, one message and nothing of the day. One ``LiveLink`` per group keeps its tile at
the store's latest (a change feed each: a step change shows within the pages' latency
target); the day itself (a move, a latecomer) is read again when a group's session moves,
since a change of members bumps its session, and on the page's beat.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.core.commands import Command
from codevwidgets.core.day import Day, move_person
from codevwidgets.core.i18n import Translator
from codevwidgets.core.problems import InputError
from codevwidgets.core.theme import page_theme
from codevwidgets.pages.day_making import day_links
from codevwidgets.pages.kernel import keep_errors_on_the_server, served_by_voila
from codevwidgets.pages.params import await_visitor, page_language, query_parameters
from codevwidgets.pages.session import error_box, page_alive
from codevwidgets.store.base import DaySecrets, Store, StoreError, room_code_for
from codevwidgets.store.live import LiveLink, reaching
from codevwidgets.store.open import open_store
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.day_overview import DayOverview, TileGroup

__all__ = ["day_overview", "day_page"]

LOG = logging.getLogger(__name__)


def day_page(language: str = "en") -> widgets.Widget:
    """The lead's overview of the day ``?day=ID&key=KEY`` names; a wrong or missing key shows
    one message (``codev-error``) and nothing of the day. In JupyterLab without ``?day=``,
    the form that makes a day and then shows its overview (``day_form_page``); served by Voilà
    without it, one message: no visitor makes a day."""
    await_visitor()
    keep_errors_on_the_server()
    query = query_parameters()
    language = page_language(query, language)
    t = Translator(language)
    if "day" not in query:
        if served_by_voila():
            return error_box([t("day_overview.needs_link")], refuse=True)
        from codevwidgets.pages.day_form import day_form_page

        return day_form_page(day_overview, language)
    day_id, key = query["day"], query.get("key", "")
    try:
        store = open_store()
        if not store.check_day_key(day_id, key):
            return error_box([t("day_overview.bad_key")], refuse=True)
    except (ValueError, StoreError) as exc:
        return error_box([str(exc)])
    return day_overview(store, day_id, key, query, language)


def day_overview(
    store: Store, day_id: str, key: str, query: dict[str, str], language: str
) -> widgets.Widget:
    """The overview of day ``day_id`` (its key ``key`` already checked), following every
    group's session in ``store``; one message instead when the day cannot be shown."""
    t = Translator(language)
    links: list[LiveLink] = []
    try:
        stored_day = store.load_day(day_id)
        if stored_day is None:
            return error_box([t("day_overview.no_day", day=day_id)])
        day = stored_day.day
        # One builder of a day's links (the CLI's and the form's): the page's own address.
        day_urls = day_links(day, DaySecrets(day_id, key, room_code_for(key)))
        consoles = {number: url for number, _, url in day_urls.consoles}
        groups, books = [], []
        for group in day.groups:
            stored = store.load(group.session_id, private=True)
            if stored is None:  # a group's session deleted from the store: no tile for it
                continue
            session = stored.session()
            groups.append(TileGroup(group, session, consoles[group.number]))
            books.append(stored.runbook)
            # Private, as the group's console: who is connected is read from the console's rows.
            links.append(LiveLink(store, session, private=True, revision=stored.revision))
        if not groups:
            return error_box([t("day_overview.no_day", day=day_id)])
        book = books[0]  # one runbook for the day's groups: the page's brand and theme
    except InputError as exc:
        _stop(links)
        return error_box([str(problem) for problem in exc.problems])
    except (ValueError, StoreError) as exc:
        _stop(links)
        return error_box([str(exc)])
    language = page_language(query, day.language)
    by_number = {g.group.number: link for g, link in zip(groups, links, strict=True)}

    def act(number: int, command: Command) -> None:
        by_number[number].act(command)

    def move(name: str, number: int) -> Day:
        with reaching(day_id):  # a store that does not answer: the core's UnreachableError
            return store.change_day(day_id, lambda d: move_person(d, name, number)).day

    overview = DayOverview(
        day,
        groups,
        Texts(book, language),
        day_urls.room,
        act,
        move,
        theme=page_theme(query.get("theme"), book.theme),
    )
    beat = overview.tiles[min(overview.tiles)].countdown
    for link in links:
        link.alive = lambda: page_alive(beat)
    watch = DayWatch(overview, store, day_id, stored_day.revision)
    watch.alive = links[0].alive
    overview.links = [*links, watch]

    def on_beat() -> None:
        # Who is connected moves no revision: read on the page's beat, as the console does.
        for link in links:
            link.refresh()
        watch.check()
        overview.beat()

    beat.on_heard(on_beat)
    return overview


def _stop(links: list[LiveLink]) -> None:
    for link in links:
        link.stop()


class DayWatch:
    """Keeps the overview's day (members, the people one can move) at the store's: the day's
    revision read every ``every`` seconds in a thread of its own while the page lives, and on
    the page's beat. A latecomer or a move made on another server moves no session's state,
    so no group's change feed says so; one indexed read every few seconds does."""

    def __init__(
        self,
        overview: DayOverview,
        store: Store,
        day_id: str,
        revision: int,
        *,
        every: float = 2.0,
        start_thread: bool = True,
    ) -> None:
        self.overview, self.store, self.day_id, self.revision = overview, store, day_id, revision
        self.alive: Callable[[], bool] = lambda: True
        self._stop = threading.Event()
        self._every = every
        if start_thread:
            threading.Thread(target=self._run, name="codev-day", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            if not self.alive():
                return
            self.check()

    def check(self) -> None:
        """Show the day as stored, if it moved; a store that does not answer is logged."""
        try:
            if self.store.day_revision(self.day_id) <= self.revision:
                return
            stored = self.store.load_day(self.day_id)
        except StoreError as exc:  # the next look tries again
            LOG.warning("day %s: %s", self.day_id, exc)
            return
        if stored is not None:
            self.revision = stored.revision
            self.overview.show_day(stored.day)

    def stop(self) -> None:
        self._stop.set()
