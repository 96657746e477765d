"""Keeps a kernel's ``Session`` a mirror of the store, and sends a console's commands to it.

Every kernel follows: a participant's, and each facilitator's (a laptop and the room's
projector may both have the console open). A console never saves its session: it sends a
command, the store applies it to the latest stored state, and every kernel — the sender's
first — loads what the store then holds.

A session deleted from the store while its pages are open (``codev sessions delete``) is no
longer there to load: the link tells the session so (``Session.mark_deleted``, which the
views show in one line), stops following, and every later write is refused at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from codevwidgets.core.commands import Command
from codevwidgets.core.session import DeletedError, Session, UnreachableError
from codevwidgets.store.base import Store, StoreError, Watcher

logger = logging.getLogger(__name__)


@contextmanager
def reaching(session_id: str) -> Iterator[None]:
    """A store that does not answer, inside, becomes the core's ``UnreachableError`` (logged): the
    views that called never see the store or its errors."""
    try:
        yield
    except StoreError as exc:
        logger.warning("session %s: %s", session_id, exc)
        raise UnreachableError(str(exc)) from None


class LiveLink:
    """Keeps ``session`` at the store's latest revision; ``act`` sends a command.

    ``private`` (a facilitator's console) loads notes, hidden contributions and evaluations; a
    participant's kernel never does. ``alive`` is asked at each change: when it says no (the
    page stopped syncing its clock), the link stops watching, so a kernel whose page is gone
    falls idle and can be culled. ``revision`` is that of the state ``session`` was built from.

    Examples
    --------
    >>> link = LiveLink(store, session, private=True, start_thread=False)  # doctest: +SKIP
    >>> link.act(Command("start"))  # the store applies it; session shows the result
    """

    def __init__(
        self,
        store: Store,
        session: Session,
        *,
        private: bool,
        revision: int = -1,
        alive: Callable[[], bool] = lambda: True,
        interval: float = 0.025,
        start_thread: bool = True,
        follow_now: bool = True,
    ) -> None:
        self.store, self.session, self.private, self.alive = store, session, private, alive
        self.revision = revision
        self._interval, self._start_thread = interval, start_thread
        # The watcher's thread and the widgets' thread both sync: one at a time, so a state
        # loaded before a command can never be applied after it (a note box would jump back).
        self._lock = threading.RLock()
        # ``follow_now`` False (a page's kernel): no watcher, and no connection held, until the
        # page's first beat says a browser has connected (``follow``).
        self.watcher: Watcher | None = None
        self._moved: list[Callable[[], None]] = []
        if follow_now:
            self.follow()

    def follow(self) -> None:
        """Start watching the store (holding its connections), if not yet; never for a
        session deleted from it (nothing left to follow)."""
        if self.watcher is not None or self.session.deleted:
            return
        try:
            self.store.keep_connected()
        except StoreError as exc:  # each call connects for itself; the watcher keeps trying
            logger.warning("session %s: %s", self.session.id, exc)
        self.watcher = self.store.watch(
            self.session.id, self._changed, interval=self._interval, start_thread=self._start_thread
        )
        # A change made between loading the page's state and starting to watch would never
        # be noticed (the watcher starts from the store's revision of now): catch up once.
        self.catch_up()

    def __repr__(self) -> str:
        return f"LiveLink(session={self.session.id!r}, revision={self.revision})"

    def act(self, command: Command) -> None:
        """Have the store apply ``command``; the session then shows the stored state.

        A refusal (``SessionError``, ``RolesError``, ``ValueError``) is raised to the view
        that sent it, after the session has caught up with what the store holds; a store
        that cannot be reached is the core's ``UnreachableError``; a session deleted from the
        store, ``DeletedError`` (and the session then knows it).
        """
        with self._lock:
            self.session.require_stored()  # deleted: not one more round trip to the store
            try:
                # Nothing applied when the store does not answer: the view says so in words
                # and keeps what was typed.
                with reaching(self.session.id):
                    self.store.execute(self.session.id, command)
            finally:
                self.catch_up()  # down: logged, and the watcher or the beat catches up later

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a page's own write to the store (a contribution, a signal): refused at once
        (``DeletedError``) once the session was deleted; a store that refuses it because the
        session is gone makes the session learn so now, not at the watcher's next look; a
        store that does not answer is ``UnreachableError`` (``reaching``)."""
        self.session.require_stored()
        try:
            with reaching(self.session.id):
                yield
        except DeletedError:
            self.catch_up()
            raise

    def sync(self) -> bool:
        """Load the latest state if the store moved past ours; whether it did. A session the
        store no longer holds has been deleted: the session is told, and following stops."""
        with self._lock:
            if self.session.deleted:
                return False
            stored = self.store.load(self.session.id, private=self.private)
            if stored is None:
                self.session.mark_deleted()
                self.stop()
                return True
            if stored.revision <= self.revision:
                return False
            self.revision = stored.revision
            self.session.apply_state(stored.state)
            return True

    def catch_up(self) -> None:
        """Load what the store holds now; a store that does not answer is logged, and the
        next change or beat tries again (the watcher may already have passed its revision)."""
        try:
            self.sync()
        except StoreError as exc:
            logger.warning("session %s: %s", self.session.id, exc)

    def beat(self) -> None:
        """The page's beat (its clock sync): the first one starts following (the page has
        connected); later ones load a revision the watcher saw while the store did not answer
        the sync it started (no read at all when there is none)."""
        if self.session.deleted:
            return
        if self.watcher is None:
            self.follow()
            return
        if self.watcher.revision > self.revision:
            self.catch_up()

    def refresh(self) -> None:
        """Catch up, then read the participants' signals again: presence beats move no
        revision (``Store.seen``), so the console reads them on its own page's beat."""
        with self._lock:
            try:
                self.sync()
                if self.private and not self.session.deleted:
                    self.session.replace_signals(self.store.signals(self.session.id))
            except StoreError as exc:  # the next beat reads them again
                logger.warning("session %s: %s", self.session.id, exc)

    def on_moved(self, callback: Callable[[], None], remove: bool = False) -> None:
        """Call ``callback()`` each time the watcher sees the session's revision move, after
        catching up: a day's room page learns from it that its person's group changed (a
        move bumps the group's session), with no watcher of its own."""
        if remove:
            self._moved.remove(callback)
        else:
            self._moved.append(callback)

    def _changed(self, revision: int) -> None:
        if not self.alive():
            logger.info("session %s: the page is gone; stop following", self.session.id)
            self.stop()
            return
        # -1: the session is no longer stored (deleted); sync finds it gone and says so.
        if revision > self.revision or revision < 0:
            self.catch_up()
            for callback in list(self._moved):
                callback()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
