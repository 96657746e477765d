"""The runbook engine: presets, per-client files, and one located line per bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codevwidgets.core.problems import InputError
from codevwidgets.core.runbook import load_preset, load_runbook, preset_names, resolve

CLASSIC_IDS = [
    "presentation",
    "clarification",
    "contract",
    "consultation",
    "synthesis",
    "conclusion",
]


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_runbook(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("preset", "total", "minutes"),
    [
        ("classic", 95, [10, 15, 10, 30, 15, 15]),
        ("express", 60, [5, 10, 5, 20, 10, 10]),
        ("flash", 45, [5, 8, 4, 15, 7, 6]),
    ],
)
def test_presets_follow_the_method(preset: str, total: int, minutes: list[int]) -> None:
    book = load_preset(preset)
    assert [s.id for s in book.steps] == CLASSIC_IDS
    assert [s.minutes for s in book.steps] == minutes
    assert book.total_minutes == total


def test_preset_names() -> None:
    assert preset_names() == ["classic", "express", "flash", "kollegiale", "troika"]


def test_every_step_has_rules_prompts_and_reframing() -> None:
    book = load_preset("classic")
    for step in book.steps:
        assert step.speaker and step.prompts and step.reframing and step.notes
        assert step.rules.client and step.rules.advisors and step.rules.facilitator
    assert "advice" in book.text(book.step("clarification").reframing[0], "en")
    assert len(book.ground_rules) == 7


def test_titles_in_the_runbook_language(tmp_path: Path) -> None:
    path = write(tmp_path, "extends: classic\nlanguage: fr\n")
    book = load_runbook(path)
    assert book.text(book.steps[0].title) == "Exposé de la problématique"
    assert book.text(book.steps[0].title, "en") == "Presentation of the problem"


def test_client_file_overrides_adds_removes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        extends: express
        client: Acme
        language: en
        branding: {title: Acme codev, colours: {primary: "#123456"}}
        remove: [conclusion]
        steps:
          - id: consultation
            minutes: 25
            rules:
              client: {may: [Stay silent]}
          - id: checkin
            before: presentation
            minutes: 5
            title: {fr: Tour de table, en: Check-in}
          - id: break
            after: contract
            minutes: 5
            title: Break
          - id: followup
            minutes: 10
            title: Follow-up of last action plan
        """,
    )
    book = load_runbook(path)
    assert [s.id for s in book.steps] == [
        "checkin",
        "presentation",
        "clarification",
        "contract",
        "break",
        "consultation",
        "synthesis",
        "followup",
    ]
    consultation = book.step("consultation")
    assert consultation.minutes == 25
    assert book.text(consultation.title) == "Consultation"  # inherited, not overridden
    assert consultation.rules.client is not None
    assert consultation.rules.client.may == ["Stay silent"]
    assert consultation.rules.advisors is not None  # other roles inherited
    assert book.client == "Acme"
    assert book.branding.colours is not None and book.branding.colours.primary == "#123456"
    assert book.total_minutes == 5 + 5 + 10 + 5 + 5 + 25 + 10 + 10


def test_extends_a_file_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "org").mkdir()
    write(tmp_path, "extends: flash\nlanguage: fr\nclient: Org\n", "org/base.yaml")
    path = write(tmp_path, "extends: org/base.yaml\nsteps: [{id: contract, minutes: 6}]\n")
    book = load_runbook(path)
    assert book.language == "fr" and book.client == "Org"
    assert book.total_minutes == 45 + 2


def test_resolve_takes_a_preset_or_a_file(tmp_path: Path) -> None:
    assert resolve("flash").total_minutes == 45
    assert resolve(str(write(tmp_path, "extends: classic\n"))).total_minutes == 95


