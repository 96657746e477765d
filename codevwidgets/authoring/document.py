"""The runbook editor's document: a client runbook's YAML, its problems, and what it reads.

``DraftDocument`` holds the round-trip YAML (``codevwidgets.authoring.yamledit``) of a runbook
being edited, checks it after every edit by the code ``codev runbook check`` runs, and answers
what a step, a rule or a text is (this file's value, else the inherited one). The edits are
``DraftPlacement``'s (steps added, removed, moved: ``placement``) and ``RunbookDraft``'s
(fields, saving: ``draft``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from codevwidgets.authoring.yamledit import (
    INDENTS,
    TextMap,
    block_seq,
    dump,
    insert,
    plain,
    round_trip_yaml,
    round_trips,
)
from codevwidgets.core import runbook as rb
from codevwidgets.core.problems import InputError, Problem
from codevwidgets.core.runbook import Runbook, Step

__all__ = ["STEP_ORDER", "TOP_ORDER", "DraftDocument", "DraftError"]

# Where a key goes when the editor adds it: the order the kit's own files use.
TOP_ORDER = ("extends", "language", "client", "branding", "ground_rules", "remove", "steps")
STEP_ORDER = (
    "id", "after", "before", "minutes", "title", "speaker", "rules", "prompts", "reframing",
    "notes", "collects", "anonymous", "evaluation",
)  # fmt: skip


class DraftError(ValueError):
    """An edit the draft refuses (the message says why); the draft is left as it was."""


class DraftDocument:
    """A client runbook's YAML being edited for ``target``: its text, its problems, its values.

    Parameters
    ----------
    text : str
        The YAML text to start from (a client file's, or a new one's).
    target : Path
        Where the draft is saved; ``check`` reports problems as ``codev runbook check target``.
    on_disk : str, optional
        The target file's text when the draft was opened from it: saving replaces the file
        only while it still holds that text (else someone changed it meanwhile).
    """

    def __init__(self, text: str, target: Path, on_disk: str | None = None) -> None:
        self.target = target
        self.on_disk = on_disk
        self._indent = next((i for i in INDENTS if round_trips(text, i)), INDENTS[0])
        self._yaml = round_trip_yaml(self._indent)
        try:
            data = self._yaml.load(text)
        except YAMLError as exc:
            raise DraftError(f"{target}: not YAML the editor can open ({exc})") from None
        if not isinstance(data, CommentedMap):
            raise DraftError(f"{target}: the top level must be a mapping of fields")
        self._doc: CommentedMap = data
        # An edit back to the inherited value drops a line the editor added, never one the
        # file had (the consultant may want it written).
        self._opened = {(str(e.get("id")), str(k)) for e in self._entries() for k in e}
        # Steps renamed since the draft was opened or saved (first id: id now), for the
        # client notebook beside the file to follow (``client_notebook.follow_runbook``).
        self.renamed: dict[str, str] = {}
        self._last_good: Runbook | None = None
        self._problems: list[Problem] = []
        self._base_cache: tuple[str | None, Runbook | None] | None = None
        self._refresh()

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(target={str(self.target)!r}, problems={len(self._problems)})"

    # -- the text, its problems, its runbook -------------------------------------------------

    def text(self) -> str:
        return dump(self._yaml, self._doc)

    @property
    def problems(self) -> list[Problem]:
        """What ``codev runbook check`` would print for the draft saved at its target."""
        return list(self._problems)

    def check(self, path: Path | None = None) -> list[Problem]:
        """The problems of the draft saved at ``path`` (default: its target), checked anew."""
        try:
            rb.load_runbook(path or self.target, text=self.text())
        except InputError as exc:
            return list(exc.problems)
        return []

    @property
    def runbook(self) -> Runbook | None:
        """The resolved runbook, or ``None`` while the draft has problems."""
        return None if self._problems else self._last_good

    @property
    def last_good(self) -> Runbook | None:
        """The runbook as of the last edit that left no problem (what a preview shows)."""
        return self._last_good

    @property
    def total_minutes(self) -> int | None:
        book = self.runbook
        return None if book is None else book.total_minutes

    @property
    def step_ids(self) -> list[str]:
        """The steps in order, as of the last edit that left no problem."""
        return [step.id for step in self._last_good.steps] if self._last_good else []

    def _refresh(self) -> None:
        try:
            book = rb.load_runbook(self.target, name=self.target.stem, text=self.text())
        except InputError as exc:
            self._problems = list(exc.problems)
            return
        self._problems = []
        self._last_good = book

    # -- reading ---------------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The runbook's language: its own ``language:``, else what it extends, else en."""
        own = self._doc.get("language")
        if isinstance(own, str) and own:
            return own
        base = self._base()
        return base.language if base else "en"

    def text_languages(self) -> tuple[str, ...]:
        """The languages the runbook's texts are written in: its ``language`` first, then
        the others in the order its texts first give them (``{fr: …, en: …}``: fr, en)."""
        found = [self.language]
        book = self._last_good or self._base()
        for text in book.texts() if book is not None else ():
            for lang in (self.language,) if isinstance(text, str) else text:
                if lang not in found:
                    found.append(lang)
        return tuple(found)

    def header(self, key: str) -> Any:
        """A top-level field as written in this file (``None`` if not given)."""
        return plain(self._doc.get(key))

    def branding(self, key: str) -> Any:
        branding = self._doc.get("branding")
        return plain(branding.get(key)) if isinstance(branding, Mapping) else None

    def title_texts(self) -> TextMap:
        """The branding title in each language (this file's, else what it extends)."""
        own = self.branding("title")
        if own is not None:
            return self._texts(own)
        base = self._base()
        return self._texts(base.branding.title if base else None)

    def colour(self, which: str) -> str:
        colours = self.branding("colours")
        return str(colours.get(which) or "") if isinstance(colours, dict) else ""

    def ground_rules(self) -> list[TextMap]:
        own = self.header("ground_rules")
        if own is not None:
            return [self._texts(rule) for rule in own]
        base = self._base()
        return [self._texts(rule) for rule in (base.ground_rules if base else ())]

    def is_inherited(self, step_id: str) -> bool:
        """Whether ``step_id`` comes from what this file extends (not added by it)."""
        base = self._base()
        return base is not None and any(s.id == step_id for s in base.steps)

    def value(self, step_id: str, field: str) -> Any:
        """A step's field as the draft has it: this file's value, else the inherited one."""
        entry = self._entry(step_id)
        if entry is not None and field in entry:
            return plain(entry[field])
        base = self._base_step(step_id)
        return getattr(base, field) if base is not None else None

    def texts(self, step_id: str, field: str) -> TextMap:
        """A step's ``title`` or ``speaker`` in each language."""
        return self._texts(self.value(step_id, field))

    def text_list(self, step_id: str, field: str) -> list[TextMap]:
        """A step's ``prompts`` or ``reframing``, each in each language."""
        return [self._texts(item) for item in self.value(step_id, field) or ()]

    def rules(self, step_id: str, role: str, kind: str) -> list[TextMap]:
        """What ``role`` ``may`` / ``may_not`` do during a step, each in each language."""
        entry = self._entry(step_id)
        own = plain(entry.get("rules")) if entry is not None else None
        if isinstance(own, dict) and role in own:
            given = own[role] or {}
            return [self._texts(t) for t in (given.get(kind) or [])]
        base = self._base_step(step_id)
        role_rules = getattr(base.rules, role) if base is not None else None
        return [self._texts(t) for t in (getattr(role_rules, kind) if role_rules else [])]

    def _texts(self, value: Any) -> TextMap:
        if value is None:
            return {}
        if isinstance(value, str):
            return {self.language: value}
        if isinstance(value, Mapping):
            return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
        return {}

    def _base(self) -> Runbook | None:
        """What this file extends, resolved (``None`` if nothing, or if it is broken)."""
        extends = self._doc.get("extends")
        extends = str(extends) if isinstance(extends, str) else None
        if self._base_cache is not None and self._base_cache[0] == extends:
            return self._base_cache[1]
        base: Runbook | None = None
        if extends is not None:
            try:
                base = (
                    rb.load_preset(extends)
                    if extends in rb.preset_names()
                    else rb.load_runbook(self.target.parent / extends, within=self.target.parent)
                )
            except (InputError, OSError):
                base = None
        self._base_cache = (extends, base)
        return base

    def _base_step(self, step_id: str) -> Step | None:
        """The step this file's entry for ``step_id`` changes: inherited, or the library's."""
        base = self._base()
        if base is not None:
            found = next((s for s in base.steps if s.id == step_id), None)
            if found is not None:
                return found
        try:
            return rb.library_step(step_id)
        except (KeyError, InputError):
            return None

    # -- the file's structure ----------------------------------------------------------------

    def _steps(self, create: bool = False) -> CommentedSeq | None:
        steps = self._doc.get("steps")
        if isinstance(steps, CommentedSeq):
            if create and steps.fa.flow_style():
                steps.fa.set_block_style()  # `steps: []` from `codev runbook new`
            return steps
        if not create:
            return None
        steps = block_seq([])
        insert(self._doc, "steps", steps, TOP_ORDER)
        return steps

    def _entries(self) -> list[CommentedMap]:
        return [e for e in self._steps() or () if isinstance(e, CommentedMap)]

    def _entry(self, step_id: str, create: bool = False) -> CommentedMap | None:
        found = next((e for e in self._entries() if e.get("id") == step_id), None)
        if found is not None or not create:
            return found
        entry = CommentedMap([("id", step_id)])
        steps = self._steps(create=True)
        assert steps is not None
        steps.append(entry)
        return entry

    def _tidy(self, step_id: str) -> None:
        """Drop an inherited step's entry that no longer changes anything (only its id)."""
        entry = self._entry(step_id)
        steps = self._steps()
        inherited = self.is_inherited(step_id)
        if entry is not None and steps is not None and list(entry) == ["id"] and inherited:
            steps.remove(entry)

    def _edit(self, change: Callable[[], object]) -> None:
        change()
        self._refresh()
