"""day.ipynb's form's composition root, in JupyterLab: the lead makes a day there, as with
``codev day new``, and sees its overview at once.

Never served by Voilà (``day_page`` refuses a visitor without the lead's link): a day is made
by the lead's own kernel, on their machine. Every file is read and checked before the store is
opened, and ``make_day`` stores nothing when the day cannot be formed: bad input stores
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets

from codevwidgets.core.day import MOST_PEOPLE, DayError
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import preset_names, resolve
from codevwidgets.demo import roster_source
from codevwidgets.pages.day_making import day_links, make_day
from codevwidgets.pages.editor import runbooks_folder
from codevwidgets.store.base import Store, StoreError
from codevwidgets.store.open import open_store
from codevwidgets.widgets.day_form import DayForm, DayMade, DayRequest

__all__ = ["day_form_page"]


Overview = Callable[[Store, str, str, dict[str, str], str], widgets.Widget]
"""``pages.day_overview.day_overview``: the overview of a day whose key is checked (passed in,
since the day's page imports this module)."""


def day_form_page(overview: Overview, language: str = "en") -> DayForm:
    """The form that makes a day (``codev-day-form``); once made, the day's links and its
    ``overview`` below them (``codev-day-made``)."""

    t = Translator(language)

    def make(request: DayRequest) -> widgets.Widget:
        if not request.runbook:
            raise DayError(t("day_form.no_runbook"))
        runbook = request.runbook
        if runbook not in preset_names():  # a file, as named from the project's folder
            runbook = str(runbooks_folder(runbook))
        resolve(runbook)  # a runbook file's problem (InputError) before the store is opened
        roster, source = None, None
        if request.roster is not None:
            if not request.roster:
                raise DayError(t("day_form.no_roster"))
            path = Path(runbooks_folder(request.roster))
            roster = load_roster(path, most=MOST_PEOPLE)
            source = roster_source(path, roster)
        try:
            store = open_store()
            day, secrets = make_day(
                store,
                runbook,
                roster=roster,
                people=request.people,
                groups=request.groups,
                size=request.size,
                facilitators=request.facilitators,
                source=source,
            )
        except StoreError as exc:  # the view knows no store: its refusal is a ValueError
            raise DayError(str(exc)) from None
        links = day_links(day, secrets)
        shown = overview(store, day.id, secrets.key, {}, day.language)
        return DayMade(language, links.lead, links.room, links.consoles, day.lead, shown)

    return DayForm(make, preset_names(), language)
