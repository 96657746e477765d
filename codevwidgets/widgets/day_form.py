"""day.ipynb's form in JupyterLab: make a day of many groups, then show its overview.

A thin view: the form collects a ``DayRequest`` and hands it to ``make``, the page's (which
forms and stores the day, ``pages.day_making``, and builds what shows it). A refusal
(``DayError``, a roster or runbook file's ``FILE:LINE: field: …``) is one line under the form;
the page stores nothing then.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from codevwidgets.core.i18n import Translator
from codevwidgets.core.problems import InputError
from codevwidgets.widgets._view import literal, show

__all__ = ["DayForm", "DayMade", "DayRequest"]

NAMES = "names"
"""The facilitators' choice that names one facilitator per group (then ``names`` says who)."""


@dataclass(frozen=True)
class DayRequest:
    """What the form asks for, as ``codev day new``'s options: a roster file or a number of
    people, a number of groups or a size, a runbook (a preset or a file), and who facilitates
    (``None``: the runbook's default, ``"rotate"``, ``"lead"``, or names separated by commas)."""

    runbook: str
    roster: str | None = None
    people: int | None = None
    groups: int | None = None
    size: int | None = None
    facilitators: str | None = None


Make = Callable[[DayRequest], widgets.Widget]
"""Makes the day asked for and returns what shows it; raises ``ValueError`` (``DayError``) or
``InputError`` when it cannot, having stored nothing."""


class DayForm(widgets.VBox):
    """The form (``codev-day-form``) and, once a day is made, what shows it below.

    Examples
    --------
    >>> form = DayForm(make, ["classic", "troika"], "en")  # doctest: +SKIP
    >>> form.roster.value, form.count.value = "rosters/launch-day.yaml", 4
    >>> form.submit()  # the day's links and overview in form.result, or one line in form.message
    """

    def __init__(self, make: Make, runbooks: Sequence[str], language: str = "en") -> None:
        self.make, self.t = make, Translator(language)
        t = self.t
        self.who = widgets.ToggleButtons(
            options=[(t("day_form.from_roster"), "roster"), (t("day_form.from_count"), "people")],
            description=t("day_form.who"),
        ).add_class("codev-day-form-who")
        self.roster = widgets.Text(
            description=t("day_form.roster"), placeholder="rosters/launch-day.yaml"
        ).add_class("codev-day-form-roster")
        self.people = widgets.IntText(value=12, description=t("day_form.people")).add_class(
            "codev-day-form-people"
        )
        self.split = widgets.ToggleButtons(
            options=[(t("day_form.by_groups"), "groups"), (t("day_form.by_size"), "size")],
            description=t("day_form.split"),
        ).add_class("codev-day-form-split")
        self.count = widgets.IntText(value=2, description=t("day_form.count")).add_class(
            "codev-day-form-count"
        )
        self.runbook = widgets.Combobox(
            value=runbooks[0] if runbooks else "",
            options=list(runbooks),
            description=t("day_form.runbook"),
            placeholder=t("day_form.runbook_hint"),
            ensure_option=False,
        ).add_class("codev-day-form-runbook")
        self.facilitators = widgets.Dropdown(
            options=[
                (t("day_form.automatic"), ""),
                (t("day_form.rotate"), "rotate"),
                (t("day_form.lead"), "lead"),
                (t("day_form.names"), NAMES),
            ],
            description=t("day_form.facilitators"),
        ).add_class("codev-day-form-facilitators")
        self.names = widgets.Text(
            description=t("day_form.names_label"), placeholder=t("day_form.names_hint")
        ).add_class("codev-day-form-names")
        self.make_button = widgets.Button(
            description=t("day_form.make"), icon="users", button_style="primary"
        ).add_class("codev-day-make")
        self.make_button.on_click(lambda _: self.submit())
        self.message = literal(widgets.Label().add_class("codev-day-form-message"))
        for field in (self.who, self.roster, self.people, self.split, self.count):
            field.style.description_width = "8em"
        for field in (self.runbook, self.facilitators, self.names):
            field.style.description_width = "8em"
        self.who.observe(lambda _: self._shown(), "value")
        self.facilitators.observe(lambda _: self._shown(), "value")
        self.result: widgets.Widget | None = None
        self.form = widgets.VBox(
            [
                literal(widgets.Label(t("day_form.title"))).add_class("codev-heading"),
                self.who,
                self.roster,
                self.people,
                self.split,
                self.count,
                self.runbook,
                self.facilitators,
                self.names,
                self.make_button,
                self.message,
            ]
        ).add_class("codev-day-form")
        self._shown()
        super().__init__([self.form])

    def __repr__(self) -> str:
        return "DayForm(roster or people, groups or size, runbook, facilitators)"

    def _shown(self) -> None:
        show(self.roster, self.who.value == "roster")
        show(self.people, self.who.value == "people")
        show(self.names, self.facilitators.value == NAMES)

    def request(self) -> DayRequest:
        """The day the form asks for, as typed: the page and the core check it."""
        chosen = self.facilitators.value or None
        return DayRequest(
            runbook=self.runbook.value.strip(),
            roster=self.roster.value.strip() if self.who.value == "roster" else None,
            people=self.people.value if self.who.value == "people" else None,
            groups=self.count.value if self.split.value == "groups" else None,
            size=self.count.value if self.split.value == "size" else None,
            facilitators=self.names.value if chosen == NAMES else chosen,
        )

    def submit(self) -> None:
        """Make the day asked for: what shows it replaces the last one made, or one line says
        why not (and the last day shown stays)."""
        try:
            made = self.make(self.request())
        except InputError as exc:
            self._refused(str(exc.problems[0]) if exc.problems else str(exc))
            return
        except ValueError as exc:
            self._refused(str(exc))
            return
        self.message.value = ""
        self.message.remove_class("codev-error")
        if self.result is not None:  # its overview follows the store no more
            self.result.close()
        self.result = made
        self.children = [self.form, made]

    def _refused(self, reason: str) -> None:
        # One line: a message from a file may hold a newline; the first problem is the one.
        line = reason.splitlines()[0] if reason else ""
        self.message.value = self.t("day_form.refused", reason=line)
        self.message.add_class("codev-error")

    def close(self) -> None:
        if self.result is not None:
            self.result.close()
        super().close()


