"""day.ipynb in JupyterLab (issue 23): without ?day= its form makes a day on a real SQLite
store and shows the day's links and overview; each bad input is one line and stores nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from codevwidgets.pages import day_page
from codevwidgets.store.base import group_key_for
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.day_form import DayForm, DayMade
from codevwidgets.widgets.day_overview import DayOverview

ROSTER = """\
group: Launch day
facilitator: Marie Curie
members:
{members}
"""


def roster_file(folder: Path, count: int = 8, name: str = "launch.yaml") -> Path:
    # Teams of two: a manager and their report, kept apart by forming the groups.
    members = "\n".join(f"  - name: Person {i}\n    team: team {i // 2}" for i in range(count))
    path = folder / name
    path.write_text(ROSTER.format(members=members), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    location = tmp_path / "store.db"
    monkeypatch.setenv("CODEV_STORE", str(location))
    monkeypatch.chdir(tmp_path)
    with SQLiteStore(location) as opened:
        yield opened


@pytest.fixture
def form(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[DayForm]:
    """day.ipynb as JupyterLab runs it: no Voilà, no query."""
    for name in ("VOILA_BASE_URL", "SERVER_SOFTWARE", "QUERY_STRING", "CODEV_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    page = day_page()
    assert isinstance(page, DayForm), page
    yield page
    page.close()


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link.replace("&amp;", "&")).query).items()}


def hrefs(widget: DayMade) -> list[str]:
    return re.findall(r'href="([^"]+)"', widget.links.value)


def made(form: DayForm) -> DayMade:
    assert form.message.value == "", form.message.value
    assert isinstance(form.result, DayMade)
    assert form.children[-1] is form.result
    return form.result


def test_in_jupyterlab_without_a_day_the_page_is_the_form(form: DayForm) -> None:
    assert "codev-day-form" in form.form._dom_classes
    assert "codev-day-make" in form.make_button._dom_classes
    assert form.result is None and form.children == (form.form,)
    assert "classic" in form.runbook.options and "troika" in form.runbook.options
    # The people field shows for --people, the names for named facilitators, only.
    assert form.people.layout.display == "none" and form.roster.layout.display is None
    form.who.value, form.facilitators.value = "people", "names"
    assert form.roster.layout.display == "none" and form.names.layout.display is None


def test_a_roster_day_is_made_stored_and_shown_with_its_links(
    form: DayForm, store: SQLiteStore, tmp_path: Path
) -> None:
    roster_file(tmp_path, 8)
    form.roster.value, form.count.value = "launch.yaml", 2  # relative to the notebook's folder
    form.submit()
    shown = made(form)
    [stored] = store.days()
    day = stored.day
    assert [len(day.members(g.number)) for g in day.groups] == [4, 4]
    assert day.lead == "Marie Curie" and day.title == "Launch day"
    for group in day.groups:  # a manager and their report are in different groups
        teams = [p.team for p in day.people if p.group == group.number]
        assert len(teams) == len(set(teams))
    lead, room, *consoles = hrefs(shown)
    assert urlsplit(lead).path == "day.ipynb" and urlsplit(room).path == "join.ipynb"
    assert query(lead)["day"] == query(room)["day"] == day.id
    assert store.check_day_key(day.id, query(lead)["key"])
    assert store.check_day_code(day.id, query(room)["code"])
    assert len(consoles) == 2
    for console, group in zip(consoles, day.groups, strict=True):
        assert query(console) == {
            "session": group.session_id,
            "key": group_key_for(query(lead)["key"], group.session_id),
        }
    # The same overview as the served page, its consoles' links the same.
    overview = shown.overview
    assert isinstance(overview, DayOverview)
    assert sorted(overview.tiles) == [1, 2]
    for console, tile in zip(consoles, overview.tiles.values(), strict=True):
        assert console.replace("&amp;", "&") in tile.console.value.replace("&amp;", "&")


def test_free_names_a_runbook_file_and_the_lead_facilitating(
    form: DayForm, store: SQLiteStore, tmp_path: Path
) -> None:
    (tmp_path / "acme.yaml").write_text("extends: troika\nclient: Acme\n", encoding="utf-8")
    form.who.value, form.people.value = "people", 9
    form.split.value, form.count.value = "size", 3
    form.runbook.value, form.facilitators.value = "acme.yaml", "lead"
    form.submit()
    made(form)
    [stored] = store.days()
    assert not stored.day.named and len(stored.day.groups) == 3
    assert stored.day.runbook_ref == str((tmp_path / "acme.yaml").resolve())
    assert all(g.facilitator is None for g in stored.day.groups)


def test_named_facilitators_and_a_second_day_replaces_the_first(
    form: DayForm, store: SQLiteStore, tmp_path: Path
) -> None:
    roster_file(tmp_path, 8)
    form.roster.value, form.count.value = "launch.yaml", 2
    form.facilitators.value, form.names.value = "names", "Person 5, Person 2"
    form.submit()
    first = made(form)
    assert [g.facilitator for g in store.days()[0].day.groups] == ["Person 5", "Person 2"]
    form.facilitators.value = "rotate"
    form.submit()
    assert made(form) is not first and len(store.days()) == 2
    # The first day's overview is closed: it follows the store no more.
    assert first.overview.comm is None


BAD = [
    ({"roster": "missing.yaml"}, r"^Not made: \S*/missing\.yaml:1: \(file\): file not found$"),
    (
        {"roster": "bad.yaml"},
        r"^Not made: \S*/bad\.yaml:4: members\[0\]\.name: is required$",
    ),
    ({"roster": ""}, r"^Not made: name the roster file, or choose a number of people$"),
    ({"count": 5}, r"^Not made: .*8 people.*5 groups.*$"),
    ({"split": "size", "count": 12}, r"^Not made: .*size.*$"),
    ({"facilitators": "names", "names": "Person 1, Nobody"}, r"^Not made: .*'Nobody'.*$"),
    ({"runbook": ""}, r"^Not made: name a runbook: a preset or a runbook file$"),
    ({"runbook": "no-such.yaml"}, r"^Not made: .*no-such\.yaml:1: \(file\): file not found$"),
    ({"who": "people", "people": 0}, r"^Not made: .*at least 1.*$"),
]


@pytest.mark.parametrize(
    ("fields", "line"),
    BAD,
    ids=[
        "no roster file",
        "a roster's unknown field",
        "no roster named",
        "too few people",
        "size outside the runbook",
        "an unknown facilitator",
        "no runbook",
        "no runbook file",
        "no people",
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(
    form: DayForm, store: SQLiteStore, tmp_path: Path, fields: dict[str, object], line: str
) -> None:
    roster_file(tmp_path, 8)
    bad = roster_file(tmp_path, 8, "bad.yaml")
    bad.write_text(bad.read_text(encoding="utf-8").replace("- name", "- nmae", 1), "utf-8")
    form.roster.value, form.count.value = "launch.yaml", 2
    for name, value in fields.items():
        getattr(form, name).value = value
    form.submit()
    said = form.message.value
    assert re.match(line, said), said
    assert "\n" not in said and "Traceback" not in said
    assert "codev-error" in form.message._dom_classes
    assert form.result is None and form.children == (form.form,)
    assert store.days() == [] and store.session_ids() == []


def test_after_a_refusal_a_good_day_clears_the_line(
    form: DayForm, store: SQLiteStore, tmp_path: Path
) -> None:
    roster_file(tmp_path, 8)
    form.roster.value, form.count.value = "launch.yaml", 5
    form.submit()
    assert form.message.value.startswith("Not made:")
    form.count.value = 2
    form.submit()
    made(form)
    assert "codev-error" not in form.message._dom_classes


@pytest.mark.parametrize(
    ("language", "title", "refused"),
    [
        ("fr", "Préparer une journée à plusieurs groupes", "Rien n'a été créé :"),
        ("de", "Einen Tag mit vielen Gruppen anlegen", "Nicht angelegt:"),
    ],
)
def test_the_form_speaks_the_notebooks_language(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, language: str, title: str, refused: str
) -> None:
    for name in ("VOILA_BASE_URL", "SERVER_SOFTWARE", "QUERY_STRING"):
        monkeypatch.delenv(name, raising=False)
    page = day_page(language)
    assert isinstance(page, DayForm)
    assert page.form.children[0].value == title
    page.runbook.value = ""
    page.submit()
    assert page.message.value.startswith(refused)
    page.close()
