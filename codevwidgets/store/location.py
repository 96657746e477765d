"""Where a store is: a file (``--store``, ``CODEV_STORE``, or the user's data directory) or a
database server's URL; a location fit to print (no password); and where a page of the kit is
(``page_link``: the one builder of ``…/voila/render/NOTEBOOK?QUERY`` links)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import platformdirs

from codevwidgets.core import environment
from codevwidgets.store.base import StoreError

URL_SCHEMES = ("postgresql", "postgres")
# Where Voilà serves a notebook as a page, under its server's address.
RENDER = "voila/render"


URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# libpq's other way of naming a database, ``host=db dbname=codev password=…``: taken for a
# file name it would become a SQLite file whose name holds the password.
KEYWORDS = re.compile(
    r"(?:^|\s)(?:host|hostaddr|port|dbname|user|password|passfile|service|sslmode|options"
    r"|connect_timeout|application_name|target_session_attrs)\s*=",
    re.IGNORECASE,
)


def default_store_path(create: bool = True) -> Path:
    """``CODEV_STORE`` if it names a file, else ``sessions.db`` in the user's data directory
    (its folder created unless ``create`` is false)."""
    env = os.environ.get(environment.STORE)
    if env and is_url(env):
        raise StoreError(f"CODEV_STORE is {redact(env)}, not a file: open it with open_store")
    path = _file(env, environment.STORE) if env else data_dir() / "sessions.db"
    if create:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def data_dir() -> Path:
    """The user's data directory for the kit (not created)."""
    return platformdirs.user_data_path("codevwidgets")


def store_location(given: str | Path | None = None, create: bool = True) -> str | Path:
    """Where the store is: ``given`` (``--store``), else ``CODEV_STORE``, else the default
    file (its folder made unless ``create`` is false); a URL stays a string, anything else is
    a file path. ``StoreError`` for libpq's ``host=… dbname=…`` string, which is neither."""
    where = given if given is not None else os.environ.get(environment.STORE) or None
    if where is None:
        return default_store_path(create)
    if is_url(where):
        return str(where)
    return _file(where, "--store" if given is not None else environment.STORE)


def _file(location: str | Path, option: str) -> Path:
    if isinstance(location, str) and KEYWORDS.search(location):
        # Not echoed: such a string usually carries a password.
        raise StoreError(
            f"{option}: a PostgreSQL keyword string (host=… dbname=…) is not a store: give a"
            " postgresql://USER@HOST/DATABASE URL (the password in ~/.pgpass), or a file"
        )
    return Path(location)


def is_url(location: str | Path) -> bool:
    """Whether ``location`` names a database server (``scheme://…``) rather than a file."""
    return isinstance(location, str) and URL.match(location) is not None


def redact(location: str | Path) -> str:
    """``location`` fit to print: a URL's password (in it or in its query) as ``***``."""
    text = str(location)
    if not is_url(text):
        return text
    try:
        parts = urlsplit(text)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*/:")))
    except ValueError:  # not even a URL: say nothing of what it holds past its scheme
        return text.split("://", 1)[0] + "://***"


def page_link(server: str, notebook: str, query: Mapping[str, str] | None = None) -> str:
    """The address of ``notebook``'s page on the Voilà server at ``server`` (its root, e.g.
    ``http://127.0.0.1:8866``): ``SERVER/voila/render/NOTEBOOK?QUERY``.

    >>> page_link("http://room:8866/", "participant.ipynb", {"session": "abc", "code": "x y"})
    'http://room:8866/voila/render/participant.ipynb?session=abc&code=x+y'
    """
    return link_beside(f"{server.rstrip('/')}/{RENDER}", notebook, query)


def link_beside(folder: str, notebook: str, query: Mapping[str, str] | None = None) -> str:
    """The address of ``notebook`` in the folder at ``folder`` (the page's own folder, say);
    ``""``: a link relative to the page. No ``?`` without a query."""
    path = f"{folder.rstrip('/')}/{quote(notebook)}" if folder else quote(notebook)
    return f"{path}?{urlencode(dict(query))}" if query else path
