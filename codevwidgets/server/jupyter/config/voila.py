"""Voilà's config file for ``codev serve`` (``--Voila.config_file_paths`` names this folder).

Voilà finds templates only on Jupyter's data path; this puts the kit's own data folder
(``codevwidgets/jupyter``: the ``codev`` template, which fetches nothing from another host)
first on it, inside the Voilà process only. Voilà runs this file before it looks for its
template, and its static file handler looks again on every request, so the variable stays.
The settings themselves are on ``codev serve``'s command line (``serve.voila_command``).
"""

import os
from pathlib import Path

KIT_DATA = str(Path(__file__).resolve().parents[1])
_paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
if KIT_DATA not in _paths:
    os.environ["JUPYTER_PATH"] = os.pathsep.join([KIT_DATA, *_paths])
