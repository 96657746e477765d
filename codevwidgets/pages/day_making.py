"""Making a day of many groups and its links: for `codev day new` and day.ipynb's form.

As with a single session (``server.sessions``), a day is made by the lead's own commands, on
the machine or in JupyterLab, never by a page a visitor opens. Core forms the groups
(``core.day.form_day``); this stores them, one session per group, and names the three kinds of
links: the lead's overview (the day's key), the room's one link (its code), each group's
console (the group's key, derived from the day's).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codevwidgets.core.day import Day, DayError, form_day, group_roles
from codevwidgets.core.i18n import Translator, check_language
from codevwidgets.core.roster import ROTATE, Roster, name_key
from codevwidgets.core.runbook import resolve
from codevwidgets.core.session import Session, new_session_id
from codevwidgets.pages.params import page_url
from codevwidgets.store.base import DaySecrets, Store, group_key_for
from codevwidgets.store.location import page_link

__all__ = ["DayLinks", "day_links", "make_day"]

LEAD_PAGE, ROOM_PAGE, CONSOLE_PAGE = "day.ipynb", "join.ipynb", "facilitator.ipynb"


def make_day(
    store: Store,
    runbook_ref: str,
    *,
    roster: Roster | None = None,
    people: int | None = None,
    groups: int | None = None,
    size: int | None = None,
    facilitators: str | Sequence[str] | None = None,
    language: str | None = None,
    source: str | None = None,
) -> tuple[Day, DaySecrets]:
    """Form a day on ``runbook_ref`` (a preset's name or a runbook file) for ``roster``'s
    members or ``people`` free names, in ``groups`` groups or groups of about ``size``, and
    store it with one session per group (see ``core.day.form_day`` for ``facilitators``).

    The lead is the roster's ``facilitator:`` when it names someone outside the groups (the
    trainer, the programme's manager), else the locale's neutral "Lead". ``source``: where the
    roster came from (``demo.roster_source``), the groups' identity in the store. Raises
    ``InputError`` for a bad runbook file and ``DayError`` (one line) for a day that cannot be
    formed; nothing is stored then.
    """
    if (roster is None) == (people is None):
        raise DayError("give a roster (--roster) or a number of people (--people), not both")
    if people is not None and people < 1:
        raise DayError(f"--people must be at least 1, got {people}")
    book = resolve(runbook_ref)
    try:
        language = check_language(language or book.language)
    except ValueError as exc:
        raise DayError(str(exc)) from None
    ref = runbook_ref if runbook_ref == book.name else str(Path(runbook_ref).resolve())
    count = len(roster.members) if roster is not None else people
    assert count is not None
    # An id for as many groups as there could be: form_day uses the first ones, in order.
    ids = [new_session_id() for _ in range(count)]
    day = form_day(
        list(roster.members) if roster is not None else count,
        book,
        groups=groups,
        size=size,
        facilitators=facilitators,
        lead=_lead(roster, language),
        title=roster.group if roster is not None else "",
        runbook_ref=ref,
        language=language,
        session_ids=ids,
    )
    # Each group's first roles (core.day.group_roles): its pages name its people at once.
    sessions = [
        Session(book, group_roles(day, group.number), session_id=group.session_id)
        for group in day.groups
    ]
    return day, store.create_day(day, sessions, source)


def _lead(roster: Roster | None, language: str) -> str:
    """Who leads the day: the roster's facilitator when not one of its members (nor
    ``rotate``); else a neutral word, so that no member is named lead of every group."""
    if roster is not None and roster.facilitator != ROTATE:
        members = {name_key(m.name) for m in roster.members}
        if name_key(roster.facilitator) not in members:
            return roster.facilitator
    return Translator(language)("role.lead")


@dataclass(frozen=True)
class DayLinks:
    """The day's links: the lead's overview (private: the day's key steers every group), the
    room's one link for everyone, and each group's console as ``(number, facilitator or None
    for the lead, link)``."""

    lead: str
    room: str
    consoles: list[tuple[int, str | None, str]]


def day_links(
    day: Day,
    secrets: DaySecrets,
    base_url: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> DayLinks:
    """The day's links on the server at ``base_url`` (e.g. ``http://127.0.0.1:8866``); without
    one, as a page links to the kit's other pages (``params.page_url``: ``CODEV_PUBLIC_URL``,
    else the page's own address, else relative links, as in JupyterLab)."""

    def link(notebook: str, query: dict[str, str]) -> str:
        if base_url:
            return page_link(base_url, notebook, query)
        return page_url(notebook, query, environ)

    consoles = [
        (
            group.number,
            group.facilitator,
            link(
                CONSOLE_PAGE,
                {"session": group.session_id, "key": group_key_for(secrets.key, group.session_id)},
            ),
        )
        for group in day.groups
    ]
    return DayLinks(
        lead=link(LEAD_PAGE, {"day": secrets.day_id, "key": secrets.key}),
        room=link(ROOM_PAGE, {"day": secrets.day_id, "code": secrets.code}),
        consoles=consoles,
    )
