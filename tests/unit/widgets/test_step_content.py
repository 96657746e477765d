"""console.during(step_id): a notebook cell's content, shown in the console during one step only
(following the store like the other views); the error box's during shows nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ipywidgets as widgets
import pytest
from IPython.display import Markdown, display

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.commands import Command
from codevwidgets.core.roster import load_roster
from codevwidgets.core.session import Session
from codevwidgets.demo import DEMO_ROSTER
from codevwidgets.pages.session import error_box
from codevwidgets.store.live import LiveLink
from codevwidgets.store.sqlite import SQLiteStore
from codevwidgets.widgets.console import FacilitatorConsole
from codevwidgets.widgets.step_content import StepContent


@pytest.fixture
def store(tmp_path: Path, session: Session, clock: FakeClock) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "store.db", clock) as store:
        store.create(session, "classic", "en")
        yield store


def console_of(store: SQLiteStore, clock: FakeClock) -> tuple[LiveLink, FacilitatorConsole]:
    """A console as a page builds it: its own connection, its own mirror, its link."""
    mine = SQLiteStore(store.path, clock)
    stored = mine.load("test", private=True)
    assert stored is not None
    link = LiveLink(
        mine, stored.session(clock), private=True, revision=stored.revision, start_thread=False
    )
    console = FacilitatorConsole(
        link.session.runbook,
        load_roster(DEMO_ROSTER),
        "en",
        clock,
        session=link.session,
        act=link.act,
    )
    console.link = link
    return link, console


def parent_of(child: widgets.Widget, root: widgets.Widget) -> widgets.Widget:
    """The box that holds ``child``, anywhere inside ``root``."""
    todo = [root]
    while todo:
        box = todo.pop()
        kids = list(getattr(box, "children", ()))
        if child in kids:
            return box
        todo += kids
    raise AssertionError(f"{child!r} is not in {root!r}")


def test_a_step_area_shows_only_while_the_session_is_at_its_step(session: Session) -> None:
    console = FacilitatorConsole(session.runbook, load_roster(DEMO_ROSTER), session=session)
    with console.during("clarification") as out:
        out.append_display_data(Markdown("Ask open questions"))
    assert isinstance(out, widgets.Output)
    content = console.step_content
    assert content.outputs == {"clarification": out}
    assert out in content.children
    # The area sits in the console, between the countdown's controls and the rules: seen
    # without scrolling (the rules of every role run long).
    column = parent_of(console.rules, console)
    assert list(column.children) == [
        console.countdown,
        console.drift,
        console.timer_controls,
        console.break_proposal,
        content,
        console.rules,
    ]
    assert not content.visible("clarification")  # not started: at no step yet
    session.start()
    assert not content.visible("clarification")  # presentation
    session.next()
    assert content.visible("clarification")
    session.pause()
    assert content.visible("clarification")  # paused, still this step
    session.resume()
    session.next()
    assert not content.visible("clarification")
    session.previous()
    assert content.visible("clarification")
    session.finish()
    assert not content.visible("clarification")  # finished: at no step
    console.close()


def test_each_step_shows_its_own_area_alone(session: Session) -> None:
    content = StepContent(session)
    with content.during("contract") as out:
        out.append_display_data(Markdown("The client's words"))
    with content.during("presentation") as out:
        out.append_display_data(Markdown("Ten minutes, no interruption"))
    # In the runbook's order, whatever the cells' order.
    assert list(content.outputs) == ["contract", "presentation"]
    assert content.children == (content.outputs["presentation"], content.outputs["contract"])
    session.start()
    assert content.visible("presentation") and not content.visible("contract")
    session.go_to(2)
    assert content.visible("contract") and not content.visible("presentation")
    session.next()  # a step with no content: the box itself is hidden (no empty margin)
    assert content.layout.display == "none"
    content.close()


def test_an_area_left_empty_shows_no_box_until_the_page_fills_it(session: Session) -> None:
    content = StepContent(session)
    with content.during("presentation") as out:
        pass  # a cell as generated
    session.start()
    assert not content.visible("presentation")
    # What the page's front end put in the area reaches the kernel as the area's state.
    out.outputs = ({"output_type": "stream", "name": "stdout", "text": "late\n"},)
    assert content.visible("presentation")
    content.close()


def test_running_a_cell_again_replaces_its_area_and_makes_no_new_one(session: Session) -> None:
    content = StepContent(session)
    with content.during("contract") as out:
        out.outputs = ({"output_type": "stream", "name": "stdout", "text": "old\n"},)
    with content.during("contract") as again:
        pass
    assert again is out and out.outputs == ()
    content.close()


def test_an_unknown_step_is_refused_with_the_known_ids(session: Session) -> None:
    console = FacilitatorConsole(session.runbook, load_roster(DEMO_ROSTER), session=session)
    with pytest.raises(ValueError, match="unknown step 'consultaton'") as info:
        console.during("consultaton")
    assert "presentation, clarification, contract, consultation, synthesis, conclusion" in str(
        info.value
    )
    assert console.step_content.outputs == {}
    console.close()


def test_the_area_follows_moves_made_by_another_console(
    store: SQLiteStore, clock: FakeClock
) -> None:
    _, laptop = console_of(store, clock)
    projector_link, projector = console_of(store, clock)
    with projector.during("clarification") as out:
        out.append_display_data(Markdown("Ask open questions"))
    laptop.roles.confirm()
    laptop.navigator.start_button.click()
    projector_link.watcher.poll()
    assert not projector.step_content.visible("clarification")
    laptop.act(Command("next", {"step": "presentation"}))
    assert not projector.step_content.visible("clarification")  # not followed yet
    projector_link.watcher.poll()
    assert projector.step_content.visible("clarification")
    laptop.act(Command("next", {"step": "clarification"}))
    projector_link.watcher.poll()
    assert not projector.step_content.visible("clarification")
    # A reload: the page built again from the store, at the step it is at.
    laptop.act(Command("previous", {"step": "contract"}))
    reloaded_link, reloaded = console_of(store, clock)
    with reloaded.during("clarification") as out:
        out.append_display_data(Markdown("Ask open questions"))
    assert reloaded.step_content.visible("clarification")
    laptop.act(Command("finish"))
    reloaded_link.watcher.poll()
    assert not reloaded.step_content.visible("clarification")
    for console in (laptop, projector, reloaded):
        console.close()


def test_closing_the_console_ends_the_areas_subscription(session: Session) -> None:
    console = FacilitatorConsole(session.runbook, load_roster(DEMO_ROSTER), session=session)
    content = console.step_content
    assert content._on_event in session._callbacks
    console.close()
    assert content._on_event not in session._callbacks


def test_the_error_boxs_during_shows_nothing_and_never_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    box = error_box(["This link is not valid."])
    with box.during("consultation"):
        print("the consultant's notes")
        display(Markdown("**for the facilitator only**"))
        made = widgets.HTML("a widget of their own")
        raise RuntimeError("a cell that fails for a visitor")
    assert capsys.readouterr().out == ""
    assert made.comm is None  # closed: a page loads every open widget of its kernel
    with box.during("no-such-step"):  # any id: the page has no steps
        pass
    assert "codev-error" in box._dom_classes
    box.close()


def test_the_kernel_itself_fills_the_area_with_what_the_block_shows(session: Session) -> None:
    """What the block displays, prints or raises is captured in the kernel and given to the
    area at the block's end: no front end (Voilà's executor mirroring each message back to the
    kernel while the cell runs) has to route it."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display

    InteractiveShell.instance()  # display() as in a kernel: through the shell's display hook
    content = StepContent(session)
    with content.during("clarification") as out:
        print("Ask open questions")
        display(Markdown("**Only during the clarification**"))
        raise RuntimeError("the consultant's own cell fails")
    kinds = [output["output_type"] for output in out.outputs]
    assert kinds == ["stream", "display_data", "error"]
    assert out.outputs[0]["text"] == "Ask open questions\n"
    assert out.outputs[1]["data"]["text/markdown"] == "**Only during the clarification**"
    assert out.outputs[2]["ename"] == "RuntimeError"
    session.start()
    session.next()
    assert content.visible("clarification")
    content.close()
