"""A client's session as a notebook: codev runbook new --notebook writes it, it runs in
JupyterLab's way (nbclient), and codev serve --notebook reads and serves a private copy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from codevwidgets.authoring.client_notebook import (
    ClientNotebook,
    NotebookError,
    client_notebook,
    served_pages,
)
from codevwidgets.cli import main
from codevwidgets.core.environment import NOTEBOOK_DIR
from codevwidgets.core.runbook import load_runbook
from codevwidgets.pages.kernel import work_in_notebook_folder
from codevwidgets.pages.session import _own_notebook
from codevwidgets.server.serve import PAGES_ARG, notebooks_dir, voila_command
from codevwidgets.server.sessions import links
from codevwidgets.store.base import Secrets

EXAMPLE = Path(__file__).parents[3] / "runbooks" / "example-client.yaml"
VOILA_ENV = {"VOILA_BASE_URL": "/", "SERVER_SOFTWARE": "voila/0.5"}


def sources(path: Path) -> dict[str, str]:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return {cell.id: cell.source for cell in notebook.cells}


def test_a_cell_per_step_of_the_resolved_runbook(tmp_path: Path) -> None:
    book = load_runbook(EXAMPLE)
    path = tmp_path / "example-client.ipynb"
    path.write_text(client_notebook(book, EXAMPLE.name), encoding="utf-8")
    cells = sources(path)
    ids = ["checkin", "followup", "topic_choice", "presentation", "clarification", "contract"]
    ids += ["consultation", "synthesis", "conclusion"]
    assert list(cells) == ["parameters", "console", *(f"step-{i}" for i in ids)]
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].metadata.tags == ["parameters"]
    assert 'runbook = "example-client.yaml"' in cells["parameters"]
    assert 'language = "fr"' in cells["parameters"]
    assert (
        "console = facilitator_page(runbook, roster, language, cycle_session)" in (cells["console"])
    )
    assert "display(console)" in cells["console"]
    consultation = cells["step-consultation"]
    assert "(25 min): Tour des consultants" in consultation  # renamed, in the runbook's language
    assert 'with console.during("consultation"):' in consultation
    assert "# display(Markdown(" in consultation and "# display(Image(" in consultation
    assert "# display(HTML('<a href=" in consultation


def test_the_example_notebook_is_the_generators_with_two_cells_filled() -> None:
    example = EXAMPLE.with_suffix(".ipynb")
    cells = sources(example)
    made = json.loads(client_notebook(load_runbook(EXAMPLE), EXAMPLE.name))
    assert list(cells) == [cell["id"] for cell in made["cells"]]
    filled = {
        cell_id
        for cell_id, source in cells.items()
        if source != "".join(next(c for c in made["cells"] if c["id"] == cell_id)["source"])
    }
    assert filled == {"step-checkin", "step-consultation"}
    assert "Rappel du contrat" in cells["step-consultation"]


def test_runbook_new_notebook_writes_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runbooks" / "acme.yaml"
    args = ["runbook", "new", "Acme", "--from", "express", "--lang", "en", "-o", str(out)]
    assert main([*args, "--notebook"]) == 0
    notebook = out.with_suffix(".ipynb")
    assert capsys.readouterr().out.splitlines() == [f"wrote {out}", f"wrote {notebook}"]
    cells = sources(notebook)
    assert 'runbook = "acme.yaml"' in cells["parameters"]
    assert 'language = "en"' in cells["parameters"]
    assert [c for c in cells if c.startswith("step-")] == [
        f"step-{step.id}" for step in load_runbook(out).steps
    ]
    read = ClientNotebook.read(notebook)
    assert read.runbook == str(out.resolve())
    assert read.roster is None
    assert read.served_name == "acme.ipynb"


@pytest.mark.parametrize("existing", ["acme.ipynb", "acme.yaml"])
def test_runbook_new_notebook_refuses_to_overwrite_either_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str
) -> None:
    (tmp_path / existing).write_text("keep me", encoding="utf-8")
    out = tmp_path / "acme.yaml"
    assert main(["runbook", "new", "Acme", "-o", str(out), "--notebook"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"codev: {tmp_path / existing} already exists; choose another file with -o"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]  # nothing else written
    assert (tmp_path / existing).read_text(encoding="utf-8") == "keep me"


def test_runbook_new_notebook_needs_a_runbook_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runbook", "new", "Acme", "--notebook"]) == 2
    assert capsys.readouterr().err.startswith("codev: --notebook: name the runbook with -o")
    assert main(["runbook", "new", "Acme", "--notebook", "-o", str(tmp_path / "a.ipynb")]) == 2
    assert "name the runbook (.yaml)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_notebook_runs_in_jupyterlab_and_a_step_cell_lands_in_the_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run as JupyterLab runs it (nbclient, no page parameters): what a step cell displays
    is in the console's area for that step, never below the cell."""
    from nbclient import NotebookClient

    out = tmp_path / "acme.yaml"
    assert main(["runbook", "new", "Acme", "--lang", "en", "-o", str(out), "--notebook"]) == 0
    notebook = nbformat.read(out.with_suffix(".ipynb"), as_version=4)
    cell = next(c for c in notebook.cells if c.id == "step-contract")
    shown = "    display(Markdown('Contract: in the client words'))\n"
    cell.source = cell.source.replace("    pass\n", shown + "    print('printed-in-its-step')\n")
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    for name in ("QUERY_STRING", "VOILA_BASE_URL", "SERVER_SOFTWARE", NOTEBOOK_DIR):
        monkeypatch.delenv(name, raising=False)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        store_widget_state=True,
    )
    client.execute()
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    assert "error" not in outputs
    assert "Contract: in the client" not in outputs and "printed-in-its-step" not in outputs
    assert "application/vnd.jupyter.widget-view+json" in json.dumps(notebook.cells[1].outputs)
    state = notebook.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    areas = {
        tuple(model["state"]["_dom_classes"]): json.dumps(model["state"]["outputs"])
        for model in state.values()
        if model["model_name"] == "OutputModel"
    }
    assert "Contract: in the client" in areas[("codev-step-content--contract",)]
    assert "printed-in-its-step" in areas[("codev-step-content--contract",)]
    assert areas[("codev-step-content--presentation",)] == "[]"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("acme.txt", "{}", "not a notebook file (.ipynb)"),
        ("missing.ipynb", None, "not a notebook file (.ipynb)"),
        ("acme.ipynb", "{not json", "not a readable notebook"),
        ("acme.ipynb", '{"cells": []}', "no cell tagged 'parameters'"),
        ("acme.ipynb", "CELLS:print(1)", "no cell tagged 'parameters'"),
        ("acme.ipynb", "PARAMS:roster = None", 'sets no runbook = "FILE.yaml"'),
        ("acme.ipynb", "PARAMS:runbook = (", "parameters cell, line 1"),
        ("acme.ipynb", "PARAMS:runbook = 'a.yaml'\nroster = 3", "roster is neither None"),
        ("facilitator.ipynb", "PARAMS:runbook = 'classic'", "may not be named like the kit"),
        ("Participant.ipynb", "PARAMS:runbook = 'classic'", "may not be named like the kit"),
    ],
)
def test_a_file_that_is_not_a_client_notebook_is_one_line(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        if content.startswith(("CELLS:", "PARAMS:")):
            kind, source = content.split(":", 1)
            cell = nbformat.v4.new_code_cell(source)
            if kind == "PARAMS":
                cell.metadata["tags"] = ["parameters"]
            content = nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
        path.write_text(content, encoding="utf-8")
    with pytest.raises(NotebookError) as info:
        ClientNotebook.read(path)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_a_preset_or_a_roster_beside_the_notebook(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell("runbook = 'express'\nroster = 'group/roster.yaml'\nx = f(1)")
    cell.metadata["tags"] = ["parameters"]
    path = tmp_path / "Acme Corp!.ipynb"
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[cell])), encoding="utf-8")
    read = ClientNotebook.read(path)
    assert read.runbook == "express"
    assert read.roster == tmp_path.resolve() / "group" / "roster.yaml"
    assert read.served_name == "Acme-Corp.ipynb"  # a plain name, safe in a URL and a pattern


