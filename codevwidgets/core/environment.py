"""The environment variables the kit reads and sets, named once.

``codev serve`` hands a page's kernel what it needs through its environment (Voilà's kernels
inherit it); users set ``CODEV_STORE`` and ``CODEV_PUBLIC_URL`` themselves (DESIGN.md).
"""

from __future__ import annotations

# Where the sessions are: a SQLite file or a postgresql:// URL (users, and codev serve).
STORE = "CODEV_STORE"
# The room's address when it is not this server's (a load balancer's).
PUBLIC_URL = "CODEV_PUBLIC_URL"
# The group of a served console without &roster= (codev serve --roster).
ROSTER = "CODEV_ROSTER"
# The folder of a client notebook served by codev serve --notebook: its console works there.
NOTEBOOK_DIR = "CODEV_NOTEBOOK_DIR"
# The client notebook codev serve --notebook serves as the console (its file name): its links
# need the facilitator's key, as facilitator.ipynb's.
CONSOLE_NOTEBOOK = "CODEV_CONSOLE_NOTEBOOK"
# Where a refused page leaves a mark for the kernel manager to end its kernel.
REFUSED_DIR = "CODEV_REFUSED_DIR"
# The runbook editor's opt-in when Voilà serves it ("1").
EDITOR = "CODEV_EDITOR"
# The addresses of proxies (HAProxy) on other machines whose X-Forwarded-For names the visitor,
# comma-separated; the server's own machine is always trusted.
TRUSTED_PROXY = "CODEV_TRUSTED_PROXY"
