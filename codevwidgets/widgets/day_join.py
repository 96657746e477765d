"""A day's room page: one link for everyone; who you are, then your group's page.

The room's link (``join.ipynb?day=ID&code=CODE``) asks who the person is among the day's
names, with a box for a latecomer not on the list (``WhoAreYou``, ``free``), then shows the
page of their group (a ``ParticipantPage``, which the composition root builds for the group's
session once the day has placed the person). The browser remembers the name under the day
(``PageMemory``): a reload of the room's link goes straight to the group's page; "not you?"
there comes back to the day's names.

The page learns no secret of any group: it is handed the group's page, built in its own
kernel, never a group's link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets

from codevwidgets.core.joining import joinable, new_page_id, page_id
from codevwidgets.core.limits import PageBudget
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.theme import Theme
from codevwidgets.widgets._view import Texts, close_all, close_page, literal, stylesheet
from codevwidgets.widgets.memory import PageMemory
from codevwidgets.widgets.participant_page import dressed, may_change_name
from codevwidgets.widgets.who import WhoAreYou

__all__ = ["Place", "RoomPage"]

Place = Callable[[str], "widgets.Widget | str"]
"""``place(name)``: the page of ``name``'s group (a newcomer placed first, in the group with
most room), or the catalog key of why not (a name the day refuses, a store away)."""


class RoomPage(widgets.VBox):
    """Asks who among ``names`` (empty: a day of free names), remembers it in the browser,
    and shows the person's group page (``show`` replaces it when the lead moves them).

    Examples
    --------
    >>> room = RoomPage("day-x", texts, book, "light", ("Ana", "Bo"), place)  # doctest: +SKIP
    >>> room.memory.recall(None, None); room.who.click_name("Bo")  # doctest: +SKIP
    >>> room.name  # doctest: +SKIP
    'Bo'
    """

    def __init__(
        self,
        day_id: str,
        texts: Texts,
        runbook: Runbook,
        theme: Theme,
        names: Sequence[str],
        place: Place,
        budget: PageBudget | None = None,
        title: str = "",
    ) -> None:
        self.day_id, self.texts, self.runbook, self.theme = day_id, texts, runbook, theme
        # The day's name above the question: a person in a hall of groups sees they are at
        # the right day (typed by a consultancy: shown as text).
        self.title = title
        self.names, self.place = tuple(names), place
        self.budget = budget or PageBudget()
        # The id the memory record carries (the group's page keeps its own, per session).
        self.page = new_page_id()
        self.name: str | None = None  # who the page shows, once placed
        self.group: widgets.Widget | None = None  # their group's page
        self.who: WhoAreYou | None = None
        self.memory = PageMemory(key=f"codev-day:{day_id}")
        self.memory.on_recall(self._recalled)
        self._shown: list[widgets.Widget] = [stylesheet(runbook, theme)]
        super().__init__([self.memory, *self._shown])
        self.add_class("codev-room-page")

    def __repr__(self) -> str:
        return f"RoomPage(day={self.day_id!r}, name={self.name!r})"

    def _recalled(self, tab: object, device: object) -> None:
        # The browser's word is checked: a page id of the right shape, a clean name (the day
        # places it as it would a name chosen).
        tab = tab if isinstance(tab, dict) else {}
        device = device if isinstance(device, dict) else {}
        self.page = page_id(tab.get("page")) or self.page
        remembered = tab.get("name") if "name" in tab else device.get("name")
        name = joinable(remembered, ())
        if name is None:
            self.ask()
        else:
            self.join(name)

    def ask(self, message: str | None = None) -> None:
        """Show "who are you?" (and forget the name the browser kept); ``message``: the
        catalog key of why the name just chosen was not taken."""
        self.name = None
        self.memory.keep(self.page, None)
        self.who = WhoAreYou(self.texts, self.names, free=True)
        self.who.on_choose(self.choose)
        if message is not None:
            self.who.say(self.texts(message))
        question: widgets.Widget = self.who
        if self.title:
            heading = literal(widgets.Label(self.title).add_class("codev-day-title"))
            question = widgets.VBox([heading, self.who])
        self._show([dressed(question, self.runbook, self.texts, self.theme)])

    def choose(self, name: str) -> None:
        """A name chosen (or typed): the person's group page, unless the page has changed
        names too often just now (then said so, and nothing asked of the store)."""
        if may_change_name(self.budget, self.who, self.texts):
            self.join(name)

    def join(self, name: str) -> None:
        """Show ``name``'s group page and remember the name; or ask again, saying why not."""
        placed = self.place(name)
        if isinstance(placed, str):
            self.ask(placed)
            return
        self.name = name
        self.memory.keep(self.page, name)
        self.show(placed)

    def show(self, group: widgets.Widget) -> None:
        """Show ``group`` (the person's group page) in place of what the page showed: the
        question, or the page of the group the lead has just moved them out of."""
        self.who = None
        self._show([group], group)

    def _show(self, parts: list[widgets.Widget], group: widgets.Widget | None = None) -> None:
        old, self._shown = self._shown, parts
        old_group, self.group = self.group, group
        self.children = [self.memory, *parts]
        if old_group is not None and old_group is not group:
            old_group.close()  # its view stops following its session
        close_all(w for w in old if w not in parts and w is not old_group)

    def close(self) -> None:
        """Close the group's page (and its link to the store), the question and the memory."""
        self._show([])
        close_page(self)
        super().close()
