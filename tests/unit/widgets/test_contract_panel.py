"""The shared contract on a participant's view (and any page with a ``ContractPanel``): shown
from the contract step on, as text, updated in place as the console types."""

from __future__ import annotations

import ipywidgets as widgets

from codevwidgets.core.clock import FakeClock
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import load_preset
from codevwidgets.core.session import Session
from codevwidgets.widgets._view import Texts
from codevwidgets.widgets.contract import ContractPanel
from codevwidgets.widgets.participant import ParticipantView

CONTRACT = "In this session I'd like you to help me <b>keep</b> the team & its $5 budget."


def visible(widget: widgets.DOMWidget) -> bool:
    return widget.layout.display != "none"


def running(language: str = "en") -> tuple[Session, Texts]:
    book = load_preset("classic")
    session = Session(book, Roles("Ana", "Bruno", ("Chloé", "David")), FakeClock(1e9))
    session.start()
    session.set_note("presentation", "topic", "Private topic")
    session.set_note("presentation", "question", "How do I lead it?")
    return session, Texts(book, language)


def test_the_participant_sees_the_contract_from_the_contract_step_on_not_before() -> None:
    session, texts = running()
    view = ParticipantView(session, texts, "Chloé", lambda text: None)
    panel = view.contract
    assert panel in view.children
    assert not visible(panel)  # the presentation: the question is the console's notes still
    session.next()
    session.set_note("contract", "contract", "early words")
    assert not visible(panel)  # clarification: not yet
    session.next()
    assert visible(panel)
    assert panel.texts_shown == {"question": "How do I lead it?", "contract": "early words"}
    question, contract = panel.fields.values()
    assert visible(question) and visible(contract)
    assert "codev-contract-text" in contract._dom_classes
    assert "Private topic" not in str([w.value for w in panel.fields.values()])

    # The console types on: the same widgets show the new text, escaped (never HTML).
    count = len(widgets.Widget.widgets)
    session.set_note("contract", "contract", CONTRACT)
    assert len(widgets.Widget.widgets) == count
    assert panel.texts_shown["contract"] == CONTRACT
    assert "&lt;b&gt;keep&lt;/b&gt; the team &amp; its $5 budget" in contract.value
    assert "<b>" not in contract.value
    assert {"mathjax_ignore", "tex2jax_ignore"} <= set(contract._dom_classes)

    session.next()  # later steps keep it in view
    assert visible(panel) and panel.texts_shown["contract"] == CONTRACT
    session.go_to(1)  # back before the contract step: hidden again
    assert not visible(panel)
    view.close()


def test_a_blank_contract_shows_only_the_question_and_in_french() -> None:
    session, texts = running("fr")
    panel = ContractPanel(session, texts)
    session.go_to(2)
    session.set_note("contract", "contract", "   ")
    question, contract = panel.fields.values()
    assert visible(panel) and visible(question) and not visible(contract)
    assert panel.children[0].value == "Le contrat"
    assert "Question du client" in question.value
    panel.close()


def test_nothing_to_show_without_a_contract_step() -> None:
    book = load_preset("troika")
    session = Session(book, Roles("Ana", "Bruno", ("Chloé", "David")), FakeClock(1e9))
    session.start()
    panel = ContractPanel(session, Texts(book, "en"))
    session.set_note("round1_present", "round1_question", "How?")
    session.go_to(len(book.steps) - 1)
    assert not visible(panel) and panel.fields == {}
    panel.close()
