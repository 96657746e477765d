"""The pages' composition roots: what each notebook calls.

``from codevwidgets.pages import facilitator_page`` (and ``participant_page``,
``projector_page``, ``cycle_page``, ``editor_page``, ``day_page``, ``join_page``) is the public
face the kit's notebooks and the client notebooks written by ``codev runbook new --notebook``
use. The cycle's, the editor's and the day's pages (the overview and the room's) are imported
when asked for: a participant's kernel never loads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codevwidgets.pages.session import facilitator_page, participant_page, projector_page

if TYPE_CHECKING:
    from codevwidgets.pages.cycle import cycle_page
    from codevwidgets.pages.day_join import join_page
    from codevwidgets.pages.day_overview import day_page
    from codevwidgets.pages.editor import editor_page

__all__ = [
    "cycle_page",
    "day_page",
    "editor_page",
    "facilitator_page",
    "join_page",
    "participant_page",
    "projector_page",
]


def __getattr__(name: str) -> Any:
    if name == "cycle_page":
        from codevwidgets.pages.cycle import cycle_page

        return cycle_page
    if name == "day_page":
        from codevwidgets.pages.day_overview import day_page

        return day_page
    if name == "join_page":
        from codevwidgets.pages.day_join import join_page

        return join_page
    if name == "editor_page":
        from codevwidgets.pages.editor import editor_page

        return editor_page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
