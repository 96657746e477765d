"""Advice in disguise, as the pages show it (the rules: ``codevwidgets.core.advice``).

On the console, a flagged question's row carries the reason and a button that brings up the
step's reframing prompt; on a participant's page, the box asks before sending such a question.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from codevwidgets.widgets._view import Texts, literal, show

Say = Callable[[str], None]
"""``say(prompt)``: show a reframing prompt large, to read aloud (``RulesPanel.say``)."""


def flag_parts(texts: Texts, reason: str, prompt: str, say: Say | None) -> list[widgets.Widget]:
    """What a flagged row adds: the reason, and a button that shows ``prompt`` (in the row,
    and through ``say`` when given). Everything is plain text."""
    said = literal(widgets.Label(prompt).add_class("codev-advice-prompt"))
    show(said, False)
    button = widgets.Button(
        description=texts("console.advice_reframe"), tooltip=prompt, layout={"width": "auto"}
    ).add_class("codev-advice-reframe")

    def reframe(_: object) -> None:
        show(said, True)
        if say is not None:
            say(prompt)

    button.on_click(reframe)
    why = literal(widgets.Label(texts("console.advice_reason", reason=reason)))
    return [why.add_class("codev-advice-reason"), button, said]


class AdviceQuestion(widgets.VBox):
    """The gentle "this may sound like advice: send it anyway, or rephrase it?", hidden until
    ``ask``; its buttons call ``on_send`` or ``on_rephrase``.

    Examples
    --------
    >>> question = AdviceQuestion(texts, on_send=send, on_rephrase=keep)  # doctest: +SKIP
    >>> question.ask("suggests an action")  # doctest: +SKIP
    """

    def __init__(
        self, texts: Texts, on_send: Callable[[], None], on_rephrase: Callable[[], None]
    ) -> None:
        self.texts, self.on_send, self.on_rephrase = texts, on_send, on_rephrase
        self.reason_text = literal(widgets.Label().add_class("codev-advice-text"))
        self.send_anyway = widgets.Button(
            description=texts("participant.advice_send"), layout={"width": "auto"}
        ).add_class("codev-advice-send")
        self.send_anyway.on_click(lambda _: self.click_send_anyway())
        self.rephrase = widgets.Button(
            description=texts("participant.advice_rephrase"),
            button_style="primary",
            layout={"width": "auto"},
        ).add_class("codev-advice-rephrase")
        self.rephrase.on_click(lambda _: self.click_rephrase())
        super().__init__([self.reason_text, widgets.HBox([self.rephrase, self.send_anyway])])
        self.add_class("codev-advice-warning")
        # Kept here, not read back from the layout, which the page may set by a message.
        self._asking = False
        show(self, False)

    def __repr__(self) -> str:
        return f"AdviceQuestion(asking={self.asking!r})"

    @property
    def asking(self) -> bool:
        """Whether the page asks "send anyway or rephrase?" now."""
        return self._asking

    def ask(self, reason: str) -> None:
        self.reason_text.value = self.texts("participant.advice_warning", reason=reason)
        self._asking = True
        show(self, True)

    def dismiss(self) -> None:
        self._asking = False
        show(self, False)

    def click_send_anyway(self) -> None:
        # Only while asking: a crafted click on the hidden button sends nothing.
        if self.asking:
            self.dismiss()
            self.on_send()

    def click_rephrase(self) -> None:
        self.dismiss()
        self.on_rephrase()
