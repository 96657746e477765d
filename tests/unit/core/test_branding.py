"""Branding and themes reach every page: the logo embedded from beside the runbook (and its
located errors), ``theme:`` in the runbook and ``&theme=`` on a link, the readable colours."""

from __future__ import annotations

import base64
import os
import textwrap
from pathlib import Path
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.cli import main
from codevwidgets.core.branding import MAX_LOGO_BYTES, logo_src, logo_type
from codevwidgets.core.clock import FakeClock
from codevwidgets.core.problems import InputError
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import load_runbook, runbook_from_json, runbook_to_json
from codevwidgets.core.session import Session
from codevwidgets.core.theme import palette
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.pages.session import facilitator_page, participant_page
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.participant import ParticipantView
from tests.unit.participant_pages import joined

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
SCRIPTED_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
RUNBOOK = """\
extends: flash
client: Acme
branding:
  title: Acme Codev
  logo: {logo}
  colours: {{primary: "#f2c200"}}
"""


def write(folder: Path, logo: str = "acme.png", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "acme.yaml"
    path.write_text(RUNBOOK.format(logo=logo) + textwrap.dedent(extra), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_runbook(path)
    return [str(p) for p in caught.value.problems]


# -- the logo ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("acme.png", PNG, "png"), ("acme.jpg", JPEG, "jpeg"), ("acme.svg", SVG, "svg+xml")],
)
def test_the_logo_is_embedded_from_beside_the_runbook(
    tmp_path: Path, name: str, content: bytes, kind: str
) -> None:
    (tmp_path / name).write_bytes(content)
    book = load_runbook(write(tmp_path, name))
    assert book.branding.logo == f"data:image/{kind};base64,{base64.b64encode(content).decode()}"
    assert logo_src(book.branding.logo) == book.branding.logo


def test_the_snapshot_carries_the_logo_after_the_file_is_gone(tmp_path: Path) -> None:
    (tmp_path / "acme.png").write_bytes(PNG)
    book = load_runbook(write(tmp_path))
    (tmp_path / "acme.png").unlink()
    again = runbook_from_json(runbook_to_json(book))
    assert again.branding.logo == book.branding.logo
    assert again.branding.logo is not None and again.branding.logo.startswith("data:image/png")


def test_a_logo_is_found_beside_the_file_that_names_it(tmp_path: Path) -> None:
    """A client file extending a shared one gets the shared file's logo, from its folder."""
    shared = tmp_path / "shared"
    (shared / "logos").mkdir(parents=True)
    (shared / "logos" / "group.png").write_bytes(PNG)
    write(shared, "logos/group.png")
    client = tmp_path / "client.yaml"
    client.write_text("extends: shared/acme.yaml\nclient: Acme East\n", encoding="utf-8")
    assert logo_src(load_runbook(client).branding.logo)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no file "),
        ("folder", "not a regular file"),
        ("big", f"larger than {MAX_LOGO_BYTES // 1024} KiB"),
        ("text", "is not a PNG, JPEG or SVG image"),
        ("gif", "is not a PNG, JPEG or SVG image"),
        ("renamed", "is not a PNG, JPEG or SVG image"),
    ],
)
def test_a_bad_logo_is_one_located_line(tmp_path: Path, setup: str, message: str) -> None:
    logo = tmp_path / "acme.png"
    if setup == "folder":
        logo.mkdir()
    elif setup == "big":
        logo.write_bytes(PNG + b"\0" * MAX_LOGO_BYTES)
    elif setup == "text":
        logo.write_text("not an image", encoding="utf-8")
    elif setup == "gif":
        logo.write_bytes(b"GIF89a" + b"\0" * 20)
    elif setup == "renamed":  # the type is read from the content, not from the name
        logo.write_bytes(b"%PDF-1.7\n")
    path = write(tmp_path)
    (line,) = problems(path)
    assert line.startswith(f"{path}:5: branding.logo: ")
    assert message in line
    assert "\n" not in line


