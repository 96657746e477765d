"""The room's page of a day of many groups (``join.ipynb?day=ID&code=CODE``): the composition
root behind ``RoomPage``.

It checks the room's code, asks the day's names (nothing else of the day, and nothing of any
group, before the person has said who they are), places the person with ``core.day.join_day``
(a known person keeps their group; a newcomer goes to the group with most room) and builds
their group's participant page in this kernel, as a participant's link would
(``session.participant_for``). The room's code opens this page only: the kernel never derives
nor shows a group's code or key, and loads no group's session but the person's own.

A move by the lead (``core.day.move_person``) bumps the sessions of both groups: the page's
link to its group sees it, reads the day's revision (one small query) and, if the person's
group changed, shows the new group's page. The page's beat (its clock sync, about once a
minute) reads the revision too, in case the store was away when the move was made.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import ipywidgets as widgets

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.day import Day, DayError, join_day
from codevwidgets.core.i18n import Translator
from codevwidgets.core.limits import PageBudget
from codevwidgets.core.problems import InputError
from codevwidgets.core.runbook import Runbook, load_preset, resolve
from codevwidgets.core.session import SessionError
from codevwidgets.core.text import name_order
from codevwidgets.core.theme import page_theme
from codevwidgets.pages.day_making import ROOM_PAGE
from codevwidgets.pages.kernel import keep_errors_on_the_server
from codevwidgets.pages.params import await_visitor, page_language, page_url, query_parameters
from codevwidgets.pages.session import error_box, participant_for
from codevwidgets.store.base import Store, StoreError
from codevwidgets.store.open import open_store
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.day_join import RoomPage
from codevwidgets.widgets.day_screen import RoomScreen, wants_screen
from codevwidgets.widgets.participant import ParticipantView

__all__ = ["join_page"]

LOG = logging.getLogger(__name__)


def join_page(language: str = "en", *, clock: Clock = system_clock) -> widgets.Widget:
    """The room's page for ``?day=ID&code=CODE[&lang=LANG][&theme=dark|light]``: who are
    you, then your group's page; with ``&screen=1``, the room's screen for the hall's projector
    (the day's title and the room's QR code, nothing else). A wrong code or an unknown day: one
    message, nothing of the day. ``clock``: what the page's rate limits count time with
    (``PageBudget``)."""
    await_visitor()
    keep_errors_on_the_server()
    query = query_parameters()
    t = Translator(page_language(query, language))
    day_id = query.get("day", "")
    try:
        # No connection held before the page has connected (as a participant's page).
        store = open_store(connect_later=True)
        stored = store.load_day(day_id) if store.check_day_code(day_id, query.get("code")) else None
    except StoreError as exc:
        LOG.warning("a room page could not open the store: %s", exc)
        return error_box([t("participant.unreachable")], refuse=True)
    if stored is None:
        return error_box([t("join.room_bad_link")], refuse=True)
    day = stored.day
    language = page_language(query, day.language)
    book = _runbook(day)
    if wants_screen(query):
        return _screen(store, day, query, Texts(book, language))
    room = _Room(store, day, query, PageBudget(clock))
    page = RoomPage(
        day.id,
        Texts(book, language),
        book,
        page_theme(query.get("theme"), book.theme),
        # In alphabetical order: a person finds their name, whatever group it is in.
        sorted((p.name for p in day.people), key=name_order) if day.named else [],
        room.place,
        room.budget,
        day.title,
    )
    room.page = page
    return page


def _screen(store: Store, day: Day, query: dict[str, str], texts: Texts) -> widgets.Widget:
    """The room's screen for the hall's projector: the day's title and the room's link (the
    one people open, without ``&screen=1``) as a large QR code; dark unless the link asks for
    light. Drawn once: the store is closed, and nothing follows it."""
    store.close()
    room = page_url(ROOM_PAGE, {"day": day.id, "code": query["code"]})
    return RoomScreen(day.title, room, texts, page_theme(query.get("theme"), "dark"))


def _runbook(day: Day) -> Runbook:
    """The day's runbook, for the question's look (its brand and theme) only: read from its
    preset or file, not from a group's session, which would load that group's state into a
    kernel that may be another group's. A file gone since: the kit's look."""
    try:
        return resolve(day.runbook_ref)
    except (InputError, OSError, ValueError):
        return load_preset("classic")


class _Room:
    """What the room's page asks of the store: placing its person, building their group's
    page, and following them when the lead moves them."""

    def __init__(self, store: Store, day: Day, query: dict[str, str], budget: PageBudget):
        self.store, self.day_id, self.budget = store, day.id, budget
        # Only how the page looks goes on to the group's page: never the room's code.
        self.query: dict[str, str] = {k: query[k] for k in ("lang", "theme") if k in query}
        self.page: RoomPage | None = None
        self.session_id: str | None = None  # the group shown
        self.revision = 0  # the day's, when the group shown was chosen
        # The link's watcher thread and the page's beat may both look: one at a time.
        self._lock = threading.RLock()

    def place(self, name: str) -> widgets.Widget | str:
        """``name``'s group page (a newcomer joins the day first), or why not."""
        with self._lock:
            try:
                stored = self.store.load_day(self.day_id)
                if stored is not None and stored.day.person(name) is None:
                    # Only a newcomer writes: a reload of 48 pages takes no write lock.
                    stored = self.store.change_day(self.day_id, lambda d: join_day(d, name)[0])
            except DayError:
                return "join.bad_name"
            except KeyError:
                return "join.day_over"
            except StoreError as exc:
                LOG.warning("a room page could not reach the store: %s", exc)
                return "participant.unreachable"
            if stored is None:
                return "join.day_over"
            person = stored.day.person(name)
            assert person is not None  # known, or just joined
            self.revision = stored.revision
            return self._group_page(stored.day.group(person.group).session_id, person.name)

    def _group_page(self, session_id: str, name: str) -> widgets.Widget | str:
        try:
            stored = self.store.load(session_id, private=False)
            if stored is None:
                return "join.day_over"
            session = stored.session()
        except StoreError as exc:
            LOG.warning("a room page could not reach the store: %s", exc)
            return "participant.unreachable"
        except (InputError, ValueError):
            return "join.day_over"  # a group's session that cannot be rebuilt
        self.session_id = session_id
        return participant_for(
            self.store,
            stored,
            session,
            {**self.query, "name": name},
            self.budget,
            leave=self._leave,
            built=self._follow,
        )

    def _leave(self) -> None:
        # "Not you?" on the group's page: back to the day's names.
        if self.page is not None:
            self.page.ask()

    def _follow(self, view: ParticipantView) -> None:
        view.link.on_moved(self.moved)
        view.countdown.on_heard(self.moved)

    def moved(self) -> None:
        """If the day moved on (a move, a latecomer), whether the person's group changed:
        then their new group's page replaces the old one."""
        page = self.page
        if page is None or page.name is None:
            return
        with self._lock, contextlib.suppress(StoreError, SessionError):
            if self.store.day_revision(self.day_id) == self.revision:
                return
            stored = self.store.load_day(self.day_id)
            person = stored.day.person(page.name) if stored else None
            if stored is None or person is None:
                return
            session_id = stored.day.group(person.group).session_id
            if session_id != self.session_id:
                LOG.info("day %s: a person was moved to group %s", self.day_id, person.group)
                group = self._group_page(session_id, person.name)
                if isinstance(group, str):
                    return  # the next change or beat tries again
                page.show(group)
            self.revision = stored.revision
