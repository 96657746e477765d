from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from codevwidgets.core.problems import InputError
from codevwidgets.core.roster import Member, Roster, load_roster

GOOD = """\
group: Managers
facilitator: rotate
members:
  - name: Ana
    email: ana@example.org
  - name: Bea
  - name: Cy
  - name: Dee
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_roster(path)
    prefix = f"{path}:"
    lines = str(info.value).splitlines()
    assert all(line.startswith(prefix) for line in lines)
    return [line.removeprefix(prefix) for line in lines]


def members(count: int, indent: str = "  ") -> str:
    return "".join(f"{indent}- name: M{i}\n" for i in range(count))


def test_good_roster_loads(tmp_path: Path) -> None:
    roster = load_roster(write(tmp_path, GOOD))
    assert roster.group == "Managers"
    assert roster.rotates
    assert roster.names == ["Ana", "Bea", "Cy", "Dee"]
    assert roster.members[0].email == "ana@example.org"
    assert roster.members[1].email is None


def test_names_and_facilitator_are_stripped(tmp_path: Path) -> None:
    text = "group: ' G '\nfacilitator: ' Dee '\nmembers:\n" + members(3)
    roster = load_roster(write(tmp_path, text))
    assert (roster.group, roster.facilitator, roster.rotates) == ("G", "Dee", False)


def test_rotate_is_case_insensitive(tmp_path: Path) -> None:
    text = "group: G\nfacilitator: Rotate\nmembers:\n" + members(4)
    assert load_roster(write(tmp_path, text)).rotates


@pytest.mark.parametrize("count", [3, 12])
def test_member_count_bounds_accepted(tmp_path: Path, count: int) -> None:
    # Three members make a session only with a facilitator from outside the group.
    text = "group: G\nfacilitator: Dee\nmembers:\n" + members(count)
    assert len(load_roster(write(tmp_path, text)).members) == count


@pytest.mark.parametrize(("count", "found"), [(2, "found 2"), (13, "found 13")])
def test_member_count_out_of_bounds(tmp_path: Path, count: int, found: str) -> None:
    text = "group: G\nfacilitator: rotate\n\nmembers:\n" + members(count)
    assert errors(tmp_path, text) == [f"4: members: a group needs 3 to 12 members, {found}"]


def test_empty_members_list(tmp_path: Path) -> None:
    text = "group: G\nfacilitator: rotate\nmembers: []\n"
    assert errors(tmp_path, text) == ["3: members: a group needs 3 to 12 members, found none"]


def test_members_missing(tmp_path: Path) -> None:
    assert errors(tmp_path, "group: G\nfacilitator: rotate\n") == ["1: members: is required"]


def test_members_empty_value(tmp_path: Path) -> None:
    text = "group: G\nfacilitator: rotate\nmembers:\n"
    assert errors(tmp_path, text) == ["3: members: must be a list"]


def test_group_missing(tmp_path: Path) -> None:
    text = "facilitator: rotate\nmembers:\n" + members(4)
    assert errors(tmp_path, text) == ["1: group: is required"]


def test_group_blank(tmp_path: Path) -> None:
    text = "group: '  '\nfacilitator: rotate\nmembers:\n" + members(4)
    assert errors(tmp_path, text) == ["1: group: must not be empty"]


def test_facilitator_missing(tmp_path: Path) -> None:
    text = "group: G\nmembers:\n" + members(3)
    assert errors(tmp_path, text) == ["1: facilitator: is required"]


def test_duplicate_names_point_at_second_occurrence(tmp_path: Path) -> None:
    text = GOOD + "  - name: ' bea '\n"
    assert errors(tmp_path, text) == ["9: members[4].name: 'bea' is already listed as members[1]"]


def test_unknown_top_level_key_gets_hint(tmp_path: Path) -> None:
    text = GOOD + "gruop: Other\n"
    assert errors(tmp_path, text) == ["9: gruop: unknown field 'gruop' (did you mean 'group'?)"]


def test_unknown_member_key_gets_hint(tmp_path: Path) -> None:
    text = GOOD.replace("    email:", "    emial:")
    assert errors(tmp_path, text) == [
        "5: members[0].emial: unknown field 'emial' (did you mean 'email'?)"
    ]


def test_bad_email(tmp_path: Path) -> None:
    text = GOOD.replace("ana@example.org", "ana.example.org")
    assert errors(tmp_path, text) == [
        "5: members[0].email: 'ana.example.org' is not an email address (no '@')"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("group: 12\nfacilitator: rotate\nmembers:\n" + members(4), "1: group: must be text"),
        ("group: G\nfacilitator: rotate\nmembers: Ana\n", "3: members: must be a list"),
        (
            "group: G\nfacilitator: rotate\nmembers:\n  - Ana\n"
            "  - name: B\n  - name: C\n  - name: D\n",
            "4: members[0]: must be a mapping of fields",
        ),
        (
            "group: G\nfacilitator: rotate\nmembers:\n  - name: [A]\n"
            "  - name: B\n  - name: C\n  - name: D\n",
            "4: members[0].name: must be text",
        ),
    ],
)
def test_wrong_types(tmp_path: Path, text: str, expected: str) -> None:
    (problem,) = errors(tmp_path, text)
    assert problem.startswith(expected)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = "group: G\ngroup: H\nfacilitator: rotate\nmembers:\n" + members(4)
    assert errors(tmp_path, text) == ["2: group: is given more than once"]


def test_all_problems_reported_in_line_order(tmp_path: Path) -> None:
    text = "gruop: G\nfacilitator: rotate\nmembers:\n  - name: A\n    email: x\n  - name: a\n"
    assert errors(tmp_path, text) == [
        "1: group: is required",
        "1: gruop: unknown field 'gruop' (did you mean 'group'?)",
        "3: members: a group needs 3 to 12 members, found 2",
        "5: members[0].email: 'x' is not an email address (no '@')",
        "6: members[1].name: 'a' is already listed as members[0]",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "1: (file): the file is empty"),
        ("# only a comment\n", "1: (file): the file is empty"),
        ("\n- Ana\n- Bea\n", "2: (file): the top level must be a mapping of fields"),
        ("group: G\nmembers: [Ana\n", "3: (file): YAML syntax"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, expected: str) -> None:
    (problem,) = errors(tmp_path, text)
    assert problem.startswith(expected)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError, match=r"nope\.yaml:1: \(file\): file not found"):
        load_roster(path)


def test_model_checks_count_and_names_when_built_in_python() -> None:
    with pytest.raises(ValidationError, match="3 to 12 members"):
        Roster(group="G", facilitator="rotate", members=[Member(name="A")])
    with pytest.raises(ValidationError, match="listed twice"):
        Roster(
            group="G",
            facilitator="rotate",
            members=[Member(name=n) for n in ("A", "B", "a ")],
        )


# -- rosters that load but could never start a session (issue 21) ------------------------------


@pytest.mark.parametrize(
    ("facilitator", "expected"),
    [
        (
            "rotate",
            "2: facilitator: with rotate, a session needs 4 members (a client, a facilitator"
            " from the group and 2 advisors), found 3",
        ),
        (
            "M1",
            "2: facilitator: with a member as facilitator, a session needs 4 members (a client,"
            " a facilitator from the group and 2 advisors), found 3",
        ),
    ],
)
def test_a_group_too_small_to_hold_a_session_is_refused(
    tmp_path: Path, facilitator: str, expected: str
) -> None:
    text = f"group: G\nfacilitator: {facilitator}\nmembers:\n" + members(3)
    assert errors(tmp_path, text) == [expected]


def test_three_members_hold_a_session_with_a_facilitator_from_outside(tmp_path: Path) -> None:
    text = "group: G\nfacilitator: Dee\nmembers:\n" + members(3)
    assert load_roster(write(tmp_path, text)).facilitator == "Dee"


def test_a_member_as_facilitator_is_matched_as_joining_matches_names(tmp_path: Path) -> None:
    text = "group: G\nfacilitator: ' m1 '\nmembers:\n" + members(3)
    assert errors(tmp_path, text)[0].startswith("2: facilitator: with a member as facilitator")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("A" * 101, "is 101 characters long; a name has at most 100"),
        ("Ana\u200bLopez", "holds an invisible character U+200B (ZERO WIDTH SPACE): remove it"),
        (
            "Ana\u202eLopez",
            "holds an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE): remove it",
        ),
        ("Ana\\nLopez", "holds a line break: a name is one line"),
        ("Ana\\u2028Lopez", "holds a line break: a name is one line"),
        ("Ana\\tLopez", "holds a control character U+0009: remove it"),
        ("Ana\\x1b[2JLopez", "holds a control character U+001B: remove it"),
    ],
)
def test_a_name_whose_personal_link_could_never_work_is_refused(
    tmp_path: Path, name: str, expected: str
) -> None:
    text = f'group: G\nfacilitator: rotate\nmembers:\n{members(4)}  - name: "{name}"\n'
    assert errors(tmp_path, text) == [f"8: members[4].name: {expected}"]


def test_a_name_of_100_characters_is_accepted(tmp_path: Path) -> None:
    text = f"group: G\nfacilitator: rotate\nmembers:\n{members(4)}  - name: {'A' * 100}\n"
    assert load_roster(write(tmp_path, text)).names[-1] == "A" * 100


def test_the_facilitators_name_follows_the_same_rule(tmp_path: Path) -> None:
    text = 'group: G\nfacilitator: "Dee\\u200b"\nmembers:\n' + members(3)
    assert errors(tmp_path, text) == [
        "2: facilitator: holds an invisible character U+200B (ZERO WIDTH SPACE): remove it"
    ]


def test_members_may_share_fields_through_yaml_merge_keys(tmp_path: Path) -> None:
    text = (
        "group: G\nfacilitator: rotate\nmembers:\n"
        "  - &acme {name: Ana, email: team@acme.example}\n"
        "  - {<<: *acme, name: Bea}\n  - {name: Cy}\n  - {name: Dee}\n"
    )
    roster = load_roster(write(tmp_path, text))
    assert [m.email for m in roster.members][:2] == ["team@acme.example"] * 2


def test_a_days_roster_lists_everyone_with_their_team(tmp_path: Path) -> None:
    people = "".join(
        f"  - {{name: M{i}, team: ' {'Sales' if i % 3 else ''} '}}\n" for i in range(48)
    )
    path = write(tmp_path, "group: Launch day\nfacilitator: Maud\nmembers:\n" + people)
    roster = load_roster(path, most=200)
    assert len(roster.members) == 48
    assert roster.members[1].team == "Sales" and roster.members[0].team is None  # blank: none
    with pytest.raises(InputError, match="members: a day needs 3 to 200 members, found 201"):
        load_roster(
            write(tmp_path, "group: G\nfacilitator: Maud\nmembers:\n" + members(201)), most=200
        )
    # One session's roster still holds at most 12.
    assert errors(tmp_path, "group: G\nfacilitator: rotate\nmembers:\n" + members(48)) == [
        "3: members: a group needs 3 to 12 members, found 48"
    ]
