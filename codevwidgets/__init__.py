"""codevwidgets: a Jupyter kit for running professional codevelopment sessions.

The package is in layers, each a folder, imports running down only (DESIGN.md, "Shape"):
``core`` (the pure model), ``store`` (persistence), ``authoring`` and ``record`` (a
consultancy's tools, a session's record), ``demo``, ``widgets`` (thin views), ``server``
(``codev serve``), ``pages`` (what the notebooks call) and ``cli`` (the ``codev`` command).
``import codevwidgets`` loads none of them.
"""

__version__ = "0.1.0"
