"""Runbooks: the steps of a session, their timings, rules per role and facilitator prompts.

A runbook file either stands alone (the presets) or ``extends`` a preset or another file and
overrides steps by id, adds steps (``before``/``after``), and removes some (``remove``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
)

from codevwidgets.core.branding import LogoError, embed_logo
from codevwidgets.core.i18n import check_language, languages, unknown_language
from codevwidgets.core.limits import MAX_STEPS
from codevwidgets.core.problems import InputError, Problem, problem_at, problems_from_validation
from codevwidgets.core.yamlsource import (
    Location,
    YamlDocument,
    YamlSyntaxError,
    read_yaml,
    yaml_text,
)

PRESETS_DIR = Path(__file__).parent / "presets"
# Steps the kit ships for client files to add by id alone (``- {id: followup, before: …}``);
# no preset includes them.
LIBRARY_DIR = PRESETS_DIR / "steps"
ROLES = ("client", "advisors", "facilitator", "note_taker", "observers")
CONTRIBUTION_KINDS = ("questions", "ideas", "learnings", "evaluation")

# A language is one the interface has a locale file for (``locales/de.yaml`` → ``de``).
Language = Annotated[str, AfterValidator(check_language)]
LocalText = str | dict[str, str]


def _check_text(value: object) -> LocalText:
    """A text is a plain string (in the runbook's language) or ``{fr: …, en: …, de: …}``."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return value
    if isinstance(value, dict) and value:
        for lang, text in value.items():
            if lang not in languages():
                raise ValueError(unknown_language(str(lang)))
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the {lang} text must be non-empty text")
        return {str(k): v for k, v in value.items()}
    raise ValueError("must be text, or a mapping {fr: …, en: …}")


Text = Annotated[LocalText, PlainValidator(_check_text)]
MAX_CHOICES = 12
DEFAULT_BREAK_MINUTES = 5


def _choices_shape(value: object) -> object:
    """A choice field's ``choices``: a mapping of 1 to 12 ids to their labels."""
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of choice ids to labels, like {done: Done}")
    if not 1 <= len(value) <= MAX_CHOICES:
        raise ValueError(f"give 1 to {MAX_CHOICES} choices, not {len(value)}")
    return value


StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)]
Minutes = Annotated[int, Field(strict=True, ge=1, le=240)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleRules(_Strict):
    """What one role may and may not do during a step."""

    may: list[Text] = []
    may_not: list[Text] = []


class Rules(_Strict):
    client: RoleRules | None = None
    advisors: RoleRules | None = None
    facilitator: RoleRules | None = None
    note_taker: RoleRules | None = None
    observers: RoleRules | None = None


class NoteField(_Strict):
    """A note the facilitator keeps during a step (topic, contract, action plan…)."""

    id: StepId
    label: Text
    lines: Annotated[int, Field(strict=True, ge=1, le=20)] = 2
    # A choice field holds one of these ids (or nothing yet) instead of free text; the
    # labels are what people see. E.g. ``{done: {fr: Fait, en: Done}, dropped: …}``.
    choices: Annotated[dict[StepId, Text], BeforeValidator(_choices_shape)] | None = None
    # A date field (an action plan's deadline) is picked from a calendar and kept as an ISO
    # date, "YYYY-MM-DD": the record and the next session's follow-up read it as a date.
    kind: Literal["text", "date"] = "text"

    def accepts(self, text: str) -> bool:
        """Whether ``text`` may be stored in this field: any text; for a choice field ""
        or one of its choice ids; for a date field "" or an ISO date."""
        if self.choices is not None:
            return text == "" or text in self.choices
        if self.kind == "date":
            return text == "" or iso_date(text) is not None
        return True


def iso_date(text: str) -> dt.date | None:
    """The date ``text`` writes as "YYYY-MM-DD" (a date field's stored value), else None."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    # fromisoformat also reads "20261220" and week dates: only the stored form is a date.
    return day if day.isoformat() == text else None


class StepSpec(_Strict):
    """A step as written in a file: in a client file, only the fields it overrides."""

    id: StepId
    minutes: Minutes | None = None
    title: Text | None = None
    speaker: Text | None = None
    rules: Rules | None = None
    prompts: list[Text] | None = None
    reframing: list[Text] | None = None
    notes: list[NoteField] | None = None
    collects: Literal["questions", "ideas", "learnings", "evaluation"] | None = None
    anonymous: bool | None = None
    evaluation: bool | None = None
    after: StepId | None = None
    before: StepId | None = None


class Colours(_Strict):
    primary: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    accent: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None


class Branding(_Strict):
    title: Text | None = None
    logo: str | None = None
    colours: Colours | None = None


class RunbookFile(_Strict):
    """The top level of a runbook file."""

    extends: Annotated[str, Field(min_length=1)] | None = None
    language: Language | None = None
    client: Annotated[str, Field(min_length=1)] | None = None
    branding: Branding | None = None
    # The pages' theme unless a link says ``&theme=``: dark is the projector's (high contrast).
    theme: Literal["light", "dark"] | None = None
    # Whether a participant typing a question that reads as advice (see ``advice``) is asked
    # "send anyway or rephrase?" first; on unless a file turns it off.
    advice_check: Annotated[bool, Field(strict=True)] | None = None
    # Each round has its own client (Troika): the session's roles do not say who listens.
    client_rotates: Annotated[bool, Field(strict=True)] | None = None
    # Online fatigue (METHOD.md): after this much time worked the console proposes a break
    # of ``break_minutes`` (5 unless given; without ``break_after_minutes`` it means nothing).
    break_after_minutes: Annotated[int, Field(strict=True, ge=1, le=480)] | None = None
    break_minutes: Annotated[int, Field(strict=True, ge=1, le=60)] | None = None
    ground_rules: list[Text] | None = None
    steps: list[StepSpec] = []
    remove: list[StepId] = []


KNOWN_FIELDS: dict[str, Any] = {
    "": RunbookFile.model_fields,
    "steps": StepSpec.model_fields,
    "rules": ROLES,
    "branding": Branding.model_fields,
    "colours": Colours.model_fields,
    "notes": NoteField.model_fields,
    **dict.fromkeys(ROLES, RoleRules.model_fields),
}


@dataclass(frozen=True)
class Step:
    """A resolved step: every field known."""

    id: str
    minutes: int
    title: LocalText
    speaker: LocalText | None
    rules: Rules
    prompts: tuple[LocalText, ...]
    reframing: tuple[LocalText, ...]
    notes: tuple[NoteField, ...]
    collects: str | None
    anonymous: bool
    evaluation: bool = False


@dataclass(frozen=True)
class Runbook:
    """A resolved runbook, ready to run a session.

    >>> book = load_preset("classic")
    >>> book.total_minutes, book.steps[0].id
    (95, 'presentation')
    """

    name: str
    language: str
    client: str | None
    branding: Branding
    ground_rules: tuple[LocalText, ...]
    steps: tuple[Step, ...]
    theme: Literal["light", "dark"] = "light"
    # A default: snapshots stored before the option existed still load (as on).
    advice_check: bool = True
    # Each round's client is someone else (Troika): the client's page is not told apart.
    client_rotates: bool = False
    # Breaks (core.breaks): proposed after this many minutes worked (None: never), this long.
    break_after_minutes: int | None = None
    break_minutes: int = DEFAULT_BREAK_MINUTES

    @property
    def total_minutes(self) -> int:
        return sum(step.minutes for step in self.steps)

    def step(self, step_id: str) -> Step:
        """The step ``step_id``, or ``ValueError``."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise ValueError(f"no step '{step_id}' in runbook '{self.name}'")

    def text(self, value: LocalText, language: str | None = None) -> str:
        """``value`` in ``language`` (default: the runbook's), falling back to the other."""
        if isinstance(value, str):
            return value
        lang = language or self.language
        return value.get(lang) or next(iter(value.values()))

    def texts(self) -> Iterator[LocalText]:
        """Every text a person reads: ground rules, branding title, and each step's title,
        speaker, rules, prompts, reframing, note labels and choices."""
        yield from self.ground_rules
        if self.branding.title is not None:
            yield self.branding.title
        for step in self.steps:
            yield step.title
            if step.speaker is not None:
                yield step.speaker
            for role in ROLES:
                rules: RoleRules | None = getattr(step.rules, role)
                if rules is not None:
                    yield from (*rules.may, *rules.may_not)
            yield from (*step.prompts, *step.reframing)
            for note in step.notes:
                yield note.label
                yield from (note.choices or {}).values()

    def languages(self) -> tuple[str, ...]:
        """The languages every text of this runbook is written in (a plain string is in the
        runbook's ``language``), sorted."""
        common: set[str] | None = None
        for text in self.texts():
            given = {self.language} if isinstance(text, str) else set(text)
            common = given if common is None else common & given
        return tuple(sorted(common if common is not None else {self.language}))

    def with_language(self, language: str) -> Runbook:
        return Runbook(
            self.name,
            language,
            self.client,
            self.branding,
            self.ground_rules,
            self.steps,
            self.theme,
            self.advice_check,
            self.client_rotates,
            self.break_after_minutes,
            self.break_minutes,
        )


_SNAPSHOT = TypeAdapter(Runbook)


def runbook_to_json(book: Runbook) -> str:
    """The resolved runbook as JSON: the snapshot a stored session keeps of it."""
    return _SNAPSHOT.dump_json(book).decode()


def runbook_from_json(text: str) -> Runbook:
    """The inverse of ``runbook_to_json``; ``ValueError`` if it is not such a snapshot."""
    try:
        return _SNAPSHOT.validate_json(text)
    except ValidationError as exc:
        raise ValueError(f"not a runbook snapshot: {exc.error_count()} problems") from None


def preset_names() -> list[str]:
    # The library's steps live in a folder of their own: they are not runbooks.
    return sorted(path.stem for path in PRESETS_DIR.glob("*.yaml"))


def library_step_ids() -> list[str]:
    """The steps a client file may add by id alone (e.g. ``followup``)."""
    return sorted(path.stem for path in LIBRARY_DIR.glob("*.yaml"))


def library_step(step_id: str) -> Step:
    """The kit's definition of a library step, every field known; ``KeyError`` if none."""
    if step_id not in library_step_ids():
        raise KeyError(step_id)
    path = LIBRARY_DIR / f"{step_id}.yaml"
    doc = _read(path)
    try:
        spec = StepSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, doc, KNOWN_FIELDS)) from None
    if spec.id != step_id:
        raise InputError([problem_at(doc, ("id",), f"must be '{step_id}', like the file name")])
    return _override(None, spec)


