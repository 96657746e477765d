"""Writing a file whole or not at all: the kit's one atomic write.

A runbook saved by the editor, an exported record, a cycle's calendar: each is written to a
temporary file beside its target, flushed to the disk, then renamed over it. A write that
fails (no permission, disk full, a kernel killed half-way) leaves the previous file as it was
and no half-written one; a reader never sees a file cut short.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: Path, data: bytes | str, *, mode: int | None = None) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` at once; the path written.

    A symbolic link is followed: its target is replaced, the link stays. ``mode`` gives the
    file's permissions (``0o600``: its owner's only, from the first byte); ``None`` keeps an
    existing file's, and a new file gets what the umask gives any new file. The folder must
    exist. Raises ``OSError``; no temporary file is left behind.

    Examples
    --------
    >>> write_atomically(tmp_path / "record.md", "# Record\\n", mode=0o600)  # doctest: +SKIP
    PosixPath('/tmp/…/record.md')
    """
    target = path.resolve()
    content = data.encode("utf-8") if isinstance(data, str) else data
    if mode is None and target.is_file():
        mode = target.stat().st_mode & 0o7777
    temporary, fd = _new_file(target, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())  # on the disk before the rename makes it the file
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


NAME_ATTEMPTS = 100


def _new_file(target: Path, mode: int) -> tuple[Path, int]:
    """A new file beside ``target`` with a random name, open for writing.

    Created exclusively (``O_EXCL``: never through a link or a file planted at that name, in a
    folder others may write to), so two writers of one file never share one; a name taken is
    skipped for another. Not ``tempfile.mkstemp``: it makes every file 0600, and a file
    without a given mode gets the umask's, which only ``os.open`` applies without a race
    (reading the umask means setting it). Its owner's only until renamed when ``mode`` is.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(NAME_ATTEMPTS):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
        try:
            return temporary, os.open(temporary, flags, mode)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")
