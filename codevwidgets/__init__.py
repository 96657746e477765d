"""codevwidgets: a Jupyter kit for running professional codevelopment sessions.

The core (runbook, roster, cycle, session) is pure Python; ``codevwidgets.widgets`` holds the
thin ipywidgets views over it.
"""

__version__ = "0.1.0"
