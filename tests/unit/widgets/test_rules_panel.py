"""The rules panel: current step's rules per role, prompts, reframing in one click."""

from __future__ import annotations

from codevwidgets.core.runbook import Runbook
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.rules import RulesPanel


def test_rules_follow_the_step(session: Session) -> None:
    panel = RulesPanel(session, Texts(session.runbook, "en"))
    assert "codev-rules" in panel._dom_classes
    assert "The client speaks" in panel.speaker.value
    session.start()
    session.next()
    assert "Advisors ask, the client answers" in panel.speaker.value
    assert "Give advice or solutions." in panel.roles_html.value
    assert "May not" in panel.roles_html.value


def test_reframing_prompt_in_one_click(session: Session) -> None:
    panel = RulesPanel(session, Texts(session.runbook, "en"))
    session.start()
    session.next()
    buttons = panel.reframing.children[1:]
    assert buttons[0].description == "That sounds like advice — can you make it a question?"
    buttons[0].click()
    assert panel.spoken.value == buttons[0].description
    session.next()
    assert panel.spoken.value == ""


def test_one_role_only_and_in_french(session: Session) -> None:
    panel = RulesPanel(session, Texts(session.runbook, "fr"), role="client", with_prompts=False)
    session.start()
    session.go_to(3)
    assert "Répondre, se justifier ou se défendre." in panel.roles_html.value
    assert "Consultants" not in panel.roles_html.value
    # Who speaks is in the same widget: one message per step change, not two.
    assert panel.roles_html.value.startswith('<div class="codev-speaker"><b>')
    assert panel.speaker not in panel.children


def test_the_note_taker_reads_the_advisors_rules_too(session: Session) -> None:
    # The note-taker is one of the advisors: no advice in the clarification holds for them.
    panel = RulesPanel(session, Texts(session.runbook, "en"), role="note_taker")
    session.start()
    session.next()
    assert "Give advice or solutions." in panel.roles_html.value
    assert "Note the questions and new facts." in panel.roles_html.value
    assert "Answer the questions, briefly." not in panel.roles_html.value


def test_runbook_text_is_escaped(classic: Runbook, clock) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from codevwidgets.core.roles import Roles

    step = dataclasses.replace(classic.steps[0], speaker="<script>alert(1)</script>")
    book = dataclasses.replace(classic, steps=(step, *classic.steps[1:]))
    session = Session(book, Roles("A", "B", ("C", "D")), clock)
    panel = RulesPanel(session, Texts(book, "en"))
    assert "<script>" not in panel.speaker.value
    assert "&lt;script&gt;" in panel.speaker.value
    participant = RulesPanel(session, Texts(book, "en"), role="client", with_prompts=False)
    assert "<script>" not in participant.roles_html.value
    assert "&lt;script&gt;" in participant.roles_html.value
