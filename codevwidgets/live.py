"""Keeps a kernel's ``Session`` and the shared store in step.

The facilitator's kernel *writes*: every change of its session is saved at once, and what
participants type (their own table in the store) flows back into its session. A participant's
kernel *follows*: when the store's revision moves, it loads the facilitator's state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from codevwidgets.session import Event, Session
from codevwidgets.store import SessionStore
from codevwidgets.watch import StoreWatcher

logger = logging.getLogger(__name__)

# Contributions and their hiding are written to the store by whoever makes them; the session
# only mirrors them, so saving on those events would write the same state twice.
MIRRORED = {"contribution", "hidden", "synced"}


class LiveLink:
    """Connects ``session`` to ``store``; ``writer`` for the facilitator, else a follower.

    ``alive`` is asked at each change: when it says no (the page stopped syncing its clock),
    the link stops watching, so a kernel whose page is gone falls idle and can be culled.
    """

    def __init__(
        self,
        store: SessionStore,
        session: Session,
        *,
        writer: bool,
        alive: Callable[[], bool] = lambda: True,
        interval: float = 0.025,
        start_thread: bool = True,
    ) -> None:
        self.store, self.session, self.writer, self.alive = store, session, writer, alive
        if writer:
            session.on_change(self._save)
        self.watcher = StoreWatcher(
            store.path, session.id, self._changed, interval=interval, start_thread=start_thread
        )

    def _save(self, event: Event) -> None:
        if event.kind not in MIRRORED:
            self.store.save(self.session, event)

    def _changed(self, revision: int) -> None:
        if not self.alive():
            logger.info("session %s: the page is gone; stop following", self.session.id)
            self.watcher.stop()
            return
        if self.writer:
            contributions = self.store.contributions(self.session.id, include_hidden=True)
            if contributions != self.session.contributions:
                self.session.replace_contributions(contributions)
            return
        stored = self.store.load_state(self.session.id)
        if stored is not None:
            self.session.apply_state(stored.state)

    def stop(self) -> None:
        self.watcher.stop()
