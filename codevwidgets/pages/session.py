"""The composition root: what each notebook calls — reads the page's parameters, checks its
secret, opens the store and builds the views. Views never import the store.

A wrong parameter, key or code shows one clear message (``codev-error``) and no session data;
never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from codevwidgets.core import environment
from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.i18n import Translator
from codevwidgets.core.joining import Visitor, new_page_id
from codevwidgets.core.limits import CONTRIBUTIONS, PRESENCE, SIGNALS, PageBudget
from codevwidgets.core.problems import InputError
from codevwidgets.core.runbook import resolve
from codevwidgets.core.session import Session
from codevwidgets.core.theme import page_theme
from codevwidgets.core.topics import Topic
from codevwidgets.core.voices import Persons
from codevwidgets.pages.kernel import (
    give_back_memory,
    keep_errors_on_the_server,
    served_by_voila,
    work_in_notebook_folder,
)
from codevwidgets.pages.params import (
    await_visitor,
    page_language,
    page_url,
    query_parameters,
    refuse_visitor,
    runbook_from_query,
)
from codevwidgets.record.followup import has_followup, previous_plan
from codevwidgets.store.base import (
    Secrets,
    Store,
    StoredSession,
    StoreError,
    join_code_for,
    person_secret_for,
)
from codevwidgets.store.live import LiveLink, reaching
from codevwidgets.store.open import open_store
from codevwidgets.widgets._view import Texts, escaped_list, theme_style
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.dots import Dots, Tally
from codevwidgets.widgets.error_box import ErrorBox
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import Identity, ParticipantPage
from codevwidgets.widgets.topic_form import Preparing

if TYPE_CHECKING:
    from codevwidgets.core.roster import Roster
    from codevwidgets.widgets.console import FacilitatorConsole

# A page whose browser has not synced its clock for this long is gone (closed, or a phone
# asleep): its kernel stops following the store, falls idle, and Voilà's culler ends it.
# Pages sync every 60 s, and background tabs are throttled to about once a minute.
PAGE_GONE_AFTER = 150.0

LOG = logging.getLogger(__name__)


def error_box(lines: list[str], refuse: bool = False) -> ErrorBox:
    """One clear message and nothing else; ``refuse``: the visitor had no valid secret, so
    this page's kernel is ended (it serves nothing and must cost almost nothing)."""
    if refuse:
        refuse_visitor()
    # The link's &theme= (no runbook's: a refused visitor learns nothing of the session).
    theme = page_theme(query_parameters().get("theme"), "light")
    box = ErrorBox(theme_style(theme) + escaped_list(lines))
    box.add_class("codev-error").add_class("codev-page-error")
    return box


def page_alive(countdown: Countdown) -> bool:
    """Whether the page showing ``countdown`` still syncs its clock (else it is gone)."""
    return countdown.clock() - countdown.last_heard < PAGE_GONE_AFTER


