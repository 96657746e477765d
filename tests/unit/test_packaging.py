"""Project hygiene: conda and pip list the same packages; the core never imports widgets."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Every module below the views (and the CLI): none of them may load a widget library.
CORE = [
    *sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for layer in ("core", "store", "authoring", "record", "demo")
        for path in (ROOT / "codevwidgets" / layer).glob("[!_]*.py")
    ),
    "codevwidgets.cli",
]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_pyproject_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == wanted


def test_core_does_not_import_ipywidgets() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + (
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'ipywidgets', 'anywidget',"
            " 'traitlets', 'IPython'})\nprint(','.join(bad))"
        )
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_test_modules_have_unique_names() -> None:
    """pytest imports test modules by their bare name (tests/ has no packages): two files of
    one name in tests/unit and tests/browser stop the whole run at collection."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
