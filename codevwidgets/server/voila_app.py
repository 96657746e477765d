"""Voilà with the kit's health endpoint: ``codev serve`` runs this in place of ``voila``.

Runs inside the Voilà server, never in a kernel. ``GET /codev/health`` (under the server's base
URL) answers 200 while one more page can open here and 503 at the ``--max-kernels`` budget,
with the counts as JSON, so that a load balancer in front of several servers (HAProxy's
``option httpchk``, ``deploy/haproxy.cfg``) sends new visitors elsewhere while the pages
already open here keep working.

Why a subclass: Voilà 0.5's own server has no setting for extra handlers (only its
server-extension mode, inside a full Jupyter server, has); its ``init_handlers`` is the one
place where its routes are made.
"""

from __future__ import annotations

import logging
from typing import Any

from jupyter_server.utils import url_path_join
from tornado import log, web
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from codevwidgets.server.gate import (
    HELLO_PATH,
    Door,
    GatedVoilaHandler,
    HelloHandler,
    MeteredWebsocketHandler,
)
from codevwidgets.server.kernels import RoomKernelManager

HEALTH_PATH = "/codev/health"


class HealthHandler(web.RequestHandler):
    """``GET``: 200 when the server can take one more page, 503 when it is full; JSON counts.

    Nothing else: no session, no kernel id. A plain tornado handler, outside Jupyter's
    authentication, like any load balancer's health check (it reads no cookie and changes
    nothing).
    """

    def initialize(self, kernels: RoomKernelManager) -> None:
        self.kernels = kernels

    def get(self) -> None:
        capacity = self.kernels.capacity()
        self.set_status(200 if capacity.has_room else 503)
        self.set_header("Cache-Control", "no-store")
        self.finish(capacity.as_json())


class QuietHealthChecks(logging.Filter):
    """Leaves the health checks out of Voilà's log: HAProxy asks every 2 s, and tornado logs
    each 503 (a full server) as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        # tornado's log_request: "%d %s %.2fms", (status, "GET /path (address)", time)
        summary = record.args[1] if isinstance(record.args, tuple) and record.args[1:] else ""
        return not str(summary).startswith(f"GET {HEALTH_PATH} ")


class CodevVoila(Voila):  # type: ignore[misc]
    """Voilà's server with ``HEALTH_PATH``; every Voilà option applies (``--Voila.*`` too)."""

    def init_handlers(self) -> list[Any]:
        handlers: list[Any] = super().init_handlers()
        if not isinstance(self.kernel_manager, RoomKernelManager):
            # Counting needs the kit's manager (codev serve always names it): a health check
            # that cannot count would tell the balancer a wrong answer.
            return handlers
        route = url_path_join(self.server_url, HEALTH_PATH)
        hello = url_path_join(self.server_url, HELLO_PATH, "([0-9a-f-]{1,64})")
        log.access_log.addFilter(QuietHealthChecks())
        # Every page request through the door: a link that does not check out costs no kernel.
        door = Door()
        # A page's websocket drops what a script floods it with (past PAGE_MESSAGES).
        gated = [
            (pattern, GatedVoilaHandler, {**options, "door": door})
            if handler is TornadoVoilaHandler
            else (pattern, MeteredWebsocketHandler, *rest)
            if handler is VoilaKernelWebsocketHandler
            else (pattern, handler, *rest)
            for pattern, handler, *rest in handlers
            for options in [rest[0] if rest else {}]
        ]
        kernels = {"kernels": self.kernel_manager}
        return [(route, HealthHandler, kernels), (hello, HelloHandler, kernels), *gated]


main = CodevVoila.launch_instance

if __name__ == "__main__":
    main()