def test_serve_notebook_argument_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "acme.ipynb"
    bad.write_text("{", encoding="utf-8")
    store = str(tmp_path / "store.db")
    assert main(["serve", "--notebook", str(bad), "--store", store]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"codev: --notebook: {bad}: not a readable")
    assert main(["serve", "--notebook", str(tmp_path / "none.ipynb"), "--store", store]) == 2
    assert "not a notebook file" in capsys.readouterr().err
    good = tmp_path / "good.yaml"
    assert main(["runbook", "new", "Good", "-o", str(good), "--notebook"]) == 0
    capsys.readouterr()
    notebook = str(good.with_suffix(".ipynb"))
    assert main(["serve", "--notebook", notebook, "--runbook", "flash", "--store", store]) == 2
    assert capsys.readouterr().err == (
        "codev: --runbook: not with --notebook, whose parameters cell names it\n"
    )
    assert not Path(store).exists()  # nothing stored for a refused command line


def test_a_notebook_whose_runbook_is_bad_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acme.yaml"
    assert main(["runbook", "new", "Acme", "-o", str(out), "--notebook"]) == 0
    out.write_text("extends: classic\nsteps:\n  - {id: contract, minuts: 3}\n", encoding="utf-8")
    capsys.readouterr()
    store = tmp_path / "store.db"
    args = ["serve", "--notebook", str(out.with_suffix(".ipynb")), "--store", str(store)]
    assert main([*args, "--port", "1"]) == 2
    assert "minuts" in capsys.readouterr().err


