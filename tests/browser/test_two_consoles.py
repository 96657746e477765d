"""Two facilitator tabs on one link (a laptop and the room's projector) run a session together.

Both consoles follow the store and both act, turn and turn about. Participants must only ever
see the steps the consoles chose, each move must be made once, and nothing anybody typed may
be lost. A click from a tab that has not caught up with the other must be refused, not
applied to a step its person never saw.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_live_session import (
    FOLLOW_TIMEOUT_MS,
    LOAD_TIMEOUT_MS,
    NOTEBOOKS,
    contexts,
    new_session,
    remaining,
    start,
    submit,
    title,
    wait_contribution,
    wait_running,
    wait_title,
)

from codevwidgets.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from codevwidgets.server.serve import VoilaProcess
    from codevwidgets.store.base import Secrets

pytestmark = pytest.mark.browser

STEPS = {
    "presentation": "Presentation of the problem",
    "clarification": "Clarifying questions",
    "contract": "Consultation contract",
    "consultation": "Consultation",
    "synthesis": "Synthesis and action plan",
    "conclusion": "Learnings and evaluation",
}
MOVED_ON = "Another console has moved the session on (now at step {number}); nothing was changed"
STEP_MOVES = {"start", "next", "previous", "go_to", "finish"}
KERNEL_SOCKET = re.compile(r"/api/kernels/[^/]+/channels")

# Every title the page shows, in order, as the page showed it (not as a poll happened to see
# it): a step shown for a few milliseconds and replaced is still recorded.
RECORD_TITLES = """() => {
  const titles = (window.__titles = []);
  const record = () => {
    const node = document.querySelector('.codev-step-title');
    const text = node ? node.textContent.trim() : null;
    if (text && titles[titles.length - 1] !== text) titles.push(text);
  };
  record();
  new MutationObserver(record).observe(document.body,
    {childList: true, subtree: true, characterData: true});
}"""

# Clicks the button matching ``selector`` (and ``text``, if given) at the epoch millisecond
# ``at``: pages given the same ``at`` click within a millisecond or two, as two people at once.
CLICK_AT = """([selector, text, at]) => {
  const button = [...document.querySelectorAll(selector)]
    .find(b => text === null || b.textContent.trim() === text);
  if (!button) throw new Error(`no ${selector} ${text ?? ''}`);
  setTimeout(() => button.click(), Math.max(0, at - Date.now()));
}"""


# -- helpers -------------------------------------------------------------------------------


def open_pages(specs: list[tuple[Any, str, list[str] | None]]) -> list[Any]:
    """Pages ``(context, url, dialogs)`` loaded side by side (their kernels start together)."""
    pages = []
    for context, url, dialogs in specs:
        page = context.new_page()
        if dialogs is not None:

            def on_dialog(dialog: Any, seen: list[str] = dialogs) -> None:
                # An alert() means some HTML a person typed ran as code.
                seen.append(str(dialog.message))
                dialog.dismiss()

            page.on("dialog", on_dialog)
        page.goto(url, wait_until="commit")
        pages.append(page)
    for page in pages:
        # A participant link without a name first asks who (see answer_who).
        page.wait_for_selector(".codev-timer, .codev-who", timeout=LOAD_TIMEOUT_MS)
    return pages


def answer_who(page: Any, name: str) -> None:
    """A page that asks "who are you?" (no roster: a free name) answered with ``name``."""
    page.fill(".codev-who-input input", name)
    page.click(".codev-who-join")
    page.wait_for_selector(".codev-timer", timeout=LOAD_TIMEOUT_MS)


def console_url(server: VoilaProcess, secrets: Secrets) -> str:
    return server.url("facilitator.ipynb", session=secrets.session_id, key=secrets.facilitator_key)


def participant_url(server: VoilaProcess, secrets: Secrets, **query: str) -> str:
    return server.url(
        "participant.ipynb", session=secrets.session_id, code=secrets.join_code, **query
    )


def click_together(*clicks: tuple[Any, str, str | None]) -> None:
    """Each ``(page, selector, text)`` clicked at one shared instant, a moment from now
    (``text``: the button's, when the selector matches several)."""
    at = time.time() * 1000 + 400
    for page, selector, text in clicks:
        page.evaluate(CLICK_AT, [selector, text, at])


def ask_next(page: Any, selector: str = ".codev-next-step") -> None:
    """Click next (or finish) with time left: the page then asks to confirm."""
    page.click(selector)
    page.locator(".codev-confirm").wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)


