"""The server's door: which secret each page's link needs, who asks, what a refusal shows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest

from codevwidgets.server.gate import Door, refusal_page, required_secret, visitor_address
from codevwidgets.server.sessions import new_session
from codevwidgets.store.base import Store, StoreError, group_key_for, join_code_for
from codevwidgets.store.sqlite import SQLiteStore
from tests.days import new_day


@pytest.mark.parametrize(
    ("notebook", "kind"),
    [
        ("participant.ipynb", "code"),
        ("projector.ipynb", "code"),
        ("facilitator.ipynb", "key"),
        ("cycle.ipynb", "key"),
        ("customise.ipynb", "closed"),  # the editor writes files: never for a room
        ("join.ipynb", "code"),  # a day's room: its code
        ("day.ipynb", "key"),  # a day's overview: the lead's key
    ],
)
def test_each_page_needs_the_secret_it_checks_itself(notebook: str, kind: str) -> None:
    secret = required_secret(notebook, environ={})
    assert secret is not None and secret.kind == kind
    assert secret.of == ("day" if notebook in ("join.ipynb", "day.ipynb") else "session")


def test_a_client_notebook_served_as_the_console_needs_the_key() -> None:
    served = {"CODEV_CONSOLE_NOTEBOOK": "acme-session.ipynb"}  # codev serve --notebook
    secret = required_secret("acme-session.ipynb", environ=served)
    assert secret is not None and secret.kind == "key"


def test_what_is_not_one_of_the_kits_pages_passes() -> None:
    assert required_secret("logo.png", environ={}) is None
    assert required_secret("acme-session.ipynb", environ={}) is None  # not served as a console
    assert required_secret("customise.ipynb", environ={"CODEV_EDITOR": "1"}) is None


def request(peer: str, forwarded: str = "") -> SimpleNamespace:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return SimpleNamespace(remote_ip=peer, headers=headers)


def test_the_visitor_is_the_peer_unless_haproxy_on_this_machine_names_it() -> None:
    assert visitor_address(request("192.0.2.7")) == "192.0.2.7"
    assert visitor_address(request("127.0.0.1", "10.0.0.1, 192.0.2.9")) == "192.0.2.9"
    # A visitor from the network cannot pass for another by sending the header itself.
    assert visitor_address(request("192.0.2.7", "192.0.2.9"), environ={}) == "192.0.2.7"
    # HAProxy on another machine, named by the operator.
    proxy = {"CODEV_TRUSTED_PROXY": "192.0.2.1, 192.0.2.2"}
    assert visitor_address(request("192.0.2.2", "192.0.2.9"), environ=proxy) == "192.0.2.9"


def test_a_refusal_shows_its_message_as_text() -> None:
    page = refusal_page("<script>alert(1)</script>", "fr", '"><img src=x>')
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and 'class="codev-error codev-page-error"' in page
    assert "codev-theme-light" in page


def test_the_door_checks_the_served_store_and_never_creates_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SQLiteStore(tmp_path / "store.db") as store:
        secrets = new_session(store, "classic")
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    door = Door()
    try:
        right = {"session": secrets.session_id, "code": secrets.join_code}
        assert asyncio.run(door.refusal("participant.ipynb", right)) is None
        wrong = {"session": secrets.session_id, "code": "x"}
        assert asyncio.run(door.refusal("participant.ipynb", wrong)) == "participant.bad_link"
    finally:
        door.close()
    # A store that is gone (a mistyped CODEV_STORE, a deleted file) is not made empty again.
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "gone" / "store.db"))
    door = Door()
    try:
        assert asyncio.run(door.refusal("participant.ipynb", right)) == "participant.unreachable"
    finally:
        door.close()
    assert not (tmp_path / "gone").exists()


def test_an_unreachable_store_is_not_waited_for_by_every_queued_request() -> None:
    """One request waits for the database's timeout; those queued behind it are refused at
    once for RETRY_AFTER seconds, then the store is tried again."""
    now, opened = [0.0], []

    def unreachable() -> Store:
        opened.append(now[0])
        raise StoreError("postgresql://db/codev: the database does not answer")

    door = Door(unreachable, clock=lambda: now[0])
    link = {"session": "s", "code": "c"}
    try:
        for _ in range(5):
            refusal = asyncio.run(door.refusal("participant.ipynb", link))
            assert refusal == "participant.unreachable"
        assert opened == [0.0]
        now[0] += Door.RETRY_AFTER
        assert asyncio.run(door.refusal("projector.ipynb", link)) == "participant.unreachable"
        assert opened == [0.0, Door.RETRY_AFTER]
    finally:
        door.close()


def test_a_days_pages_open_with_the_days_secrets_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The room's code opens the join page only; the lead's key the overview only; a group's
    key or code neither. Refused links cost no kernel (the door answers)."""
    with SQLiteStore(tmp_path / "store.db") as store:
        day, secrets = new_day(store)
    monkeypatch.setenv("CODEV_STORE", str(tmp_path / "store.db"))
    group = day.groups[0].session_id
    group_key = group_key_for(secrets.key, group)
    door = Door()

    def refusal(notebook: str, **query: str) -> str | None:
        return asyncio.run(door.refusal(notebook, query))

    try:
        assert refusal("join.ipynb", day=day.id, code=secrets.code) is None
        assert refusal("day.ipynb", day=day.id, key=secrets.key) is None
        room_refused, lead_refused = "join.room_bad_link", "day_overview.bad_key"
        assert refusal("join.ipynb", day=day.id, code=secrets.key) == room_refused
        assert refusal("join.ipynb", day=day.id, code=join_code_for(group_key)) == room_refused
        assert refusal("join.ipynb", day="day-other", code=secrets.code) == room_refused
        assert refusal("join.ipynb", code=secrets.code) == room_refused  # no day named
        assert refusal("join.ipynb", session=group, code=secrets.code) == room_refused
        assert refusal("day.ipynb", day=day.id, key=secrets.code) == lead_refused
        assert refusal("day.ipynb", day=day.id, key=group_key) == lead_refused
        assert refusal("day.ipynb", key=secrets.key) == "day_overview.needs_link"
        # The room's code opens no group's page, nor its console; the lead's key, every console.
        assert refusal("participant.ipynb", session=group, code=secrets.code) is not None
        assert refusal("facilitator.ipynb", session=group, key=secrets.code) is not None
        assert refusal("facilitator.ipynb", session=group, key=secrets.key) is not None
        assert refusal("facilitator.ipynb", session=group, key=group_key) is None
    finally:
        door.close()
