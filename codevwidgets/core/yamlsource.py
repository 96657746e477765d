"""YAML loading that remembers the line of every key and item, for located error messages.

Kit files come from users and from other organisations, so reading one is bounded: at most
``MAX_FILE_BYTES`` read from a regular file, UTF-8 text only, at most ``MAX_DEPTH`` levels of
nesting and ``MAX_VALUES`` values once aliases are expanded. Anything beyond is one located
`YamlSyntaxError`, never a hang, a memory blow-up or a traceback.
"""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Location = tuple[str | int, ...]

# libyaml's loader when PyYAML was built with it (its wheels are): the same nodes, marks and
# errors, parsed about ten times faster, which every kernel that opens a page pays for.
# CSafeLoader is not a SafeLoader subclass, but has the same composer and constructor API.
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The largest preset is 13 KB, 792 values, 8 levels deep: these leave room for any real
# runbook or roster while keeping a hostile file to a second and a few hundred MB at most.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 50
MAX_VALUES = 20_000

# Byte-order marks of encodings other than UTF-8 (UTF-32-LE's starts like UTF-16-LE's).
_OTHER_BOMS = (codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass
class YamlDocument:
    """Parsed YAML data plus the 1-based line where each location starts."""

    file: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)
    duplicates: list[Location] = field(default_factory=list)

    def line_of(self, loc: Location) -> int:
        """The line of ``loc``, or of its nearest enclosing location that has one."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1


class YamlSyntaxError(Exception):
    """The text is not YAML, or not the mapping a kit file must be."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


def read_yaml(path: Path, shown_as: str | None = None) -> YamlDocument:
    """Read a YAML file whose top level must be a mapping."""
    name = shown_as or str(path)
    return parse_yaml(_decode(_read_bytes(path, name), name), name)


def yaml_text(text: str, name: str) -> YamlDocument:
    """Text that would be the file ``name``, read with the same limits and messages."""
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_FILE_BYTES:
        raise YamlSyntaxError(name, 1, _TOO_LARGE)
    return parse_yaml(_decode(data, name), name)


_TOO_LARGE = "the file is larger than 1 MiB, too large for a kit file"


