"""Locale catalogs: same keys, no empty text (every language: test_languages.py)."""

from __future__ import annotations

from typing import Any

import pytest

from codevwidgets.core.i18n import Translator, catalog, languages


def test_catalogs_have_the_same_keys_and_no_empty_text() -> None:
    fr, en = catalog("fr"), catalog("en")
    assert set(fr) == set(en)
    assert all(text.strip() for text in [*fr.values(), *en.values()])


def test_placeholders_match_between_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    fr, en = catalog("fr"), catalog("en")
    assert {k: fields(v) for k, v in fr.items()} == {k: fields(v) for k, v in en.items()}


def test_translator() -> None:
    assert Translator("en")("steps.total", minutes=95) == "Total: 95 min"
    assert Translator("fr")("role.facilitator") == "Animateur"
    with pytest.raises(ValueError, match="unknown language"):
        Translator("xx")


def texts(value: Any) -> list[Any]:
    """Every localised text in a preset structure (dicts keyed by language)."""
    if isinstance(value, dict) and value and set(value) <= set(languages()):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in texts(v)]
    if hasattr(value, "model_dump"):
        return texts(value.model_dump())
    if hasattr(value, "__dataclass_fields__"):
        return [t for name in value.__dataclass_fields__ for t in texts(getattr(value, name))]
    return []
