""" "Who are you?": a participant page's first question when its link names nobody.

With a roster, a button per member's name (the names only: nothing else of the roster ever
reaches a participant's kernel); without one, a box for a free name, checked
(``joining.joinable``) and shown only as text. A day's room offers both (``free``): its
roster's names, and a box for a latecomer who is not on the list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import ipywidgets as widgets

from codevwidgets.core.joining import joinable
from codevwidgets.widgets._view import Texts, literal

__all__ = ["Choose", "WhoAreYou"]

Choose = Callable[[str], None]
"""``choose(name)``: the page joins under ``name`` (already checked)."""


class WhoAreYou(widgets.VBox):
    """The question, and the group's names to pick from (or a free name to type).

    ``on_choose(callback)`` is told the name chosen; ``click_name(name)``, ``type_name`` and
    ``submit`` (Enter in the box) drive it from code as a click or the box would.

    Examples
    --------
    >>> who = WhoAreYou(texts, ("Ana", "Bruno", "Chloé"))  # doctest: +SKIP
    >>> who.on_choose(print)  # doctest: +SKIP
    >>> who.click_name("Chloé")  # doctest: +SKIP
    Chloé
    """

    def __init__(
        self,
        texts: Texts,
        names: Sequence[str],
        taken: Collection[str] = (),
        *,
        free: bool = False,
    ) -> None:
        # ``taken``: names this page may not join under (another page's through its personal
        # link, or not the one this page has spoken as): shown, not offered. ``free``: a typed
        # name is taken beside the names (a day's room: latecomers are not on its list).
        self.texts, self.names = texts, tuple(names)
        self.free = free or not self.names
        self._choose: list[Choose] = []
        heading = widgets.Label(texts("join.who")).add_class("codev-heading")
        self.message = literal(widgets.Label().add_class("codev-who-message"))
        self.buttons: list[widgets.Button] = []
        parts: list[widgets.Widget] = [heading]
        if self.names:
            for name in self.names:
                # A button's description is shown as text, never HTML.
                button = literal(widgets.Button(description=name, tooltip=name))
                button.add_class("codev-who-name")
                if name in taken:
                    button.disabled = True
                    button.add_class("codev-who-taken")
                button.on_click(lambda _, chosen=name: self.click_name(chosen))
                self.buttons.append(button)
            parts.append(widgets.Box(self.buttons).add_class("codev-who-names"))
        self.input: widgets.Text | None = None
        if self.free:
            if self.names:
                # Said above the box, so the names stay the way in for those on the list.
                parts.append(widgets.Label(texts("join.not_listed")).add_class("codev-who-other"))
            self.input = widgets.Text(placeholder=texts("join.your_name"))
            self.input.add_class("codev-who-input")
            self.join = widgets.Button(description=texts("join.join"), button_style="primary")
            self.join.add_class("codev-who-join")
            self.join.on_click(lambda _: self.type_name(self.input.value if self.input else ""))
            # Enter in the box joins, as the button does (a phone's keyboard shows it as "Go").
            # The box sends Enter as a "submit" message; its value follows every keystroke, so
            # it is the name as typed. Not ``continuous_update=False`` and an observer on the
            # value: that fires on a blur too, and a tap elsewhere would join under half a name
            # (jupyter-widgets/ipywidgets#2446). Not ``on_submit``: ipywidgets 8 deprecates it
            # (with a warning), though its browser side still sends the message it listens to.
            self.input.on_msg(self._on_box_message)
            parts.append(widgets.HBox([self.input, self.join]).add_class("codev-who-typed"))
        parts.append(self.message)
        super().__init__(parts)
        self.add_class("codev-who")

    def __repr__(self) -> str:
        return f"WhoAreYou(names={len(self.names)})"

    def on_choose(self, callback: Choose, remove: bool = False) -> None:
        """Call ``callback(name)`` when the person has said who they are."""
        if remove:
            self._choose.remove(callback)
        else:
            self._choose.append(callback)

    def click_name(self, name: str) -> None:
        """A click on a member's button (a crafted message naming someone else is refused)."""
        self._chosen(name if name in self.names else None)

    def type_name(self, typed: str) -> None:
        """A free name typed and sent (only where no roster's names are offered, or ``free``)."""
        self._chosen(joinable(typed, ()) if self.free else None)

    def submit(self) -> None:
        """Enter pressed in the free name's box: the name in it joins, as a click on Join."""
        if self.input is not None:
            self.type_name(self.input.value)

    def _on_box_message(self, _: widgets.Widget, content: object, buffers: object) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            self.submit()

    def say(self, text: str) -> None:
        """Show ``text`` under the names, as a refusal (a name this page may not take)."""
        self.message.value = text
        self.message.add_class("codev-error")

    def _chosen(self, name: str | None) -> None:
        if name is None:
            self.say(self.texts("join.bad_name"))
            return
        # The message is left as it is: the page answers every choice, by leaving this question
        # or by saying why not, and a refusal repeated then sends the browser nothing.
        for callback in list(self._choose):
            callback(name)
