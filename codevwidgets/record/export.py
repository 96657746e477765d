"""The session record as a file: Markdown, a single printable HTML page, or an A4 PDF.

Jinja2 renders the ``SessionRecord`` (``codevwidgets.record.model``); matplotlib draws the planned
vs actual minutes; WeasyPrint prints the HTML to PDF (it needs Pango, from the system's
packages). What people typed is escaped everywhere: text, never markup.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Literal

import jinja2
import markupsafe

from codevwidgets.core.files import write_atomically
from codevwidgets.core.text import without_controls
from codevwidgets.record.cycle import minutes_svg
from codevwidgets.record.day import DayRecord, day_chart
from codevwidgets.record.model import SessionRecord

__all__ = [
    "FORMATS",
    "Format",
    "day_file_name",
    "file_name",
    "render",
    "render_day",
    "timing_chart",
    "write_private",
]

Format = Literal["md", "html", "pdf"]
FORMATS: tuple[Format, ...] = ("md", "html", "pdf")
TEMPLATES = Path(__file__).parent / "templates"
MEDIA_TYPES = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}

# What people typed is text in every format. No library escapes text for Markdown (mistune and
# Python-Markdown read it; markup-safe escaping is HTML's), so this is CommonMark's own rule:
# a backslash before ASCII punctuation makes it literal. Inline, the characters that start
# emphasis, code, links, images, strikethrough, tables and headings are escaped everywhere;
# "<" and ">" become character references (no inline HTML, no quote); at a line's start, the
# characters that make a list item, a setext heading's underline or a rule.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~])")


def _md(text: object) -> str:
    """One line of typed text as Markdown that reads as typed: never a heading, a rule, a
    list, a quote, code, a link, emphasis or HTML; line breaks become spaces, controls go."""
    line = " ".join(without_controls(str(text)).splitlines())
    body = line.lstrip()
    escaped = re.sub(r"&(?=#?\w+;)", "&amp;", body)  # "&lt;" typed stays "&lt;"
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped.replace("<", "&lt;").replace(">", "&gt;"))
    escaped = re.sub(r"^(\d+)([.)])", r"\1\\\2", escaped)  # "1." and "1)": numbered items
    escaped = re.sub(r"^([-+=])", r"\\\1", escaped)  # items, rules, setext underlines
    # Leading spaces kept as no-break spaces: four would start a code block.
    return "\u00a0" * (len(line) - len(body)) + escaped


def _md_lines(text: object, indent: str = "") -> str:
    """A typed text on its own lines, escaped, each kept (Markdown joins single newlines).

    A blank line typed stays a blank line of the paragraph (a no-break space): a truly blank
    one would end the list item or quote, and what follows could read as code."""
    lines = [_md(line) or "\u00a0" for line in without_controls(str(text)).strip().splitlines()]
    return f"  \n{indent}".join(lines or [""])


def _minutes(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _shown(value: object) -> object:
    # Markup is the template's own (a macro's output): its values passed here already.
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return without_controls(value)
    return value


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Markdown is escaped by its own filter (md); HTML by Jinja2's autoescape.
        autoescape=autoescape,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Every value a template shows, in any format, loses the control characters a terminal
    # or a reader would act on (escape sequences, bells); Jinja2 applies this before escaping.
    env.finalize = _shown
    env.filters["md"] = _md
    env.filters["md_lines"] = _md_lines
    env.filters["minutes"] = _minutes
    return env


def timing_chart(record: SessionRecord, colour: str = "#1f4e79") -> str:
    """Planned vs actual minutes per step, as an SVG document (matplotlib, no pyplot)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    timings = list(record.timings)
    # "$" starts mathematics in matplotlib's labels: a title with a price must stay text.
    names = [without_controls(t.title).replace("$", r"\$") for t in timings][::-1]
    planned = [t.planned + t.extended for t in timings][::-1]
    actual = [t.actual for t in timings][::-1]
    labels = record.labels
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "codev"}):
        figure = Figure(figsize=(7.0, 0.55 * len(timings) + 1.1))
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        rows = range(len(timings))
        axes.barh([r + 0.2 for r in rows], planned, 0.4, label=labels["planned"], color="#c9d3df")
        over = [a > p for a, p in zip(actual, planned, strict=True)]
        axes.barh(
            [r - 0.2 for r in rows],
            actual,
            0.4,
            label=labels["actual"],
            color=["#b3261e" if o else colour for o in over],
        )
        axes.set_yticks(list(rows), names)
        axes.set_xlabel(labels["minutes"])
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="lower right", frameon=False)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def render(record: SessionRecord, fmt: Format, colour: str | None = None) -> bytes:
    """The record in one format: ``md`` and ``html`` as UTF-8, ``pdf`` printed from the HTML."""
    if fmt == "md":
        text = _environment(autoescape=False).get_template("record.md.j2").render(r=record)
        return text.encode()
    colour = colour or record.colour or "#1f4e79"
    chart = base64.b64encode(timing_chart(record, colour).encode()).decode()
    page = (
        _environment(autoescape=True)
        .get_template("record.html.j2")
        .render(r=record, chart=f"data:image/svg+xml;base64,{chart}", colour=colour)
    )
    return _page(page, fmt)


def _page(page: str, fmt: Format) -> bytes:
    """An HTML page as asked: itself, or printed to PDF."""
    if fmt == "html":
        return page.encode()
    if fmt == "pdf":
        import weasyprint  # loads Pango: only when a PDF is asked for

        pdf: bytes = weasyprint.HTML(string=page).write_pdf()
        return pdf
    raise ValueError(f"unknown format {fmt!r} (use md, html or pdf)")


def render_day(record: DayRecord, fmt: Format) -> bytes:
    """The day's summary in one format, as ``render`` makes a session's record."""
    if fmt == "md":
        text = _environment(autoescape=False).get_template("day.md.j2").render(r=record)
        return text.encode()
    colour = record.colour or "#1f4e79"
    svg = minutes_svg(day_chart(record, colour))
    chart = base64.b64encode(svg.encode()).decode()
    page = (
        _environment(autoescape=True)
        .get_template("day.html.j2")
        .render(r=record, chart=f"data:image/svg+xml;base64,{chart}", colour=colour)
    )
    return _page(page, fmt)


def file_name(record: SessionRecord, fmt: Format) -> str:
    """A file name people can tell apart: date, client person (or organisation), session."""
    who = record.client or record.organisation or "session"
    slug = re.sub(r"[^\w-]+", "-", who, flags=re.UNICODE).strip("-").lower() or "session"
    return f"codev-{record.created.date().isoformat()}-{slug}-{record.session_id}.{fmt}"


def day_file_name(record: DayRecord, fmt: Format) -> str:
    """``codev-day-2027-03-04-launch-day-day-Ab3….md``: the day's date, name and id."""
    slug = re.sub(r"[^\w-]+", "-", record.name, flags=re.UNICODE).strip("-").lower()
    parts = ["codev-day", record.date.date().isoformat(), *([slug] if slug else []), record.day_id]
    return "-".join(parts) + f".{fmt}"


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by its owner only (0600), whole or not at all.

    Written beside, then renamed over (``write_atomically``): a failed write leaves no
    half-written record and keeps a previous one. Raises ``OSError``.
    """
    return write_atomically(path, data, mode=0o600)
