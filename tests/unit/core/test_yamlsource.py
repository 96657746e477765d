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


# -- merge keys (issue 21): << fills in what a mapping does not give itself ---------------------


def test_a_merge_key_fills_in_the_fields_a_mapping_does_not_give() -> None:
    text = (
        "defaults: &five\n"
        "  minutes: 5\n"
        "  title: Extra\n"
        "steps:\n"
        "  - <<: *five\n"
        "    id: one\n"
        "    title: One\n"
    )
    doc = parse_yaml(text, "r.yaml")
    assert doc.data["steps"] == [{"id": "one", "title": "One", "minutes": 5}]
    # A merged field is located where it is written: in the anchored mapping.
    assert doc.lines[("steps", 0, "minutes")] == 2
    assert doc.lines[("steps", 0, "title")] == 7
    assert doc.duplicates == []


def test_merge_keys_take_a_list_the_first_mapping_winning() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n"
    assert parse_yaml(text, "f.yaml").data["c"] == {"x": 1, "y": 1, "z": 2}


def test_merged_mappings_may_merge_in_turn() -> None:
    text = "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n"
    assert parse_yaml(text, "f.yaml").data["c"] == {"y": 2, "x": 1, "z": 3}


@pytest.mark.parametrize("value", ["5", "[1, 2]", "[*a, 5]"])
def test_a_merge_key_must_name_mappings(value: str) -> None:
    with pytest.raises(YamlSyntaxError) as error:
        parse_yaml(f"a: &a {{x: 1}}\nb:\n  <<: {value}\n", "f.yaml")
    assert str(error.value) == (
        "f.yaml:3: YAML merge key (<<): merges a mapping or a list of mappings"
        " (like <<: *defaults), not a value"
    )
