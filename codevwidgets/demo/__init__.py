"""The demo: one roster (``DEMO_ROSTER``) and a cycle of held sessions for the cycle page; and
what makes sessions made from a roster file one group's (``roster_source``)."""

from pathlib import Path

from codevwidgets.core.roster import Roster, name_key

DEMO_ROSTER = Path(__file__).with_name("roster.yaml")


def roster_source(path: Path, roster: Roster, folder: Path | None = None) -> str:
    """Where a session's roster came from, as the store keys its group on (``Store.create``):
    the roster file (resolved) and its group's name.

    A consultancy keeps one file per client group: two organisations' rosters both called
    "Managers 2027" are two files, two groups; a member added to a file mid-cycle keeps the
    group; the group's name in the key keeps a file that is reused for another group (a
    server's one ``--roster`` file, rewritten per client) from mixing the two. The demo roster
    is one file for everyone who installed the kit: its cycles are also ``folder``'s (the
    notebook's folder in JupyterLab, the command's otherwise; the current one by default), so
    two users', or two folders', demo sessions never mix.
    """
    where = path.resolve()
    parts = [str(where), name_key(roster.group)]
    if where == DEMO_ROSTER.resolve():
        parts.append(str((folder or Path.cwd()).resolve()))
    return "\n".join(parts)