def move_on(page: Any) -> None:
    ask_next(page)
    page.click(".codev-confirm")


def message(page: Any, where: str = ".codev-navigator") -> str:
    return str(page.text_content(f"{where} .codev-error") or "").strip()


def refused_one(pages: tuple[Any, ...], timeout: float = 10.0) -> Any:
    """The one page among ``pages`` whose navigator says its move was refused."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        said = [p for p in pages if message(p)]
        if said:
            assert len(said) == 1, [message(p) for p in pages]
            return said[0]
        pages[0].wait_for_timeout(50)
    raise AssertionError("neither console said its move was refused")


def stored_state(db: Path, session_id: str) -> dict[str, Any]:
    with SQLiteStore(db) as store:
        stored = store.load(session_id, private=False)
    assert stored is not None
    return stored.state


def step_moves(db: Path, session_id: str) -> list[tuple[str, str | None]]:
    """The store's log of step moves: ``(command, step it was sent from)``."""
    with SQLiteStore(db) as store:
        events = store.events(session_id)
    return [(kind, data.get("step")) for _, kind, data in events if kind in STEP_MOVES]


def wait_remaining_above(page: Any, seconds: int) -> None:
    page.wait_for_function(
        "s => Number(document.querySelector('.codev-timer')?.dataset.remaining) > s",
        arg=seconds,
        timeout=FOLLOW_TIMEOUT_MS,
    )


def wait_value(page: Any, selector: str, value: str) -> None:
    page.wait_for_function(
        "([s, v]) => document.querySelector(s)?.value === v",
        arg=[selector, value],
        timeout=FOLLOW_TIMEOUT_MS,
    )


def note(field: str) -> str:
    return f".codev-note-{field} textarea"


def note_box(page: Any, field: str) -> Any:
    """One note field's box: its text, and the notice shown when another console replaced it."""
    return page.locator(f".widget-vbox:has(> .codev-note-{field})")


def timer_button(page: Any, text: str) -> Any:
    return page.locator(".codev-timer-controls button", has_text=text)