def load_preset(name: str) -> Runbook:
    return load_runbook(PRESETS_DIR / f"{name}.yaml", name=name)


def resolve(name_or_file: str) -> Runbook:
    """A preset by name, or a runbook file by path."""
    if name_or_file in preset_names():
        return load_preset(name_or_file)
    return load_runbook(Path(name_or_file))


def load_runbook(
    path: Path, name: str | None = None, text: str | None = None, *, within: Path | None = None
) -> Runbook:
    """Load, validate and resolve a runbook file; raise ``InputError`` listing every problem.

    ``text``: the file's content as if it were saved at ``path`` (an editor's draft), checked
    by the same code and so with the same messages as the file would be. The file itself may
    be anywhere (it was named on the command line, or by the kit); the files its ``extends:``
    and ``logo:`` name must be inside ``within`` (default: its folder), symbolic links and
    ``..`` resolved, so that a runbook from elsewhere cannot read other files of the machine.
    """
    root = (within if within is not None else path.parent).resolve()
    try:
        steps, header, doc = _load_layers(path, chain=(), text=text, root=root)
    except RecursionError:
        # Each file of an extends chain is a level of recursion: hundreds of files, each
        # extending the next, outgrow Python's stack before any cycle is seen.
        message = "too many runbook files extending one another (hundreds)"
        raise InputError([Problem(str(path), 1, "extends", message)]) from None
    if not steps:
        raise InputError([Problem(str(path), 1, "steps", "the runbook has no step left")])
    if len(steps) > MAX_STEPS:
        # Inherited ones count: this file's runbook is the one a console would show.
        message = (
            f"{len(steps)} steps, more than the {MAX_STEPS} a runbook may have"
            " (its console would take too long to show)"
        )
        raise InputError([problem_at(doc, ("steps",), message)])
    return Runbook(
        name=name or path.stem,
        language=header.get("language") or "en",
        client=header.get("client"),
        branding=header.get("branding") or Branding(),
        ground_rules=tuple(header.get("ground_rules") or ()),
        steps=tuple(steps),
        theme=header.get("theme") or "light",
        advice_check=header.get("advice_check", True),
        client_rotates=header.get("client_rotates", False),
        break_after_minutes=header.get("break_after_minutes"),
        break_minutes=header.get("break_minutes", DEFAULT_BREAK_MINUTES),
    )


