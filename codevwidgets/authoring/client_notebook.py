"""A client's session as a notebook: written beside a client runbook, served as the console.

The notebook holds a parameters cell (the runbook file beside it, a roster, a language), a
cell that shows the console, and per step a cell whose output the console shows during that
step only (``with console.during(step_id):``). ``codev runbook new --notebook`` writes one;
``codev serve --notebook`` serves one in place of the kit's facilitator page.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codevwidgets.core.files import write_atomically
from codevwidgets.core.runbook import Runbook, Step, preset_names

# Set by `codev serve --notebook` for the kernels: the client notebook's own folder, where a
# keyed console's kernel works (pages/kernel.py), as it does in JupyterLab.
# The kit's own pages: a client notebook served beside them may not take one of their names.
KIT_PAGES = ("facilitator", "participant", "projector", "cycle", "customise")
# A generated notebook is a few kilobytes; one with pictures saved in it, a few megabytes.
MAX_BYTES = 20 * 2**20

PARAMETERS = """\
# Parameters: this client's runbook (a file beside this notebook, or a preset name); a roster
# file (None: the demo group); the interface language (fr or en); the cycle session number.
runbook = {runbook}
roster = None
language = {language}
cycle_session = 1"""

CONSOLE = """\
from IPython.display import HTML, Image, Markdown, display

from codevwidgets.pages import facilitator_page

console = facilitator_page(runbook, roster, language, cycle_session)
display(console)"""

# A step cell's leading comment lines: the runbook editor rewrites them when it saves the
# runbook (``follow_runbook``), so they never name a step, a time or a title of the past.
HEADER = """\
# Step '{id}' ({minutes} min): {title}
# Generated from {runbook}: the runbook editor rewrites these lines when it saves it.
# What this cell displays shows in the console during this step only, above the rules."""

STEP = """\
{header}
with console.during({id_literal}):
    pass
    # display(Markdown("**Reminder:** ..."))
    # display(Image("picture.png", width=480))  # a file beside this notebook
    # display(HTML('<a href="https://example.org" target="_blank">A page to open</a>'))"""


def client_notebook(book: Runbook, runbook_file: str, language: str | None = None) -> str:
    """The notebook (nbformat 4 JSON text) of the client runbook ``book``, saved as
    ``runbook_file`` (its name, relative to the notebook): a cell per step of ``book``."""
    language = language or book.language
    parameters = PARAMETERS.format(runbook=_literal(runbook_file), language=_literal(language))
    cells = [_cell("parameters", parameters, tags=["parameters"]), _cell("console", CONSOLE)]
    for step in book.steps:
        cells.append(_step_cell(book, step, runbook_file, language))
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return _dumps(notebook)


def _dumps(notebook: dict[str, Any]) -> str:
    # As nbformat writes notebooks, so that JupyterLab saving it changes nothing else.
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _header(book: Runbook, step: Step, runbook_file: str, language: str) -> str:
    # A title is one comment line, whatever the runbook's author typed.
    title = " ".join(book.text(step.title, language).split())
    return HEADER.format(id=step.id, minutes=step.minutes, title=title, runbook=runbook_file)


def _step_cell(book: Runbook, step: Step, runbook_file: str, language: str) -> dict[str, object]:
    header = _header(book, step, runbook_file, language)
    return _cell(f"step-{step.id}", STEP.format(header=header, id_literal=_literal(step.id)))


def _without_header(source: str) -> list[str]:
    """A cell's lines after its leading comment lines (those the generator wrote)."""
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return lines[start:]