def test_runbook_check_says_where_the_logo_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "missing.svg")
    assert main(["runbook", "check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"{path}:5: branding.logo: no file {tmp_path / 'missing.svg'}"


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "acme.png")
    (line,) = problems(write(tmp_path))
    assert "branding.logo: " in line and "not a regular file" in line


def test_only_an_embedded_image_reaches_an_img_src() -> None:
    assert logo_type(SCRIPTED_SVG) == "image/svg+xml"  # shown as an <img>, it runs no script
    for bad in (
        None,
        "",
        "acme.png",
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        'data:image/png;base64,AAAA" onerror="alert(1)',
        "data:image/svg+xml,<svg onload=alert(1)>",
    ):
        assert logo_src(bad) is None, bad


# -- the theme -----------------------------------------------------------------------------


def test_theme_in_the_runbook(tmp_path: Path) -> None:
    (tmp_path / "acme.png").write_bytes(PNG)
    assert load_runbook(write(tmp_path)).theme == "light"
    assert load_runbook(write(tmp_path, extra="theme: dark\n")).theme == "dark"
    (line,) = problems(write(tmp_path, extra="theme: sepia\n"))
    assert line.startswith(f"{tmp_path / 'acme.yaml'}:7: theme: 'sepia' is not allowed")
    # A snapshot stored before themes existed opens light.
    book = load_runbook(write(tmp_path, extra="theme: dark\n"))
    old = runbook_to_json(book).replace(',"theme":"dark"', "")
    assert runbook_from_json(old).theme == "light"
    assert book.with_language("fr").theme == "dark"


def walk(widget: widgets.Widget) -> list[widgets.Widget]:
    return [widget, *(w for child in getattr(widget, "children", ()) for w in walk(child))]


def pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runbook_extra: str = "", **query: str
) -> tuple[FacilitatorConsole, ParticipantView]:
    """The console and a participant's page of one session of the branded runbook."""
    (tmp_path / "acme.png").write_bytes(PNG)
    path = write(tmp_path, extra=runbook_extra)
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    with SQLiteStore(tmp_path / "store.db") as store:
        roles = Roles("Ana", "Bruno", ("Chloé", "David", "Emma"))
        secrets = store.create(Session(load_runbook(path), roles), str(path), "en")
    (tmp_path / "acme.png").unlink()  # the session outlives the file
    params = {"session": secrets.session_id, **query}
    monkeypatch.setenv("QUERY_STRING", urlencode({**params, "key": secrets.facilitator_key}))
    console = facilitator_page()
    monkeypatch.setenv("QUERY_STRING", urlencode({**params, "code": secrets.join_code}))
    participant = joined(participant_page())
    assert isinstance(console, FacilitatorConsole)
    for page in (console, participant):
        page.link.stop()
    return console, participant


@pytest.mark.parametrize(
    ("runbook_extra", "query", "theme"),
    [
        ("", {}, "light"),
        ("theme: dark\n", {}, "dark"),
        ("", {"theme": "dark"}, "dark"),
        ("theme: dark\n", {"theme": "light"}, "light"),
        ("theme: dark\n", {"theme": "neon"}, "dark"),  # ignored: the runbook's
        ("", {"theme": "x" * 5000}, "light"),
    ],
)
def test_both_pages_show_the_brand_in_the_theme_chosen(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    runbook_extra: str,
    query: dict[str, str],
    theme: str,
) -> None:
    console, participant = pages(tmp_path, monkeypatch, runbook_extra, **query)
    try:
        for page in (console, participant):
            assert f"codev-theme-{theme}" in page._dom_classes
            other = "light" if theme == "dark" else "dark"
            assert f"codev-theme-{other}" not in page._dom_classes
            tree = walk(page)
            css = tree[1].value
            background = "#000000" if theme == "dark" else "#ffffff"
            assert f"--codev-background: {background};" in css
            # The pale yellow as given on black; darkened to read on white (and on panels).
            primary = palette(theme, "#f2c200").primary  # type: ignore[arg-type]
            assert (primary == "#f2c200") == (theme == "dark")
            assert f"--codev-primary: {primary};" in css
            titles = [w for w in tree if "codev-brand" in getattr(w, "_dom_classes", ())]
            assert [t.value for t in titles] == ["Acme Codev"]
            (logo,) = [w for w in tree if "codev-brand-logo" in getattr(w, "_dom_classes", ())]
            assert logo.value.startswith('<img src="data:image/png;base64,iVBOR')
            assert 'alt=""' in logo.value
    finally:
        console.close()
        participant.close()


def test_a_page_without_logo_shows_the_title_alone(clock: FakeClock, tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text("extends: flash\nbranding: {title: Plain}\n", encoding="utf-8")
    page = FacilitatorConsole(load_runbook(path), load_roster(DEMO_ROSTER), clock=clock)
    tree = walk(page)
    assert not [w for w in tree if "codev-brand-logo" in getattr(w, "_dom_classes", ())]
    assert [w.value for w in tree if "codev-brand" in getattr(w, "_dom_classes", ())] == ["Plain"]
    assert "codev-theme-light" in page._dom_classes
    page.close()