def facilitator_page(
    runbook: str = "classic",
    roster: str | None = None,
    language: str = "en",
    cycle_session: int | None = None,
) -> FacilitatorConsole | ErrorBox:
    """The console: a new session, or with ``?session=ID&key=KEY`` the one it names.

    Several consoles may open one session (a laptop and the room's projector): each follows
    the store and each can act. Either page has ``during(step_id)`` (a client notebook's step
    cells): the console shows the cell's content during that step, the error box nothing.
    """
    # Imported here, not at the top: a participant kernel never loads the console, the
    # calendar (icalendar) or the QR code (segno), which keeps it light (see the benchmarks).
    from codevwidgets.widgets.console import FacilitatorConsole
    from codevwidgets.widgets.join import JoinPanel

    # `codev serve` keeps no pool for this page, but a Voilà preheating every notebook would:
    # without its query, the page would start a new session instead of opening this one.
    await_visitor()
    keep_errors_on_the_server()

    query = query_parameters()
    language = page_language(query, language)
    t = Translator(language)
    if "session" not in query and served_by_voila():
        # No open door: a visitor without the facilitator's link gets no console, no roster,
        # and creates no session (sessions come from codev serve / codev sessions new).
        return error_box([t("live.needs_link")], refuse=True)
    try:
        store = open_store()
        if "session" in query:
            session_id, key = query["session"], query.get("key", "")
            if not store.check_key(session_id, key):
                return error_box([t("live.bad_key")], refuse=True)
            work_in_notebook_folder()
        else:  # JupyterLab: this notebook starts a session of its own
            if "runbook" in query:
                runbook = runbook_from_query(query["runbook"], Path.cwd())
            new = Session(resolve(runbook))
            session_id = new.id
            # Stored in its group (the roster file's, in this folder for the demo's), so that
            # the group's next session finds this one and no other group's session does.
            key = store.create(new, runbook, language, *_group(roster)).facilitator_key
        stored = store.load(session_id, private=True)
        assert stored is not None  # the key matched a stored session, or it was just made
        # The session's language (its runbook's, or the lab page's when it was made here),
        # unless the link asks for another: the console, the participants and the record agree.
        language = page_language(query, stored.language)
        # The group stored with the session; else this page's parameter, the server's, the demo.
        group = stored.roster or _roster(roster)
        book, session = stored.runbook, stored.session()
        # Last session's action plan, for a runbook that follows it up.
        plan = previous_plan(store, session_id, language) if has_followup(book) else None
    except InputError as exc:
        return error_box([str(problem) for problem in exc.problems])
    except (ValueError, StoreError) as exc:
        return error_box([str(exc)])
    code = join_code_for(key)
    join_query = {"session": session.id, "code": code}
    join = JoinPanel(
        Texts(book, language),
        page_url("participant.ipynb", {"session": session.id, "code": code}),
        page_url(_own_notebook(), {"session": session.id, "key": key}),
        page_url("projector.ipynb", {"session": session.id, "code": code}),
        # A personal link per member of the session's group: it joins without asking, and
        # its secret (&person=) keeps the name from being taken on the plain link.
        [(name, _personal_link(join_query, key, name)) for name in stored.names],
        # JupyterLab: relative links, which no participant can open; a click serves the
        # store's sessions on the room's network (never the Jupyter server or its token).
        open_room=None if served_by_voila() else _room(store, Secrets(session.id, key, code)),
    )
    link = LiveLink(store, session, private=True, revision=stored.revision)
    console = FacilitatorConsole(
        book,
        group,
        language,
        cycle_session=cycle_session,
        session=session,
        join=join,
        act=link.act,
        previous_plan=plan,
        export=lambda fmt: _record(store, session.id, fmt),
        theme=page_theme(query.get("theme"), book.theme),
        people=stored.names,
        topics=lambda: _topics(store, session.id),
        tally=_tally(store, session.id),
    )
    if console.topic_choice is not None:
        # Each dot moves the session's revision: the tally follows on the link's wake-up.
        link.on_moved(console.topic_choice.refresh)
    link.alive = lambda: page_alive(console.countdown)
    # Who is connected: the pages' beats, read on the console's own (``Store.seen``).
    console.countdown.on_heard(link.refresh)
    # Notes typed while the store did not answer are stored again on the same beat.
    console.countdown.on_heard(console.notes.retry)
    console.link = link
    if console.topics is not None:
        # A topic saved or withdrawn moves the session's revision, not its state: the list
        # reads the topics again each time the watcher sees the revision move.
        link.on_moved(console.topics.refresh)
    return console


def _topics(store: Store, session_id: str) -> list[Topic]:
    """The session's prepared topics, whole: the facilitator's copy (a console's only)."""
    with reaching(session_id):
        return store.topics(session_id, private=True)


