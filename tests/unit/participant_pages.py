"""Driving a participant page without a browser: what its browser and its person would do."""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.participant_page import ParticipantPage


def joined(page: widgets.Widget, name: str = "Chloé") -> ParticipantView:
    """The view ``page`` (a ``participant_page()``) shows once its browser has said it
    remembers nothing and, if the page asks who, the person has answered ``name``."""
    assert isinstance(page, ParticipantPage), page
    page.memory.recall(None, None)
    if page.who is not None:
        if page.who.names:
            page.who.click_name(name)
        else:
            page.who.type_name(name)
    assert page.view is not None
    return page.view
