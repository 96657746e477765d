"""The runbook editor's composition root: where the draft comes from, who may use the page.

The editor writes files on the machine that runs its kernel. In JupyterLab that is the
consultant's own machine; served by Voilà, anyone who reaches the server could open the page,
so there it shows one error box and edits nothing — unless whoever started Voilà opted in
with ``CODEV_EDITOR=1`` (``CODEV_EDITOR=1 voila notebooks/customise.ipynb`` on their own
machine). ``codev serve`` never sets it and keeps no preheated kernel for this page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import ipywidgets as widgets

from codevwidgets.authoring.draft import DraftError, RunbookDraft, client_file_name, languages
from codevwidgets.core import runbook as rb
from codevwidgets.core.environment import EDITOR
from codevwidgets.core.i18n import Translator
from codevwidgets.core.theme import page_theme
from codevwidgets.pages.kernel import keep_errors_on_the_server, served_by_voila
from codevwidgets.pages.params import query_parameters
from codevwidgets.pages.session import error_box

OPT_IN = EDITOR


def editor_allowed(environ: Mapping[str, str] = os.environ) -> bool:
    """JupyterLab, or a Voilà its owner started with ``CODEV_EDITOR=1``."""
    return not served_by_voila(environ) or environ.get(OPT_IN) == "1"


def runbooks_folder(folder: str | Path, cwd: Path | None = None) -> Path:
    """``folder`` (or a file) relative to the project: a notebook in the kit's ``notebooks/``
    folder runs there, and the project's ``runbooks/`` is beside it."""
    path, here = Path(folder), cwd or Path.cwd()
    if path.is_absolute():
        return path
    if here.name == "notebooks" and (here.parent / path.parts[0]).exists():
        return here.parent / path
    return here / path


def editor_page(
    start_from: str = "classic",
    client: str = "Example",
    folder: str | Path = "runbooks",
    language: str = "en",
) -> widgets.Widget:
    """The editor for ``folder/<client>.yaml``: that file if it exists, else a new one from
    ``start_from`` (a preset name or a runbook file)."""
    from codevwidgets.widgets.editor import RunbookEditor

    language = language if language in languages() else "en"
    t = Translator(language)
    if not editor_allowed():
        keep_errors_on_the_server()
        return error_box([t("editor.not_served")], refuse=True)
    where = runbooks_folder(folder)
    draft_language = language if language in languages() else "en"
    try:
        target = where / client_file_name(client)
        if start_from not in rb.preset_names():
            start_from = str(runbooks_folder(start_from))
        draft = RunbookDraft.start(start_from, client, where, draft_language)
    except DraftError as exc:
        return error_box([str(exc)])

    def open_draft(source: str) -> RunbookDraft:
        if source in rb.preset_names():
            return RunbookDraft.new(client, source, draft_language, target)
        return RunbookDraft.open(Path(source), target)

    files = sorted(str(p) for p in where.glob("*.y*ml")) if where.is_dir() else []
    # Served by Voilà, the link's &theme= (JupyterLab keeps its own colours).
    theme = page_theme(query_parameters().get("theme"), "light") if served_by_voila() else None
    return RunbookEditor(draft, language, open_draft, [*rb.preset_names(), *files], theme)
