"""A client's logo: a file beside the runbook, embedded in the runbook as a ``data:`` URI.

Embedded at load, the logo travels in the session's stored snapshot of its runbook: a session
shows it even after the file moved. Only PNG, JPEG and SVG, at most ``MAX_LOGO_BYTES``; the
type is read from the file's first bytes, not from its name. A page shows it only as an
``<img>`` whose source is that URI, never inline: an SVG shown as an image runs no script.

>>> logo_src("data:image/png;base64,iVBORw0KGgo=")
'data:image/png;base64,iVBORw0KGgo='
>>> logo_src("javascript:alert(1)") is None
True
"""

from __future__ import annotations

import base64
import os
import re
import stat
from pathlib import Path

MAX_LOGO_BYTES = 512 * 1024
# What a logo may be, by its first bytes.
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_SVG = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S)
_DATA_URI = re.compile(r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$")


class LogoError(ValueError):
    """The logo named by a runbook cannot be used; the message says why, in one line."""


def logo_type(data: bytes) -> str | None:
    """The MIME type of a PNG, JPEG or SVG file's content, else ``None``."""
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    # An SVG is UTF-8 text (after an optional byte-order mark) whose root element is <svg>.
    if _SVG.match(data.removeprefix(b"\xef\xbb\xbf")[:4096]):
        return "image/svg+xml"
    return None


def embed_logo(name: str, folder: Path, within: Path | None = None) -> str:
    """The logo file ``name`` (relative to ``folder``, the runbook's) as a ``data:`` URI.

    Raises ``LogoError`` when it is outside ``within`` (default: ``folder``; links and ``..``
    resolved), missing, not a regular file, larger than ``MAX_LOGO_BYTES`` or not a PNG, JPEG
    or SVG. No message quotes the file's content.
    """
    path = folder / name
    root = (within if within is not None else folder).resolve()
    if not path.resolve().is_relative_to(root):
        # Not read at all: a runbook from elsewhere must not embed the machine's other files.
        raise LogoError(f"{name} is outside the runbook's folder {root}; copy it in")
    data = _read_at_most(path, MAX_LOGO_BYTES)
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"{name} is larger than {MAX_LOGO_BYTES // 1024} KiB")
    kind = logo_type(data)
    if kind is None:
        raise LogoError(f"{name} is not a PNG, JPEG or SVG image")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _read_at_most(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (a FIFO or a device is refused unread)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise LogoError(f"no file {path}") from None
    except OSError as exc:
        raise LogoError(f"cannot read {path} ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LogoError(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(limit + 1)
    except OSError as exc:
        raise LogoError(f"cannot read {path} ({exc.strerror})") from None
    finally:
        os.close(fd)


def logo_src(value: str | None) -> str | None:
    """``value`` when it is a logo embedded by ``embed_logo`` (a PNG, JPEG or SVG ``data:``
    URI), else ``None``: a page never puts anything else in an ``<img src>``."""
    if value and len(value) <= MAX_LOGO_BYTES * 4 // 3 + 64 and _DATA_URI.match(value):
        return value
    return None
