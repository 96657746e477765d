"""Page parameters: the query string Voilà hands to each page's kernel, read safely."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs

from codevwidgets.runbook import preset_names

PAGE_KEYS = ("session", "key", "code", "name", "lang", "runbook")


def query_parameters(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The known parameters of the page's URL (Voilà sets ``QUERY_STRING``); first value wins."""
    parsed = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=20)
    return {key: values[0] for key, values in parsed.items() if key in PAGE_KEYS and values}


def runbook_from_query(value: str, base: Path) -> str:
    """A runbook named in a URL: a preset, or a YAML file inside ``base`` (never elsewhere)."""
    if value in preset_names():
        return value
    path = (base / value).resolve()
    if path.suffix in {".yaml", ".yml"} and path.is_relative_to(base.resolve()):
        return str(path)
    raise ValueError(f"runbook '{value}' is neither a preset nor a runbook file of this folder")
