"""The cycle at a glance: the rotation, the sessions held so far, and their minutes.

Read from the store alone (``codevwidgets.record.model``): which sessions of a group were held, the
plan as CSV, each step's planned vs actual minutes across sessions, the durations to plan
the next sessions with, and the topics prepared that stay with their authors for a later
session. No widgets here: the cycle notebook's views draw these.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codevwidgets.core.cycle import CyclePlan
from codevwidgets.core.roster import name_key
from codevwidgets.core.topic_choice import TopicChosen
from codevwidgets.record.followup import Loaded
from codevwidgets.record.model import SessionRecord, build_record, suggested_minutes
from codevwidgets.store.base import Store

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "LaterTopic",
    "MinutesRow",
    "MinutesTable",
    "held_for",
    "held_sessions",
    "later_topics",
    "minutes_figure",
    "minutes_svg",
    "minutes_table",
    "plan_csv",
    "session_label",
]

CSV_HEADER = ("number", "date", "client", "facilitator")
# A spreadsheet runs a cell starting with one of these as a formula ("=HYPERLINK(…)"): the
# CSV keeps such a name as text, with a leading apostrophe (OWASP's advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def held_sessions(
    store: Store, group: str, *, names: bool = True, loaded: Loaded | None = None
) -> list[SessionRecord]:
    """The records of the sessions of the group whose identity is ``group``
    (``StoredSession.group``) that were started, oldest first.

    A session belongs to the group stored with it, never to another group of the same name
    (the store's ``group_sessions``); sessions never started are planned, not held. Each of
    the group's sessions is loaded once, and no other session (``loaded``: the sessions
    already loaded for this read, shared with ``later_topics``).
    """
    loaded = loaded or Loaded(store)  # a record's neighbours (its follow-ups) are records too
    records = []
    for session_id in store.group_sessions(group):
        record = build_record(store, session_id, names=names, loaded=loaded)
        if record.started is not None:
            records.append(record)
    return sorted(records, key=lambda r: (r.started or r.created, r.session_id))


@dataclass(frozen=True)
class LaterTopic:
    """A topic ``author`` prepared for the group's session ``session_id`` (held or planned on
    ``date``) that the group did not choose: it stays with them for a later session."""

    author: str
    headline: str
    session_id: str
    date: dt.date


def later_topics(store: Store, group: str, *, loaded: Loaded | None = None) -> list[LaterTopic]:
    """The topics prepared in the sessions of the group whose identity is ``group`` that
    their session did not choose, newest first: a session that chose lists its other topics,
    one that never chose (no ``topic_choice`` step, or not started) all of its own.

    Headlines and authors only (``Store.group_topics``): the preparation stays its author's.
    A held session is dated by its start, one not started yet by its creation. For the
    facilitator's cycle page only: no record ever has a topic not chosen.
    """
    loaded = loaded or Loaded(store)
    found: list[tuple[float, float, LaterTopic]] = []
    for session_id, topic in store.group_topics(group):
        stored = loaded(session_id)
        if stored is None:  # deleted meanwhile
            continue
        chosen = TopicChosen.from_dict(stored.state.get("chosen"))
        if chosen is not None and chosen.key == topic.key:
            continue
        when = _started(store, session_id) or stored.created
        date = dt.datetime.fromtimestamp(when, dt.UTC).date()
        found.append((when, topic.at, LaterTopic(topic.author, topic.headline, session_id, date)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [later for _, _, later in found]


def _started(store: Store, session_id: str) -> float | None:
    """When the session started (its first ``start`` event), None if it has not."""
    return next((at for at, kind, _ in store.events(session_id) if kind == "start"), None)


def held_for(plan: CyclePlan, records: Iterable[SessionRecord]) -> dict[int, SessionRecord]:
    """Which planned session each held one was, by its client: session number → record.

    A member who was client twice (a cycle started again) matches their first planned
    session, then their next.
    """
    found: dict[int, SessionRecord] = {}
    for record in records:
        if record.client is None:
            continue
        for planned in plan.sessions:
            if planned.number not in found and name_key(planned.client) == name_key(record.client):
                found[planned.number] = record
                break
    return found


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def plan_csv(plan: CyclePlan) -> str:
    """The plan as CSV: one row per session (number, date, client, facilitator)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for s in plan.sessions:
        writer.writerow([s.number, s.date.isoformat(), _cell(s.client), _cell(s.facilitator)])
    return out.getvalue()


