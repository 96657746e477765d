"""``open_store``: the engine for a location, chosen apart from the protocol so that the
protocol (``store.base``) never imports an engine and the engines import it freely."""

from __future__ import annotations

from pathlib import Path

from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.store.base import Store, StoreError
from codevwidgets.store.location import URL_SCHEMES, redact, store_location


def open_store(
    location: str | Path | None = None,
    clock: Clock = system_clock,
    *,
    create: bool = True,
    connect_later: bool = False,
) -> Store:
    """The store at ``location``, else ``CODEV_STORE``, else the default file.

    A ``postgresql://`` URL opens a ``PostgresStore``; any other path a SQLite file.
    ``create=False`` opens an existing store only (``codev sessions``, ``export``): a file or
    folder that is not there, or a database without the kit's tables, is refused, and nothing
    is made. ``connect_later``: a database's store holds no connection before
    ``keep_connected`` (a page's kernel calls it once its page has connected). Raises
    ``StoreError`` (one line, no password) when it cannot be opened.
    """
    where = store_location(location, create)
    if isinstance(where, Path):
        from codevwidgets.store.sqlite import SQLiteStore

        return SQLiteStore(where, clock, create=create)
    scheme = where.split("://", 1)[0]
    if scheme.lower() not in URL_SCHEMES:
        raise StoreError(
            f"{redact(where)}: unknown kind of store {scheme!r}: give a file path or a"
            " postgresql:// URL"
        )
    from codevwidgets.store.postgres import PostgresStore

    return PostgresStore(where, clock, create=create, connect_later=connect_later)
