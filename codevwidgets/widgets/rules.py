"""The rules panel: who speaks now, what each role may and may not do, prompts to read aloud."""

from __future__ import annotations

import html

import ipywidgets as widgets

from codevwidgets.core.roles import rules_of
from codevwidgets.core.runbook import ROLES, LocalText, RoleRules
from codevwidgets.core.session import Event, Session
from codevwidgets.widgets._view import (
    Follower,
    Texts,
    close_all,
    escaped_list,
    literal,
    show,
    touches,
)


class RulesPanel(Follower, widgets.VBox):
    """The current step's rules; with ``role`` set, only that role's (a participant's view).

    Reframing prompts are buttons: one click shows the prompt large, to read aloud.
    """

    def __init__(
        self,
        session: Session,
        texts: Texts,
        role: str | None = None,
        with_prompts: bool = True,
    ) -> None:
        self.session, self.texts, self.role = session, texts, role
        self.with_prompts = with_prompts
        # Runbook text, typed by a consultancy: shown as written, never typeset.
        self.speaker = literal(widgets.HTML().add_class("codev-speaker"))
        self.roles_html = literal(widgets.HTML().add_class("codev-role-rules"))
        self.prompts = literal(widgets.HTML().add_class("codev-prompts"))
        self.reframing = widgets.VBox().add_class("codev-reframing")
        self._reframe_heading = widgets.Label(
            texts("rules.reframing"), _dom_classes=("codev-heading",)
        )
        self._reframe: list[widgets.Button] = []  # reused from step to step, never rebuilt
        self.spoken = literal(widgets.Label().add_class("codev-prompt-spoken"))
        # The facilitator's eye goes first to who speaks, then to what to say: the prompt read
        # aloud and the reframing buttons stay above the longer rules of each role. A
        # participant's page shows who speaks inside ``roles_html`` (see ``refresh``).
        if with_prompts:
            super().__init__(
                [self.speaker, self.spoken, self.reframing, self.prompts, self.roles_html]
            )
        else:
            super().__init__([self.roles_html])
        self.add_class("codev-rules")
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"RulesPanel(session={self.session.id!r}, role={self.role!r})"

    def close(self) -> None:
        # A participant's panel shows only its roles: the console's parts (who speaks, the
        # prompts, the reframing buttons) are not among its children, so close them here.
        parts = (self.speaker, self.spoken, self.reframing, self.prompts)
        close_all(part for part in parts if part not in self.children)
        # Buttons kept aside for a step with more prompts, and the heading if never shown.
        spare = [self._reframe_heading, *self._reframe]
        close_all(part for part in spare if part not in self.reframing.children)
        super().close()

    def say(self, prompt: str) -> None:
        """Show ``prompt`` large, as the facilitator reads it out."""
        self.spoken.value = prompt
        show(self.spoken, bool(prompt))

    def _on_event(self, event: Event) -> None:
        if touches(event, {"started", "step"}, {"step"}):
            self.refresh()

    def refresh(self) -> None:
        step, texts = self.session.current_step, self.texts
        who = texts.of(step.speaker)
        speaker = (
            f"<b>{html.escape(texts('rules.speaker'))}</b> — {html.escape(who)}" if who else ""
        )
        roles = list(rules_of(self.role)) if self.role else list(ROLES)
        blocks = [self._role_block(r, getattr(step.rules, r)) for r in roles]
        shown = "".join(b for b in blocks if b) or html.escape(texts("rules.nothing"))
        if not self.with_prompts:
            # A participant's page: who speaks sits right above the rules, so one widget holds
            # both and a step change sends the page one message, not two.
            self.roles_html.value = f'<div class="codev-speaker">{speaker}</div>{shown}'
            return
        self.speaker.value = speaker
        self.roles_html.value = shown
        prompts = [texts.of(p) for p in step.prompts]
        heading = f"<h4>{html.escape(texts('rules.prompts'))}</h4>" if prompts else ""
        self.prompts.value = heading + escaped_list(prompts, "codev-prompt-list")
        # The step's reframing prompts in the buttons already there (one more when a step has
        # more): a step change sends new words, not new widgets.
        prompts_here = [texts.of(p) for p in step.reframing]
        while len(self._reframe) < len(prompts_here):
            self._reframe.append(self._reframe_button())
        for button, text in zip(self._reframe, prompts_here, strict=False):
            with button.hold_sync():  # words and tooltip in one message
                button.description = button.tooltip = text
        shown_buttons = self._reframe[: len(prompts_here)]
        if list(self.reframing.children[1:]) != shown_buttons:
            self.reframing.children = [self._reframe_heading, *shown_buttons]
        self.say("")

    def _role_block(self, role: str, rules: RoleRules | None) -> str:
        if rules is None or not (rules.may or rules.may_not):
            return ""
        texts = self.texts

        def part(key: str, items: list[LocalText], css: str) -> str:
            if not items:
                return ""
            label = html.escape(texts(key))
            return (
                f'<div class="{css}"><b>{label}</b>{escaped_list(texts.of(i) for i in items)}</div>'
            )

        name = html.escape(texts(f"role.{role}"))
        return (
            f'<div class="codev-role codev-role-{role}"><h4>{name}</h4>'
            + part("rules.may", rules.may, "codev-may")
            + part("rules.may_not", rules.may_not, "codev-may-not")
            + "</div>"
        )

    def _reframe_button(self) -> widgets.Button:
        button = widgets.Button(layout={"width": "auto"}, _dom_classes=("codev-reframe",))
        button.on_click(lambda _: self.say(str(button.description)))
        return button
