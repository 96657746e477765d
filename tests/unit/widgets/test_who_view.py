"""The free name's box of "who are you?": Enter joins, as the button does; nothing else does.

The browser sends Enter in an ipywidgets ``Text`` as a ``{"event": "submit"}`` message (and
the value as it is typed); these tests send the kernel what the browser would.
"""

from __future__ import annotations

import warnings

import pytest

from codevwidgets.core.runbook import load_preset
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.who import WhoAreYou


@pytest.fixture
def who() -> WhoAreYou:
    return WhoAreYou(Texts(load_preset("classic"), "fr"), ())


def joined(who: WhoAreYou) -> list[str]:
    names: list[str] = []
    who.on_choose(names.append)
    return names


def test_enter_in_the_box_joins_under_the_name_typed(who: WhoAreYou) -> None:
    names = joined(who)
    assert who.input is not None
    who.input.value = "  Zoé  "
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated ipywidgets API on the way
        who.input._handle_custom_msg({"event": "submit"}, [])
    assert names == ["Zoé"]


def test_typing_or_leaving_the_box_does_not_join(who: WhoAreYou) -> None:
    names = joined(who)
    assert who.input is not None
    # A blur sends the value once more (a "change"), never a submit.
    for typed in ("Z", "Zo", "Zoé"):
        who.input.value = typed
    who.input._handle_custom_msg({"event": "focus"}, [])
    assert names == []
    assert who.input.continuous_update  # the value is the box's as typed when Enter comes


def test_enter_in_an_empty_box_says_why_not(who: WhoAreYou) -> None:
    names = joined(who)
    who.submit()
    assert names == []
    assert "codev-error" in who.message._dom_classes
    assert who.message.value


def test_the_box_and_its_button_share_a_row_that_wraps(who: WhoAreYou) -> None:
    rows = [c for c in who.children if "codev-who-typed" in getattr(c, "_dom_classes", ())]
    assert len(rows) == 1
    assert rows[0].children == (who.input, who.join)
