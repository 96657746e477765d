"""make_day and day_links (issue 23): a day's groups stored as sessions on both engines, and
links that open what they should, and only that."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from codevwidgets.core.day import DayError
from codevwidgets.core.roster import Member, Roster
from codevwidgets.pages.day_making import day_links, make_day
from codevwidgets.store.sql import SQLStore


def roster(count: int, facilitator: str = "rotate", group: str = "Launch day") -> Roster:
    members = [Member(name=f"Person {i}", team=f"team {i % 3}") for i in range(count)]
    return Roster.model_validate(
        {"group": group, "facilitator": facilitator, "members": members},
        context={"members_checked": True},
    )


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


def test_a_roster_day_is_stored_with_one_session_per_group_on_both_engines(
    open_test_store: Callable[..., SQLStore],
) -> None:
    store = open_test_store()
    day, _ = make_day(store, "classic", roster=roster(13, "Marie Curie"), groups=3)
    assert [len(day.members(g.number)) for g in day.groups] == [5, 4, 4]
    assert day.lead == "Marie Curie" and day.title == "Launch day" and day.language == "en"
    stored = open_test_store().load_day(day.id)  # another kernel sees it
    assert stored is not None and stored.day == day
    for group in day.groups:
        session = store.load(group.session_id, private=True)
        assert session is not None
        assert session.roster is not None
        assert session.roster.names == day.members(group.number)
        assert session.runbook.name == "classic"
        # Its first roles name its people (pages show them), one of them facilitating.
        roles = session.session().roles
        assert roles is not None and roles.facilitator == group.facilitator
        people = [roles.facilitator, roles.client, *roles.advisors]
        assert sorted(people) == sorted(day.members(group.number))


def test_the_links_open_the_overview_the_room_and_each_groups_console_only(
    open_test_store: Callable[..., SQLStore],
) -> None:
    store = open_test_store()
    day, secrets = make_day(store, "classic", roster=roster(8), size=4)
    links = day_links(day, secrets, "http://room:8866/")
    assert links.lead.startswith("http://room:8866/voila/render/day.ipynb?")
    assert links.room.startswith("http://room:8866/voila/render/join.ipynb?")
    lead, room = query(links.lead), query(links.room)
    assert lead["day"] == room["day"] == day.id
    assert store.check_day_key(day.id, lead["key"])
    assert store.check_day_code(day.id, room["code"])
    assert not store.check_day_key(day.id, room["code"])  # the room's code is no key
    assert not store.check_day_code(day.id, lead["key"])
    assert [(n, f) for n, f, _ in links.consoles] == [(1, "Person 0"), (2, "Person 1")]
    keys = []
    for (_, _, console), group in zip(links.consoles, day.groups, strict=True):
        assert console.startswith("http://room:8866/voila/render/facilitator.ipynb?")
        params = query(console)
        assert params["session"] == group.session_id
        assert store.check_key(group.session_id, params["key"])
        keys.append(params["key"])
    # A group's key opens its own group only.
    assert not store.check_key(day.groups[1].session_id, keys[0])
    assert not store.check_day_key(day.id, keys[0])


def test_without_a_server_the_links_are_the_pages_own(
    open_test_store: Callable[..., SQLStore],
) -> None:
    """day.ipynb's form in JupyterLab: links beside the page, or the room's public address."""
    day, secrets = make_day(open_test_store(), "classic", people=8, groups=2)
    relative = day_links(day, secrets, environ={})
    assert relative.room.startswith("join.ipynb?day=")
    public = day_links(day, secrets, environ={"CODEV_PUBLIC_URL": "https://codev.example.org"})
    assert public.lead.startswith("https://codev.example.org/voila/render/day.ipynb?day=")


@pytest.mark.parametrize(
    ("language", "word"), [("en", "Lead"), ("fr", "Responsable"), ("de", "Leitung")]
)
def test_a_day_without_an_outside_lead_is_led_by_a_neutral_word(
    open_test_store: Callable[..., SQLStore], language: str, word: str
) -> None:
    store = open_test_store()
    # The roster's facilitator is a member: naming them lead of every group would be wrong.
    named, _ = make_day(store, "classic", roster=roster(8, "Person 3"), groups=2, language=language)
    assert named.lead == word and named.language == language
    rotating, _ = make_day(store, "classic", roster=roster(8), groups=2, language=language)
    assert rotating.lead == word
    free, _ = make_day(store, "troika", people=9, size=3, language=language)
    assert free.lead == word
    assert [g.facilitator for g in free.groups] == [None, None, None]


def test_free_names_and_a_runbook_file(
    open_test_store: Callable[..., SQLStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "acme.yaml"
    book.write_text("extends: express\nclient: Acme\nlanguage: fr\n", encoding="utf-8")
    store = open_test_store()
    monkeypatch.chdir(tmp_path)  # named as typed, stored as where it is: servers elsewhere
    day, _ = make_day(store, "acme.yaml", people=10, size=5, facilitators="lead")
    assert day.runbook_ref == str(book.resolve()) and day.language == "fr"
    assert not day.named and day.expected == 10 and len(day.groups) == 2
    for group in day.groups:
        stored = store.load(group.session_id, private=True)
        assert stored is not None and stored.roster is None
        assert stored.runbook.total_minutes == 60


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"people": 7, "groups": 2}, "7 people in 2 groups makes groups of 3 to 4"),
        ({"people": 12, "size": 9}, "--size 9 is outside this runbook's group sizes, 4 to 8"),
        ({"people": 0, "groups": 1}, "--people must be at least 1, got 0"),
        ({"people": 8, "groups": 2, "facilitators": "rotate"}, "free names (--people) have"),
        ({"people": 8, "groups": 2, "language": "xx"}, "unknown language 'xx'"),
        ({"groups": 2, "size": 4, "people": 8}, "not both"),
        ({"groups": 2}, "give a roster (--roster) or a number of people (--people)"),
    ],
)
def test_a_day_that_cannot_be_formed_is_one_line_and_stores_nothing(
    open_test_store: Callable[..., SQLStore], kwargs: dict[str, object], message: str
) -> None:
    store = open_test_store()
    with pytest.raises(DayError) as raised:
        make_day(store, "classic", **kwargs)  # type: ignore[arg-type]
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert store.days() == [] and store.session_ids() == []


def test_an_unknown_facilitator_stores_nothing(open_test_store: Callable[..., SQLStore]) -> None:
    store = open_test_store()
    with pytest.raises(DayError, match="'Nobody' is not in the roster"):
        make_day(store, "classic", roster=roster(10), groups=2, facilitators="Person 1,Nobody")
    assert store.days() == [] and store.session_ids() == []
