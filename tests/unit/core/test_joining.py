"""Personal join: "who are you?", the page's memory, a name on two devices, personal links.

Pages are built as the notebook builds them (``participant_page()`` with the link in
``QUERY_STRING``) and driven as their browser would: ``memory.recall(tab, device)`` is what
``memory.js`` sends at load, ``click_name``/``type_name`` what the person does.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import ipywidgets as widgets
import pytest

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.i18n import Translator
from codevwidgets.core.joining import (
    joinable,
    new_page_id,
    page_id,
    pages_per_name,
    person_key,
)
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Member, Roster
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.core.signals import SEEN, Signal
from codevwidgets.pages.session import facilitator_page, participant_page
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.join import JoinPanel
from codevwidgets.widgets.memory import PageMemory
from codevwidgets.widgets.participant_page import ParticipantPage
from codevwidgets.widgets.presence import PresencePanel
from codevwidgets.widgets.who import WhoAreYou

EN = Translator("en")
GROUP = ("Ana", "Bruno", "Chloé", "Farid")
ROSTER = Roster(
    group="Team",
    facilitator="rotate",
    members=[Member(name=n, email=f"{n.lower()}@secret.example") for n in GROUP],
)
CONCLUSION = 5


# -- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "names", "joined"),
    [
        ("Chloé", GROUP, "Chloé"),
        ("  chloé ", GROUP, "Chloé"),  # as the roster spells it
        ("FARID", GROUP, "Farid"),
        ("Zorro", GROUP, None),  # not in the group: asked again
        ("", GROUP, None),
        ("  Zoé   Martin ", (), "Zoé Martin"),  # a free name, spaces tidied
        ("", (), None),
        ("   ", (), None),
        ("x" * 101, (), None),
        ("x" * 100, (), "x" * 100),
        ("Ana\x00", (), None),
        ("Ana\u202eevil", (), None),  # a right-to-left override
        ("<b>Bo</b>", (), "<b>Bo</b>"),  # kept as typed: shown as text, never HTML
        (None, (), None),
        (42, GROUP, None),
    ],
)
def test_who_may_join_under_which_name(
    typed: object, names: tuple[str, ...], joined: str | None
) -> None:
    assert joinable(typed, names) == joined


def test_page_ids_from_a_browser_must_look_like_ours() -> None:
    fresh = new_page_id()
    assert page_id(fresh) == fresh and fresh != new_page_id()
    for bad in (None, 3, "", "short", "x" * 12, "abc def ghi", "../../etc/pa", fresh + "x"):
        assert page_id(bad) is None, bad


def test_a_name_on_two_devices() -> None:
    rows = [
        Signal("p1", "Farid", SEEN, "s", 100.0),
        Signal("p2", " farid", SEEN, "s", 90.0),
        Signal("p3", "Ana", SEEN, "s", 100.0),
        Signal("p4", None, SEEN, "s", 100.0),
        Signal("p5", None, SEEN, "s", 100.0),  # unnamed pages are not "a name taken twice"
        Signal("p6", "Ana", SEEN, "s", -100.0),  # gone (not seen for 200 s)
        Signal("p7", "Ana", "hand", "s", 100.0),  # a hand is not a page
    ]
    assert pages_per_name(rows, 100.0) == {"farid": 2}
    assert person_key("  Farid  Z ") == person_key("farid z")


# -- the page: memory and the question ---------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    with SQLiteStore(path) as opened:
        yield opened


Opener = Callable[..., ParticipantPage]


@pytest.fixture
def session_of(store: SQLiteStore) -> Callable[..., Secrets]:
    def create(roster: Roster | None = ROSTER, step: int | None = None) -> Secrets:
        session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "Farid")))
        if step is not None:
            session.start()
            session.go_to(step)
        return store.create(session, "classic", "en", roster)

    return create


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Opener]:
    pages: list[ParticipantPage] = []

    def open_(secrets: Secrets, **query: str) -> ParticipantPage:
        link = {"session": secrets.session_id, "code": secrets.join_code, **query}
        monkeypatch.setenv("QUERY_STRING", urlencode(link))
        page = participant_page()
        assert isinstance(page, ParticipantPage)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def stop(page: ParticipantPage) -> None:
    if page.view is not None:
        page.view.link.stop()  # the tests follow the store by hand


def test_nothing_shows_until_the_browser_says_what_it_remembers(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    page = open_page(session_of())
    assert page.view is None and not page.asking
    assert page.memory.key.startswith("codev-join:")
    assert page.children == (page.memory, *page.children[1:])


def test_a_link_without_a_name_asks_who_from_the_roster_names_only(
    session_of: Callable[..., Secrets], open_page: Opener, store: SQLiteStore
) -> None:
    secrets = session_of()
    page = open_page(secrets)
    page.memory.recall(None, None)
    assert page.asking and page.view is None
    who = page.who
    assert who is not None and who.input is None
    assert [b.description for b in who.buttons] == list(GROUP)
    # The participant's kernel holds the names, never the emails nor the group's file.
    stored = store.load(secrets.session_id, private=False)
    assert stored is not None and stored.roster is None and stored.names == GROUP
    state = repr(page.get_state()) + repr(who.get_state())
    assert "secret.example" not in state
    # Choosing a name: the usual view under it, remembered in the browser.
    who.buttons[2].click()
    assert page.view is not None and page.view.name == "Chloé" and not page.asking
    stop(page)
    assert page.memory.kept == {"page": page.visitor.page, "name": "Chloé", "link": None}
    assert page.view.you.value == EN("participant.you_are_advisors")
    assert page.view.who is not None
    assert EN("join.joined_as", name="Chloé") in page.view.who.children[0].value
    # The console sees the page at once, by that name.
    [row] = store.signals(secrets.session_id)
    assert (row.participant, row.name, row.kind) == (page.visitor.page, "Chloé", SEEN)


def test_a_crafted_click_cannot_join_as_someone_outside_the_group(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    page = open_page(session_of())
    page.memory.recall(None, None)
    assert page.who is not None
    page.who.click_name("Zorro")
    page.who.type_name("Zorro")  # no box with a roster, but a crafted call
    assert page.asking and page.view is None
    assert page.who.message.value == EN("join.bad_name")


def test_without_a_roster_a_free_name_checked_and_kept_as_text(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    page = open_page(session_of(roster=None))
    page.memory.recall(None, None)
    who = page.who
    assert who is not None and who.buttons == [] and who.input is not None
    who.input.value = "   "
    who.join.click()
    assert page.asking and "codev-error" in who.message._dom_classes
    who.input.value = "  <img src=x onerror=alert(1)>  "
    who.join.click()
    assert page.view is not None
    stop(page)
    assert page.view.name == "<img src=x onerror=alert(1)>"
    # Shown through a Label (text), never an HTML widget.
    label = page.view.who.children[0] if page.view.who else None
    assert isinstance(label, widgets.Label)


def test_a_reload_comes_back_as_the_same_page_and_person(
    session_of: Callable[..., Secrets], open_page: Opener, store: SQLiteStore
) -> None:
    secrets = session_of()
    first = open_page(secrets)
    first.memory.recall(None, None)
    assert first.who is not None
    first.who.click_name("Farid")
    stop(first)
    kept = dict(first.memory.kept)
    # The reload: a new kernel, a new page object; the browser tells it what it kept.
    again = open_page(secrets)
    assert again.visitor.page != kept["page"]  # a fresh id until the browser speaks
    again.memory.recall(kept, {"name": "Farid", "pages": {"Farid": kept["page"]}})
    assert not again.asking and again.view is not None and again.view.name == "Farid"
    stop(again)
    assert again.visitor.page == kept["page"]
    # One page, not two: the console will not think Farid is on two devices.
    rows = [s for s in store.signals(secrets.session_id) if s.kind == SEEN]
    assert [(s.participant, s.name) for s in rows] == [(kept["page"], "Farid")]
    # A second message from the page (crafted) changes nothing.
    again.memory.recall({"page": new_page_id(), "name": "Ana"})
    assert again.view is not None and again.view.name == "Farid"


def test_tabs_of_one_device_are_pages_of_their_own(
    session_of: Callable[..., Secrets], open_page: Opener, store: SQLiteStore
) -> None:
    """Two tabs on personal links (a facilitator trying them) are two pages; the link opened
    again later in a new tab is the page the device had under that name."""
    secrets = session_of()
    chloe = open_page(secrets, name="Chloé")
    chloe.memory.recall(None, {})
    stop(chloe)
    device = {"Chloé": chloe.visitor.page}  # what memory.js keeps on the device
    farid = open_page(secrets, name="Farid")
    farid.memory.recall(None, {"name": "Chloé", "pages": device})  # a new tab
    stop(farid)
    assert farid.view is not None and farid.view.name == "Farid"
    assert farid.visitor.page != chloe.visitor.page
    device["Farid"] = farid.visitor.page
    # Chloé's tab closed; the link opened again in a new tab: her page, not a second one.
    again = open_page(secrets)
    again.memory.recall(None, {"name": "Chloé", "pages": {**device, "Zorro": "bad", "Ana": 3}})
    stop(again)
    assert again.view is not None and again.view.name == "Chloé"
    assert again.visitor.page == chloe.visitor.page
    present = [s for s in store.signals(secrets.session_id) if s.kind == SEEN]
    assert sorted((s.name or "") for s in present) == ["Chloé", "Farid"]
    # A tab asking who: the id it then takes is the device's for the name chosen.
    asking = open_page(secrets)
    asking.memory.recall(None, {"name": None, "pages": device})
    assert asking.who is not None
    asking.who.click_name("Farid")
    stop(asking)
    assert asking.visitor.page == farid.visitor.page
    # Garbage for the device's pages is ignored.
    odd = open_page(secrets)
    odd.memory.recall(None, {"name": "Ana", "pages": ["not", "a", "dict"]})
    stop(odd)
    assert odd.view is not None and odd.visitor.page not in device.values()


@pytest.mark.parametrize(
    ("page", "name"),
    [
        ("not-an-id", "Farid"),
        (None, "Zorro"),  # no longer (or never) in the group
        (3, ["Farid"]),
    ],
)
def test_what_the_browser_remembers_is_checked(
    session_of: Callable[..., Secrets], open_page: Opener, page: Any, name: Any
) -> None:
    opened = open_page(session_of())
    fresh = opened.visitor.page
    message = {"type": "recall", "tab": {"page": page, "name": name, "link": None}}
    opened.memory._on_message(opened.memory, message, [])
    assert opened.visitor.page == fresh
    assert opened.asking if name != "Farid" else opened.view is not None
    stop(opened)


def test_a_personal_link_joins_at_once_and_a_made_up_one_asks(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    secrets = session_of()
    personal = open_page(secrets, name="bruno")
    personal.memory.recall(None, {"name": "Ana"})  # the link wins over the device's name
    assert personal.view is not None and personal.view.name == "Bruno"
    stop(personal)
    assert personal.memory.kept["name"] == "Bruno"
    made_up = open_page(secrets, name="Zorro")
    made_up.memory.recall(None, None)
    assert made_up.asking


def test_a_tab_that_changed_name_on_a_personal_link_stays_changed_after_a_reload(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    secrets = session_of()
    ana = open_page(secrets, name="Ana")
    ana.memory.recall(None, None)
    assert ana.view is not None
    stop(ana)
    ana.view.not_you.click()  # the phone was Bruno's, on Ana's link
    assert ana.who is not None
    ana.who.click_name("Bruno")
    stop(ana)
    tab = dict(ana.memory.kept)
    assert tab == {"page": ana.visitor.page, "name": "Bruno", "link": "Ana"}
    # Reloaded (the same link): Bruno, the same page.
    again = open_page(secrets, name="Ana")
    again.memory.recall(tab, {"name": "Bruno"})
    stop(again)
    assert again.view is not None and again.view.name == "Bruno"
    assert again.visitor.page == tab["page"]
    # Reloaded while it was asking: it asks again.
    asking = open_page(secrets, name="Ana")
    asking.memory.recall({**tab, "name": None}, None)
    assert asking.asking
    # Another personal link typed into the same tab: that link's person.
    farid = open_page(secrets, name="Farid")
    farid.memory.recall(tab, {"name": "Bruno"})
    stop(farid)
    assert farid.view is not None and farid.view.name == "Farid"


def test_not_you_asks_again_and_the_page_keeps_its_id(
    session_of: Callable[..., Secrets], open_page: Opener, store: SQLiteStore
) -> None:
    secrets = session_of(step=1)
    page = open_page(secrets, name="Ana")
    page.memory.recall(None, None)
    assert page.view is not None
    stop(page)
    old_view, me = page.view, page.visitor.page
    assert page.view.signals is not None
    page.view.signals.hand.click()  # Ana's hand up on this page
    before = len(widgets.Widget.widgets)
    assert page.view.who is not None
    page.view.not_you.click()
    assert page.asking and page.view is None
    assert old_view.comm is None  # closed, and its link to the store stopped
    # The browser forgets the name (it keeps the link's, to tell a reload from a new link).
    assert page.memory.kept == {"page": me, "name": None, "link": "Ana"}
    assert page.who is not None
    page.who.click_name("Chloé")
    assert page.view is not None and page.view.name == "Chloé"
    stop(page)
    assert page.visitor.page == me
    # The page's rows go by its new name at once (the presence, and the hand it had raised).
    rows = {s.kind: s for s in store.signals(secrets.session_id)}
    assert {k: (s.participant, s.name) for k, s in rows.items()} == {
        "seen": (me, "Chloé"),
        "hand": (me, "Chloé"),
    }
    # Swapping views leaves no widget behind (many times over).
    for name in ("Ana", "Bruno", "Chloé"):
        assert page.view is not None
        page.view.not_you.click()
        assert page.who is not None
        page.who.click_name(name)
        stop(page)
    assert len(widgets.Widget.widgets) == before


def test_one_person_one_evaluation_through_the_pages(
    session_of: Callable[..., Secrets],
    open_page: Opener,
    store: SQLiteStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reported case, with the pages as they are now: three pages without a name, one
    of them reloaded, three made-up names in links; the console and the record count each
    joined person once."""
    secrets = session_of(step=CONCLUSION)
    sid = secrets.session_id
    pages = [open_page(secrets) for _ in range(3)]
    for page, name in zip(pages, ("Ana", "Bruno", "Chloé"), strict=True):
        page.memory.recall(None, None)
        assert page.who is not None and page.view is None  # no rating before saying who
        page.who.click_name(name)
        stop(page)
    for page, score in zip(pages, ("4", "5", "3"), strict=True):
        assert page.view is not None
        page.view.box.rating.value = score
    # Ana's page reloads: back as Ana, she rates again (her last counts).
    reloaded = open_page(secrets)
    reloaded.memory.recall(pages[0].memory.kept)
    assert reloaded.view is not None and reloaded.view.name == "Ana"
    stop(reloaded)
    reloaded.view.box.rating.value = "2"
    for made_up in ("Zorro", "Batman", "Nobody"):
        page = open_page(secrets, name=made_up)
        page.memory.recall(None, None)
        assert page.asking and page.view is None  # asked who they are: no rating box
    # The console's average: Ana 2, Bruno 5, Chloé 3.
    console = console_of(secrets, monkeypatch)
    assert console.contributions.evaluation.value == EN(
        "console.evaluation_average", mean="3.3", people=3
    )
    console.link.stop()
    console.close()
    from codevwidgets.record.model import build_record

    record = build_record(store, sid)
    assert record.evaluation is not None and record.evaluation.people == 3


