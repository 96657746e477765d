"""The runbook editor's core: a client runbook file edited as a round-trip YAML document.

A consultant shapes a client's runbook from a preset (what ``codev runbook new`` writes) or
from an existing client file. Edits change the file's YAML in place (ruamel.yaml round trip):
comments, key order, quoting and indentation of what was not edited stay as they were, so a
saved file differs from the opened one only in the lines the consultant changed.

The draft is checked by the very code ``codev runbook check`` runs, on its text as if it were
saved at its target path: the same messages, file name and line numbers. ``save`` writes only
a draft without problems, whole or not at all.

>>> draft = RunbookDraft.new("Acme", "classic", "en", Path("runbooks/acme.yaml"))
>>> draft.set_minutes("consultation", 25)
>>> draft.total_minutes
90
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from codevwidgets.core import runbook as rb
from codevwidgets.core.problems import InputError, Problem
from codevwidgets.core.runbook import LocalText, Runbook, Step

TextMap = dict[str, str]
"""One text in each language given (``{"fr": …, "en": …}``); a language left out is empty."""

TEXT_FIELDS = ("title", "speaker")
LIST_FIELDS = ("prompts", "reframing")
RULE_KINDS = ("may", "may_not")
# Where a key goes when the editor adds it: the order the kit's own files use.
TOP_ORDER = ("extends", "language", "client", "branding", "ground_rules", "remove", "steps")
STEP_ORDER = (
    "id", "after", "before", "minutes", "title", "speaker", "rules", "prompts", "reframing",
    "notes", "collects", "anonymous", "evaluation",
)  # fmt: skip
# Indentations tried when opening a file, the kit's own first: the one whose round trip gives
# the file back unchanged is kept for every later dump.
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 2), (4, 4, 0), (2, 4, 0), (4, 4, 2))


class DraftError(ValueError):
    """An edit the draft refuses (the message says why); the draft is left as it was."""


def client_file_name(client: str) -> str:
    """``"Organisation exemple"`` → ``organisation-exemple.yaml`` (letters, digits and -)."""
    plain = unicodedata.normalize("NFKD", client).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")
    if not slug:
        raise DraftError(f"{client!r} makes no file name: use letters or digits")
    return f"{slug}.yaml"


def languages() -> tuple[str, ...]:
    """The languages a runbook text may be written in: the kit's, asked at run time (the
    locale files present, where ``codevwidgets.core.i18n`` finds them; else its fixed list)."""
    from codevwidgets.core import i18n

    found = getattr(i18n, "languages", None)
    return tuple(found() if callable(found) else getattr(i18n, "LANGUAGES", ("fr", "en")))


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long rule onto two lines: an edit changes its line only
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (strings as ``str``)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _flow_map(items: Mapping[str, Any]) -> CommentedMap:
    node = CommentedMap(items)
    node.fa.set_flow_style()
    return node


def _block_seq(items: Iterable[Any]) -> CommentedSeq:
    node = CommentedSeq(items)
    node.fa.set_block_style()
    return node


class RunbookDraft:
    """A client runbook being edited, saved to ``target``.

    Parameters
    ----------
    text : str
        The YAML text to start from (a client file's, or a new one's).
    target : Path
        Where ``save`` writes; ``check`` reports problems as ``codev runbook check target``.
    on_disk : str, optional
        The target file's text when the draft was opened from it: ``save`` replaces the file
        only while it still holds that text (else someone changed it meanwhile).

    Examples
    --------
    >>> draft = RunbookDraft.open(Path("runbooks/example-client.yaml"))  # doctest: +SKIP
    >>> draft.set_text("consultation", "title", {"fr": "Consultation", "en": "Consultation"})
    >>> draft.save()  # doctest: +SKIP
    """

    def __init__(self, text: str, target: Path, on_disk: str | None = None) -> None:
        self.target = target
        self.on_disk = on_disk
        self._indent = next((i for i in _INDENTS if self._round_trips(text, i)), _INDENTS[0])
        self._yaml = _yaml(self._indent)
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
        self._last_good: Runbook | None = None
        self._problems: list[Problem] = []
        self._base_cache: tuple[str | None, Runbook | None] | None = None
        self._refresh()

    def __repr__(self) -> str:
        return f"RunbookDraft(target={str(self.target)!r}, problems={len(self._problems)})"

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def new(cls, client: str, preset: str, language: str, target: Path) -> RunbookDraft:
        """What ``codev runbook new CLIENT --from PRESET --lang LANGUAGE`` writes."""
        from codevwidgets.authoring.scaffold import client_runbook

        if preset not in rb.preset_names():
            raise DraftError(f"unknown preset '{preset}' ({', '.join(rb.preset_names())})")
        return cls(client_runbook(client, preset, language), target)

    @classmethod
    def open(cls, path: Path, target: Path | None = None) -> RunbookDraft:
        """A client file as it is; saved back to it unless ``target`` names another file."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DraftError(f"{path}: cannot be read ({exc})") from None
        target = target or path
        same = target.resolve() == path.resolve()
        # Opened as a copy, it may not replace a file already at the target.
        return cls(text, target, text if same else None)

    @classmethod
    def start(cls, start_from: str, client: str, folder: Path, language: str) -> RunbookDraft:
        """The draft for ``folder/<client>.yaml``: that file when it exists (nothing is ever
        started over a client's file), else from a preset name or a runbook file."""
        target = folder / client_file_name(client)
        if target.is_file():
            return cls.open(target)
        if start_from in rb.preset_names():
            return cls.new(client, start_from, language, target)
        draft = cls.open(Path(start_from), target)
        draft.set_client(client)
        return draft

    @staticmethod
    def _round_trips(text: str, indent: tuple[int, int, int]) -> bool:
        try:
            yaml = _yaml(indent)
            return _dump(yaml, yaml.load(text)) == text
        except YAMLError:
            return False

    # -- the text, its problems, its runbook -------------------------------------------------

    def text(self) -> str:
        return _dump(self._yaml, self._doc)

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

    def header(self, key: str) -> Any:
        """A top-level field as written in this file (``None`` if not given)."""
        return _plain(self._doc.get(key))

    def branding(self, key: str) -> Any:
        branding = self._doc.get("branding")
        return _plain(branding.get(key)) if isinstance(branding, Mapping) else None

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
            return _plain(entry[field])
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
        own = _plain(entry.get("rules")) if entry is not None else None
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
                    else rb.load_runbook(self.target.parent / extends)
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
        steps = _block_seq([])
        _insert(self._doc, "steps", steps, TOP_ORDER)
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

    # -- editing: the organisation -----------------------------------------------------------

    def set_client(self, name: str) -> None:
        self._edit(lambda: _set_or_drop(self._doc, "client", name.strip() or None, TOP_ORDER))

    def set_language(self, language: str) -> None:
        self._edit(lambda: _set_or_drop(self._doc, "language", language or None, TOP_ORDER))

    def _branding(self) -> CommentedMap:
        branding = self._doc.get("branding")
        if not isinstance(branding, CommentedMap):
            branding = CommentedMap()
            _insert(self._doc, "branding", branding, TOP_ORDER)
        return branding

    def _drop_empty_branding(self) -> None:
        branding = self._doc.get("branding")
        if isinstance(branding, CommentedMap) and not branding:
            del self._doc["branding"]

    def set_title(self, texts: Mapping[str, str]) -> None:
        """The branding title (the page's heading), one text per language."""

        def change() -> None:
            _assign_text(self._branding(), "title", texts, ("title", "logo", "colours"))
            self._drop_empty_branding()

        self._edit(change)

    def set_logo(self, file_name: str) -> None:
        """The logo, a file beside the runbook (its name)."""

        def change() -> None:
            _set_or_drop(self._branding(), "logo", file_name.strip() or None, ("title", "logo"))
            self._drop_empty_branding()

        self._edit(change)

    def set_colour(self, which: str, colour: str) -> None:
        """``primary`` or ``accent``, written ``#rrggbb`` (anything else is a problem)."""
        if which not in ("primary", "accent"):
            raise DraftError(f"unknown colour '{which}' (primary or accent)")

        def change() -> None:
            branding = self._branding()
            colours = branding.get("colours")
            if not isinstance(colours, CommentedMap):
                colours = _flow_map({})
                _insert(branding, "colours", colours, ("title", "logo", "colours"))
            _set_or_drop(colours, which, colour.strip() or None, ("primary", "accent"))
            if not colours:
                del branding["colours"]
            self._drop_empty_branding()

        self._edit(change)

    def set_ground_rules(self, rules: Sequence[Mapping[str, str]]) -> None:
        """The ground rules; given, they replace the inherited list (the same list: none)."""

        def change() -> None:
            base = self._base()
            inherited = [self._texts(r) for r in (base.ground_rules if base else ())]
            wanted = [_clean(r) for r in rules if _clean(r)]
            if wanted == inherited and base is not None:
                self._doc.pop("ground_rules", None)
            else:
                _assign_list(self._doc, "ground_rules", wanted, TOP_ORDER)

        self._edit(change)

    # -- editing: a step's fields ------------------------------------------------------------

    def _set_step_field(
        self, step_id: str, field: str, assign: Callable[[CommentedMap], None], same: bool
    ) -> None:
        """Set (or with ``same``, the inherited value: drop) one field of a step's entry."""
        written = (step_id, field) in self._opened
        if same and not written and self._base_step(step_id) is not None:
            entry = self._entry(step_id)
            if entry is not None:
                entry.pop(field, None)
                self._tidy(step_id)
            return
        entry = self._entry(step_id, create=True)
        assert entry is not None
        assign(entry)

    def set_minutes(self, step_id: str, minutes: int | None) -> None:
        """A step's minutes; any whole number is written, and ``check`` says what is wrong."""
        base = self._base_step(step_id)
        same = base is not None and base.minutes == minutes

        def assign(entry: CommentedMap) -> None:
            _set_or_drop(entry, "minutes", minutes, STEP_ORDER)

        self._edit(lambda: self._set_step_field(step_id, "minutes", assign, same))

    def set_text(self, step_id: str, field: str, texts: Mapping[str, str]) -> None:
        """A step's ``title`` or ``speaker``; languages left empty are left out."""
        if field not in TEXT_FIELDS:
            raise DraftError(f"'{field}' is not one of {', '.join(TEXT_FIELDS)}")
        base = self._base_step(step_id)
        same = base is not None and self._texts(getattr(base, field)) == _clean(texts)

        def assign(entry: CommentedMap) -> None:
            _assign_text(entry, field, texts, STEP_ORDER)

        self._edit(lambda: self._set_step_field(step_id, field, assign, same))

    def set_list(self, step_id: str, field: str, items: Sequence[Mapping[str, str]]) -> None:
        """A step's ``prompts`` or ``reframing``; an item empty in every language is left out."""
        if field not in LIST_FIELDS:
            raise DraftError(f"'{field}' is not one of {', '.join(LIST_FIELDS)}")
        wanted = [_clean(i) for i in items if _clean(i)]
        base = self._base_step(step_id)
        same = base is not None and [self._texts(t) for t in getattr(base, field)] == wanted

        def assign(entry: CommentedMap) -> None:
            _assign_list(entry, field, wanted, STEP_ORDER)

        self._edit(lambda: self._set_step_field(step_id, field, assign, same))

    def set_rules(
        self, step_id: str, role: str, kind: str, items: Sequence[Mapping[str, str]]
    ) -> None:
        """What ``role`` ``may`` or ``may_not`` do in a step (any role name is written, and
        ``check`` names the unknown ones)."""
        if kind not in RULE_KINDS:
            raise DraftError(f"'{kind}' is not one of {', '.join(RULE_KINDS)}")
        wanted = [_clean(i) for i in items if _clean(i)]

        def change() -> None:
            other = "may_not" if kind == "may" else "may"
            new = {kind: wanted, other: self.rules(step_id, role, other)}
            base = self._base_step(step_id)
            role_rules = getattr(base.rules, role, None) if base is not None else None
            inherited = {
                k: [self._texts(t) for t in (getattr(role_rules, k) if role_rules else [])]
                for k in RULE_KINDS
            }
            entry = self._entry(step_id, create=base is None or new != inherited)
            if entry is None:
                return
            rules = entry.get("rules")
            if new == inherited and base is not None:
                if isinstance(rules, CommentedMap):
                    rules.pop(role, None)
                    if not rules:
                        del entry["rules"]
                self._tidy(step_id)
                return
            if not isinstance(rules, CommentedMap):
                rules = CommentedMap()
                _insert(entry, "rules", rules, STEP_ORDER)
            given = rules.get(role)
            if not isinstance(given, CommentedMap):
                given = CommentedMap()
                _insert(rules, role, given, rb.ROLES)
            for k in RULE_KINDS:
                if new[k]:
                    _assign_list(given, k, new[k], RULE_KINDS)
                else:
                    given.pop(k, None)

        self._edit(change)

    # -- editing: the steps --------------------------------------------------------------------

    def _require_valid(self, what: str) -> list[str]:
        if self._problems:
            raise DraftError(f"fix the problems before you {what}")
        return self.step_ids

    def add_step(self, after: str | None, title: str, minutes: int = 10) -> str:
        """A new step after ``after`` (first if ``None``), titled in the runbook's language;
        returns its id (``step``, ``step-2``…)."""
        order = self._require_valid("add a step")
        taken = set(order) | {str(e.get("id")) for e in self._entries()}
        new_id = next(
            candidate
            for candidate in (f"step-{n}" if n > 1 else "step" for n in range(1, 1000))
            if candidate not in taken
        )
        entry = CommentedMap([("id", new_id)])
        if after is not None:
            entry["after"] = after
        elif order:
            entry["before"] = order[0]
        entry["minutes"] = minutes
        entry["title"] = _flow_map({self.language: title})
        steps = self._steps(create=True)
        assert steps is not None
        # Last in the file: every step it may be placed after exists by then.
        self._edit(lambda: steps.append(entry))
        return new_id

    def remove_step(self, step_id: str) -> None:
        """An inherited step goes to ``remove:``; a step this file adds is deleted."""
        order = self._require_valid("remove a step")
        if step_id not in order:
            raise DraftError(f"no step '{step_id}'")
        if len(order) == 1:
            raise DraftError("the runbook needs at least one step")
        wanted = [s for s in order if s != step_id]

        def change() -> None:
            entry = self._entry(step_id)
            steps = self._steps()
            if entry is not None and steps is not None:
                _remove_keeping_comments(steps, entry)
            if self.is_inherited(step_id):
                remove = self._doc.get("remove")
                if not isinstance(remove, CommentedSeq):
                    remove = CommentedSeq()
                    remove.fa.set_flow_style()
                    _insert(self._doc, "remove", remove, TOP_ORDER)
                remove.append(step_id)
            dependents = [
                str(e["id"])
                for e in self._entries()
                if step_id in (e.get("after"), e.get("before"))
            ]
            for dependent in dependents:
                self._anchor(dependent, wanted)
            self._arrange(wanted, dependents)

        self._edit(change)

    def move(self, step_id: str, by: int) -> None:
        """Move a step ``by`` places (-1: up, +1: down)."""
        order = self._require_valid("move a step")
        if step_id not in order:
            raise DraftError(f"no step '{step_id}'")
        index = order.index(step_id)
        to = max(0, min(len(order) - 1, index + by))
        if to == index:
            return
        wanted = list(order)
        wanted.insert(to, wanted.pop(index))
        self._edit(lambda: self._arrange(wanted, [step_id, order[to]]))

    def rename_id(self, old: str, new: str) -> None:
        """A step this file adds gets another id; steps placed by it follow."""
        if self.is_inherited(old):
            raise DraftError(f"'{old}' is inherited: its id cannot change (remove it instead)")
        entry = self._entry(old)
        if entry is None:
            raise DraftError(f"no step '{old}' in this file")

        def change() -> None:
            entry["id"] = new
            for other in self._entries():
                for key in ("after", "before"):
                    if other is not entry and other.get(key) == old:
                        other[key] = new

        self._edit(change)

    def set_placement(self, step_id: str, key: str | None, anchor: str = "") -> None:
        """Place a step ``after`` or ``before`` another (``None``: where it is inherited, or
        for a new step at the end); a wrong id is written, and ``check`` says so."""
        if key not in (None, "after", "before"):
            raise DraftError(f"'{key}' is not after or before")

        def change() -> None:
            entry = self._entry(step_id, create=True)
            assert entry is not None
            entry.pop("after", None)
            entry.pop("before", None)
            if key is not None:
                entry.insert(1, key, anchor)
            self._tidy(step_id)

        self._edit(change)

    # -- placing steps -----------------------------------------------------------------------------

    def _order_of(self, text: str) -> list[str] | None:
        try:
            book = rb.load_runbook(self.target, text=text)
        except InputError:
            return None
        return [step.id for step in book.steps]

    def _anchor(self, step_id: str, order: list[str], clear: bool = False) -> None:
        """Place ``step_id`` right after its predecessor in ``order`` (first: before the next)."""
        entry = self._entry(step_id, create=True)
        assert entry is not None
        entry.pop("after", None)
        entry.pop("before", None)
        if clear:
            self._tidy(step_id)
            return
        index = order.index(step_id)
        if index > 0:
            entry.insert(1, "after", order[index - 1])
        elif len(order) > 1:
            entry.insert(1, "before", order[1])

    def _arrange(self, wanted: list[str], focus: list[str]) -> None:
        """Make the file's placements give ``wanted``: the smallest change that does.

        Tried in turn, each checked by resolving the draft: the focus steps without a
        placement (an inherited step back where it comes from), one focus step placed by its
        neighbour, the same with its entry moved last in the file; else every step not in
        its inherited order placed after its predecessor, in order.
        """
        start = self.text()
        if self._order_of(start) == wanted:
            return
        tries: list[tuple[str, bool, bool]] = [(s, True, False) for s in focus]
        tries += [(s, False, False) for s in focus] + [(s, False, True) for s in focus]
        for step_id, clear, last in tries:
            self._doc = self._yaml.load(start)
            if clear and not self.is_inherited(step_id):
                continue
            self._anchor(step_id, wanted, clear=clear)
            entry, steps = self._entry(step_id), self._steps()
            if last and entry is not None and steps is not None:
                steps.remove(entry)
                steps.append(entry)
            if self._order_of(self.text()) == wanted:
                return
        self._doc = self._yaml.load(start)
        self._arrange_all(wanted)

    def _arrange_all(self, wanted: list[str]) -> None:
        base = self._base()
        removed = set(_plain(self._doc.get("remove")) or ())
        inherited = [s.id for s in base.steps if s.id not in removed] if base else []
        kept = set(_common_subsequence(inherited, wanted))
        for step_id in wanted:
            self._anchor(step_id, wanted, clear=step_id in kept)
            entry = self._entry(step_id)
            if entry is not None and step_id not in kept and wanted.index(step_id) == 0:
                entry.pop("before", None)
                first = next((s for s in inherited if s != step_id), None)
                if first is not None:
                    entry.insert(1, "before", first)
        steps = self._steps()
        if steps is not None:
            rank = {step_id: i for i, step_id in enumerate(wanted)}
            ordered = sorted(steps, key=lambda e: rank.get(str(e.get("id")), len(rank)))
            steps[:] = ordered

    # -- saving --------------------------------------------------------------------------------

    def save(self, path: Path | None = None) -> Path:
        """Write the draft to ``path`` (default: its target), whole or not at all.

        Refused (``DraftError``, nothing written) while ``check`` finds problems, or when the
        file changed on disk since the draft was opened from it (or appeared since a new draft
        was started): no one's edits are overwritten unseen.
        """
        path = path or self.target
        text = self.text()
        problems = self.check(path)
        if problems:
            raise DraftError("\n".join(str(p) for p in problems))
        expected = self.on_disk if path == self.target else None
        if _current(path) != expected:
            what = "changed since it was opened" if expected is not None else "already exists"
            raise DraftError(f"{path} {what}: open it again to edit it")
        _write_whole(path, text)
        if path == self.target:
            self.on_disk = text
        return path


