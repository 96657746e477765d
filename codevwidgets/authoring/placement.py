"""The runbook editor's step order: steps added, removed, moved and renamed.

A client file orders its steps by ``after:``/``before:`` placements relative to what it
extends, and by ``remove:``. ``DraftPlacement`` turns "move this step up" into the smallest
change of those placements that gives the wanted order, checked by resolving the draft.
"""

from __future__ import annotations

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from codevwidgets.authoring.document import TOP_ORDER, DraftDocument, DraftError
from codevwidgets.authoring.yamledit import flow_map, insert, plain, remove_keeping_comments
from codevwidgets.core import runbook as rb
from codevwidgets.core.problems import InputError

__all__ = ["DraftPlacement"]


class DraftPlacement(DraftDocument):
    """The edits of a draft that change its steps' order (``RunbookDraft`` inherits them)."""

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
        entry["title"] = flow_map({self.language: title})
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
                remove_keeping_comments(steps, entry)
            if self.is_inherited(step_id):
                remove = self._doc.get("remove")
                if not isinstance(remove, CommentedSeq):
                    remove = CommentedSeq()
                    remove.fa.set_flow_style()
                    insert(self._doc, "remove", remove, TOP_ORDER)
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
            first = next((k for k, v in self.renamed.items() if v == old), old)
            self.renamed.pop(first, None)
            if first != new:
                self.renamed[first] = new
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
        removed = set(plain(self._doc.get("remove")) or ())
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