BAD = [
    ("syntax", "extends: classic\nsteps: [\n  - id: x\n", 3, "(file)", "YAML syntax"),
    (
        "typo",
        "extends: classic\nsteps:\n  - id: contract\n    minuts: 5\n",
        4,
        "steps[0].minuts",
        "unknown field 'minuts' (did you mean 'minutes'?)",
    ),
    ("top typo", "extend: classic\n", 1, "extend", "did you mean 'extends'?"),
    (
        "type",
        "extends: classic\nsteps:\n  - id: contract\n    minutes: ten\n",
        4,
        "steps[0].minutes",
        "must be a whole number",
    ),
    (
        "fraction",
        "extends: classic\nsteps:\n  - id: contract\n    minutes: 7.5\n",
        4,
        "steps[0].minutes",
        "whole number",
    ),
    (
        "zero",
        "extends: classic\nsteps:\n  - id: contract\n    minutes: 0\n",
        4,
        "steps[0].minutes",
        "must be at least 1, not 0",
    ),
    (
        "too long",
        "extends: classic\nsteps:\n  - id: contract\n    minutes: 241\n",
        4,
        "steps[0].minutes",
        "must be at most 240",
    ),
    (
        "dup id",
        "extends: classic\nsteps:\n  - id: contract\n  - id: contract\n",
        4,
        "steps[1].id",
        "duplicate step id 'contract'",
    ),
    ("no id", "extends: classic\nsteps:\n  - minutes: 5\n", 3, "steps[0].id", "is required"),
    ("unknown preset", "extends: clasic\n", 1, "extends", "unknown preset 'clasic'"),
    ("missing file", "extends: ./nothere.yaml\n", 1, "extends", "no runbook file"),
    (
        "after",
        "extends: classic\nsteps:\n  - id: x\n    minutes: 5\n    title: X\n    after: nope\n",
        6,
        "steps[0].after",
        "no step 'nope'",
    ),
    (
        "before",
        "extends: classic\nsteps:\n  - id: x\n    minutes: 5\n    title: X\n    before: nope\n",
        6,
        "steps[0].before",
        "no step 'nope'",
    ),
    (
        "remove",
        "extends: classic\nremove:\n  - contract\n  - nope\n",
        4,
        "remove[1]",
        "no inherited step 'nope'",
    ),
    (
        "no step",
        "extends: flash\nremove: [presentation, clarification, contract, consultation,"
        " synthesis, conclusion]\n",
        1,
        "steps",
        "no step left",
    ),
    ("nothing", "language: en\n", 1, "steps", "no step left"),
    (
        "language",
        "extends: classic\nlanguage: xx\n",
        2,
        "language",
        "unknown language 'xx' (use de, en or fr)",
    ),
    (
        "text language",
        "extends: classic\nsteps:\n  - id: contract\n    title: {xx: Vertrag}\n",
        4,
        "steps[0].title",
        "unknown language 'xx' (use de, en or fr)",
    ),
    (
        "role",
        "extends: classic\nsteps:\n  - id: contract\n    rules:\n      advisers: {may: [x]}\n",
        5,
        "steps[0].rules.advisers",
        "unknown role 'advisers' (did you mean 'advisors'?)",
    ),
    ("empty", "", 1, "(file)", "the file is empty"),
    ("comments only", "# nothing\n", 1, "(file)", "the file is empty"),
    ("list", "- a\n- b\n", 1, "(file)", "top level must be a mapping"),
    ("scalar", "hello\n", 1, "(file)", "top level must be a mapping"),
    (
        "new step",
        "extends: classic\nsteps:\n  - id: checkin\n    minutes: 5\n",
        3,
        "steps[0]",
        "new step 'checkin' needs title",
    ),
    ("dup key", "extends: classic\nlanguage: fr\nlanguage: en\n", 3, "language", "given twice"),
    (
        "bad id",
        "extends: classic\nsteps:\n  - id: Check In\n",
        3,
        "steps[0].id",
        "lowercase letters",
    ),
    (
        "colour",
        "extends: classic\nbranding:\n  colours: {primary: red}\n",
        3,
        "branding.colours.primary",
        "#rrggbb",
    ),
]


