"""Interface text: the locale catalogs, one file per language (`locales/fr.yaml`, …).

The interface languages are the locale files present: dropping ``locales/xx.yaml`` (the
same keys as ``en.yaml``) adds language ``xx`` everywhere — pages, runbooks, records and
the command line — with no code change.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from codevwidgets.core.yamlsource import Loader

LOCALES_DIR = Path(__file__).parent / "locales"
# A locale file's name is a language tag: ``de``, ``pt-BR``; other files there are ignored.
_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def languages() -> tuple[str, ...]:
    """The interface languages: one per locale file, sorted (``('de', 'en', 'fr')``)."""
    return _languages_in(LOCALES_DIR)


@cache
def _languages_in(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in folder.glob("*.yaml") if _TAG.match(p.stem)))


def unknown_language(language: str) -> str:
    """The message for a language with no locale file, naming the known ones."""
    known = languages()
    listed = ", ".join(known[:-1]) + f" or {known[-1]}" if len(known) > 1 else "".join(known)
    return f"unknown language '{language}' (use {listed})"


def check_language(language: str) -> str:
    """``language`` if a locale file gives it, else ``ValueError`` naming the known ones."""
    if language not in languages():
        raise ValueError(unknown_language(language))
    return language


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def catalog(language: str) -> dict[str, str]:
    """Every text of one language, keyed ``section.name``."""
    return _catalog(LOCALES_DIR, check_language(language))


@cache
def _catalog(folder: Path, language: str) -> dict[str, str]:
    with (folder / f"{language}.yaml").open(encoding="utf-8") as stream:
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