def _tally(store: Store, session_id: str) -> Tally:
    """What the console reads of the group's dots: the topics whole (its kernel is the
    facilitator's), the counts by topic, never who gave them."""

    def counts() -> dict[str, int]:
        with reaching(session_id):
            return store.dot_tally(session_id)

    return Tally(lambda: _topics(store, session_id), counts)


def _personal_link(join_query: dict[str, str], key: str, name: str) -> str:
    """A member's personal link: the participants' link with their name and secret."""
    person = person_secret_for(key, name)
    return page_url("participant.ipynb", {**join_query, "name": name, "person": person})


def _room(store: Store, secrets: Secrets) -> Callable[[], tuple[str, str]] | None:
    """What "Open to participants" does: a server on the room's network for this store (a
    file or a database's URL; ``None``: a store with neither, no button)."""
    location = getattr(store, "location", None)
    if not isinstance(location, str):
        return None

    def start() -> tuple[str, str]:
        from codevwidgets.server.room_server import open_room, room_links

        return room_links(open_room(location), secrets)

    return start


def _own_notebook(environ: Mapping[str, str] = os.environ) -> str:
    """The notebook this console is served from (a client's, or the kit's facilitator.ipynb):
    the console's own link opens the same page on another device."""
    name = environ.get("SCRIPT_NAME", "").rsplit("/", 1)[-1]
    return name if served_by_voila(environ) and name.endswith(".ipynb") else "facilitator.ipynb"


def _record(store: Store, session_id: str, fmt: str) -> tuple[str, bytes]:
    """The session's record as it is now, as a file: its name and content."""
    # Imported at the first click: a participant kernel never loads them, and the console
    # does not wait for jinja2, matplotlib and WeasyPrint before it shows.
    from codevwidgets.record.export import FORMATS, file_name, render
    from codevwidgets.record.model import build_record

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (use md, html or pdf)")
    # The console's record is the one handed to the client: with their topic's preparation.
    record = build_record(store, session_id, for_client=True)
    return file_name(record, fmt), render(record, fmt)


def _roster(roster: str | None) -> Roster:
    """The group of a page's ``roster`` parameter, else the server's (CODEV_ROSTER), else
    the demo's."""
    return _group(roster)[0]


def _group(roster: str | None) -> tuple[Roster, str]:
    """``_roster``'s group and where it came from (``roster_source``: the file; the demo's in
    this notebook's folder)."""
    from codevwidgets.core.roster import load_roster
    from codevwidgets.demo import DEMO_ROSTER, roster_source

    path = Path(roster or os.environ.get(environment.ROSTER) or DEMO_ROSTER)
    group = load_roster(path)
    return group, roster_source(path, group, Path.cwd())


def _joined(query: dict[str, str]) -> tuple[Store, StoredSession, Session] | str:
    """The store and the session a participant's or projector's link names, if its join code
    is right; else the message's key, never a traceback: a wrong code, an unknown session or
    one that cannot be rebuilt (stored before snapshots, its runbook file gone or changed) is
    a bad link; a store that does not answer (its server restarting, full) is not the
    link's fault, and a reload will do."""
    session_id = query.get("session", "")
    try:
        # No connection held before the page has connected (a database's store): a request
        # that never brings a browser must not use up the database's connections.
        store = open_store(connect_later=True)
        if not store.check_code(session_id, query.get("code")):
            return "participant.bad_link"
        stored = store.load(session_id, private=False)
        if stored is None:
            return "participant.bad_link"
        session = stored.session()  # a session that cannot be rebuilt is a bad link
    except StoreError as exc:
        LOG.warning("a page could not open the store: %s", exc)
        return "participant.unreachable"
    except (InputError, ValueError):
        return "participant.bad_link"
    return store, stored, session


