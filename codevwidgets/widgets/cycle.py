"""The cycle notebook's views: the rotation, downloads, the sessions held, the minutes.

Each part is one ``CycleSection`` (an HTML widget) built from the core's read model
(``codevwidgets.record.cycle``); every text a person typed (names, group, notes) is escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from codevwidgets.core.cycle import CyclePlan
from codevwidgets.core.i18n import Translator
from codevwidgets.record.cycle import LaterTopic, MinutesTable, session_label
from codevwidgets.record.model import SessionRecord

# Colours from the page's theme (the --codev-* properties of ``theme_style``), with the light
# ones as fallbacks where there are none (JupyterLab).
_STYLE = """<style>
.codev-cycle{max-width:100%;min-width:0}
.codev-cycle .widget-html-content{max-width:100%}
.codev-cycle .date{white-space:nowrap}
.codev-cycle table{border-collapse:collapse;margin:.3em 0 1em;font-size:.95em}
.codev-cycle th,.codev-cycle td{border-bottom:1px solid var(--codev-surface,#dde3ea);
 padding:.3em .6em;text-align:left;vertical-align:top}
.codev-cycle th{background:var(--codev-surface,#f1f4f8);color:var(--codev-text,#111820)}
.codev-cycle td.num{text-align:right;font-variant-numeric:tabular-nums}
.codev-cycle .held{color:var(--codev-success-text,#1b5e20);font-weight:600}
.codev-cycle .over{color:var(--codev-error,#a4000f);font-weight:600}
.codev-cycle .scroll{overflow-x:auto;max-width:100%}
.codev-cycle .scroll:focus-visible{outline:3px solid var(--codev-primary,#1f4e79);
 outline-offset:2px}
.codev-cycle h1{color:var(--codev-primary,#1f4e79)}
.codev-cycle h2{font-size:1.25em;margin:.8em 0 .3em}
.codev-cycle .demo{background:var(--codev-highlight,#fff4e5);
 border-left:4px solid var(--codev-accent,#b35c00);padding:.5em .8em}
.codev-cycle .muted{color:var(--codev-muted,#4a5560)}
.codev-download{display:inline-block;margin:.2em .6em .2em 0;padding:.25em .7em;
 border:1px solid var(--codev-primary,#1f4e79);border-radius:4px;
 color:var(--codev-primary,#1f4e79);text-decoration:underline}
.codev-cycle img{max-width:100%;height:auto}
/* The chart is drawn for white paper: on a dark page it sits on a white plate. */
.codev-cycle-chart img{background:#ffffff;border-radius:6px;padding:.3em;box-sizing:border-box}
.codev-cycle-sessions table{min-width:720px}
</style>"""


class CycleSection(widgets.HTML):
    """One part of the cycle page; its repr is a short plain summary (cheap, and what the
    notebook tests check)."""

    def __init__(self, css: str, body: str, summary: str, style: str = "") -> None:
        super().__init__(style + _STYLE + body)
        self.add_class("codev-cycle").add_class(css)
        self.summary = summary

    def __repr__(self) -> str:
        return self.summary


def e(text: object) -> str:
    return html.escape(str(text))


def download_link(data: bytes, name: str, media_type: str, label: str) -> str:
    """An ``<a download>`` carrying the file itself (no server route needed, in Voilà too)."""
    payload = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="codev-download" download="{e(name)}" '
        f'href="data:{media_type};base64,{payload}">{e(label)}</a>'
    )


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int], label: str
) -> str:
    """A table of already-escaped cells, named ``label`` (plain text).

    Wider than a phone, it scrolls sideways in its own region: one the keyboard can focus
    (WCAG 2.1.1), with a name a screen reader says."""
    top = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    region = f'<div class="scroll" tabindex="0" role="region" aria-label="{e(label)}">'
    return f"{region}<table><tr>{top}</tr>{body}</table></div>"


def header(
    group: str, plan: CyclePlan, every_days: int, demo: bool, t: Translator, style: str = ""
) -> CycleSection:
    """The page's title and summary; ``style``: the page's theme (``theme_style``), once."""
    first, last = plan.sessions[0].date, plan.sessions[-1].date
    summary = t(
        "cycle.summary",
        members=len(plan.sessions),
        every=every_days,
        first=first.isoformat(),
        last=last.isoformat(),
    )
    banner = f'<p class="demo">{e(t("cycle.demo"))}</p>' if demo else ""
    body = f"<h1>{e(t('cycle.title'))} — {e(group)}</h1>{banner}<p>{e(summary)}</p>"
    return CycleSection("codev-cycle-header", body, f"{group}: {summary}", style)


def rotation(plan: CyclePlan, held: dict[int, SessionRecord], t: Translator) -> CycleSection:
    head = [e(t(k)) for k in ("cycle.number", "cycle.date", "role.client", "role.facilitator")]
    head.append(e(t("cycle.held")))
    rows = [
        [
            str(s.number),
            f'<span class="date">{s.date.isoformat()}</span>',
            e(s.client),
            e(s.facilitator),
            f'<span class="held">{e(t("cycle.held_yes"))}</span>' if s.number in held else "",
        ]
        for s in plan.sessions
    ]
    body = f"<h2>{e(t('cycle.rotation'))}</h2>" + _table(head, rows, {0}, t("cycle.rotation"))
    summary = t("cycle.rotation_summary", sessions=len(plan.sessions), held=len(held))
    return CycleSection("codev-cycle-plan", body, summary)


def downloads(ics: bytes, csv: str, stem: str, t: Translator) -> CycleSection:
    links = download_link(ics, f"{stem}.ics", "text/calendar", t("cycle.ics")) + download_link(
        csv.encode(), f"{stem}.csv", "text/csv", t("cycle.csv")
    )
    body = f"<h2>{e(t('cycle.downloads'))}</h2><p>{links}</p>"
    return CycleSection("codev-cycle-downloads", body, f"{stem}.ics, {stem}.csv")


def sessions(
    records: Sequence[SessionRecord],
    numbers: dict[str, int],
    record_file: Callable[[SessionRecord], tuple[bytes, str]],
    t: Translator,
) -> CycleSection:
    """The sessions held, oldest first; ``numbers``: session id → its number in the plan;
    ``record_file``: a record's HTML file and its name."""
    title = f"<h2>{e(t('cycle.sessions'))}</h2>"
    if not records:
        body = f'{title}<p class="muted">{e(t("cycle.none_held"))}</p>'
        return CycleSection("codev-cycle-sessions", body, t("cycle.none_held"))
    head = [
        e(t(k))
        for k in (
            "cycle.number",
            "cycle.date",
            "role.client",
            "record.status",
            "cycle.headline",
            "cycle.objective",
            "cycle.record",
        )
    ]
    rows = []
    for record in records:
        problem = {n.field_id: n.text for n in record.problem}
        plan = {n.field_id: n.text for n in record.action_plan}
        data, name = record_file(record)
        when = record.started or record.created
        rows.append(
            [
                str(numbers.get(record.session_id, "")),
                f'<span class="date">{when.date().isoformat()}</span>',
                e(record.client or ""),
                e(t(f"record.status_{record.status}")),
                e(problem.get("headline", "")),
                e(plan.get("objective", "")),
                download_link(data, name, "text/html", t("cycle.record_html")),
            ]
        )
    summary = "; ".join(session_label(r, numbers.get(r.session_id)) for r in records)
    return CycleSection(
        "codev-cycle-sessions", title + _table(head, rows, {0}, t("cycle.sessions")), summary
    )


def later(topics: Sequence[LaterTopic], t: Translator) -> CycleSection:
    """The topics prepared and not chosen, newest first: each its headline, its author and
    the date of the session it was prepared for."""
    title = f"<h2>{e(t('dots.later'))}</h2>"
    if not topics:
        body = f'{title}<p class="muted">{e(t("dots.later_none"))}</p>'
        return CycleSection("codev-cycle-later", body, t("dots.later_none"))
    rows = "".join(
        "<li>"
        + e(t("dots.later_row", headline=x.headline, author=x.author, date=x.date.isoformat()))
        + "</li>"
        for x in topics
    )
    summary = "; ".join(f"{x.author}: {x.headline}" for x in topics)
    return CycleSection("codev-cycle-later", f"{title}<ul>{rows}</ul>", summary)


def chart(svg: str | None, t: Translator) -> CycleSection:
    title = f"<h2>{e(t('cycle.chart'))}</h2>"
    if svg is None:
        body = f'{title}<p class="muted">{e(t("cycle.none_held"))}</p>'
        return CycleSection("codev-cycle-chart", body, t("cycle.none_held"))
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    body = f'{title}<img alt="{e(t("cycle.chart"))}" src="{source}">'
    return CycleSection("codev-cycle-chart", body, t("cycle.chart"))


def _minutes(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def suggested(table: MinutesTable, numbers: Sequence[str], t: Translator) -> CycleSection:
    """Per step: planned, each session's actual minutes, and the suggested minutes."""
    title = f"<h2>{e(t('cycle.suggested'))}</h2>"
    if not table.rows:
        body = f'{title}<p class="muted">{e(t("cycle.none_held"))}</p>'
        return CycleSection("codev-cycle-suggested", body, t("cycle.none_held"))
    head = [e(t("record.step")), e(t("record.planned"))]
    head += [e(t("cycle.session_n", n=n)) for n in numbers]
    head.append(e(t("cycle.suggested_short")))
    rows = []
    for row in table.rows:
        actual = [
            f'<span class="over">{_minutes(a)}</span>'
            if a is not None and a > row.planned
            else _minutes(a)
            for a in row.actual
        ]
        rows.append([e(row.title), str(row.planned), *actual, f"<b>{_minutes(row.suggested)}</b>"])
    planned = sum(r.planned for r in table.rows)
    totals = [
        _minutes(sum(a or 0.0 for a in (r.actual[i] for r in table.rows)))
        for i in range(len(numbers))
    ]
    proposed = sum(r.suggested or 0 for r in table.rows)
    rows.append([f"<b>{e(t('record.total'))}</b>", str(planned), *totals, f"<b>{proposed}</b>"])
    numeric = set(range(1, len(head)))
    note = f'<p class="muted">{e(t("cycle.suggested_note"))}</p>'
    summary = ", ".join(f"{r.step_id} {_minutes(r.suggested)}" for r in table.rows)
    return CycleSection(
        "codev-cycle-suggested",
        title + _table(head, rows, numeric, t("cycle.suggested")) + note,
        summary,
    )
