"""The facilitator console runs a whole classic session without a browser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ipywidgets as widgets
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roster import load_roster
from codevwidgets.core.runbook import Runbook, load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import SEEN, Signal
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.pages.session import facilitator_page
from codevwidgets.widgets.console import FacilitatorConsole


def console(runbook: Runbook, clock: FakeClock, language: str = "en") -> FacilitatorConsole:
    return FacilitatorConsole(runbook, load_roster(DEMO_ROSTER), language, clock, cycle_session=2)


def test_a_whole_classic_session(classic: Runbook, clock: FakeClock) -> None:
    page = console(classic, clock)
    session = page.session
    assert page.roles.confirm()
    page.navigator.start_button.click()
    assert page.countdown.status == "running"
    planned = [step.minutes for step in classic.steps]
    for i, minutes in enumerate(planned):
        assert session.index == i
        for note in classic.steps[i].notes:
            picked = dt.date(2027, 3, 1) if note.kind == "date" else f"{note.id} of step {i}"
            page.notes.fields[note.id].value = picked
        clock.advance(minutes * 60 + 30)  # each step overruns by 30 s
        assert page.countdown.step_title == page.navigator.header.title_text
        button = page.navigator.finish_button if i == 5 else page.navigator.next_button
        button.click()  # time is up: no confirmation needed
    assert session.status == "finished"
    assert session.actual_minutes()["consultation"] == pytest.approx(30.5)
    assert session.notes["synthesis"]["objective"] == "objective of step 4"
    assert sum(len(fields) for fields in session.notes.values()) == 12


def test_extend_and_pause_from_the_controls(classic: Runbook, clock: FakeClock) -> None:
    page = console(classic, clock)
    page.roles.confirm()
    page.navigator.start_button.click()
    page.timer_controls.plus_five.click()
    page.timer_controls.plus_one.click()
    assert page.session.remaining() == 16 * 60
    page.timer_controls.pause_button.click()
    clock.advance(120)
    assert page.session.remaining() == 16 * 60
    page.timer_controls.resume_button.click()
    clock.advance(60)
    assert page.session.remaining() == 15 * 60


def test_chime_and_large_display_reach_the_countdown(classic: Runbook, clock: FakeClock) -> None:
    page = console(classic, clock)
    page.timer_controls.chime.value = True
    page.timer_controls.big.value = True
    assert page.countdown.chime is True
    assert page.countdown.big is True


def test_branding_colours_and_french(tmp_path: Path, clock: FakeClock) -> None:
    from codevwidgets.core.runbook import load_runbook

    path = tmp_path / "acme.yaml"
    path.write_text(
        "extends: flash\nclient: Acme\n"
        'branding: {title: Codev Acme, colours: {primary: "#112233"}}\n',
        encoding="utf-8",
    )
    page = console(load_runbook(path), clock, "fr")
    assert "--codev-primary: #112233" in page.children[0].value
    assert page.navigator.header.title_text == "Exposé de la problématique"
    assert page.navigator.next_button.description == "Étape suivante"


def test_page_reports_bad_parameters(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: classic\nsteps:\n  - id: contract\n    minuts: 5\n", encoding="utf-8")
    page = facilitator_page(str(bad))
    assert "codev-error" in page._dom_classes
    assert "bad.yaml:4: steps[0].minuts: unknown field" in page.value
    monkeypatch.setenv("QUERY_STRING", "runbook=../../etc/passwd.yaml")
    assert "codev-error" in facilitator_page()._dom_classes
    monkeypatch.setenv("QUERY_STRING", "runbook=flash&lang=fr")
    page = facilitator_page()
    assert isinstance(page, FacilitatorConsole)
    assert page.session.runbook.total_minutes == 45
    assert page.navigator.start_button.description == "Commencer la séance"


def test_presets_all_load_in_the_console(clock: FakeClock) -> None:
    for name in ("classic", "express", "flash"):
        assert console(load_preset(name), clock).session.runbook.name == name


def test_a_served_console_needs_the_facilitator_link(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No open door: without session and key, a Voilà page shows no console, no roster and
    creates no session."""
    from codevwidgets.store.sqlite import SQLiteStore

    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    names = load_roster(DEMO_ROSTER).names
    for query in ("", "runbook=flash", "lang=fr", "session=&key="):
        monkeypatch.setenv("QUERY_STRING", query)
        page = facilitator_page()
        assert not isinstance(page, FacilitatorConsole)
        assert "codev-error" in page._dom_classes
        assert not any(name in page.value for name in names)
    with SQLiteStore(tmp_path / "store.db") as store:
        assert store.session_ids() == []
        secrets = store.create(Session(load_preset("flash")), "flash", "en")
    monkeypatch.setenv("QUERY_STRING", f"session={secrets.session_id}&key=wrong")
    page = facilitator_page()
    assert not isinstance(page, FacilitatorConsole)
    assert not any(name in page.value for name in names)
    monkeypatch.setenv(
        "QUERY_STRING", f"session={secrets.session_id}&key={secrets.facilitator_key}"
    )
    assert isinstance(facilitator_page(), FacilitatorConsole)


def test_the_console_shows_the_group_stored_with_its_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from codevwidgets.server.sessions import new_session
    from codevwidgets.store.sqlite import SQLiteStore

    roster = tmp_path / "acme.yaml"
    roster.write_text(
        "group: Acme leads\nfacilitator: Odile\nmembers:\n"
        "  - {name: Yann}\n  - {name: Zoé}\n  - {name: Xavier}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    with SQLiteStore(tmp_path / "store.db") as store:
        secrets = new_session(store, "flash", roster)
        assert store.load(secrets.session_id, private=False).roster is None  # type: ignore[union-attr]
    roster.unlink()  # the group lives with the session, not in the file
    monkeypatch.setenv(
        "QUERY_STRING", f"session={secrets.session_id}&key={secrets.facilitator_key}"
    )
    page = facilitator_page()
    assert isinstance(page, FacilitatorConsole)
    assert list(page.roles.client.options) == ["", "Yann", "Zoé", "Xavier"]


def test_a_served_console_speaks_its_sessions_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A French session's console is in French (as its participants' pages and its record
    are), unless the link asks for another language."""
    from codevwidgets.store.sqlite import SQLiteStore

    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    with SQLiteStore(tmp_path / "store.db") as store:
        secrets = store.create(Session(load_preset("flash")), "flash", "fr")
    link = f"session={secrets.session_id}&key={secrets.facilitator_key}"
    for query, language in ((link, "fr"), (f"{link}&lang=en", "en")):
        monkeypatch.setenv("QUERY_STRING", query)
        page = facilitator_page()  # the notebook's own default: "en"
        assert isinstance(page, FacilitatorConsole)
        assert page.notes.texts.language == language
        page.close()


def test_the_join_links_fold_once_someone_has_joined(classic: Runbook, clock: FakeClock) -> None:
    join = widgets.HTML("the participants' link")
    page = FacilitatorConsole(classic, load_roster(DEMO_ROSTER), "fr", clock, join=join)
    links = page.join_links
    assert links is not None and links.children == (join,)
    assert links.get_title(0) == "Liens pour rejoindre"
    assert links.selected_index == 0  # before anyone joins: open, the first thing to show
    page.session.replace_signals([Signal("page-a", "Ana", SEEN, "presentation", clock())])
    assert links.selected_index is None  # someone joined: folded
    links.selected_index = 0  # the facilitator's click opens it again
    later = Signal("page-b", "Bruno", SEEN, "presentation", clock())
    page.session.replace_signals([*page.session.signals, later])
    assert links.selected_index == 0  # and it stays open: never folded again by itself