def _load_layers(
    path: Path,
    chain: tuple[Path, ...],
    text: str | None = None,
    root: Path = PRESETS_DIR,
    extended_by: tuple[YamlDocument, str] | None = None,
) -> tuple[list[Step], dict[str, Any], YamlDocument]:
    """The steps and header fields of ``path`` and the files it extends, and its document."""
    doc = _read(path, text, extended_by)
    spec = _validate(doc, extended_by)
    steps: list[Step] = []
    header: dict[str, Any] = {}
    if spec.extends is not None:
        base_path = _extends_path(spec.extends, path, doc, root)
        if base_path.resolve() in chain or base_path.resolve() == path.resolve():
            cycle = " → ".join(p.name for p in (*chain, path.resolve(), base_path.resolve()))
            raise InputError([problem_at(doc, ("extends",), f"extends itself in a cycle: {cycle}")])
        # A preset's own extends stay among the presets.
        base_root = PRESETS_DIR if base_path.parent == PRESETS_DIR else root
        steps, header, _ = _load_layers(
            base_path, (*chain, path.resolve()), root=base_root, extended_by=(doc, spec.extends)
        )
    for key in (
        "language",
        "client",
        "branding",
        "ground_rules",
        "theme",
        "advice_check",
        "client_rotates",
        "break_after_minutes",
        "break_minutes",
    ):
        if getattr(spec, key) is not None:
            header[key] = getattr(spec, key)
    if spec.break_minutes is not None and "break_after_minutes" not in header:
        # A break's length with no time to propose it after would silently do nothing.
        message = "needs break_after_minutes (when the console proposes the break)"
        raise InputError([problem_at(doc, ("break_minutes",), message)])
    if spec.branding is not None and spec.branding.logo is not None:
        # Embedded now, from beside this file: the session's snapshot carries the image.
        try:
            logo = embed_logo(spec.branding.logo, path.parent, root)
        except LogoError as exc:
            raise InputError([problem_at(doc, ("branding", "logo"), str(exc))]) from None
        header["branding"] = spec.branding.model_copy(update={"logo": logo})
    return _apply(steps, spec, doc), header, doc