def titles(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__titles"))


class Frozen:
    """Holds back what a page's kernel sends it, while letting the page's clicks through.

    A tab that has not caught up yet (a projector on a slow network, a page still drawing):
    its kernel has followed the store, the page still shows what it showed.
    """

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frozen = False
        self.held: list[str | bytes] = []
        self.to_page: list[Any] = []
        page.route_web_socket(KERNEL_SOCKET, self._route)

    def _route(self, socket: Any) -> None:
        server = socket.connect_to_server()
        self.to_page.append(socket)
        server.on_message(lambda data: self._from_kernel(socket, data))

    def _from_kernel(self, socket: Any, data: str | bytes) -> None:
        if self.frozen:
            self.held.append(data)
        else:
            socket.send(data)

    def freeze(self) -> None:
        assert len(self.to_page) == 1, "one kernel socket per page"
        self.frozen = True

    def sent(self, text: str) -> bool:
        """Whether the kernel has sent ``text`` that the page has not received."""
        needle = text.encode()
        return any(needle in (d if isinstance(d, bytes) else d.encode()) for d in self.held)

    def wait(self, done: Callable[[], bool], timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while not done():
            if time.monotonic() > end:
                raise TimeoutError("timed out while the page was frozen")
            self.page.wait_for_timeout(20)

    def thaw(self) -> None:
        # Still frozen while the backlog goes out, so anything new queues behind it.
        while self.held:
            self.to_page[0].send(self.held.pop(0))
        self.frozen = False


# -- tests ---------------------------------------------------------------------------------


def test_laptop_and_projector_run_a_whole_session(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    sid = secrets.session_id
    db = Path(server.env["CODEV_STORE"])
    dialogs: list[str] = []
    chosen = [STEPS["presentation"]]  # the steps the consoles chose, in order
    moves: list[tuple[str, str | None]] = []  # the step moves meant, as the store logs them

    def moved(kind: str, from_step: str | None, to_step: str | None) -> None:
        moves.append((kind, from_step))
        if to_step is not None:
            chosen.append(STEPS[to_step])
            for page in everyone:
                wait_title(page, STEPS[to_step])

    phone = {"viewport": {"width": 390, "height": 844}}
    projector = {"viewport": {"width": 1920, "height": 1080}}
    with contexts(chromium, {}, projector, {}, phone) as (desk, wall, laptop, mobile):
        # a: the facilitator's laptop; b: the room's projector, on the same link.
        a, b, chloe, someone = open_pages(
            [
                (desk, console_url(server, secrets), None),
                (wall, console_url(server, secrets), None),
                (laptop, participant_url(server, secrets, name="Chloé"), dialogs),
                (mobile, participant_url(server, secrets), dialogs),  # no name given
            ]
        )
        answer_who(someone, "Sam")  # the page asks first, then shows the session
        consoles, people = (a, b), (chloe, someone)
        everyone = (*consoles, *people)
        for page in everyone:
            page.evaluate(RECORD_TITLES)
            assert title(page) == STEPS["presentation"]
        for page in consoles:
            page.wait_for_selector(".codev-navigator", timeout=LOAD_TIMEOUT_MS)

        # 1. The laptop starts; the projector shows step 1 running, without a reload.
        start(a)
        moved("start", None, None)
        for page in (b, *people):
            wait_running(page)
            wait_title(page, STEPS["presentation"])
        b.locator(".codev-start").wait_for(state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        b.locator(".codev-next-step").wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)

        # Both type at once, in different fields of step 1: both texts are kept.
        topic, headline = "Reorganising my team", "A team of twelve, two sites"
        for n in range(4, len(headline) + 4, 4):
            a.fill(note("topic"), topic[:n])
            b.fill(note("headline"), headline[:n])
        wait_value(a, note("headline"), headline)
        wait_value(b, note("topic"), topic)

        # Both type in one field: the last one wins; the other box says so and can undo it.
        a.fill(note("question"), "From the laptop")
        wait_value(b, note("question"), "From the laptop")
        assert note_box(b, "question").locator(".codev-note-replaced").is_hidden()
        b.fill(note("question"), "From the projector")
        wait_value(a, note("question"), "From the projector")
        replaced = note_box(a, "question").locator(".codev-note-replaced")
        replaced.wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)
        assert note_box(b, "question").locator(".codev-note-replaced").is_hidden()
        note_box(a, "question").locator(".codev-note-restore").click()
        wait_value(b, note("question"), "From the laptop")
        replaced = note_box(b, "question").locator(".codev-note-replaced")
        replaced.wait_for(state="visible", timeout=FOLLOW_TIMEOUT_MS)

        # 2. The projector moves on; the laptop and everyone follow.
        move_on(b)
        moved("next", "presentation", "clarification")

        # Participants' questions reach both consoles.
        chloe.wait_for_selector(".codev-contribution-input textarea", state="visible")
        submit(chloe, "How big is the team?")
        # Stored before the second is sent: the record's order below is the order they came.
        wait_contribution(everyone[0], "How big is the team?")
        submit(someone, "Since when?")
        for page in everyone:
            wait_contribution(page, "How big is the team?")
            wait_contribution(page, "Since when?")

        # The projector gives one more minute: every countdown shows it, on the same step.
        wait_running(a)
        before = {page: remaining(page) for page in everyone}
        timer_button(b, "+1 min").click()
        for page in everyone:
            wait_remaining_above(page, before[page] + 45)
            assert title(page) == STEPS["clarification"]
        a.fill(note("questions"), "Team size; since when")

        # 3. The projector asks to move on; before it confirms, the laptop moves on: the
        # projector's question is withdrawn (it shows step 3), nothing else moves.
        ask_next(b)
        move_on(a)
        moved("next", "clarification", "contract")
        b.locator(".codev-confirm").wait_for(state="hidden", timeout=FOLLOW_TIMEOUT_MS)
        assert message(b) == ""
        assert stored_state(db, sid)["index"] == 2

        # The laptop pauses, the projector resumes.
        timer_button(a, "Pause").click()
        for page in everyone:
            page.wait_for_selector(".codev-timer--paused", timeout=FOLLOW_TIMEOUT_MS)
        timer_button(b, "Resume").click()
        for page in everyone:
            wait_running(page)
        b.fill(note("contract"), "Help me choose between two structures")

        # 4. The projector moves on; the idea of a participant who typed a name reaches both
        # consoles.
        move_on(b)
        moved("next", "contract", "consultation")
        someone.wait_for_selector(".codev-contribution-input textarea", state="visible")
        submit(someone, "Try one site first")
        for page in everyone:
            wait_contribution(page, "Try one site first")

        # The laptop goes back a step, the projector forward again, the laptop on to step 5.
        a.click(".codev-previous-step")
        moved("previous", "consultation", "contract")
        move_on(b)
        moved("next", "contract", "consultation")
        move_on(a)
        moved("next", "consultation", "synthesis")
        b.fill(note("actions"), "Visit the second site")

        # 5. The projector moves to the last step; a learning and an evaluation arrive.
        move_on(b)
        moved("next", "synthesis", "conclusion")
        chloe.wait_for_selector(".codev-contribution-input textarea", state="visible")
        submit(chloe, "Asking before advising")
        chloe.locator(".codev-evaluation button", has_text="4").click()
        for page in everyone:
            wait_contribution(page, "Asking before advising")
        for page in consoles:
            page.wait_for_selector(".codev-evaluation-summary", timeout=FOLLOW_TIMEOUT_MS)

        # 6. Both consoles finish at the same instant: finished once, the other refused.
        ask_next(a, ".codev-finish")
        ask_next(b, ".codev-finish")
        click_together((a, ".codev-confirm", None), (b, ".codev-confirm", None))
        moved("finish", "conclusion", None)
        for page in consoles:
            page.wait_for_selector(".codev-timer--finished", timeout=FOLLOW_TIMEOUT_MS)
        for page in people:  # a participant's page says the session has ended, not a timer
            page.wait_for_selector(".codev-ended", timeout=FOLLOW_TIMEOUT_MS)
        loser = refused_one(consoles)
        assert message(loser).startswith(MOVED_ON.format(number=6)), message(loser)
        assert title(loser) == STEPS["conclusion"]
        assert loser.locator(".codev-confirm").is_hidden()
        state = stored_state(db, sid)
        assert (state["index"], state["status"]) == (5, "finished")

        # Every page showed exactly the steps the consoles chose, in order: none skipped,
        # none twice in a row, none that nobody chose (a stale tab's step 1, say).
        for page in everyone:
            assert titles(page) == chosen, (page.url, titles(page))
            assert "Traceback" not in page.content()
        assert dialogs == []

    with SQLiteStore(db) as store:
        notes = store.notes(sid)
        contributions = store.contributions(sid, include_hidden=True)
        events = store.events(sid)
    # Nothing typed was lost: every note field as last typed, every contribution.
    assert notes == {
        "presentation": {"topic": topic, "headline": headline, "question": "From the laptop"},
        "clarification": {"questions": "Team size; since when"},
        "contract": {"contract": "Help me choose between two structures"},
        "synthesis": {"actions": "Visit the second site"},
    }
    assert [(c.step_id, c.author, c.text, c.kind) for c in contributions] == [
        ("clarification", "Chloé", "How big is the team?", "questions"),
        ("clarification", "Sam", "Since when?", "questions"),
        ("consultation", "Sam", "Try one site first", "ideas"),
        ("conclusion", "Chloé", "Asking before advising", "learnings"),
        ("conclusion", "Chloé", "4", "evaluation"),
    ]
    # One step move logged per move meant, each from the step its console showed.
    assert step_moves(db, sid) == moves
    kinds = [kind for _, kind, _ in events]
    assert [data for _, kind, data in events if kind == "extend"] == [
        {"step": "clarification", "minutes": 1}
    ]
    assert (kinds.count("pause"), kinds.count("resume")) == (1, 1)
    assert stored_state(db, sid)["extra"] == dict.fromkeys(STEPS, 0.0) | {"clarification": 60.0}


def test_a_click_from_a_tab_that_has_not_caught_up_is_refused(
    chromium: Any, voila_server: Callable[..., VoilaProcess]
) -> None:
    server = voila_server(NOTEBOOKS)
    secrets = new_session(server)
    sid = secrets.session_id
    db = Path(server.env["CODEV_STORE"])

    def now_at() -> str:
        state = stored_state(db, sid)
        return str(state["steps"][state["index"]])

    def extended() -> bool:
        return any(stored_state(db, sid)["extra"].values())

    with contexts(chromium, {}, {}) as (desk, wall):
        b = wall.new_page()
        projector = Frozen(b)
        b.goto(console_url(server, secrets), wait_until="commit")
        (a,) = open_pages([(desk, console_url(server, secrets), None)])
        for page in (a, b):
            page.wait_for_selector(".codev-navigator", timeout=LOAD_TIMEOUT_MS)
        start(a)
        wait_running(b)
        failures = []

        # The projector asks to move on from step 1, and its page freezes there. The laptop
        # moves on; the projector's kernel follows (its page does not see it yet); then the
        # projector's person confirms what their page shows: moving on from step 1.
        ask_next(b)
        projector.freeze()
        move_on(a)
        projector.wait(lambda: projector.sent(STEPS["clarification"]))
        assert title(b) == STEPS["presentation"]
        assert b.locator(".codev-confirm").is_visible()
        b.click(".codev-confirm")
        projector.wait(lambda: projector.sent("Another console") or now_at() != "clarification")
        projector.thaw()
        wait_title(b, STEPS[now_at()])
        if now_at() != "clarification":
            failures.append(f"a stale confirm moved the session on: {step_moves(db, sid)}")
        elif not message(b).startswith(MOVED_ON.format(number=2)):
            failures.append(f"a stale confirm was refused without the message: {message(b)!r}")

        # The same with "+1 min": clicked on a page that still shows the step the laptop
        # has just left, it must not give the minute to the next step.
        wait_running(b)
        steps = list(STEPS)
        following = STEPS[steps[steps.index(now_at()) + 1]]
        ask_next(a)
        projector.freeze()
        a.click(".codev-confirm")
        wait_title(a, following)
        projector.wait(lambda: projector.sent(following))
        timer_button(b, "+1 min").click()
        projector.wait(lambda: projector.sent("Another console") or extended())
        projector.thaw()
        wait_title(b, following)
        if extended():
            failures.append(f"a stale +1 min went to {now_at()}: {stored_state(db, sid)['extra']}")

        # Both consoles confirm "next" at the same instant, neither frozen: one move. (How
        # often the second kernel has already followed the first when its click arrives
        # depends on the machine's load: then it moved on twice.)
        wait_running(b)
        moves = len(step_moves(db, sid))
        ask_next(a)
        ask_next(b)
        click_together((a, ".codev-confirm", None), (b, ".codev-confirm", None))
        projector.wait(
            lambda: bool(message(a) or message(b)) or len(step_moves(db, sid)) > moves + 1
        )
        if len(step_moves(db, sid)) != moves + 1:
            failures.append(f"two confirms at once moved it twice: {step_moves(db, sid)}")
    assert failures == []
