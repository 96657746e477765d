"""The participant's page around their view: who they are first, then the view under that name.

A link with ``&name=`` (a personal link) joins at once; a link without asks "who are you?"
(``WhoAreYou``). Either way the page first hears from its browser (``PageMemory``) which page
it was and whom it joined as: a reload comes back as the same page and person without asking
again, so the console does not count it twice. "Not you? Change" asks again.

Each name chosen builds a whole participant view (it follows the store, writes presence): a
page may choose a name ``NAME_CHANGES`` times a minute (``PageBudget``, counted in its kernel);
past that, "not you?" and the choice are refused in words, and nothing is built.

One person, one voice (``core.voices``): a page (or another tab of its device) that has rated
or contributed under a name stays under that name, and a name claimed through its personal
link (``&person=``, checked by the composition root) is not offered to a page without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets

from codevwidgets.core.joining import Visitor, joinable, page_id, person_key
from codevwidgets.core.limits import NAME_CHANGES, PageBudget, RateLimited
from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import SESSION_ENDED, DeletedError, UnreachableError
from codevwidgets.core.theme import Theme
from codevwidgets.core.voices import Persons, RefusedError, join_refusal
from codevwidgets.widgets._view import (
    Texts,
    brand,
    close_all,
    close_page,
    ended_line,
    literal,
    stylesheet,
)
from codevwidgets.widgets.memory import PageMemory
from codevwidgets.widgets.participant import ParticipantView
from codevwidgets.widgets.who import WhoAreYou

__all__ = ["Identity", "ParticipantPage", "ViewFor", "dressed"]

MAX_REMEMBERED = 50  # names a browser may say it had a page under (it keeps 20)

ViewFor = Callable[[Visitor, Callable[[], None]], ParticipantView]
"""``view_for(visitor, change)``: the participant view for ``visitor`` (its page id and name),
with ``change`` behind its "not you?" button (the composition root builds it)."""


@dataclass(frozen=True)
class Identity:
    """What the page asks the store about names (the composition root gives it).

    ``persons()``: who spoke under which name, and the names claimed; ``personal``: the
    link's name came with its valid personal secret; ``claim(name, page)`` records that
    ``page`` joined through that personal link. The default: nothing known, nothing kept.
    """

    persons: Callable[[], Persons] = Persons
    personal: bool = False
    claim: Callable[[str, str], None] = field(default=lambda name, page: None)


class ParticipantPage(widgets.VBox):
    """Asks who, remembers it in the browser, and shows the participant view under that name.

    ``names``: the roster's names (empty: a free name); ``link_name``: the link's ``&name=``
    if any. Nothing shows until the browser has said what it remembers (``memory.recall``).

    Examples
    --------
    >>> page = ParticipantPage("abc", texts, book, "light", ("Ana", "Bo"), None,
    ...                        Visitor("pageid00000"), view_for)  # doctest: +SKIP
    >>> page.memory.recall(None, None); page.who.click_name("Bo")  # doctest: +SKIP
    >>> page.view.name  # doctest: +SKIP
    'Bo'
    """

    def __init__(
        self,
        session_id: str,
        texts: Texts,
        runbook: Runbook,
        theme: Theme,
        names: Sequence[str],
        link_name: str | None,
        visitor: Visitor,
        view_for: ViewFor,
        identity: Identity | None = None,
        budget: PageBudget | None = None,
        *,
        leave: Callable[[], None] | None = None,
    ) -> None:
        self.session_id, self.texts, self.runbook, self.theme = session_id, texts, runbook, theme
        self.names, self.visitor, self.view_for = tuple(names), visitor, view_for
        self.identity = identity or Identity()
        # The page's own rate limits (the composition root's, shared with its sends).
        self.budget = budget or PageBudget()
        # What "not you?" does instead of asking among these names (a day's room asks among
        # the day's: the person may be in another group).
        self.leave = leave
        # The link's name as given, and the name it joins under if the session takes it (a
        # roster's member, or any clean name).
        self.link_given = link_name
        self.link_name = joinable(link_name, self.names) if link_name else None
        self.memory = PageMemory(key=f"codev-join:{session_id}")
        self.memory.on_recall(self._recalled)
        self.view: ParticipantView | None = None
        self.who: WhoAreYou | None = None
        # What the browser said: this tab's page id, and the device's page id by name.
        self._tab_page: str | None = None
        self._device_pages: dict[str, object] = {}
        self._shown: list[widgets.Widget] = [stylesheet(runbook, theme)]
        super().__init__([self.memory, *self._shown])
        self.add_class("codev-participant-page")

    def __repr__(self) -> str:
        return f"ParticipantPage(session={self.session_id!r}, name={self.visitor.name!r})"

    @property
    def asking(self) -> bool:
        """Whether the page asks "who are you?" now."""
        return self.who is not None

    def _recalled(self, tab: object, device: object) -> None:
        # The browser's word is checked: ids of the right shape, a name the session takes.
        tab = tab if isinstance(tab, dict) else {}
        device = device if isinstance(device, dict) else {}
        self._tab_page = page_id(tab.get("page"))
        pages = device.get("pages")
        if isinstance(pages, dict) and len(pages) <= MAX_REMEMBERED:
            self._device_pages = {str(k): v for k, v in pages.items()}
        if self._tab_page and "name" in tab and tab.get("link") == self.link_given:
            # This tab reloaded on the same link: who it was last ("not you?" included), or
            # the question again if it was asking.
            chosen = joinable(tab.get("name"), self.names)
        else:
            # A new link in this tab, or a new tab: the link's name, else the one the tab or
            # the device had.
            remembered = tab.get("name") if "name" in tab else device.get("name")
            chosen = self.link_name or joinable(remembered, self.names)
        if chosen is None:
            self.ask()
        else:
            self.join(chosen)

    def ask(self, refused: RefusedError | None = None) -> None:
        """Show "who are you?" (and forget the name the browser kept); ``refused``: why the
        name just chosen was not taken."""
        self.visitor.name = None
        self.memory.keep(self.visitor.page, None, self.link_given)
        try:
            persons = self.identity.persons()
        except UnreachableError:
            persons = Persons()  # offered all the same: joining checks again
        taken = [n for n in self.names if self._refusal(persons, n) is not None]
        self.who = WhoAreYou(self.texts, self.names, taken)
        self.who.on_choose(self.choose)
        spoken = next(filter(None, map(persons.spoken_as, self._device_pages_ids())), None)
        if refused is None and spoken is not None:
            # "Not you?" on a page that has spoken: say why only its name is offered.
            refused = RefusedError("voice.page_spoke", spoken)
        if refused is not None:
            self.who.say(self.texts(refused.key, name=refused.name))
        self._show([self._dressed(self.who)])

    def _page_for(self, name: str) -> str:
        # The page this tab already was (a reload, "not you?"), else the one this device was
        # under that name (the link opened again in a new tab), else the fresh one.
        remembered = page_id(self._device_pages.get(name))
        return self._tab_page or remembered or self.visitor.page

    def _device_pages_ids(self) -> list[str]:
        """This page's id and the device's other pages' (each checked)."""
        others = (page_id(p) for p in self._device_pages.values())
        return [self._tab_page or self.visitor.page, *filter(None, others)]

    def _refusal(self, persons: Persons, name: str) -> RefusedError | None:
        # The device's other tabs count: a phone that rated as Ana in one tab is not Bruno
        # in the next.
        page = self._page_for(name)
        pages = [page, *(p for p in self._device_pages_ids() if p != page)]
        return join_refusal(persons, name, pages, personal=self._personal(name))

    def _personal(self, name: str) -> bool:
        """Whether the page came through ``name``'s personal link, with its secret."""
        link = self.link_name
        return self.identity.personal and link is not None and person_key(link) == person_key(name)

    def _dressed(self, part: widgets.Widget) -> widgets.VBox:
        return dressed(part, self.runbook, self.texts, self.theme)

    def choose(self, name: str) -> None:
        """A name chosen on "who are you?": joined under, unless the page has changed names
        too often just now (then said so, and nothing asked of the store or built)."""
        if may_change_name(self.budget, self.who, self.texts):
            self.join(name)

    def join(self, name: str) -> None:
        """Show the participant view under ``name`` (checked by the caller), and remember it;
        or ask again, saying why, when the name is not this page's to take."""
        try:
            refused = self._refusal(self.identity.persons(), name)
            if refused is None and self._personal(name):
                self.identity.claim(name, self._page_for(name))
        except DeletedError:
            self._ended()
            return
        except UnreachableError:
            self._unreachable()
            return
        if refused is not None:
            self.ask(refused)
            return
        self.visitor.page = self._page_for(name)
        self._tab_page = self.visitor.page
        self.visitor.name = name
        self.memory.keep(self.visitor.page, name, self.link_given)
        self.who = None
        self._show([])
        try:
            self.view = self.view_for(self.visitor, self.change)
        except UnreachableError:
            self._unreachable()
            return
        self._show([self.view])

    def _ended(self) -> None:
        # The session was deleted from the store between the page's load and its joining.
        self._show([self._dressed(ended_line(self.texts(SESSION_ENDED)))])

    def _unreachable(self) -> None:
        # The store stopped answering between "who are you?" and the view: say so.
        message = widgets.Label(self.texts("participant.unreachable"))
        self._show([self._dressed(literal(message.add_class("codev-error")))])

    def change(self) -> None:
        """ "Not you? Change": leave the view, ask again; or, with no name change left just
        now, stay and say so (asking would only lead to a refused choice)."""
        if not self.budget.allows(NAME_CHANGES):
            if self.view is not None:
                self.view.say_about_name(self.texts("join.too_fast"))
            return
        if self.leave is None:
            self.ask()
            return
        # Forgotten here too: a reload of this page's link (the room's) asks again.
        self.visitor.name = None
        self.memory.keep(self.visitor.page, None, self.link_given)
        self.leave()

    def _show(self, parts: list[widgets.Widget]) -> None:
        old, self._shown = self._shown, parts
        self.children = [self.memory, *parts]
        if self.view is not None and self.view not in parts:
            self.view.close()  # stops following the store too
            self.view = None
        close_all(w for w in old if w not in parts and not isinstance(w, ParticipantView))

    def close(self) -> None:
        """Close the view (and its link to the store), the question and the memory."""
        self._show([])
        close_page(self)
        super().close()


def may_change_name(budget: PageBudget, who: WhoAreYou | None, texts: Texts) -> bool:
    """Whether a page may take another name now: not when it has changed names too often
    just now (a script's loop, not a person), which ``who`` then says."""
    try:
        budget.take(NAME_CHANGES)
    except RateLimited:
        if who is not None:
            who.say(texts("join.too_fast"))
        return False
    return True


def dressed(part: widgets.Widget, runbook: Runbook, texts: Texts, theme: Theme) -> widgets.VBox:
    """``part`` dressed as the participant view is: the same stylesheet, brand and theme."""
    box = widgets.VBox([stylesheet(runbook, theme), brand(runbook, texts)])
    box.children = [*box.children, part]
    box.add_class("codev-console").add_class("codev-participant")
    return box.add_class(f"codev-theme-{theme}")