def _read_bytes(path: Path, name: str) -> bytes:
    """At most ``MAX_FILE_BYTES`` of a regular file: /dev/zero, a FIFO or a folder is refused."""
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer; it has no effect on
    # reading a regular file, and anything else is refused after fstat.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise YamlSyntaxError(name, 1, "file not found") from None
    except IsADirectoryError:
        raise YamlSyntaxError(name, 1, "the file is a folder") from None
    except OSError as exc:
        raise YamlSyntaxError(name, 1, f"cannot read the file ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise YamlSyntaxError(name, 1, "the file is a folder")
        if not stat.S_ISREG(mode):
            raise YamlSyntaxError(name, 1, "not a regular file (a device, a pipe or a socket)")
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlSyntaxError(name, 1, f"cannot read the file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise YamlSyntaxError(name, 1, _TOO_LARGE)
    return data


def _decode(data: bytes, name: str) -> str:
    if data.startswith(_OTHER_BOMS):
        raise YamlSyntaxError(name, 1, "the file is UTF-16 or UTF-32 text; save it as UTF-8")
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise YamlSyntaxError(name, line, "the file contains a NUL byte: it is not UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        message = f"the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"
        raise YamlSyntaxError(name, line, message) from None


def parse_yaml(text: str, file: str) -> YamlDocument:
    try:
        return _parse(text, file, Loader)
    except yaml.YAMLError as exc:
        if Loader is yaml.SafeLoader:
            raise _syntax_error(exc, text, file) from None
    # libyaml's messages are terser ("found character that cannot start any token", where
    # PyYAML names the tab): a file in error is parsed again in Python, for its message.
    try:
        return _parse(text, file, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, file) from None


def _parse(text: str, file: str, loader_class: Any) -> YamlDocument:
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            # PyYAML's own composer recurses once per level (libyaml stops at 1000 levels).
            line = getattr(loader, "line", 0) + 1
            raise YamlSyntaxError(file, line, _TOO_DEEP) from None
        if node is None:
            raise YamlSyntaxError(file, 1, "the file is empty")
        if not isinstance(node, yaml.MappingNode):
            raise YamlSyntaxError(
                file, node.start_mark.line + 1, "the top level must be a mapping of fields"
            )
        _check_size(node, file)
        doc = YamlDocument(file, None)
        doc.data = _build(loader, node, (), doc)
        return doc
    finally:
        loader.dispose()


_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


def _check_size(root: yaml.Node, file: str) -> None:
    """Refuse nesting and alias expansion that `_build` could not bear.

    The composer does not copy an alias (``*name``): it puts the anchored node in the tree a
    second time, so a few lines of nested aliases ("billion laughs") stand for billions of
    values, which `_build` would expand. This walk counts what it would build, without
    building it and without recursion, and stops at the first limit crossed.
    """
    distinct: set[int] = set()
    visits = 0
    # Each entry: a node, its depth, and the line of the top-level field it is under.
    stack: list[tuple[yaml.Node, int, int]] = [(root, 1, root.start_mark.line + 1)]
    while stack:
        node, depth, line = stack.pop()
        visits += 1
        distinct.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(file, node.start_mark.line + 1, _TOO_DEEP)
        if visits > MAX_VALUES:
            if len(distinct) < visits:
                message = f"YAML aliases (*name) here expand to more than {MAX_VALUES} values"
            else:
                message = f"more than {MAX_VALUES} values, too many for a kit file"
            raise YamlSyntaxError(file, line, message)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                under = key.start_mark.line + 1 if depth == 1 else line
                stack += [(key, depth + 1, under), (value, depth + 1, under)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, depth + 1, line) for item in node.value]


def _syntax_error(exc: yaml.YAMLError, text: str, file: str) -> YamlSyntaxError:
    """One line for any error PyYAML raises (its own text spans two or three lines)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return YamlSyntaxError(file, line, f"YAML syntax: {exc.problem or exc.context}")
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        line = text.count("\n", 0, exc.position) + 1
        message = f"YAML syntax: unacceptable character #x{exc.character:04x}: {exc.reason}"
        return YamlSyntaxError(file, line, message)
    return YamlSyntaxError(file, 1, f"YAML syntax: {str(exc).splitlines()[0]}")


def _build(loader: yaml.SafeLoader, node: yaml.Node, loc: Location, doc: YamlDocument) -> Any:
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        given, merged = _merge_pairs(node, doc)
        for key_node, value_node in given:
            key = _key(loader, key_node, doc)
            if key in result:
                doc.duplicates.append((*loc, key))
            doc.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, (*loc, key), doc)
        # Merged fields fill in what the mapping does not give itself, located where they
        # are written (in the anchored mapping); a field both given and merged is no duplicate.
        for key_node, value_node in merged:
            key = _key(loader, key_node, doc)
            if key not in result:
                doc.lines[(*loc, key)] = key_node.start_mark.line + 1
                result[key] = _build(loader, value_node, (*loc, key), doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*loc, i), doc) for i, item in enumerate(node.value)]
    return _construct(loader, node, doc)


# YAML 1.1's merge key (``<<: *defaults``): PyYAML's own constructor flattens it, but ours
# builds mappings node by node to keep each key's line, so it merges here.
MERGE_TAG = "tag:yaml.org,2002:merge"
_NodePairs = list[tuple[yaml.Node, yaml.Node]]


def _merge_pairs(node: yaml.MappingNode, doc: YamlDocument) -> tuple[_NodePairs, _NodePairs]:
    """The mapping's own key and value nodes, and those its ``<<`` keys merge in, in order
    of precedence: a field given beats a merged one, an earlier merged mapping a later one."""
    given: _NodePairs = []
    merged: _NodePairs = []
    for key_node, value_node in node.value:
        if key_node.tag != MERGE_TAG:
            given.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        if not sources or not all(isinstance(n, yaml.MappingNode) for n in sources):
            message = (
                "YAML merge key (<<): merges a mapping or a list of mappings"
                " (like <<: *defaults), not a value"
            )
            raise YamlSyntaxError(doc.file, key_node.start_mark.line + 1, message)
        for source in sources:
            # A merged mapping may merge in turn; `_check_size` has bounded how deep.
            own, inherited = _merge_pairs(source, doc)
            merged += own + inherited
    return given, merged


def _key(loader: yaml.SafeLoader, node: yaml.Node, doc: YamlDocument) -> str | int:
    key = _construct(loader, node, doc)
    return key if isinstance(key, str | int) else str(key)


def _construct(loader: yaml.SafeLoader, node: yaml.Node, doc: YamlDocument) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except Exception:
        # PyYAML's constructors raise whatever Python raises for a value its resolver or an
        # explicit tag let through: 2027-13-45 as a date, 5000 digits as an int, !!bool x.
        text = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
        shown = text if len(text) <= 40 else f"{text[:37]}..."
        kind = node.tag.rsplit(":", 1)[-1]
        message = f"YAML value: {shown!r} is not a valid {kind}"
        raise YamlSyntaxError(doc.file, node.start_mark.line + 1, message) from None
