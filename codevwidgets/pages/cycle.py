"""The cycle notebook's composition root: which group, which store, who may see it.

In JupyterLab the notebook's owner sees their store's sessions of the group made from the
roster file (``roster_source``: the demo roster's in this notebook's folder), or with ``demo``
a temporary store holding three demo sessions. Served by Voilà, anyone who can reach the
server could open the page: it shows a group's sessions only with the facilitator link
(``?session=ID&key=KEY``) of one of that group's sessions, else one error box — the
facilitator page's "no open door". A group is its identity, stored with each session, never its
name: another organisation's group of the same name is not shown.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as widgets

from codevwidgets.core.cycle import CyclePlan, parse_start, plan_cycle
from codevwidgets.core.i18n import Translator
from codevwidgets.core.problems import InputError
from codevwidgets.core.roster import Roster, load_roster
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.theme import Theme, page_theme
from codevwidgets.demo import DEMO_ROSTER, roster_source
from codevwidgets.pages.kernel import keep_errors_on_the_server, served_by_voila
from codevwidgets.pages.params import await_visitor, page_language, query_parameters
from codevwidgets.pages.session import error_box
from codevwidgets.record.cycle import (
    LaterTopic,
    MinutesTable,
    held_for,
    held_sessions,
    later_topics,
    minutes_figure,
    minutes_svg,
    minutes_table,
    plan_csv,
)
from codevwidgets.record.followup import Loaded
from codevwidgets.record.model import SessionRecord
from codevwidgets.store.base import Store, StoreError
from codevwidgets.store.open import open_store
from codevwidgets.widgets import cycle as views
from codevwidgets.widgets._view import theme_style


@dataclass
class CyclePage:
    """The parts of the cycle page, one per notebook cell; a refused page has only ``error``
    and every other part is ``None`` (a cell showing nothing)."""

    language: str
    error: widgets.Widget | None = None
    roster: Roster | None = None
    plan: CyclePlan | None = None
    every_days: int = 14
    demo: bool = False
    records: list[SessionRecord] = field(default_factory=list)
    held: dict[int, SessionRecord] = field(default_factory=dict)
    # The topics not chosen, newest first: the facilitator's to see (no record has them).
    later_topics: list[LaterTopic] = field(default_factory=list)
    # Served by Voilà: the page's theme (the link's &theme=, else the runbook's) and the
    # runbook whose brand colours it takes. In JupyterLab: None, the notebook's own colours.
    theme: Theme | None = None
    runbook: Runbook | None = None

    @property
    def t(self) -> Translator:
        return Translator(self.language)

    @property
    def shown(self) -> bool:
        return self.error is None and self.roster is not None and self.plan is not None

    def _numbers(self) -> dict[str, int]:
        return {record.session_id: number for number, record in self.held.items()}

    def header(self) -> widgets.Widget | None:
        if self.error is not None:
            return self.error
        assert self.roster is not None and self.plan is not None
        style = theme_style(self.theme, self.runbook) if self.theme is not None else ""
        return views.header(self.roster.group, self.plan, self.every_days, self.demo, self.t, style)

    def rotation(self) -> widgets.Widget | None:
        if not self.shown:
            return None
        assert self.plan is not None
        return views.rotation(self.plan, self.held, self.t)

    def downloads(self) -> widgets.Widget | None:
        if not self.shown:
            return None
        assert self.roster is not None and self.plan is not None
        stem = "codev-cycle-" + _slug(self.roster.group)
        return views.downloads(
            self.plan.to_ics(self.roster.group), plan_csv(self.plan), stem, self.t
        )

    def sessions(self) -> widgets.Widget | None:
        if not self.shown:
            return None
        from codevwidgets.record.export import file_name, render

        return views.sessions(
            self.records,
            self._numbers(),
            lambda r: (render(r, "html"), file_name(r, "html")),
            self.t,
        )

    def later(self) -> widgets.Widget | None:
        """The topics prepared in the group's sessions and not chosen: they stay with their
        authors for a later session."""
        if not self.shown:
            return None
        return views.later(self.later_topics, self.t)

    def table(self) -> MinutesTable:
        return minutes_table(self.records)

    def _columns(self) -> list[str]:
        numbers = self._numbers()
        return [str(numbers.get(r.session_id, i + 1)) for i, r in enumerate(self.records)]

    def chart(self) -> widgets.Widget | None:
        if not self.shown:
            return None
        if not self.records:
            return views.chart(None, self.t)
        t = self.t
        labels = {
            "planned": t("record.planned"),
            "suggested": t("cycle.suggested_short"),
            "minutes": t("cycle.minutes"),
        }
        names = [
            t("cycle.session_n", n=n) + f" · {r.client or ''}"
            for n, r in zip(self._columns(), self.records, strict=True)
        ]
        return views.chart(minutes_svg(minutes_figure(self.table(), labels, names)), t)

    def suggested(self) -> widgets.Widget | None:
        if not self.shown:
            return None
        return views.suggested(self.table(), self._columns(), self.t)


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^\w-]+", "-", text, flags=re.UNICODE).strip("-").lower() or "group"


def demo_store(roster: Roster, sessions: int = 3) -> tuple[Store, str | None]:
    """A temporary store holding the first ``sessions`` sessions of ``roster``'s cycle, and
    their group's identity; its folder is removed when the kernel ends."""
    from codevwidgets.demo.cycle import seed_demo_cycle
    from codevwidgets.store.sqlite import SQLiteStore

    folder = tempfile.mkdtemp(prefix="codev-demo-")
    atexit.register(shutil.rmtree, folder, True)
    store = SQLiteStore(Path(folder) / "demo.db")
    ids = seed_demo_cycle(store, sessions, roster=roster)
    first = store.load(ids[0], private=True) if ids else None
    return store, first.group if first else None


