"""Interface text: the locale catalogs (`locales/fr.yaml`, `locales/en.yaml`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from codevwidgets.yamlsource import Loader

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("fr", "en")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    """Every text of one language, keyed ``section.name``."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language '{language}' (use fr or en)")
    with (LOCALES_DIR / f"{language}.yaml").open(encoding="utf-8") as stream:
        return _flatten(yaml.load(stream, Loader=Loader))  # noqa: S506 — a safe loader


class Translator:
    """Looks up interface text in one language.

    >>> Translator("fr")("role.advisors")
    'Consultants'
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._texts = catalog(language)

    def __call__(self, key: str, **values: object) -> str:
        # A missing key shows the key itself: visible in review, never a crash in a session.
        text = self._texts.get(key, key)
        return text.format(**values) if values else text