def _follow(view: widgets.Widget, store: Store, session: Session, revision: int) -> None:
    """``view`` (with a ``countdown``) kept at the store's latest revision while its page
    lives; not private: no notes, no hidden contributions, nobody's evaluation."""
    countdown = view.countdown
    # Following starts at the page's first beat (its first clock sync): the page has connected.
    view.link = LiveLink(
        store,
        session,
        private=False,
        revision=revision,
        alive=lambda: page_alive(countdown),
        follow_now=False,
    )
    countdown.on_heard(view.link.beat)


def participant_page(language: str = "en", *, clock: Clock = system_clock) -> widgets.Widget:
    """A participant's page for ``?session=ID&code=CODE[&name=NAME[&person=SECRET]][&lang=LANG]``:
    "who are you?" first when the link names nobody (see ``ParticipantPage``), then their
    view. ``&person=`` is a personal link's secret for its name (``person_secret_for``).

    ``clock``: what the page's own rate limits count time with (``PageBudget``)."""
    await_visitor()
    keep_errors_on_the_server()
    query = query_parameters()
    joined = _joined(query)
    if isinstance(joined, str):
        return error_box([Translator(page_language(query, language))(joined)], refuse=True)
    store, stored, session = joined
    return participant_for(store, stored, session, query, PageBudget(clock))


def participant_for(
    store: Store,
    stored: StoredSession,
    session: Session,
    query: Mapping[str, str],
    budget: PageBudget,
    *,
    leave: Callable[[], None] | None = None,
    built: Callable[[ParticipantView], None] | None = None,
) -> ParticipantPage:
    """The participant page of ``session`` (loaded from ``stored``, whose link the caller
    checked) for a link's ``query`` (``name``, ``person``, ``lang``, ``theme``): the
    participant's link's page, and a day's room's page once the person's group is known.

    ``budget``: every write the page can make, refused here first when it comes too fast: a
    scripted page's flood costs its own kernel a check, not the store a transaction nor the
    room a wait. One budget for the page, whatever name it takes (a room's page passes its
    own, which its names count in too). The store's count still decides. ``leave``: what
    "not you?" does instead of asking among the group's names (a room's page asks among the
    day's); ``built(view)``: told each view built (a room's page follows its person's moves)."""
    language = page_language(dict(query), stored.language)
    book = stored.runbook
    texts = Texts(book, language)
    theme = page_theme(query.get("theme"), book.theme)
    # Signals, presence and the rate limit go by the page's id: a fresh one, unless the
    # browser remembers the one it had before a reload (ParticipantPage adopts it).
    visitor = Visitor(new_page_id())

    def view_for(visitor: Visitor, change: Callable[[], None]) -> ParticipantView:
        with reaching(session.id):
            view = participant_view(visitor, change)
        if built is not None:
            built(view)
        return view

    def participant_view(visitor: Visitor, change: Callable[[], None]) -> ParticipantView:
        page, name = visitor.page, visitor.name

        def submit(step_id: str, text: str, anonymous: bool, kind: str | None) -> None:
            author = None if anonymous else name
            # Refused at once once the session was deleted; the page learns it if the store
            # says so first (``LiveLink.writing``); and before the store, when this page sends
            # faster than a person would (``PageBudget``).
            with view.link.writing():
                budget.take(CONTRIBUTIONS)
                store.add_contribution(session.id, step_id, author, text, kind, page)

        def signal(kind: str, on: bool) -> None:
            with view.link.writing():
                budget.take(SIGNALS)
                store.signal(session.id, page, name, kind, on)
            # The page shows its own signal at once, not at the next poll (stored already: a
            # store gone just now is logged, the feed or the beat catches up).
            view.link.catch_up()

        def seen() -> None:
            # Presence, the console's: each clock sync of the page says it is still there
            # (about once a minute: more is a script, not a page, and is not written; a
            # session deleted from the store has no console left to tell).
            if session.deleted:
                return
            with contextlib.suppress(ValueError, StoreError):
                budget.take(PRESENCE)
                store.seen(session.id, page, name)

        def topics() -> list[Topic]:
            with reaching(session.id):
                return store.topics(session.id, private=False)

        def mine() -> dict[str, int]:
            # This page's own dots only: a participant's kernel never reads the tally.
            with reaching(session.id):
                return store.my_dots(session.id, name) if name else {}

        def give(author: str, on: bool) -> None:
            with view.link.writing():
                budget.take(SIGNALS)
                store.give_dot(session.id, page, name or "", author, on)

        view = ParticipantView(
            session,
            texts,
            name,
            submit,
            theme=theme,
            signal=signal,
            participant=page,
            change=change,
            preparing=_preparing(store, session.id, page, name, budget, lambda: view.link),
            dots=Dots(topics, mine, give),
        )
        # Revision -1: the link loads the latest state at once (a view built after "not you?"
        # takes over a session the previous view's link stopped following).
        _follow(view, store, session, -1)
        view.countdown.on_heard(seen)
        seen()  # the page has just said who it is: the console shows it now, by that name
        give_back_memory()
        return view

    return ParticipantPage(
        session.id,
        texts,
        book,
        theme,
        stored.names,
        query.get("name"),
        visitor,
        view_for,
        _identity(store, session.id, query),
        budget,
        leave=leave,
    )


