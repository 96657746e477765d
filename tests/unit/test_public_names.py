"""Every public name by the path DESIGN.md and the notebooks document, whatever the layer it
lives in: notebooks, client notebooks already written, the advice check, python -m entry
points."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"

PUBLIC = [
    ("codevwidgets.advice", "looks_like_advice"),
    ("codevwidgets.pages", "facilitator_page"),
    ("codevwidgets.pages", "participant_page"),
    ("codevwidgets.pages", "projector_page"),
    ("codevwidgets.pages", "cycle_page"),
    ("codevwidgets.pages", "editor_page"),
    ("codevwidgets.cli", "main"),
]


@pytest.mark.parametrize(("module", "name"), PUBLIC)
def test_a_public_name_imports_by_its_documented_path(module: str, name: str) -> None:
    assert callable(getattr(importlib.import_module(module), name))


def test_an_unknown_page_name_is_an_attribute_error() -> None:
    import codevwidgets.pages

    with pytest.raises(AttributeError):
        codevwidgets.pages.no_such_page  # noqa: B018


def test_the_advice_face_answers_as_the_core_does() -> None:
    from codevwidgets.advice import looks_like_advice
    from codevwidgets.core.advice import looks_like_advice as core

    question = "Have you thought about delegating it?"
    assert looks_like_advice(question, "en") == core(question, "en") is not None


def test_every_import_of_the_kits_notebooks_works() -> None:
    """The notebooks Voilà serves and the example client notebook, as written."""
    notebooks = [*(ROOT / "notebooks").glob("*.ipynb"), ROOT / "runbooks/example-client.ipynb"]
    lines = {
        line.strip()
        for path in notebooks
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if line.strip().startswith("from codevwidgets")
    }
    assert lines, "no codevwidgets import found in the notebooks"
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(sorted(lines))], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_client_notebook_written_before_the_layers_still_imports() -> None:
    """What `codev runbook new --notebook` wrote into every client notebook so far."""
    done = subprocess.run(
        [sys.executable, "-c", "from codevwidgets.pages import facilitator_page"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_python_m_advice_evaluates_a_labelled_file() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "codevwidgets.advice",
            "--evaluate",
            str(DATA / "advice_questions.yaml"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "| language | questions | advice | precision | recall |" in done.stdout


@pytest.mark.parametrize("module", ["codevwidgets.cli", "codevwidgets.server.voila_app"])
def test_the_python_m_entry_points_of_codev_serve_start(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_runbook_list_json_from_python_m_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "codevwidgets.cli", "runbook", "list", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    names = {preset["name"] for preset in json.loads(done.stdout)["presets"]}
    assert {"classic", "express", "flash", "kollegiale", "troika"} <= names