def follow_runbook(
    text: str, book: Runbook, runbook_file: str, renamed: Mapping[str, str] | None = None
) -> str:
    """The client notebook ``text`` with its step cells following ``book`` (saved as
    ``runbook_file``): each step cell's comment lines rewritten (id, minutes, title), a cell
    for each new step, in its place; a step ``renamed`` (old id: new id) keeps its cell under
    its new id. What a cell displays is kept; the cell of a step no longer in the runbook
    becomes a raw cell (kept as text, never run: ``console.during`` refuses an unknown step).

    ``NotebookError`` if ``text`` is not a notebook's JSON.
    """
    try:
        notebook = json.loads(text)
        cells: list[dict[str, Any]] = notebook["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise NotebookError(f"not a notebook's JSON ({exc})") from None
    language = book.language
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            given = _assigned(_source(cell)).get("language")
            language = given if isinstance(given, str) and given else language
    by_id = {str(c.get("id")): c for c in cells if str(c.get("id", "")).startswith("step-")}
    for old, new in (renamed or {}).items():
        moved = by_id.get(f"step-{old}")
        if moved is not None and f"step-{new}" not in by_id:
            source = _source(moved).replace(
                f"console.during({_literal(old)})", f"console.during({_literal(new)})"
            )
            moved["id"], moved["source"] = f"step-{new}", source.splitlines(keepends=True)
            by_id[f"step-{new}"] = by_id.pop(f"step-{old}")
    ids = {f"step-{step.id}" for step in book.steps}
    previous: dict[str, Any] | None = next(
        (c for c in cells if c.get("id") == "console"), cells[-1] if cells else None
    )
    for step in book.steps:
        found = by_id.get(f"step-{step.id}")
        header = _header(book, step, runbook_file, language)
        if found is None:
            found = _step_cell(book, step, runbook_file, language)
            where = cells.index(previous) + 1 if previous is not None else len(cells)
            cells.insert(where, found)
        else:
            body = _without_header(_source(found))
            if found.get("cell_type") == "raw":  # the step came back: its cell runs again
                found.update(cell_type="code", execution_count=None, outputs=[])
            found["source"] = (header + "\n" + "".join(body)).splitlines(keepends=True)
        previous = found
    for cell_id, cell in by_id.items():
        if cell_id not in ids and cell.get("cell_type") == "code":
            gone = (
                f"# Step '{cell_id.removeprefix('step-')}' is no longer in {runbook_file}: this "
                "cell is kept as text, not run.\n# Move what it displays into another step's "
                "cell, or delete it.\n"
            )
            kept = "".join(_without_header(_source(cell)))
            for key in ("execution_count", "outputs"):
                cell.pop(key, None)
            cell.update(cell_type="raw", source=(gone + kept).splitlines(keepends=True))
    return _dumps(notebook)


def follow_runbook_file(
    runbook: Path, book: Runbook, renamed: Mapping[str, str] | None = None
) -> Path | None:
    """Make the client notebook beside ``runbook`` (``NAME.ipynb``, what ``codev runbook new
    --notebook`` writes) follow it (``follow_runbook``); ``None`` if there is none, or if its
    parameters name another runbook. ``NotebookError`` (one line) if it cannot be."""
    notebook = runbook.with_suffix(".ipynb")
    if not notebook.is_file():
        return None
    try:
        text = notebook.read_text(encoding="utf-8")
        cells = json.loads(text).get("cells", [])
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise NotebookError(f"{notebook}: not a readable notebook ({exc})") from None
    named = next(
        (
            _assigned(_source(c)).get("runbook")
            for c in cells
            if isinstance(c, dict) and "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        None,
    )
    if named != runbook.name:
        return None
    try:
        new = follow_runbook(text, book, runbook.name, renamed)
    except NotebookError as exc:
        raise NotebookError(f"{notebook}: {exc}") from None
    if new != text:
        try:
            write_atomically(notebook, new)
        except OSError as exc:
            raise NotebookError(f"cannot write {notebook} ({exc.strerror})") from None
    return notebook


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _assigned(source: str) -> dict[str, object]:
    """The literal values a cell's source assigns to names (never run: only read)."""
    values: dict[str, object] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return values
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue  # not a literal: not one of ours
    return values


def _cell(cell_id: str, source: str, tags: list[str] | None = None) -> dict[str, object]:
    lines = source.splitlines(keepends=True)
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {"tags": tags} if tags else {},
        "outputs": [],
        "source": lines,
    }


def _literal(text: str) -> str:
    """A Python string literal in double quotes (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


class NotebookError(ValueError):
    """A file that is not a client notebook; the message is one line, naming the file."""


@dataclass(frozen=True)
class ClientNotebook:
    """A client notebook to serve: where it is, its runbook and roster, its served name."""

    path: Path
    runbook: str  # a preset name, or the runbook file's absolute path
    roster: Path | None
    served_name: str  # its name among the served pages (letters, digits, - and _)

    @classmethod
    def read(cls, path: Path) -> ClientNotebook:
        """Read ``path``; ``NotebookError`` (one line) if it is not a client notebook.

        Its runbook and roster are the parameters cell's, relative to the notebook's folder.
        """
        if path.suffix != ".ipynb" or not path.is_file():
            raise NotebookError(f"{path}: not a notebook file (.ipynb)")
        if path.stat().st_size > MAX_BYTES:
            raise NotebookError(f"{path}: larger than {MAX_BYTES // 2**20} MiB")
        import nbformat  # here: `codev serve` without a notebook never loads it

        try:
            notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            why = " ".join(str(exc).split())[:200]
            raise NotebookError(f"{path}: not a readable notebook ({why})") from None
        values = _parameters(path, notebook)
        runbook = values.get("runbook")
        if not isinstance(runbook, str) or not runbook:
            raise NotebookError(f'{path}: its parameters cell sets no runbook = "FILE.yaml"')
        roster = values.get("roster")
        if roster is not None and not isinstance(roster, str):
            raise NotebookError(f'{path}: roster is neither None nor "FILE.yaml"')
        folder = path.resolve().parent
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:60] or "client"
        if stem.lower() in KIT_PAGES:
            kit = ", ".join(f"{name}.ipynb" for name in KIT_PAGES)
            raise NotebookError(f"{path}: a client notebook may not be named like the kit's {kit}")
        return cls(
            path=path.resolve(),
            runbook=runbook if runbook in preset_names() else str(folder / runbook),
            roster=folder / roster if roster else None,
            served_name=f"{stem}.ipynb",
        )


def _parameters(path: Path, notebook: Any) -> dict[str, object]:
    """The literal values the cell tagged ``parameters`` assigns (never run: only read)."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                ast.parse(cell.source)
            except SyntaxError as exc:
                raise NotebookError(
                    f"{path}: parameters cell, line {exc.lineno}: {exc.msg}"
                ) from None
            return _assigned(cell.source)
    raise NotebookError(f"{path}: no cell tagged 'parameters' (codev runbook new --notebook)")


def served_pages(notebook: ClientNotebook, kit: Path) -> Path:
    """A new private folder holding the kit's notebooks (from ``kit``) and a copy of the client
    notebook: what Voilà serves. Never the client's own folder, whose other files (other
    clients' notebooks, pictures, rosters) visitors must not reach. The caller removes it.
    ``NotebookError`` (one line) if it cannot be made."""
    folder = Path(tempfile.mkdtemp(prefix="codev-pages-"))
    try:
        for page in kit.glob("*.ipynb"):
            if page.is_file():
                shutil.copyfile(page, folder / page.name)
        served = folder / notebook.served_name
        if served.exists():
            raise NotebookError(
                f"{notebook.path}: named like one of the kit's pages, {served.name}"
            )
        shutil.copyfile(notebook.path, served)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise NotebookError(
            f"{notebook.path}: cannot copy it to serve it ({exc.strerror})"
        ) from None
    except NotebookError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