@dataclass(frozen=True)
class MinutesRow:
    """One step across sessions: planned minutes, each session's actual, the suggestion."""

    step_id: str
    title: str
    planned: int
    actual: tuple[float | None, ...]  # one per session, None where it did not run the step
    suggested: int | None


@dataclass(frozen=True)
class MinutesTable:
    """Each step's planned vs actual minutes across the sessions held, in session order."""

    sessions: tuple[SessionRecord, ...]
    rows: tuple[MinutesRow, ...]


def minutes_table(records: Sequence[SessionRecord]) -> MinutesTable:
    """Steps in the latest session's order (then steps only earlier sessions ran); planned
    minutes as the latest session planned them; suggestions from ``suggested_minutes``."""
    titles: dict[str, str] = {}
    planned: dict[str, int] = {}
    for record in reversed(records):  # the latest first: its titles and plan win
        for timing in record.timings:
            titles.setdefault(timing.step_id, timing.title)
            planned.setdefault(timing.step_id, timing.planned)
    suggested = suggested_minutes(records)
    rows = []
    for step_id, title in titles.items():
        actual = tuple(
            next((t.actual for t in r.timings if t.step_id == step_id), None) for r in records
        )
        rows.append(MinutesRow(step_id, title, planned[step_id], actual, suggested.get(step_id)))
    return MinutesTable(tuple(records), tuple(rows))


def session_label(record: SessionRecord, number: int | None = None) -> str:
    """``3 · 2027-01-18 · Chloé``: how a held session is named in the chart and tables."""
    when = (record.started or record.created).date().isoformat()
    parts = [str(number)] if number is not None else []
    return " · ".join([*parts, when, *([record.client] if record.client else [])])


def minutes_figure(
    table: MinutesTable,
    labels: dict[str, str],
    session_labels: Sequence[str] | None = None,
) -> Figure:
    """Per step, horizontal bars: planned, then each session's actual minutes; a mark at the
    suggested minutes. ``labels``: ``planned``, ``suggested`` and ``minutes`` texts."""
    import matplotlib
    from matplotlib.figure import Figure

    rows = table.rows[::-1]  # matplotlib draws bottom-up: the first step on top
    count = len(table.sessions)
    names = session_labels or [session_label(r) for r in table.sessions]
    # "$" starts mathematics in matplotlib's texts: a title or a name with a price stays text.
    names = [n.replace("$", r"\$") for n in names]
    bars = count + 1
    height = 0.8 / bars
    figure = Figure(figsize=(7.0, 0.2 * bars * len(rows) + 1.4), layout="constrained")
    axes = figure.add_subplot()
    y = range(len(rows))

    def offset(i: int) -> list[float]:
        return [r + 0.4 - height * (i + 0.5) for r in y]

    planned = [r.planned for r in rows]
    axes.barh(offset(0), planned, height, color="#c9d3df", label=labels["planned"])
    blues = matplotlib.colormaps["Blues"]
    for i in range(count):
        values = [r.actual[i] or 0.0 for r in rows]
        # From mid to dark blue, evenly: the latest session darkest, all told apart from the plan.
        colour = blues(0.45 + 0.55 * i / max(1, count - 1))
        axes.barh(offset(i + 1), values, height, color=colour, label=names[i])
    # The suggestion: a red line across the step's bars, easy to compare with each of them.
    marks = [(r.suggested, k) for k, r in enumerate(rows) if r.suggested is not None]
    for n, (minutes, k) in enumerate(marks):
        axes.plot(
            [minutes, minutes],
            [k - 0.45, k + 0.45],
            color="#b3261e",
            linewidth=2,
            label=labels["suggested"] if n == 0 else None,
        )
    axes.set_yticks(list(y), [r.title.replace("$", r"\$") for r in rows])
    axes.set_xlabel(labels["minutes"])
    axes.spines[["top", "right"]].set_visible(False)
    handles, texts = axes.get_legend_handles_labels()
    order = sorted(range(len(texts)), key=lambda k: texts[k] == labels["suggested"])  # it last
    # On the figure, not the axes: long step titles push the axes right, and a legend
    # centred on them ran off the figure's edge.
    figure.legend(
        [handles[k] for k in order],
        [texts[k] for k in order],
        loc="outside upper center",
        ncols=3,
        frameon=False,
    )
    return figure


def minutes_svg(figure: Figure) -> str:
    """The figure as an SVG document (texts as text, reproducible byte for byte)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "codev"}):
        FigureCanvasSVG(figure)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
