"""The day's summary: every group of a day at a glance, read from the store alone.

A day of many groups (``core.day``) leaves one record per group, each the group's own
(``codevwidgets.record.model``), and this summary for the day's organisers: the groups and
their members (or only how many with ``names=False``), who facilitated each, each group's
planned vs actual minutes per step, and each group's evaluation as the session record shows
it (the spread of ratings, never who gave which).

What a group said and noted belongs to the group: the summary is built from the groups'
records, but keeps only their minutes, status and ratings, so no contribution and no note of
any group is in a ``DayRecord`` at all, whatever a template does with it.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.day import Day
from codevwidgets.core.i18n import Translator, catalog, languages
from codevwidgets.core.text import without_controls
from codevwidgets.record.cycle import MinutesRow, minutes_table
from codevwidgets.record.followup import Loaded
from codevwidgets.record.model import Evaluation, SessionRecord, build_record
from codevwidgets.store.base import Store, StoreError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DayRecord", "GroupSummary", "build_day_record", "day_chart"]


@dataclass(frozen=True)
class GroupSummary:
    """One group of the day: who was in it (names, or none with ``names=False``), who
    facilitated, how its session went. ``status`` ``None``: its session was deleted."""

    number: int
    label: str  # "Group 2", in the day's language
    facilitator: str  # a member's name, "A member" without names, or "The day's lead"
    members: tuple[str, ...]
    size: int
    status: str | None
    planned: int
    actual: float
    evaluation: Evaluation | None


@dataclass(frozen=True)
class DayRecord:
    """A day's summary, in the day's language, ready for a template."""

    day_id: str
    language: str
    title: str  # the client organisation's title for its sessions, else the kit's
    name: str  # the day's own name (its roster's group), may be empty
    organisation: str | None
    runbook: str
    date: dt.datetime  # when the first group started, else when the day was made
    names: bool
    groups: tuple[GroupSummary, ...]
    # Per step: planned minutes and each group's actual (in group order; None: not run).
    minutes: tuple[MinutesRow, ...]
    labels: dict[str, str] = field(default_factory=dict)
    logo: str | None = None
    colour: str | None = None

    @property
    def people(self) -> int:
        return sum(g.size for g in self.groups)

    @property
    def planned_minutes(self) -> int:
        return sum(row.planned for row in self.minutes)


def build_day_record(
    store: Store, day_id: str, *, names: bool = True, clock: Clock = system_clock
) -> DayRecord:
    """The summary of the day ``day_id``: each group's record read once (``build_record``),
    of which only the minutes, status and evaluation are kept.

    ``names=False``: the members as a count and the facilitators by their role, so that no
    person's name is in the summary. A group whose session was deleted is listed, with no
    minutes. ``clock``: the time a running group's step is counted to. Raises ``StoreError``
    when the store has no such day.
    """
    stored = store.load_day(day_id)
    if stored is None:
        raise StoreError(f"no day {day_id!r} in this store")
    day = stored.day
    loaded = Loaded(store)
    records: list[SessionRecord | None] = [
        build_record(store, g.session_id, names=names, clock=clock, loaded=loaded)
        if loaded(g.session_id) is not None
        else None
        for g in day.groups
    ]
    held = [r for r in records if r is not None]
    first = held[0] if held else None
    # The day's language; a day stored with a language this kit no longer has: its groups'.
    language = day.language if day.language in languages() else first.language if first else "en"
    t = Translator(language)
    labels = _labels(language)
    table = minutes_table(held)
    # Groups whose session is gone get no bar: their column is None in every row.
    positions = {id(r): i for i, r in enumerate(held)}
    minutes = tuple(
        replace(
            row,
            actual=tuple(None if r is None else row.actual[positions[id(r)]] for r in records),
            suggested=None,
        )
        for row in table.rows
    )
    started = [r.started for r in held if r.started is not None]
    return DayRecord(
        day_id=day.id,
        language=language,
        title=first.title if first else t("app.title"),
        name=day.title,
        organisation=first.organisation if first else None,
        runbook=first.runbook if first else day.runbook_ref,
        date=min(started) if started else dt.datetime.fromtimestamp(stored.created, dt.UTC),
        names=names,
        groups=tuple(
            _group(day, g.number, record, names, labels)
            for g, record in zip(day.groups, records, strict=True)
        ),
        minutes=minutes,
        labels=labels,
        logo=first.logo if first else None,
        colour=first.colour if first else None,
    )


def _group(
    day: Day, number: int, record: SessionRecord | None, names: bool, labels: dict[str, str]
) -> GroupSummary:
    members = day.members(number)
    chosen = day.group(number).facilitator
    # The lead steers from the overview; a member facilitates (named, unless names=False).
    if chosen is None:  # noqa: SIM108 — two ternaries in one line read worse
        facilitator = labels["lead"]
    else:
        facilitator = chosen if names else labels["a_member"]
    return GroupSummary(
        number=number,
        label=labels["group_n"].format(n=number),
        facilitator=facilitator,
        members=tuple(members) if names else (),
        size=len(members),
        status=record.status if record else None,
        planned=record.planned_minutes if record else 0,
        actual=record.actual_minutes if record else 0.0,
        evaluation=record.evaluation if record else None,
    )


def _labels(language: str) -> dict[str, str]:
    """The session record's texts, and the day summary's over them (its heading, footer…)."""
    texts = catalog(language)
    found = {}
    for section in ("record.", "day_record."):
        found.update(
            {k.removeprefix(section): v for k, v in texts.items() if k.startswith(section)}
        )
    return found


def day_chart(record: DayRecord, colour: str = "#1f4e79") -> Figure:
    """Planned vs actual minutes per step for every group, in one figure: per step, one bar
    per group (mid to dark, group 1 lightest) and a black line at the planned minutes.

    Columns, not rows: eight groups of six steps stay one chart of A4's width, where
    horizontal bars per group would need a page of their own.
    """
    import matplotlib
    from matplotlib.figure import Figure

    rows: Sequence[MinutesRow] = record.minutes
    groups = record.groups
    count = max(1, len(groups))
    width = 0.8 / count
    figure = Figure(figsize=(7.0, 3.6), layout="constrained")
    axes = figure.add_subplot()
    x = range(len(rows))
    blues = matplotlib.colormaps["Blues"]
    for i, group in enumerate(groups):
        values = [row.actual[i] or 0.0 for row in rows]
        shade = blues(0.4 + 0.6 * i / max(1, count - 1)) if count > 1 else colour
        axes.bar(
            [k - 0.4 + width * (i + 0.5) for k in x],
            values,
            width,
            color=shade,
            label=_text(group.label),
        )
    for k, row in enumerate(rows):
        axes.plot(
            [k - 0.45, k + 0.45],
            [row.planned, row.planned],
            color="#1a1a1a",
            linewidth=2,
            label=record.labels["planned"] if k == 0 else None,
        )
    titles = [textwrap.fill(_text(row.title), 16) for row in rows]
    axes.set_xticks(list(x), titles, fontsize=8)
    axes.set_ylabel(record.labels["minutes"])
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside upper center", ncols=min(5, count + 1), frameon=False, fontsize=8)
    return figure


def _text(label: str) -> str:
    # "$" starts mathematics in matplotlib's texts: a title with a price stays text.
    return without_controls(label).replace("$", r"\$")
