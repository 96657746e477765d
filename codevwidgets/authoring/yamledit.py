"""Round-trip YAML editing for the runbook editor: ruamel.yaml as the kit's files are written.

An edit changes a value where it is: a mapping keeps its style and its other keys' quotes, a
list its unchanged items' comments, a new key goes where the kit's own files put it. Nothing
here knows a runbook's fields; ``codevwidgets.authoring.document`` and the modules above it do.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

__all__ = [
    "INDENTS",
    "TextMap",
    "assign_list",
    "assign_text",
    "block_seq",
    "clean",
    "dump",
    "flow_map",
    "insert",
    "languages",
    "plain",
    "remove_keeping_comments",
    "round_trip_yaml",
    "round_trips",
    "set_or_drop",
]

TextMap = dict[str, str]
"""One text in each language given (``{"fr": …, "en": …}``); a language left out is empty."""

# Indentations tried when opening a file, the kit's own first: the one whose round trip gives
# the file back unchanged is kept for every later dump.
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 2), (4, 4, 0), (2, 4, 0), (4, 4, 2))


def languages() -> tuple[str, ...]:
    """The languages a runbook text may be written in: the kit's, asked at run time (the
    locale files present, where ``codevwidgets.core.i18n`` finds them; else its fixed list)."""
    from codevwidgets.core import i18n

    found = getattr(i18n, "languages", None)
    return tuple(found() if callable(found) else getattr(i18n, "LANGUAGES", ("fr", "en")))


def round_trip_yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long rule onto two lines: an edit changes its line only
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def round_trips(text: str, indent: tuple[int, int, int]) -> bool:
    """Whether ``text`` dumped again with ``indent`` is ``text``, unchanged."""
    try:
        yaml = round_trip_yaml(indent)
        return dump(yaml, yaml.load(text)) == text
    except YAMLError:
        return False


def plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (strings as ``str``)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def flow_map(items: Mapping[str, Any]) -> CommentedMap:
    node = CommentedMap(items)
    node.fa.set_flow_style()
    return node


def block_seq(items: Iterable[Any]) -> CommentedSeq:
    node = CommentedSeq(items)
    node.fa.set_block_style()
    return node


def clean(texts: Mapping[str, str]) -> TextMap:
    """Languages with text, in the kit's order, each on one line."""
    order = {lang: i for i, lang in enumerate(languages())}
    kept = {k: " ".join(v.split()) for k, v in texts.items() if v and v.strip()}
    return dict(sorted(kept.items(), key=lambda kv: order.get(kv[0], len(order))))


def insert(node: CommentedMap, key: str, value: Any, order: Iterable[str]) -> None:
    """Add ``key`` where the file's commented example of it is (``# key: …``, as ``codev
    runbook new`` writes them), replacing the example; else where ``order`` puts it among
    the keys ``node`` has (else last)."""
    order = list(order)
    if key in node:
        node[key] = value
        return
    if _insert_at_example(node, key, value):
        return
    rank = order.index(key) if key in order else len(order)
    keys = list(node)
    position = len(keys)
    for i, existing in enumerate(keys):
        if existing in order and order.index(existing) > rank:
            position = i
            break
    node.insert(position, key, value)


def _example(text: str, key: str) -> tuple[int, int] | None:
    """Where ``text`` (comment lines) holds a commented example of ``key``: its ``# key:``
    line, the indented comment lines under it and one blank line after them."""
    found = re.search(rf"^# ?{re.escape(key)}:.*\n", text, re.MULTILINE)
    if found is None:
        return None
    end = found.end()
    for line in _LINE.finditer(text, end):
        if not re.match(r"# {2,}\S", line.group()):
            break
        end = line.end()
    if text.startswith("\n", end):
        end += 1
    return found.start(), end


_LINE = re.compile(r".*\n")


def _comment(lines: str) -> CommentToken:
    return CommentToken(lines, CommentMark(0))


def _insert_at_example(node: CommentedMap, key: str, value: Any) -> bool:
    """Insert ``key`` in place of its commented example, if ``node`` holds one between two of
    its keys: in the comment after a key's one-line value, or in the comment before a key."""
    keys = list(node)
    for i, existing in enumerate(keys):
        slots = node.ca.items.get(existing)
        if not slots:
            continue
        after = slots[2]
        # A comment after a key holding a block (a mapping, a list) is kept on its last item,
        # not here: one found here follows a one-line value.
        if isinstance(after, CommentToken) and i + 1 < len(keys):
            where = _example(after.value, key)
            if where is not None:
                start, end = where
                following = after.value[end:]
                after.value = after.value[:start]
                node.insert(i + 1, key, value)
                _comment_before(node, keys[i + 1], following)
                return True
        before = slots[1]
        if isinstance(before, list) and before and i > 0:
            text = "".join(t.value for t in before if isinstance(t, CommentToken))
            where = _example(text, key)
            if where is not None:
                start, end = where
                node.insert(i, key, value)
                if text[:start]:  # its blank line too
                    node.ca.items.setdefault(key, [None, None, None, None])[1] = [
                        _comment(text[:start])
                    ]
                slots[1] = None
                _comment_before(node, existing, text[end:])
                return True
    return False


def _comment_before(node: CommentedMap, key: str, lines: str) -> None:
    """``lines`` (comment lines, or blank ones) before ``key``: after a blank line, since the
    key before it may hold a block whose end they must not seem to belong to."""
    if not lines.strip():
        return
    slots = node.ca.items.setdefault(key, [None, None, None, None])
    slots[1] = [_comment(lines if lines.startswith("\n") else "\n" + lines)]


def set_or_drop(node: CommentedMap, key: str, value: Any, order: Iterable[str]) -> None:
    if value is None:
        node.pop(key, None)
    elif node.get(key) != value:
        insert(node, key, value, order)


def assign_text(node: CommentedMap, key: str, texts: Mapping[str, str], order: Any) -> None:
    """One text, changed where it is: an existing mapping keeps its style and the quotes of
    the languages not edited; a plain string stays one while only its language is given."""
    wanted = clean(texts)
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
        insert(node, key, flow_map(wanted), order)


def assign_list(node: CommentedMap, key: str, items: list[TextMap], order: Any) -> None:
    """A list of texts, changed item by item (unchanged items keep their comments)."""
    old = node.get(key)
    if not isinstance(old, CommentedSeq):
        insert(node, key, block_seq(_block_text(item) for item in items), order)
        return
    for i, item in enumerate(items):
        if i < len(old):
            current = old[i]
            if isinstance(current, CommentedMap | str):
                holder = CommentedMap([("x", current)])
                assign_text(holder, "x", item, ())
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


def remove_keeping_comments(steps: CommentedSeq, entry: CommentedMap) -> None:
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