def cycle_page(
    roster: str | None = None,
    start: str | None = None,
    every_days: int = 14,
    store: str | None = None,
    demo: bool = True,
    language: str = "en",
) -> CyclePage:
    """The cycle of a group: its rotation, the sessions held so far and their minutes.

    ``start`` (YYYY-MM-DD) defaults to the day of the group's first session held, else today.
    In JupyterLab: ``roster`` (a file, None: the demo group), ``store`` (a file, None:
    CODEV_STORE or the default) and ``demo`` (a temporary store of three demo sessions instead)
    choose what is shown. Served by Voilà these are ignored: the page needs the facilitator
    link of one of the group's sessions, and shows that group from the server's store.
    """
    await_visitor()
    keep_errors_on_the_server()
    query = query_parameters()
    language = page_language(query, language)
    t = Translator(language)
    theme: Theme | None = None
    book: Runbook | None = None
    group_id: str | None
    try:
        if served_by_voila():
            session_id, key = query.get("session", ""), query.get("key", "")
            if not session_id:
                return CyclePage(language, error_box([t("cycle.needs_link")], refuse=True))
            opened = open_store()
            if not opened.check_key(session_id, key):
                return CyclePage(language, error_box([t("live.bad_key")], refuse=True))
            stored = opened.load(session_id, private=True)
            if stored is None or stored.roster is None or stored.group is None:
                return CyclePage(language, error_box([t("cycle.no_group")]))
            group, group_id, opened_demo = stored.roster, stored.group, False
            book = stored.runbook
            theme = page_theme(query.get("theme"), book.theme)
        else:
            path = Path(roster) if roster else DEMO_ROSTER
            group = load_roster(path)
            if demo:
                opened, group_id = demo_store(group)
            else:  # the group of the sessions made from this file (here, for the demo's)
                opened = open_store(store)
                group_id = opened.roster_group(group, roster_source(path, group, Path.cwd()))
            opened_demo = demo
        loaded = Loaded(opened)  # each of the group's sessions loaded once for the page
        records = held_sessions(opened, group_id, loaded=loaded) if group_id is not None else []
        later = later_topics(opened, group_id, loaded=loaded) if group_id is not None else []
        if start:
            first = parse_start(start)
        elif records:
            first = (records[0].started or records[0].created).date()
        else:
            first = dt.date.today()
        plan = plan_cycle(group, first, every_days)
    except InputError as exc:
        return CyclePage(language, error_box([str(problem) for problem in exc.problems]))
    except (ValueError, StoreError) as exc:
        return CyclePage(language, error_box([str(exc)]))
    return CyclePage(
        language,
        roster=group,
        plan=plan,
        every_days=every_days,
        demo=opened_demo,
        records=records,
        held=held_for(plan, records),
        later_topics=later,
        theme=theme,
        runbook=book,
    )