def _current(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return "\0"  # something is there, and it is not a runbook this draft knows


def _write_whole(path: Path, text: str) -> None:
    """``text`` in ``path`` at once: a temporary file beside it, renamed over it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DraftError(f"cannot write {path} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(mode if mode is not None else 0o644)
        Path(temporary).replace(path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise DraftError(f"cannot write {path} ({exc.strerror})") from None


# -- ruamel helpers ------------------------------------------------------------------------------


def _clean(texts: Mapping[str, str]) -> TextMap:
    """Languages with text, in the kit's order, each on one line."""
    order = {lang: i for i, lang in enumerate(languages())}
    kept = {k: " ".join(v.split()) for k, v in texts.items() if v and v.strip()}
    return dict(sorted(kept.items(), key=lambda kv: order.get(kv[0], len(order))))


def _insert(node: CommentedMap, key: str, value: Any, order: Iterable[str]) -> None:
    """Add ``key`` where ``order`` puts it among the keys ``node`` has (else last)."""
    order = list(order)
    if key in node:
        node[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    keys = list(node)
    position = len(keys)
    for i, existing in enumerate(keys):
        if existing in order and order.index(existing) > rank:
            position = i
            break
    node.insert(position, key, value)


def _set_or_drop(node: CommentedMap, key: str, value: Any, order: Iterable[str]) -> None:
    if value is None:
        node.pop(key, None)
    elif node.get(key) != value:
        _insert(node, key, value, order)


def _text_node(texts: TextMap) -> CommentedMap:
    return _flow_map(texts)


def _assign_text(node: CommentedMap, key: str, texts: Mapping[str, str], order: Any) -> None:
    """One text, changed where it is: an existing mapping keeps its style and the quotes of
    the languages not edited; a plain string stays one while only its language is given."""
    wanted = _clean(texts)
    old = node.get(key)
    if not wanted:
        node.pop(key, None)
    elif isinstance(old, CommentedMap):
        for lang in [k for k in old if k not in wanted]:
            del old[lang]
        for lang, text in wanted.items():
            if old.get(lang) != text:
                old[lang] = text
    elif isinstance(old, str) and len(wanted) == 1:
        if old != next(iter(wanted.values())):
            node[key] = next(iter(wanted.values()))
    else:
        _insert(node, key, _text_node(wanted), order)


def _assign_list(node: CommentedMap, key: str, items: list[TextMap], order: Any) -> None:
    """A list of texts, changed item by item (unchanged items keep their comments)."""
    old = node.get(key)
    if not isinstance(old, CommentedSeq):
        _insert(node, key, _block_seq(_block_text(item) for item in items), order)
        return
    for i, item in enumerate(items):
        if i < len(old):
            current = old[i]
            if isinstance(current, CommentedMap | str):
                holder = CommentedMap([("x", current)])
                _assign_text(holder, "x", item, ())
                old[i] = holder["x"]
            else:
                old[i] = _block_text(item)
        else:
            old.append(_block_text(item))
    del old[len(items) :]


def _block_text(texts: TextMap) -> CommentedMap:
    # In a list, one language a line (``- fr: …`` / ``  en: …``), as the kit's presets are.
    return CommentedMap(texts)


def _last_slot(node: Any) -> tuple[Any, Any] | None:
    """Where ruamel keeps the comment lines after ``node``: on its deepest last value."""
    while isinstance(node, CommentedMap | CommentedSeq) and len(node):
        last = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        child = node[last]
        if isinstance(child, CommentedMap | CommentedSeq) and len(child):
            node = child
            continue
        return node, last
    return None


def _remove_keeping_comments(steps: CommentedSeq, entry: CommentedMap) -> None:
    """Delete a step's entry; the comment lines after it (about the next entry) stay, in
    place of those before it (about this one)."""
    index = next(i for i, e in enumerate(steps) if e is entry)
    slot = _last_slot(entry)
    before = _last_slot(steps[index - 1]) if index > 0 else None
    if slot is not None and before is not None:
        node, key = slot
        kept = node.ca.items.get(key)
        position = 2 if isinstance(node, CommentedMap) else 0
        if kept and kept[position] is not None:
            target, target_key = before
            items = target.ca.items.setdefault(target_key, [None, None, None, None])
            items[2 if isinstance(target, CommentedMap) else 0] = kept[position]
    del steps[index]


def _common_subsequence(first: list[str], second: list[str]) -> list[str]:
    """The longest common subsequence: the inherited steps that keep their relative order."""
    lengths = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            lengths[i + 1][j + 1] = (
                lengths[i][j] + 1 if a == b else max(lengths[i][j + 1], lengths[i + 1][j])
            )
    result: list[str] = []
    i, j = len(first), len(second)
    while i and j:
        if first[i - 1] == second[j - 1]:
            result.append(first[i - 1])
            i, j = i - 1, j - 1
        elif lengths[i - 1][j] >= lengths[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return result[::-1]


__all__ = ["DraftError", "LocalText", "RunbookDraft", "client_file_name", "languages"]