def console_of(secrets: Secrets, monkeypatch: pytest.MonkeyPatch) -> FacilitatorConsole:
    query = {"session": secrets.session_id, "key": secrets.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    console.link.sync()
    return console


# -- the console ---------------------------------------------------------------------------------


def test_the_console_shows_a_name_taken_twice(classic: Any, clock: FakeClock) -> None:
    session = Session(classic, clock=clock)
    panel = PresencePanel(session, Texts(classic, "en"), clock)
    now = clock()
    session.replace_signals(
        [
            Signal("p1", "Farid", SEEN, "presentation", now - 5),
            Signal("p2", "Farid", SEEN, "presentation", now - 20),
            Signal("p3", "Ana", SEEN, "presentation", now - 1),
            Signal("p4", "<i>Eve</i>", SEEN, "presentation", now - 2),
            Signal("p5", "<i>eve</i>", SEEN, "presentation", now - 3),
        ]
    )
    rows = panel.who.value
    assert panel.count.value == EN("signals.connected", count=5)
    farid = html.escape(EN("join.twice", name="Farid", count=2))
    assert f'<li class="codev-presence-twice">{farid} · ' in rows
    assert rows.count("Farid") == 1  # one line for the name, saying so
    assert "<i>" not in rows and "&lt;i&gt;Eve&lt;/i&gt; — on 2 devices" in rows
    assert "<li>Ana · " in rows
    # Farid closes one of them: two beats missed, one device left, no warning.
    clock.advance(140)
    session.replace_signals(
        [
            Signal("p1", "Farid", SEEN, "presentation", clock() - 5),
            Signal("p2", "Farid", SEEN, "presentation", now - 20),
        ]
    )
    assert "codev-presence-twice" not in panel.who.value
    panel.close()


def test_the_join_panel_folds_away_a_link_and_qr_code_per_member(classic: Any) -> None:
    texts = Texts(classic, "en")
    base = "http://room:8866/voila/render/participant.ipynb?session=S&code=C"
    people = [(n, f"{base}&{urlencode({'name': n})}") for n in ("Ana", "<b>Bo</b>")]
    panel = JoinPanel(texts, base, "http://room/f", None, people)
    assert panel.people is not None
    value = panel.people.value
    assert value.startswith("<details><summary>")  # folded away by default
    assert "<details open" not in value
    assert "codev-person-links" in panel.people._dom_classes
    assert value.count('class="codev-person-link"') == 2
    assert value.count('class="codev-person-qr"><svg') == 2
    assert "<b>Bo</b>" not in value and "&lt;b&gt;Bo&lt;/b&gt;" in value
    assert JoinPanel(texts, base, "http://room/f").people is None  # no roster: none


def test_the_consoles_personal_links_name_each_member_and_join_without_asking(
    session_of: Callable[..., Secrets], open_page: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = session_of()
    console = console_of(secrets, monkeypatch)
    try:
        [join] = [w for w in walk(console) if isinstance(w, JoinPanel)]
        assert join.people is not None
        links = [html.unescape(href) for href in _hrefs(join.people.value)]
        assert len(links) == len(GROUP)
        queries = [parse_qs(urlsplit(link).query) for link in links]
        assert [q["name"] for q in queries] == [[n] for n in GROUP]
        assert {q["code"][0] for q in queries} == {secrets.join_code}
        assert all("key" not in q for q in queries)  # never the facilitator's key
        # Opened, a personal link joins at once under its name.
        page = open_page(secrets, name=queries[3]["name"][0])
        page.memory.recall(None, None)
        assert page.view is not None and page.view.name == "Farid"
        stop(page)
    finally:
        console.link.stop()
        console.close()


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def _hrefs(text: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]+)"', text)


# -- the widgets alone ---------------------------------------------------------------------------


def test_page_memory_recalls_once_and_keeps() -> None:
    memory = PageMemory(key="codev-join:abc")
    heard: list[tuple[object, object]] = []
    memory.on_recall(lambda tab, device: heard.append((tab, device)))
    memory._on_message(memory, {"type": "other"}, [])
    memory._on_message(memory, "junk", [])
    assert heard == [] and not memory.recalled
    memory._on_message(memory, {"type": "recall", "tab": {"page": "p"}, "device": None}, [])
    memory._on_message(memory, {"type": "recall", "tab": {"page": "q"}}, [])
    assert heard == [({"page": "p"}, None)]
    memory.keep("p", "Ana", "ana")
    assert memory.get_state("kept") == {"kept": {"page": "p", "name": "Ana", "link": "ana"}}
    assert repr(memory) == "PageMemory(key='codev-join:abc')"
    memory.close()


def test_the_question_in_every_language(classic: Any) -> None:
    for language in ("en", "fr", "de"):
        who = WhoAreYou(Texts(classic, language), ())
        heading = who.children[0]
        assert heading.value == Translator(language)("join.who")
        assert "join." not in heading.value
        who.close()
    assert Translator("fr")("join.who") != Translator("en")("join.who")


def test_the_participant_page_is_a_page_of_the_console_look(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    page = open_page(session_of())
    page.memory.recall(None, None)
    [memory, box] = page.children
    assert memory is page.memory
    assert {"codev-console", "codev-participant", "codev-theme-light"} <= set(box._dom_classes)


def test_a_stored_roster_names_for_everyone_emails_for_the_console(
    session_of: Callable[..., Secrets], store: SQLiteStore
) -> None:
    secrets = session_of()
    private = store.load(secrets.session_id, private=True)
    public = store.load(secrets.session_id, private=False)
    assert private is not None and public is not None
    assert private.roster == ROSTER and private.names == GROUP
    assert public.roster is None and public.names == GROUP
    none = session_of(roster=None)
    stored = store.load(none.session_id, private=False)
    assert stored is not None and stored.names == ()


def test_a_crafted_page_cannot_rename_a_button_to_join_as_someone_else(
    session_of: Callable[..., Secrets], open_page: Opener
) -> None:
    def message(widget: widgets.Widget, data: dict[str, Any]) -> None:
        widget._handle_msg({"content": {"data": data}, "buffers": []})

    page = open_page(session_of())
    # The recall itself as the comm delivers it, with a page id and name of the wrong shape.
    message(page.memory, {"method": "custom", "content": {"type": "recall", "tab": "x"}})
    assert page.who is not None
    ana = page.who.buttons[0]
    # A page may set a button's text in its own browser: the kernel joins by the button.
    message(ana, {"method": "update", "state": {"description": "Zorro"}, "buffer_paths": []})
    message(ana, {"method": "custom", "content": {"event": "click"}})
    assert page.view is not None and page.view.name == "Ana"
    stop(page)


def test_a_built_page_gives_its_kernels_free_heap_back(
    session_of: Callable[..., Secrets], open_page: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    import codevwidgets.pages.kernel

    trimmed: list[int] = []

    class Libc:
        def malloc_trim(self, pad: int) -> int:
            trimmed.append(pad)
            return 1

    monkeypatch.setattr(codevwidgets.pages.kernel.ctypes, "CDLL", lambda name: Libc())
    page = open_page(session_of(), name="Bruno")
    assert trimmed == []  # not while it waits for its browser
    page.memory.recall(None, None)
    assert page.view is not None and trimmed == [0]
    stop(page)
