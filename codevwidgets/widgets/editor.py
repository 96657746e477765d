"""The runbook editor's views: thin widgets over a ``RunbookDraft``
(``codevwidgets.authoring.draft``).

Every field calls one draft method; the draft holds the YAML, checks it as ``codev runbook
check`` does and saves it. What a person typed is shown as text (escaped), never as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

import anywidget
import ipywidgets as widgets

from codevwidgets.authoring.client_notebook import NotebookError, follow_runbook_file
from codevwidgets.authoring.draft import (
    DraftError,
    RunbookDraft,
    TextMap,
    hex_colour,
    languages,
)
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import ROLES, Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.theme import DEFAULT_ACCENT, DEFAULT_PRIMARY, Theme
from codevwidgets.widgets._view import Texts, close_all, escaped_list, literal, theme_style
from codevwidgets.widgets.participant import ParticipantView

OpenDraft = Callable[[str], RunbookDraft]
"""Another draft, from a preset name or a file (the page decides the target)."""

# Colours from the page's theme (``theme_style``), the light ones where there is none.
_STYLE = """<style>
.codev-editor{gap:1.2em;align-items:flex-start;flex-wrap:wrap}
.codev-editor-form{flex:1 1 560px;min-width:0;max-width:760px}
.codev-editor-preview{flex:1 1 380px;min-width:0;border:1px solid var(--codev-border,#6b7680);
 border-radius:6px;padding:.6em}
.codev-editor h2{color:var(--codev-primary,#1f4e79);font-size:1.3em;overflow-wrap:anywhere}
.codev-editor h3{font-size:1.1em;margin:.9em 0 .2em}
.codev-editor .codev-editor-hint{color:var(--codev-muted,#4a5560);font-size:.9em}
/* A field's languages in one even row, each box under its name ("Title (English)"). */
.codev-editor-langs{gap:.6em;width:100%}
.codev-editor-langs > .widget-text,.codev-editor-langs > .widget-textarea{flex:1 1 0;
 width:auto;min-width:0;flex-direction:column;align-items:stretch;margin:0 0 .3em}
.codev-editor-langs .widget-label{text-align:left;white-space:normal;overflow:visible;
 line-height:1.3;height:auto;margin:0 0 .2em}
.codev-editor-langs input,.codev-editor-langs textarea{width:100%;min-width:0}
@media (max-width:560px){.codev-editor-langs{flex-direction:column}}
.codev-editor-langs textarea{white-space:pre;overflow-wrap:normal;overflow-x:auto}
.codev-editor-total{font-weight:600}
.codev-editor .codev-error ul{margin:.2em 0;padding-left:1.2em}
.codev-editor .codev-error{color:var(--codev-error,#a4000f);font-family:monospace;
 white-space:pre-wrap}
.codev-editor-saved{color:var(--codev-success-text,#1b5e20)}
/* The step list's name, for a screen reader: the heading above it says it to the eye. */
.codev-editor-steps .widget-label{position:absolute;width:1px;height:1px;overflow:hidden;
 clip:rect(0 0 0 0);white-space:nowrap}
.codev-editor .jupyter-button:focus-visible,.codev-editor input:focus-visible,
.codev-editor textarea:focus-visible,.codev-editor select:focus-visible{
 outline:3px solid var(--codev-primary,#1f4e79);outline-offset:2px}
</style>"""


def _lines(items: list[TextMap], language: str) -> str:
    return "\n".join(item.get(language, "").replace("\n", " ") for item in items)


def _items(boxes: dict[str, widgets.Textarea]) -> list[TextMap]:
    """Line i of every language's box is item i (a blank line: that language left out)."""
    split = {lang: box.value.split("\n") for lang, box in boxes.items()}
    count = max((len(lines) for lines in split.values()), default=0)
    return [
        {lang: lines[i] for lang, lines in split.items() if i < len(lines) and lines[i].strip()}
        for i in range(count)
    ]


class LanguageFields(widgets.HBox):
    """One text box per language, in one even row (``lines`` > 1: a text area, one item a
    line). Each box is named by its field and language ("Title (English)"), for the eye and
    for a screen reader: ipywidgets links a description's ``<label>`` to its input.
    ``arrange`` puts the runbook's languages first and hides the others until asked."""

    def __init__(self, label: str, t: Translator, lines: int = 1) -> None:
        self.lines = lines
        make = widgets.Text if lines == 1 else widgets.Textarea
        self.boxes: dict[str, widgets.Text] = {}
        for lang in languages():
            name = Translator(lang)("app.language_name")
            box = make(description=t("editor.in_language", field=label, language=name))
            # The label above its box, as wide as it needs (the CSS stacks them).
            box.style.description_width = "auto"
            if lines > 1:
                box.rows = lines
            self.boxes[lang] = box
        self.label = widgets.Label(label)
        super().__init__(list(self.boxes.values()))
        self.add_class("codev-editor-langs")
        literal(self)

    def arrange(self, first: Sequence[str], others: bool) -> None:
        """The languages ``first`` in their order, then (shown only with ``others``) the rest."""
        order = [lang for lang in first if lang in self.boxes]
        order += [lang for lang in self.boxes if lang not in order]
        self.children = [self.boxes[lang] for lang in order]
        for lang, box in self.boxes.items():
            box.layout.display = None if (others or lang in first) else "none"

    def __repr__(self) -> str:
        return f"LanguageFields({self.label.value!r})"

    def on_change(self, callback: Callable[[], None]) -> None:
        for box in self.boxes.values():
            box.observe(lambda _change: callback(), "value")

    def set_text(self, texts: TextMap) -> None:
        for lang, box in self.boxes.items():
            box.value = texts.get(lang, "")

    def text(self) -> TextMap:
        return {lang: box.value for lang, box in self.boxes.items()}

    def set_items(self, items: list[TextMap]) -> None:
        for lang, box in self.boxes.items():
            box.value = _lines(items, lang)

    def items(self) -> list[TextMap]:
        return _items(self.boxes)


def preview_session(book: Runbook, step_id: str | None) -> Session:
    """A session of ``book`` stopped on ``step_id`` (paused, its whole time left), with demo
    roles: what a participant would see there. Its clock stands still."""
    session = Session(book, Roles("Ana", "Bruno", ("Chloé", "David")), FakeClock())
    state = session.to_dict()
    index = next((i for i, s in enumerate(book.steps) if s.id == step_id), 0)
    state.update(status="paused", index=index, paused_remaining=book.steps[index].minutes * 60.0)
    return Session.from_dict(state, book, session.clock)


class RunbookEditor(widgets.HBox):
    """The consultant's runbook editor: the form, the problems, Save, and a live preview.

    Examples
    --------
    >>> editor = RunbookEditor(RunbookDraft.open(path), "en")  # doctest: +SKIP
    >>> editor.minutes.value = 25; editor.save_button.click()  # doctest: +SKIP
    """

    def __init__(
        self,
        draft: RunbookDraft,
        language: str = "en",
        open_draft: OpenDraft | None = None,
        starts: list[str] | None = None,
        theme: Theme | None = None,
    ) -> None:
        self.draft = draft
        self.language = language
        self.t = Translator(language)
        self.open_draft = open_draft
        self.selected: str | None = None
        self._loading = False
        t = self.t
        self.heading = literal(widgets.HTML())
        self.start_from = widgets.Dropdown(options=starts or [], description=t("editor.start"))
        self.start_button = widgets.Button(description=t("editor.start_button"))
        self.start_button.on_click(lambda _b: self.restart(self.start_from.value))
        picker = widgets.HBox([self.start_from, self.start_button])
        picker.layout.display = None if (open_draft and starts) else "none"

        self.client = widgets.Text(description=t("editor.client"))
        self.runbook_language = widgets.Dropdown(
            options=list(languages()), description=t("editor.language")
        )
        self.title = LanguageFields(t("editor.title"), t)
        self.logo = widgets.Text(description=t("editor.logo"), placeholder="logo.png")
        # A colour picker (and its text box) per brand colour; without one in the file, the
        # kit's own colour shows and nothing is written until it is changed.
        self.primary = widgets.ColorPicker(description=t("editor.primary"), value=DEFAULT_PRIMARY)
        self.accent = widgets.ColorPicker(description=t("editor.accent"), value=DEFAULT_ACCENT)
        self.default_colours = widgets.Button(description=t("editor.default_colours"))
        self.other_languages = widgets.Checkbox(description="", indent=False)
        self.ground_rules = LanguageFields(t("app.ground_rules"), t, lines=5)

        self.steps = widgets.Select(
            rows=10, description=t("editor.steps"), layout=widgets.Layout(width="100%")
        ).add_class("codev-editor-steps")
        self.add_button = widgets.Button(description=t("editor.add"), icon="plus")
        self.remove_button = widgets.Button(description=t("editor.remove"), icon="trash")
        self.up_button = widgets.Button(description=t("editor.up"), icon="arrow-up")
        self.down_button = widgets.Button(description=t("editor.down"), icon="arrow-down")
        self.step_buttons = [self.add_button, self.remove_button, self.up_button, self.down_button]
        self.total = widgets.Label().add_class("codev-editor-total")

        self.step_id = widgets.Text(description=t("editor.step_id"))
        self.minutes = widgets.IntText(description=t("editor.minutes"))
        self.step_title = LanguageFields(t("editor.step_title"), t)
        self.speaker = LanguageFields(t("editor.speaker"), t)
        self.role = widgets.ToggleButtons(
            options=[(t(f"role.{role}"), role) for role in ROLES], value="advisors"
        )
        self.may = LanguageFields(t("editor.may"), t, lines=3)
        self.may_not = LanguageFields(t("editor.may_not"), t, lines=3)
        self.prompts = LanguageFields(t("editor.prompts"), t, lines=3)
        self.reframing = LanguageFields(t("editor.reframing"), t, lines=3)

        self.problems = literal(widgets.HTML().add_class("codev-error"))
        self.save_button = widgets.Button(
            description=t("editor.save"), button_style="primary", icon="save"
        )
        self.saved = literal(widgets.Label().add_class("codev-editor-saved"))
        # Labels in full ("Primary colour", not "Primary c…"), in any language.
        for field in (self.client, self.runbook_language, self.logo, self.primary, self.accent,
                      self.start_from, self.step_id, self.minutes):  # fmt: skip
            field.style.description_width = "initial"
        self.preview_box = widgets.VBox()
        self.preview: ParticipantView | None = None

        form = _form(self, picker)
        preview = widgets.VBox([_section(t, "editor.preview"), self.preview_box]).add_class(
            "codev-editor-preview"
        )
        # Served by Voilà, the page's theme; its colours win over those of the preview, which
        # shows the participant page in the runbook's own theme.
        page = theme_style(theme, scope="html body[data-voila]") if theme is not None else ""
        super().__init__([widgets.HTML(page + _STYLE), ColourLabels(), form, preview])
        self.add_class("codev-editor")
        self._wire()
        self.load(draft)

    def __repr__(self) -> str:
        draft = self.draft
        state = f"{len(draft.problems)} problems" if draft.problems else "no problem"
        return (
            f"Runbook editor: {draft.target.name}, {len(draft.step_ids)} steps, "
            f"{draft.total_minutes} min, {state}"
        )

    # -- wiring: each field calls one draft method -------------------------------------------

    def _edit(self, change: Callable[[RunbookDraft], object]) -> None:
        if self._loading:
            return
        self.saved.value = ""
        try:
            change(self.draft)
        except DraftError as exc:
            self.saved.value = str(exc)
        self.refresh()

    def _wire(self) -> None:
        step = self._step_edit
        self.client.observe(lambda c: self._edit(lambda d: d.set_client(c["new"])), "value")
        self.runbook_language.observe(
            lambda c: self._edit(lambda d: d.set_language(c["new"])), "value"
        )
        self.runbook_language.observe(lambda _c: self._arrange(), "value")
        self.other_languages.observe(lambda _c: self._arrange(), "value")
        self.title.on_change(lambda: self._edit(lambda d: d.set_title(self.title.text())))
        self.logo.observe(lambda c: self._edit(lambda d: d.set_logo(c["new"])), "value")
        for which, picker in self.colours.items():
            picker.observe(lambda c, w=which: self.set_colour(w, c["new"]), "value")
        self.default_colours.on_click(lambda _b: self.reset_colours())
        self.ground_rules.on_change(
            lambda: self._edit(lambda d: d.set_ground_rules(self.ground_rules.items()))
        )
        self.steps.observe(lambda c: self.select(c["new"]), "value")
        self.add_button.on_click(lambda _b: self.add_step())
        self.remove_button.on_click(lambda _b: self._structure(lambda d, s: d.remove_step(s)))
        self.up_button.on_click(lambda _b: self._structure(lambda d, s: d.move(s, -1)))
        self.down_button.on_click(lambda _b: self._structure(lambda d, s: d.move(s, +1)))
        self.step_id.observe(lambda c: self._rename(c["new"]), "value")
        self.minutes.observe(step(lambda d, s: d.set_minutes(s, self.minutes.value)), "value")
        self.step_title.on_change(step(lambda d, s: d.set_text(s, "title", self.step_title.text())))
        self.speaker.on_change(step(lambda d, s: d.set_text(s, "speaker", self.speaker.text())))
        self.role.observe(lambda _c: self._load_step(), "value")
        self.may.on_change(
            step(lambda d, s: d.set_rules(s, self.role.value, "may", self.may.items()))
        )
        self.may_not.on_change(
            step(lambda d, s: d.set_rules(s, self.role.value, "may_not", self.may_not.items()))
        )
        self.prompts.on_change(step(lambda d, s: d.set_list(s, "prompts", self.prompts.items())))
        self.reframing.on_change(
            step(lambda d, s: d.set_list(s, "reframing", self.reframing.items()))
        )
        self.save_button.on_click(lambda _b: self.save())

    def _step_edit(self, change: Callable[[RunbookDraft, str], object]) -> Callable[..., None]:
        def edit(*_args: object) -> None:
            if self.selected is not None:
                selected = self.selected
                self._edit(lambda d: change(d, selected))

        return edit

    def _structure(self, change: Callable[[RunbookDraft, str], object]) -> None:
        if self.selected is None:
            return
        selected = self.selected
        self._edit(lambda d: change(d, selected))
        if selected not in self.draft.step_ids:
            self.selected = None
        self.refresh(reload_step=True)

    def _rename(self, new: str) -> None:
        if self._loading or self.selected is None or new == self.selected:
            return
        old = self.selected
        self.selected = new
        self._edit(lambda d: d.rename_id(old, new))

    # -- actions ---------------------------------------------------------------------------------

    def add_step(self) -> None:
        """A new step after the selected one (or first), selected."""
        try:
            new = self.draft.add_step(self.selected, self.t("editor.new_step"))
        except DraftError as exc:
            self.saved.value = str(exc)
            return
        self.selected = new
        self.refresh(reload_step=True)

    def select(self, step_id: str | None) -> None:
        if self._loading or step_id is None or step_id == self.selected:
            return
        self.selected = step_id
        self._load_step()
        self._refresh_preview()

    def restart(self, start_from: str | None) -> None:
        """Start again from a preset or a file (the page's ``open_draft``)."""
        if self.open_draft is None or not start_from:
            return
        try:
            self.load(self.open_draft(start_from))
        except DraftError as exc:
            self.saved.value = str(exc)

    @property
    def colours(self) -> dict[str, widgets.ColorPicker]:
        return {"primary": self.primary, "accent": self.accent}

    @property
    def language_fields(self) -> list[LanguageFields]:
        return [
            self.title, self.ground_rules, self.step_title, self.speaker, self.may,
            self.may_not, self.prompts, self.reframing,
        ]  # fmt: skip

    def set_colour(self, which: str, value: str) -> None:
        """A brand colour picked or typed: written ``#rrggbb``; anything else is refused with a
        message and the picker shows the colour the file keeps."""
        if self._loading:
            return
        colour = hex_colour(value)
        if colour is None:
            self._show_colours()
            self.saved.value = self.t("editor.bad_colour", colour=value)
            return
        if colour != value:
            self._show_colours(**{which: colour})
        self._edit(lambda d: d.set_colour(which, colour))

    def reset_colours(self) -> None:
        """The kit's own colours: the file's ``colours:`` dropped."""

        def drop(draft: RunbookDraft) -> None:
            for which in self.colours:
                draft.set_colour(which, "")

        self._edit(drop)
        self._show_colours()

    def _show_colours(self, **shown: str) -> None:
        defaults = {"primary": DEFAULT_PRIMARY, "accent": DEFAULT_ACCENT}
        with self._quiet():
            for which, picker in self.colours.items():
                picker.value = shown.get(which) or self.draft.colour(which) or defaults[which]

    def _arrange(self) -> None:
        """Each field's boxes: the runbook's languages first; the others when asked for (a
        runbook in English and French shows no empty German box first)."""
        first = self.draft.text_languages()
        others = [lang for lang in languages() if lang not in first]
        names = ", ".join(Translator(lang)("app.language_name") for lang in others)
        self.other_languages.description = self.t("editor.other_languages", languages=names)
        self.other_languages.layout.display = None if others else "none"
        for fields in self.language_fields:
            fields.arrange(first, self.other_languages.value)

    def save(self) -> None:
        """Save when the draft has no problem; say where, or why not."""
        draft = self.draft
        try:
            path = draft.save()
        except DraftError as exc:
            self.saved.value = str(exc).splitlines()[0]
            self.refresh()
            return
        self.saved.value = self.t("editor.saved", path=str(path))
        book = draft.runbook
        if book is None:
            return
        # The client's notebook beside the runbook follows its steps (their cells' comments).
        try:
            notebook = follow_runbook_file(path, book, draft.renamed)
        except NotebookError as exc:
            self.saved.value += f" — {exc}"
            return
        draft.renamed.clear()
        if notebook is not None:
            self.saved.value = self.t("editor.notebook_followed", path=path, notebook=notebook.name)

    # -- showing the draft -----------------------------------------------------------------------

    def load(self, draft: RunbookDraft) -> None:
        """Show ``draft`` (a new one, or the same after a change of structure)."""
        self.draft = draft
        ids = draft.step_ids
        self.selected = ids[0] if ids else None
        with self._quiet():
            self.client.value = str(draft.header("client") or "")
            language = draft.language
            self.runbook_language.value = language if language in languages() else None
            self.title.set_text(draft.title_texts())
            self.logo.value = str(draft.branding("logo") or "")
            self._show_colours()
            self.ground_rules.set_items(draft.ground_rules())
        self._arrange()
        self.heading.value = (
            f"<h2>{html.escape(self.t('editor.heading', path=str(draft.target)))}</h2>"
        )
        self.saved.value = ""
        self.refresh(reload_step=True)

    def _quiet(self) -> _Loading:
        return _Loading(self)

    def _load_step(self) -> None:
        step_id, draft = self.selected, self.draft
        with self._quiet():
            for part in (self.step_id, self.minutes):
                part.disabled = step_id is None
            if step_id is None:
                return
            self.step_id.value = step_id
            self.step_id.disabled = draft.is_inherited(step_id)
            minutes = draft.value(step_id, "minutes")
            self.minutes.value = minutes if isinstance(minutes, int) else 0
            self.step_title.set_text(draft.texts(step_id, "title"))
            self.speaker.set_text(draft.texts(step_id, "speaker"))
            role = self.role.value
            self.may.set_items(draft.rules(step_id, role, "may"))
            self.may_not.set_items(draft.rules(step_id, role, "may_not"))
            self.prompts.set_items(draft.text_list(step_id, "prompts"))
            self.reframing.set_items(draft.text_list(step_id, "reframing"))

    def refresh(self, reload_step: bool = False) -> None:
        """The problems, the total, the step list, Save and the preview, after any edit."""
        draft, t = self.draft, self.t
        problems = draft.problems
        self.problems.value = escaped_list(str(p) for p in problems)
        valid = not problems
        self.save_button.disabled = not valid
        for button in self.step_buttons:
            button.disabled = not valid
        total = draft.total_minutes
        self.total.value = t("steps.total", minutes=total) if total is not None else ""
        book = draft.last_good
        if valid and book is not None:
            options = [
                (f"{i}. {Texts(book, self.language).of(s.title)} — {s.minutes} min", s.id)
                for i, s in enumerate(book.steps, start=1)
            ]
            with self._quiet():
                self.steps.options = options
                if self.selected in draft.step_ids:
                    self.steps.value = self.selected
            self._refresh_preview()
        if reload_step:
            self._load_step()

    def _refresh_preview(self) -> None:
        book = self.draft.runbook
        if book is None:
            return
        old = self.preview
        session = preview_session(book, self.selected)
        # In the runbook's language, as its participants will see it.
        language = book.language if book.language in languages() else self.language
        self.preview = ParticipantView(
            session, Texts(book, language), None, lambda *_a: None, clock=session.clock
        )
        self.preview_box.children = [self.preview]
        if old is not None:
            old.close()

    def close(self) -> None:
        if self.preview is not None:
            self.preview.close()
        close_all(self.children)
        super().close()


class _Loading:
    """While the editor puts the draft's values into its fields, the fields write nothing."""

    def __init__(self, editor: RunbookEditor) -> None:
        self.editor = editor
        self.outer = editor._loading

    def __enter__(self) -> None:
        self.editor._loading = True

    def __exit__(self, *_exc: object) -> None:
        self.editor._loading = self.outer


def _hint(t: Translator, key: str) -> widgets.HTML:
    return widgets.HTML(f'<span class="codev-editor-hint">{html.escape(t(key))}</span>')


def _section(t: Translator, key: str) -> widgets.HTML:
    return widgets.HTML(f"<h3>{html.escape(t(key))}</h3>")


def _form(editor: RunbookEditor, picker: widgets.HBox) -> widgets.VBox:
    """The editor's form, top to bottom: the organisation, the ground rules, the steps, the
    step chosen, its rules, prompts and reframing, then the problems and Save."""
    t = editor.t
    return widgets.VBox(
        [
            editor.heading,
            picker,
            _section(t, "editor.organisation"),
            editor.client,
            editor.runbook_language,
            editor.other_languages,
            editor.title,
            # Wraps in a narrow column rather than cutting the accent colour off.
            widgets.HBox(
                [editor.logo, editor.primary, editor.accent, editor.default_colours],
                layout=widgets.Layout(flex_flow="row wrap"),
            ),
            _section(t, "app.ground_rules"),
            _hint(t, "editor.one_per_line"),
            editor.ground_rules,
            _section(t, "editor.steps"),
            editor.steps,
            widgets.HBox(editor.step_buttons),
            editor.total,
            _section(t, "editor.step"),
            editor.step_id,
            editor.minutes,
            editor.step_title,
            editor.speaker,
            _section(t, "editor.rules"),
            _hint(t, "editor.one_per_line"),
            editor.role,
            editor.may,
            editor.may_not,
            _section(t, "editor.prompts"),
            editor.prompts,
            _section(t, "editor.reframing"),
            editor.reframing,
            editor.problems,
            widgets.HBox([editor.save_button, editor.saved]),
        ]
    ).add_class("codev-editor-form")


class ColourLabels(anywidget.AnyWidget):
    """Names each colour picker's swatch by its label, for screen readers (WCAG's "form
    elements must have labels"): ipywidgets names the picker's text box only."""

    _esm = Path(__file__).with_name("colour_labels.js")
