"""The runbook editor's core: a client runbook file edited as a round-trip YAML document.

A consultant shapes a client's runbook from a preset (what ``codev runbook new`` writes) or
from an existing client file. Edits change the file's YAML in place (ruamel.yaml round trip):
comments, key order, quoting and indentation of what was not edited stay as they were, so a
saved file differs from the opened one only in the lines the consultant changed.

The draft is checked by the very code ``codev runbook check`` runs, on its text as if it were
saved at its target path: the same messages, file name and line numbers. ``save`` writes only
a draft without problems, whole or not at all.

``RunbookDraft`` is built in layers, one module each: ``document`` (the YAML, its problems,
what it reads), ``placement`` (steps added, removed, moved), this module (the fields' edits,
opening and saving, with ``saving``), all on ``yamledit``'s round-trip helpers.

>>> draft = RunbookDraft.new("Acme", "classic", "en", Path("runbooks/acme.yaml"))
>>> draft.set_minutes("consultation", 25)
>>> draft.total_minutes
90
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from codevwidgets.authoring.document import STEP_ORDER, TOP_ORDER, DraftError
from codevwidgets.authoring.placement import DraftPlacement
from codevwidgets.authoring.saving import save_text
from codevwidgets.authoring.yamledit import (
    TextMap,
    assign_list,
    assign_text,
    clean,
    flow_map,
    insert,
    languages,
    set_or_drop,
)
from codevwidgets.core import runbook as rb
from codevwidgets.core.runbook import LocalText

__all__ = [
    "DraftError",
    "LocalText",
    "RunbookDraft",
    "TextMap",
    "client_file_name",
    "hex_colour",
    "languages",
]

TEXT_FIELDS = ("title", "speaker")
LIST_FIELDS = ("prompts", "reframing")
RULE_KINDS = ("may", "may_not")


def client_file_name(client: str) -> str:
    """``"Organisation exemple"`` → ``organisation-exemple.yaml`` (letters, digits and -)."""
    plain = unicodedata.normalize("NFKD", client).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")
    if not slug:
        raise DraftError(f"{client!r} makes no file name: use letters or digits")
    return f"{slug}.yaml"


def hex_colour(text: str) -> str | None:
    """A colour as a runbook keeps it, ``#rrggbb`` (``#abc`` spelled out, the case as typed);
    ``None`` for anything else (a colour picker also lets a person type ``blue``).

    >>> hex_colour("#1A2b3c"), hex_colour("#abc"), hex_colour("blue")
    ('#1A2b3c', '#aabbcc', None)
    """
    text = text.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", text):
        return text
    if re.fullmatch(r"#[0-9a-fA-F]{3}", text):
        return "#" + "".join(c * 2 for c in text[1:])
    return None


class RunbookDraft(DraftPlacement):
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

    # -- editing: the organisation -----------------------------------------------------------

    def set_client(self, name: str) -> None:
        self._edit(lambda: set_or_drop(self._doc, "client", name.strip() or None, TOP_ORDER))

    def set_language(self, language: str) -> None:
        self._edit(lambda: set_or_drop(self._doc, "language", language or None, TOP_ORDER))

    def _branding(self) -> CommentedMap:
        branding = self._doc.get("branding")
        if not isinstance(branding, CommentedMap):
            branding = CommentedMap()
            insert(self._doc, "branding", branding, TOP_ORDER)
        return branding

    def _drop_empty_branding(self) -> None:
        branding = self._doc.get("branding")
        if isinstance(branding, CommentedMap) and not branding:
            del self._doc["branding"]

    def set_title(self, texts: Mapping[str, str]) -> None:
        """The branding title (the page's heading), one text per language."""

        def change() -> None:
            assign_text(self._branding(), "title", texts, ("title", "logo", "colours"))
            self._drop_empty_branding()

        self._edit(change)

    def set_logo(self, file_name: str) -> None:
        """The logo, a file beside the runbook (its name)."""

        def change() -> None:
            set_or_drop(self._branding(), "logo", file_name.strip() or None, ("title", "logo"))
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
                colours = flow_map({})
                insert(branding, "colours", colours, ("title", "logo", "colours"))
            set_or_drop(colours, which, colour.strip() or None, ("primary", "accent"))
            if not colours:
                del branding["colours"]
            self._drop_empty_branding()

        self._edit(change)

    def set_ground_rules(self, rules: Sequence[Mapping[str, str]]) -> None:
        """The ground rules; given, they replace the inherited list (the same list: none)."""

        def change() -> None:
            base = self._base()
            inherited = [self._texts(r) for r in (base.ground_rules if base else ())]
            wanted = [clean(r) for r in rules if clean(r)]
            if wanted == inherited and base is not None:
                self._doc.pop("ground_rules", None)
            else:
                assign_list(self._doc, "ground_rules", wanted, TOP_ORDER)

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
            set_or_drop(entry, "minutes", minutes, STEP_ORDER)

        self._edit(lambda: self._set_step_field(step_id, "minutes", assign, same))

    def set_text(self, step_id: str, field: str, texts: Mapping[str, str]) -> None:
        """A step's ``title`` or ``speaker``; languages left empty are left out."""
        if field not in TEXT_FIELDS:
            raise DraftError(f"'{field}' is not one of {', '.join(TEXT_FIELDS)}")
        base = self._base_step(step_id)
        same = base is not None and self._texts(getattr(base, field)) == clean(texts)

        def assign(entry: CommentedMap) -> None:
            assign_text(entry, field, texts, STEP_ORDER)

        self._edit(lambda: self._set_step_field(step_id, field, assign, same))

    def set_list(self, step_id: str, field: str, items: Sequence[Mapping[str, str]]) -> None:
        """A step's ``prompts`` or ``reframing``; an item empty in every language is left out."""
        if field not in LIST_FIELDS:
            raise DraftError(f"'{field}' is not one of {', '.join(LIST_FIELDS)}")
        wanted = [clean(i) for i in items if clean(i)]
        base = self._base_step(step_id)
        same = base is not None and [self._texts(t) for t in getattr(base, field)] == wanted

        def assign(entry: CommentedMap) -> None:
            assign_list(entry, field, wanted, STEP_ORDER)

        self._edit(lambda: self._set_step_field(step_id, field, assign, same))

    def set_rules(
        self, step_id: str, role: str, kind: str, items: Sequence[Mapping[str, str]]
    ) -> None:
        """What ``role`` ``may`` or ``may_not`` do in a step (any role name is written, and
        ``check`` names the unknown ones)."""
        if kind not in RULE_KINDS:
            raise DraftError(f"'{kind}' is not one of {', '.join(RULE_KINDS)}")
        wanted = [clean(i) for i in items if clean(i)]

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
                insert(entry, "rules", rules, STEP_ORDER)
            given = rules.get(role)
            if not isinstance(given, CommentedMap):
                given = CommentedMap()
                insert(rules, role, given, rb.ROLES)
            for k in RULE_KINDS:
                if new[k]:
                    assign_list(given, k, new[k], RULE_KINDS)
                else:
                    given.pop(k, None)

        self._edit(change)

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
        save_text(path, text, self.on_disk if path == self.target else None)
        if path == self.target:
            self.on_disk = text
        return path