def _read(
    path: Path, text: str | None = None, extended_by: tuple[YamlDocument, str] | None = None
) -> YamlDocument:
    try:
        doc = read_yaml(path) if text is None else yaml_text(text, str(path))
    except YamlSyntaxError as exc:
        if extended_by is not None and exc.message.startswith("YAML"):
            # PyYAML's message may quote the file (a value, a character): say only where.
            raise _not_a_runbook(extended_by, f"not YAML at its line {exc.line}") from None
        raise InputError([Problem(exc.file, exc.line, "(file)", exc.message)]) from None
    if doc.duplicates:
        raise InputError([problem_at(doc, loc, "is given twice") for loc in doc.duplicates])
    return doc


def _validate(
    doc: YamlDocument, extended_by: tuple[YamlDocument, str] | None = None
) -> RunbookFile:
    # A file named by extends: whose fields are not a runbook's (a secret, a config file of
    # something else): its problems would quote its keys and values. Only the extending
    # file's line is said.
    fields = doc.data if isinstance(doc.data, dict) else {}
    if extended_by is not None and any(key not in RunbookFile.model_fields for key in fields):
        raise _not_a_runbook(extended_by, "its fields are not a runbook's")
    try:
        return RunbookFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, doc, KNOWN_FIELDS)) from None


def _not_a_runbook(extended_by: tuple[YamlDocument, str], why: str) -> InputError:
    doc, extends = extended_by
    return InputError([problem_at(doc, ("extends",), f"{extends} is not a runbook file ({why})")])


