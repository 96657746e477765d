"""YAML loading that remembers the line of every key and item, for located error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Location = tuple[str | int, ...]

# libyaml's loader when PyYAML was built with it (its wheels are): the same nodes, marks and
# errors, parsed about ten times faster, which every kernel that opens a page pays for.
# CSafeLoader is not a SafeLoader subclass, but has the same composer and constructor API.
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlSyntaxError(name, 1, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlSyntaxError(name, 1, f"cannot read the file ({exc})") from None
    return parse_yaml(text, name)


def parse_yaml(text: str, file: str) -> YamlDocument:
    try:
        return _parse(text, file, Loader)
    except YamlSyntaxError:
        if Loader is yaml.SafeLoader:
            raise
        # libyaml's messages are terser ("found character that cannot start any token", where
        # PyYAML names the tab): a file in error is parsed again in Python, for its message.
        return _parse(text, file, yaml.SafeLoader)


def _parse(text: str, file: str, loader_class: Any) -> YamlDocument:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        doc = YamlDocument(file, None)
        if node is None:
            raise YamlSyntaxError(file, 1, "the file is empty")
        if not isinstance(node, yaml.MappingNode):
            raise YamlSyntaxError(
                file, node.start_mark.line + 1, "the top level must be a mapping of fields"
            )
        doc.data = _build(loader, node, (), doc)
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(file, line, f"YAML syntax: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, loc: Location, doc: YamlDocument) -> Any:
    doc.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                key = str(key)
            if key in result:
                doc.duplicates.append((*loc, key))
            doc.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, (*loc, key), doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*loc, i), doc) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
