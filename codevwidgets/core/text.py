"""Text a person types, as the kit keeps it, names, and text as the records show it.

Any character but NUL is kept: no keyboard types a NUL, but a crafted request may send one, and
the engines disagree about it: PostgreSQL's text cannot hold it, SQLite's can. Refused here,
once, a session of one kernel and every store refuse the same text.

A person's name is one line of visible characters (``name_problem``), the same rule for a
roster's members and a name typed on "who are you?". What a record file shows is typed text
without the control characters a terminal or a reader would act on (``without_controls``).
"""

from __future__ import annotations

import re
import unicodedata

from codevwidgets.core.limits import MAX_NAME

__all__ = ["name_problem", "without_controls", "without_nul"]


def without_nul(text: str, what: str) -> str:
    """``text`` itself, or ``ValueError`` if it holds a NUL character (``what``: "a note", …)."""
    if "\x00" in text:
        raise ValueError(f"{what} cannot hold a NUL character")
    return text


# Unicode's categories of what a name cannot show: controls (Cc: tab, newline, escape),
# formats (Cf: zero-width spaces and joiners, bidi marks and overrides), surrogates, private
# use and unassigned code points.
_NOT_IN_A_NAME = {"Cc", "Cf", "Cs", "Co", "Cn"}
_LINE_BREAKS = {"\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


def name_problem(name: str) -> str | None:
    """What makes ``name`` (trimmed) unfit for a person's name, or None if it is fit.

    A name is at most ``MAX_NAME`` characters on one line, with no control or invisible
    character: such a name cannot be told apart from another on a console, and its member's
    personal link (``&name=``, cleaned as ``joining.clean_name`` cleans it) would never match.

    >>> name_problem("Ana Lopez") is None
    True
    >>> name_problem("Ana\\u200bLopez")
    'holds an invisible character U+200B (ZERO WIDTH SPACE): remove it'
    """
    name = name.strip()
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; a name has at most {MAX_NAME}"
    for char in name:
        if char in _LINE_BREAKS:
            return "holds a line break: a name is one line"
        category = unicodedata.category(char)
        if category == "Cc":
            return f"holds a control character U+{ord(char):04X}: remove it"
        if category in _NOT_IN_A_NAME:
            described = unicodedata.name(char, "")
            shown = f"U+{ord(char):04X}" + (f" ({described})" if described else "")
            return f"holds an invisible character {shown}: remove it"
    return None


# What a terminal or a Markdown reader would act on in a record: escape sequences (CSI
# "\x1b[31m", OSC "\x1b]…" up to BEL or ST, and any other ESC pair), then every C0 and C1
# control but tab and newline. Carriage returns become newlines first: "\r\n" typed on one
# system is one line break, not a control character.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, "clear screen"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x9b[0-?]*[ -/]*[@-~]"  # CSI as one C1 character
    r"|\x1b[@-_]?"  # any other ESC, and what it would have introduced
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """``text`` as a record shows it: line breaks and tabs kept, escape sequences and every
    other control character dropped.

    >>> without_controls("\\x1b[31mred\\x1b[0m alert\\x07\\r\\nnext")
    'red alert\\nnext'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPE_SEQUENCE.sub("", text))


def name_order(name: str) -> tuple[str, str]:
    """How a list of people's names is ordered for people to find theirs: as a phone book
    does, accents aside ("Célia" before "Chloé", "Hélène" before "Hugo"), case aside.

    >>> sorted(["Hugo", "Hélène", "Chloé", "Célia", "anne"], key=name_order)
    ['anne', 'Célia', 'Chloé', 'Hélène', 'Hugo']
    """
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold(), name.casefold()
