"""YAML with lines: parsed by libyaml when PyYAML has it, with PyYAML's own error messages."""

from __future__ import annotations

import pytest
import yaml

from codevwidgets.core import yamlsource
from codevwidgets.core.yamlsource import YamlSyntaxError, parse_yaml


def test_libyaml_parses_when_pyyaml_has_it() -> None:
    if yaml.__with_libyaml__:
        assert yamlsource.Loader is yaml.CSafeLoader
    doc = parse_yaml("group: G\nmembers:\n  - Ana\n  - Bruno\n", "roster.yaml")
    assert doc.data == {"group": "G", "members": ["Ana", "Bruno"]}
    assert doc.lines[("members", 1)] == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # PyYAML names the tab; libyaml alone would say "found character that cannot start…".
        ("steps:\n\t- id: x\n", "f.yaml:2: YAML syntax: found character '\\t' that cannot"),
        ("a: b: c\n", "f.yaml:1: YAML syntax: mapping values are not allowed here"),
        ("", "f.yaml:1: the file is empty"),
        ("- a\n", "f.yaml:1: the top level must be a mapping of fields"),
    ],
)
def test_errors_keep_pyyaml_messages(text: str, message: str) -> None:
    with pytest.raises(YamlSyntaxError) as error:
        parse_yaml(text, "f.yaml")
    assert str(error.value).startswith(message)