@pytest.mark.parametrize(("case", "text", "line", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_runbooks_get_one_located_line(
    tmp_path: Path, case: str, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, text)
    lines = errors(path)
    assert lines, case
    assert lines[0].startswith(f"{path}:{line}: {field}: "), lines
    assert message in lines[0], lines


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extends: classic\nsteps:\n  - id: contract\n    minuts: 5\n  - id: x\n    minutes: 0\n",
    )
    assert len(errors(path)) == 2


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    lines = errors(tmp_path / "a.yaml")
    assert len(lines) == 1
    assert ":1: extends: extends itself in a cycle: a.yaml → b.yaml → a.yaml" in lines[0]


def test_extends_itself(tmp_path: Path) -> None:
    lines = errors(write(tmp_path, "extends: client.yaml\n"))
    assert "cycle" in lines[0]


def test_error_in_the_extended_file_names_that_file(tmp_path: Path) -> None:
    base = write(
        tmp_path, "extends: classic\nsteps:\n  - id: contract\n    minutes: -1\n", "b.yaml"
    )
    lines = errors(write(tmp_path, "extends: b.yaml\n"))
    assert lines[0].startswith(f"{base}:4: steps[0].minutes: ")


def test_advice_check_option(tmp_path: Path) -> None:
    from codevwidgets.core.runbook import runbook_from_json, runbook_to_json

    assert load_preset("classic").advice_check is True
    off = write(tmp_path, "extends: classic\nadvice_check: false\n")
    assert load_runbook(off).advice_check is False
    # A file extending one that turned it off keeps it off; its own word wins.
    again = write(tmp_path, f"extends: {off.name}\n", "again.yaml")
    assert load_runbook(again).advice_check is False
    on = write(tmp_path, f"extends: {off.name}\nadvice_check: true\n", "on.yaml")
    assert load_runbook(on).advice_check is True
    (line,) = errors(write(tmp_path, "extends: classic\nadvice_check: maybe\n", "bad.yaml"))
    assert line.startswith(f"{tmp_path / 'bad.yaml'}:2: advice_check:")
    # The snapshot keeps it; one stored before the option existed loads, with it on.
    book = load_runbook(off)
    assert runbook_from_json(runbook_to_json(book)).advice_check is False
    assert book.with_language("fr").advice_check is False
    old = runbook_to_json(book).replace(',"advice_check":false', "")
    assert "advice_check" not in old
    assert runbook_from_json(old).advice_check is True


# -- a runbook whose console would never render (issue 21) -------------------------------------


def _many_steps(count: int) -> str:
    steps = "".join(f"  - {{id: s{i}, minutes: 1, title: Step {i}}}\n" for i in range(count))
    return "extends: classic\n\nsteps:\n" + steps


def test_a_runbook_with_more_steps_than_a_console_shows_is_refused(tmp_path: Path) -> None:
    from codevwidgets.core.limits import MAX_STEPS

    # The classic's six and MAX_STEPS - 5 more: one too many, said at the file's steps.
    path = write(tmp_path, _many_steps(MAX_STEPS - 5))
    assert errors(path) == [
        f"{path}:3: steps: {MAX_STEPS + 1} steps, more than the {MAX_STEPS} a runbook may have"
        " (its console would take too long to show)"
    ]


def test_a_runbook_of_as_many_steps_as_allowed_loads(tmp_path: Path) -> None:
    from codevwidgets.core.limits import MAX_STEPS

    book = load_runbook(write(tmp_path, _many_steps(MAX_STEPS - 6)))
    assert len(book.steps) == MAX_STEPS


def test_too_many_steps_inherited_are_said_at_the_file_checked(tmp_path: Path) -> None:
    from codevwidgets.core.limits import MAX_STEPS

    write(tmp_path, _many_steps(MAX_STEPS), name="base.yaml")
    path = write(tmp_path, "extends: base.yaml\nlanguage: fr\n")
    assert errors(path) == [
        f"{path}:1: steps: {MAX_STEPS + 6} steps, more than the {MAX_STEPS} a runbook may have"
        " (its console would take too long to show)"
    ]


def test_steps_may_share_fields_through_yaml_merge_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        extends: classic
        steps:
          - &short
            id: check-in
            minutes: 5
            title: Check-in
            before: presentation
          - <<: *short
            id: check-out
            title: Check-out
            before: ~
            after: conclusion
        """,
    )
    book = load_runbook(path)
    first, last = book.steps[0], book.steps[-1]
    assert (first.id, first.minutes, last.id, last.minutes) == ("check-in", 5, "check-out", 5)


def test_a_wrong_merged_field_is_said_where_it_is_written(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        extends: classic
        steps:
          - &short
            id: check-in
            minutes: five
            title: Check-in
          - <<: *short
            id: check-out
        """,
    )
    assert errors(path) == [
        f"{path}:5: steps[0].minutes: must be a whole number, not 'five'",
        f"{path}:5: steps[1].minutes: must be a whole number, not 'five'",
    ]