class DayMade(widgets.VBox):
    """A day just made (``codev-day-made``): the lead's link (private), the room's link, each
    group's console, then the day's overview (``overview``, closed with this)."""

    def __init__(
        self,
        language: str,
        lead: str,
        room: str,
        consoles: Sequence[tuple[int, str | None, str]],
        lead_name: str,
        overview: widgets.Widget,
    ) -> None:
        t = Translator(language)
        self.overview = overview

        def link(url: str, text: str | None = None) -> str:
            shown = html.escape(text if text is not None else url)
            return f'<a href="{html.escape(url)}" target="_blank">{shown}</a>'

        rows = "".join(
            "<li>"
            + link(url, t("day_form.console", number=n, facilitator=who or lead_name))
            + f" <code>{html.escape(url)}</code></li>"
            for n, who, url in consoles
        )
        self.links = literal(
            widgets.HTML(
                f'<p>{html.escape(t("day_form.lead_link"))} <span class="codev-day-lead-link">'
                f"{link(lead)}</span></p>"
                f'<p>{html.escape(t("day_form.room_link"))} <span class="codev-day-room-link">'
                f"{link(room)}</span></p>"
                f"<p>{html.escape(t('day_form.consoles'))}</p>"
                f'<ul class="codev-day-console-links">{rows}</ul>'
            )
        ).add_class("codev-day-links")
        super().__init__([self.links, overview])
        self.add_class("codev-day-made")

    def __repr__(self) -> str:
        return f"DayMade(overview={self.overview!r})"

    def close(self) -> None:
        self.overview.close()
        super().close()
