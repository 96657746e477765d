"""The one atomic write: whole or not at all, its mode, a link followed, nothing left behind;
and no other module of the kit writes a file its own way."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codevwidgets.core import files
from codevwidgets.core.files import write_atomically

PACKAGE = Path(__file__).resolve().parents[3] / "codevwidgets"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_and_bytes_are_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "runbook.yaml"
    assert write_atomically(target, "title: Café\n") == target
    assert target.read_bytes() == "title: Café\n".encode()
    write_atomically(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["runbook.yaml"]


def test_the_mode_given_an_existing_files_or_the_umasks(tmp_path: Path) -> None:
    private = tmp_path / "record.pdf"
    private.write_bytes(b"old")
    private.chmod(0o644)
    write_atomically(private, b"new", mode=0o600)
    assert mode(private) == 0o600 and private.read_bytes() == b"new"
    shared = tmp_path / "cycle.ics"
    shared.write_bytes(b"old")
    shared.chmod(0o640)
    write_atomically(shared, b"new")  # kept
    assert mode(shared) == 0o640
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.yaml", "a: 1\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.yaml") == 0o640  # as any new file of this user


def test_a_link_is_followed_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "acme.yaml"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "acme.yaml"
    link.symlink_to(real)
    assert write_atomically(link, "new") == real
    assert link.is_symlink() and real.read_text() == "new"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "record.md"
    target.write_text("the previous record")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_atomically(target, "half a rec")
    assert target.read_text() == "the previous record"
    assert [p.name for p in tmp_path.iterdir()] == ["record.md"]


def test_no_folder_no_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "x.md", "x")


def test_no_other_module_writes_a_file_its_own_way() -> None:
    """One atomic write (STYLE.md 21): a second one, written again elsewhere, would drift."""
    own_ways = ("fsync", "mkstemp", '.tmp"', "os.replace(")
    found = sorted(
        f"{path.relative_to(PACKAGE)}: {way}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "files.py"
        for way in own_ways
        if way in path.read_text(encoding="utf-8")
    )
    assert found == []


def test_a_link_planted_at_a_temporary_name_is_never_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a folder others may write to, a link at the temporary name (the old predictable
    ``.NAME.PID.tmp``, or the random one) must not make the write land outside it."""
    outside = tmp_path / "victim"
    outside.write_text("precious")
    shared = tmp_path / "shared"
    shared.mkdir()
    names = iter(["0123456789abcdef", "fedcba9876543210"])
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: next(names))
    for planted in (f".record.md.{os.getpid()}.tmp", ".record.md.0123456789abcdef.tmp"):
        (shared / planted).symlink_to(outside)
    written = write_atomically(shared / "record.md", "the record", mode=0o600)
    assert written.read_text() == "the record" and mode(written) == 0o600
    assert outside.read_text() == "precious"
    assert sorted(p.name for p in shared.iterdir() if p.is_symlink()) == [
        ".record.md.0123456789abcdef.tmp",
        f".record.md.{os.getpid()}.tmp",
    ]
    assert sorted(p.name for p in shared.iterdir() if not p.is_symlink()) == ["record.md"]
