"""The projector's page, without a browser: what it shows, what it refuses, that it holds no
control, its theme; and the console's link to it.

``projector_page()`` is called as the notebook calls it, with the store from ``CODEV_STORE``
and the link's parameters in ``QUERY_STRING``; its watcher thread is stopped at once and the
tests make it follow the store by hand.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import ipywidgets as widgets
import pytest

from codevwidgets.core.commands import Command
from codevwidgets.core.i18n import Translator
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.pages.session import projector_page
from codevwidgets.store.base import Secrets
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.countdown import Countdown
from codevwidgets.widgets.join import JoinPanel
from codevwidgets.widgets.projector import ProjectorView

EN = Translator("en")
CLARIFICATION = 1


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def classes(widget: widgets.Widget) -> set[str]:
    return set(getattr(widget, "_dom_classes", ()))


def html_of(view: widgets.Widget) -> str:
    return "\n".join(
        str(w.value) for w in walk(view) if isinstance(w, widgets.HTML | widgets.Label)
    )


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(path))
    monkeypatch.setenv("CODEV_PUBLIC_URL", "http://10.0.0.5:8866")
    with SQLiteStore(path) as opened:
        yield opened


Opener = Callable[..., tuple[ProjectorView, Secrets]]


@pytest.fixture
def open_projector(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Opener]:
    views: list[ProjectorView] = []

    def open_(step: int | None = CLARIFICATION, **query: str) -> tuple[ProjectorView, Secrets]:
        session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David")))
        if step is not None:
            session.start()
            session.go_to(step)
        secrets = store.create(session, "classic", "en")
        params = {"session": secrets.session_id, "code": secrets.join_code, **query}
        monkeypatch.setenv("QUERY_STRING", urlencode(params))
        view = projector_page()
        assert isinstance(view, ProjectorView)
        view.link.stop()
        views.append(view)
        return view, secrets

    yield open_
    for view in views:
        view.close()


def test_shows_the_step_the_countdown_the_advisors_rules_and_the_join_code(
    open_projector: Opener,
) -> None:
    view, secrets = open_projector()
    step = load_preset("classic").steps[CLARIFICATION]
    texts = Texts(load_preset("classic"), "en")
    assert view.header.title_text == texts.of(step.title)
    assert view.header.position_text == EN("steps.step_of", number=2, total=6)
    assert view.countdown.status == "running" and view.countdown.big
    assert view.countdown.step_id == step.id
    assert view.rules.role == "advisors"
    shown = html_of(view)
    assert texts.of(step.speaker) in shown
    assert step.rules.advisors is not None
    for rule in step.rules.advisors.may:
        assert texts.of(rule) in shown
    # Only the advisors' rules: not the client's.
    assert EN("role.client") not in html_of(view.rules)
    join = f"http://10.0.0.5:8866/voila/render/participant.ipynb?session={secrets.session_id}"
    assert f"{join}&amp;code={secrets.join_code}" in shown
    assert "<svg" in shown  # the QR code
    assert {"codev-console", "codev-projector"} <= classes(view)
    assert secrets.facilitator_key not in shown  # the console's own link never reaches it


def test_no_input_and_no_control(open_projector: Opener) -> None:
    view, _ = open_projector()
    # Only boxes and text: no button, box to type in, toggle or selection.
    shown = (widgets.Box, widgets.HTML, widgets.Label, Countdown)
    assert [w for w in walk(view) if not isinstance(w, shown)] == []
    assert not [w for w in walk(view) if isinstance(w, widgets.Button | widgets.Text)]


def test_follows_the_store(open_projector: Opener, store: SQLiteStore) -> None:
    view, secrets = open_projector()
    store.execute(secrets.session_id, Command("next", {"step": "clarification"}))
    view.link.sync()
    contract = load_preset("classic").steps[2]
    assert view.header.title_text == Texts(load_preset("classic"), "en").of(contract.title)
    assert view.countdown.step_id == contract.id


def test_after_the_end_it_says_so_not_the_rules_and_the_qr_code(
    open_projector: Opener, store: SQLiteStore
) -> None:
    view, secrets = open_projector()
    store.execute(secrets.session_id, Command("finish", {"step": "clarification"}))
    view.link.sync()
    assert view.ended is not None and EN("live.session_over") in view.ended.value
    for part in (view.rules, view.join, view.countdown, view.header):
        assert not shown(view, part)
    # Opened after the end (the screen switched on late): the same.
    running, later = open_projector()
    assert running.ended is None
    store.execute(later.session_id, Command("finish", {"step": "clarification"}))
    again = projector_page()
    assert isinstance(again, ProjectorView)
    again.link.stop()
    assert again.ended is not None and not shown(again, again.join)
    again.close()


def shown(view: widgets.Widget, part: widgets.Widget) -> bool:
    """Whether ``part`` shows: neither it nor a box around it within ``view`` hidden."""
    return not any(
        w.layout.display == "none" and (part is w or part in list(walk(w))) for w in walk(view)
    )


@pytest.mark.parametrize(("asked", "theme"), [({}, "dark"), ({"theme": "light"}, "light")])
def test_dark_unless_the_link_asks_for_light(
    open_projector: Opener, asked: dict[str, str], theme: str
) -> None:
    view, _ = open_projector(**asked)
    assert view.theme == theme
    assert f"codev-theme-{theme}" in classes(view)
    style = str(view.children[0].value)
    assert ("--codev-background: #000000" in style) == (theme == "dark")


@pytest.mark.parametrize("wrong", ["nope", "", None])
def test_a_wrong_code_shows_the_error_and_nothing_else(
    open_projector: Opener, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, wrong: str | None
) -> None:
    refused: list[bool] = []
    monkeypatch.setattr("codevwidgets.pages.session.refuse_visitor", lambda: refused.append(True))
    session = Session(load_preset("classic"))
    secrets = store.create(session, "classic", "en")
    query = {"session": secrets.session_id} | ({} if wrong is None else {"code": wrong})
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    page = projector_page()
    assert not isinstance(page, ProjectorView)
    assert "codev-error" in classes(page)
    assert EN("participant.bad_link") in html_of(page)
    assert refused == [True]


def test_the_console_shows_the_projector_link() -> None:
    texts = Texts(load_preset("classic"), "en")
    url = "http://h/voila/render/projector.ipynb?session=S&code=C"
    panel = JoinPanel(texts, "http://h/participant", "http://h/facilitator", url)
    assert panel.projector in panel.children
    assert "codev-projector-links" in classes(panel.projector)
    assert url.replace("&", "&amp;") in panel.projector.value
    assert html.escape(EN("live.projector")) in panel.projector.value
    assert {"codev-join"} <= classes(panel.join)


def test_the_served_console_links_its_projector(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codevwidgets.pages.session import facilitator_page
    from codevwidgets.widgets.console import FacilitatorConsole

    secrets = store.create(Session(load_preset("classic")), "classic", "en")
    query = {"session": secrets.session_id, "key": secrets.facilitator_key}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    console = facilitator_page()
    assert isinstance(console, FacilitatorConsole)
    try:
        panel = next(w for w in walk(console) if isinstance(w, JoinPanel))
        assert panel.projector_url == (
            "http://10.0.0.5:8866/voila/render/projector.ipynb"
            f"?session={secrets.session_id}&code={secrets.join_code}"
        )
        assert secrets.facilitator_key not in panel.projector.value
    finally:
        console.link.stop()
        console.close()


def test_the_group_and_the_client_on_top(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codevwidgets.core.roster import Member, Roster

    session = Session(load_preset("classic"), Roles("Ana", "Bruno", ("Chloé", "David")))
    members = [Member(name=n) for n in ("Ana", "Bruno", "Chloé", "David")]
    roster = Roster(group="Managers <2027>", facilitator="Bruno", members=members)
    secrets = store.create(session, "classic", "en", roster)
    query = {"session": secrets.session_id, "code": secrets.join_code}
    monkeypatch.setenv("QUERY_STRING", urlencode(query))
    view = projector_page()
    assert isinstance(view, ProjectorView)
    view.link.stop()
    try:
        assert view.group.value == "Managers &lt;2027&gt;"  # a group's name is text
        assert view.client.value == EN("projector.client", name="Ana")
        assert "codev-projector--started" not in classes(view)  # the join link large
        store.execute(secrets.session_id, Command("start"))
        store.execute(
            secrets.session_id,
            Command("set_roles", {"roles": Roles("Chloé", "Bruno", ("Ana", "David")).to_dict()}),
        )
        view.link.sync()
        assert view.client.value == EN("projector.client", name="Chloé")
        assert "codev-projector--started" in classes(view)
    finally:
        view.close()


def test_the_shared_contract_follows_the_console(
    open_projector: Opener, store: SQLiteStore
) -> None:
    view, secrets = open_projector()
    note = {"step": "contract", "field": "contract", "text": "Help me keep the team."}
    store.execute(secrets.session_id, Command("set_note", note))
    view.link.sync()
    assert view.contract.layout.display == "none"  # clarification: not yet
    store.execute(secrets.session_id, Command("next", {"step": "clarification"}))
    view.link.sync()
    assert view.contract.layout.display != "none"
    assert view.contract.texts_shown == {"contract": "Help me keep the team."}
    assert EN("rules.speaker") in view.speaker.value


def test_a_page_ended_then_deleted_keeps_one_line_saying_the_latest() -> None:
    from codevwidgets.widgets._view import ENDED, end_page

    page = widgets.VBox([widgets.HTML("<style></style>"), widgets.HTML("Step 6 of 6")])
    end_page(page, "The session has ended.", kept=1)
    end_page(page, "This session was deleted.", kept=1)
    lines = [child for child in page.children if ENDED in child._dom_classes]
    assert [line.value for line in lines] == ['<div role="alert">This session was deleted.</div>']
    page.close()
