"""The one clear message a page shows in place of a console or a participant's view."""

from __future__ import annotations

import contextlib

import ipywidgets as widgets

from codevwidgets.widgets.step_content import discarded


class ErrorBox(widgets.HTML):
    """A page's message (``codev-error``), and nothing else.

    ``during`` takes a client notebook's step cells (``with page.during(step_id):``) and
    shows nothing of them: a visitor without the facilitator's link sees the message alone,
    and the cells never fail for them.

    Examples
    --------
    >>> box = ErrorBox("<ul><li>This link is not valid.</li></ul>")  # doctest: +SKIP
    >>> with box.during("consultation"):  # doctest: +SKIP
    ...     display(Markdown("not shown"))
    """

    def __repr__(self) -> str:
        return "ErrorBox()"

    def during(self, step_id: str) -> contextlib.AbstractContextManager[None]:
        return discarded()