def test_the_served_folder_holds_the_kits_pages_and_a_copy_of_the_notebook_alone(
    tmp_path: Path,
) -> None:
    out = tmp_path / "acme.yaml"
    assert main(["runbook", "new", "Acme", "-o", str(out), "--notebook"]) == 0
    (tmp_path / "other-client.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "roster.yaml").write_text("names", encoding="utf-8")
    notebook = ClientNotebook.read(out.with_suffix(".ipynb"))
    folder = served_pages(notebook, notebooks_dir())
    try:
        kit = sorted(p.name for p in notebooks_dir().glob("*.ipynb"))
        assert sorted(p.name for p in folder.iterdir()) == sorted([*kit, "acme.ipynb"])
        assert (folder / "acme.ipynb").read_bytes() == notebook.path.read_bytes()
        assert folder.stat().st_mode & 0o077 == 0  # private
        command = voila_command(8870, "127.0.0.1", pages=folder, facilitator="acme.ipynb")
        assert command[PAGES_ARG] == str(folder)
        assert "--VoilaKernelManager.preheat_denylist=/acme.ipynb" in command
        assert "--VoilaKernelManager.preheat_denylist=/facilitator.ipynb" in command
    finally:
        import shutil

        shutil.rmtree(folder)


def test_the_facilitator_link_names_the_client_notebook() -> None:
    secrets = Secrets("abc", "KEY", "CODE")
    lines = links("http://h:1", secrets, "acme.ipynb").lines().splitlines()
    assert lines[0] == "Facilitator: http://h:1/voila/render/acme.ipynb?session=abc&key=KEY"
    assert (
        lines[1] == "Participants: http://h:1/voila/render/participant.ipynb?session=abc&code=CODE"
    )
    assert links("http://h:1", secrets).facilitator.startswith("http://h:1/voila/render/facil")


def test_a_served_console_links_to_its_own_notebook_and_works_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {**VOILA_ENV, "SCRIPT_NAME": "/voila/render/acme.ipynb"}
    assert _own_notebook(served) == "acme.ipynb"
    assert _own_notebook({**VOILA_ENV, "SCRIPT_NAME": "/voila/render/"}) == "facilitator.ipynb"
    assert _own_notebook({"SCRIPT_NAME": "/x/acme.ipynb"}) == "facilitator.ipynb"  # not Voilà
    monkeypatch.chdir(tmp_path)
    here = Path.cwd()
    work_in_notebook_folder({NOTEBOOK_DIR: "/"})  # JupyterLab: its own folder already
    assert Path.cwd() == here
    work_in_notebook_folder({**VOILA_ENV, NOTEBOOK_DIR: str(tmp_path / "gone")})
    assert Path.cwd() == here
    (tmp_path / "client").mkdir()
    work_in_notebook_folder({**VOILA_ENV, NOTEBOOK_DIR: str(tmp_path / "client")})
    assert Path.cwd() == tmp_path / "client"
    assert os.environ.get(NOTEBOOK_DIR) is None