def _extends_path(extends: str, path: Path, doc: YamlDocument, root: Path) -> Path:
    if extends in preset_names():
        return PRESETS_DIR / f"{extends}.yaml"
    candidate = path.parent / extends
    if extends.endswith((".yaml", ".yml")) or "/" in extends:
        if not candidate.resolve().is_relative_to(root):
            message = f"{extends} is outside the runbook's folder {root}; copy it in"
            raise InputError([problem_at(doc, ("extends",), message)])
        if not candidate.is_file():
            raise InputError([problem_at(doc, ("extends",), f"no runbook file at {candidate}")])
        return candidate
    known = ", ".join(preset_names())
    raise InputError([problem_at(doc, ("extends",), f"unknown preset '{extends}' ({known})")])


def _apply(inherited: list[Step], spec: RunbookFile, doc: YamlDocument) -> list[Step]:
    """Apply one file's ``remove`` and ``steps`` to the steps it inherits."""
    problems: list[Problem] = []
    steps = list(inherited)
    for i, step_id in enumerate(spec.remove):
        if not any(s.id == step_id for s in steps):
            problems.append(problem_at(doc, ("remove", i), f"no inherited step '{step_id}'"))
        steps = [s for s in steps if s.id != step_id]
    seen: set[str] = set()
    for i, step_spec in enumerate(spec.steps):
        loc: Location = ("steps", i)
        if step_spec.id in seen:
            problems.append(problem_at(doc, (*loc, "id"), f"duplicate step id '{step_spec.id}'"))
            continue
        seen.add(step_spec.id)
        for problem in _place(steps, step_spec, doc, loc):
            problems.append(problem)
    if problems:
        raise InputError(problems)
    return steps


def _place(
    steps: list[Step], spec: StepSpec, doc: YamlDocument, loc: Location
) -> Iterator[Problem]:
    """Override or add ``spec`` in ``steps`` (in place); yield what is wrong instead."""
    if spec.after and spec.before:
        yield problem_at(doc, (*loc, "after"), "give either after or before, not both")
        return
    anchor = spec.after or spec.before
    if anchor and anchor == spec.id:
        yield problem_at(doc, (*loc, "after" if spec.after else "before"), "names the step itself")
        return
    if anchor and not any(s.id == anchor for s in steps):
        field = "after" if spec.after else "before"
        yield problem_at(doc, (*loc, field), f"no step '{anchor}' to place this step {field}")
        return
    index = next((i for i, s in enumerate(steps) if s.id == spec.id), None)
    if index is not None:
        step = _override(steps.pop(index), spec)
        if not anchor:
            steps.insert(index, step)
            return
    elif spec.id in library_step_ids():
        # A library step: the kit's definition, with what this file gives overriding it.
        step = _override(library_step(spec.id), spec)
    else:
        missing = [f for f in ("minutes", "title") if getattr(spec, f) is None]
        if missing:
            for field in missing:
                yield problem_at(doc, loc, f"new step '{spec.id}' needs {field}")
            return
        step = _override(None, spec)
    if spec.after:
        steps.insert(next(i for i, s in enumerate(steps) if s.id == spec.after) + 1, step)
    elif spec.before:
        steps.insert(next(i for i, s in enumerate(steps) if s.id == spec.before), step)
    else:
        steps.append(step)


def _override(base: Step | None, spec: StepSpec) -> Step:
    """A step with the fields ``spec`` gives; rules are overridden role by role."""
    rules = base.rules if base else Rules()
    if spec.rules is not None:
        given = spec.rules
        rules = Rules(**{role: getattr(given, role) or getattr(rules, role) for role in ROLES})

    def pick(name: str, default: Any) -> Any:
        value = getattr(spec, name)
        if value is not None:
            return tuple(value) if isinstance(value, list) else value
        return getattr(base, name) if base else default

    return Step(
        id=spec.id,
        minutes=pick("minutes", 0),
        title=pick("title", ""),
        speaker=pick("speaker", None),
        rules=rules,
        prompts=pick("prompts", ()),
        reframing=pick("reframing", ()),
        notes=pick("notes", ()),
        collects=pick("collects", None),
        anonymous=pick("anonymous", False),
        evaluation=pick("evaluation", False),
    )