def _preparing(
    store: Store,
    session_id: str,
    page: str,
    name: str | None,
    budget: PageBudget,
    link: Callable[[], LiveLink],
) -> Preparing:
    """What a participant page's topic form asks of the store, under the page's ``name``:
    its own topic only (``own_topic``), never anyone else's details; each write counted in
    the page's budget, as a contribution is."""

    def save(topic: Topic) -> Topic:
        with link().writing():
            budget.take(CONTRIBUTIONS)
            return store.save_topic(session_id, page, topic)

    def withdraw() -> bool:
        with link().writing():
            budget.take(CONTRIBUTIONS)
            return store.withdraw_topic(session_id, page, name or "")

    def own() -> Topic | None:
        with reaching(session_id):
            return store.own_topic(session_id, name, page) if name else None

    return Preparing(save, withdraw, own)


def _identity(store: Store, session_id: str, query: Mapping[str, str]) -> Identity:
    """What a participant page asks the store about names (``core.voices``), and whether
    its link is a personal one with the name's valid secret."""
    personal = False
    # A store that does not answer now: the link is a plain one (it may still join, not claim).
    with contextlib.suppress(StoreError):
        name, secret = query.get("name"), query.get("person")
        personal = bool(name and secret and store.check_person(session_id, name, secret))

    def persons() -> Persons:
        with reaching(session_id):
            return store.persons(session_id)

    def claim(name: str, page: str) -> None:
        with reaching(session_id):
            store.claim(session_id, name, page)

    return Identity(persons, personal, claim)


def projector_page(language: str = "en") -> widgets.Widget:
    """The room's screen, read-only, for ``?session=ID&code=CODE[&lang=LANG][&theme=light]``:
    dark unless the link asks for light."""
    # Imported here: a participant kernel never loads the QR code (segno).
    from codevwidgets.widgets.join import join_widget
    from codevwidgets.widgets.projector import ProjectorView

    await_visitor()
    keep_errors_on_the_server()
    query = query_parameters()
    joined = _joined(query)
    if isinstance(joined, str):
        return error_box([Translator(page_language(query, language))(joined)], refuse=True)
    store, stored, session = joined
    language = page_language(query, stored.language)
    texts = Texts(stored.runbook, language)
    code = query["code"]  # checked by _joined
    join = join_widget(texts, page_url("participant.ipynb", {"session": session.id, "code": code}))
    # Dark for a room's screen whatever the runbook's theme; the link may ask for light.
    theme = page_theme(query.get("theme"), "dark")
    view = ProjectorView(session, texts, join, theme=theme, group=stored.group_name)
    _follow(view, store, session, stored.revision)
    return view
