"""A consultant's own content per step: what a client notebook's cell shows during one step."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
from IPython.utils.capture import capture_output
from ipywidgets.widgets.widget import _instances

from codevwidgets.core.session import Event, Session
from codevwidgets.widgets._view import TIMER_KINDS, Follower, show, touches

# A session not started, or finished, is at no step: no step's content shows.
UNDER_WAY = ("running", "paused")


class StepContent(Follower, widgets.VBox):
    """One area per step, filled by a notebook cell, shown only while the session is at it.

    Each area is an ``ipywidgets.Output`` made at the first ``during`` of its step: what the
    cell displays inside ``with content.during(step_id):`` goes into it, not below the cell
    (captured by the kernel and given to the area when the block ends).
    The areas follow the session like the other views: a move made here, by another console or
    loaded again after a reload shows the new step's area and hides the others. An area that
    holds nothing (a cell left as generated) shows no box.

    The content is the consultant's own (a chart, an image, a link, a widget): shown as the
    notebook displays it, on the facilitator's page only.

    Examples
    --------
    >>> content = StepContent(session)  # doctest: +SKIP
    >>> with content.during("consultation"):  # doctest: +SKIP
    ...     display(Markdown("**Reminder:** the client listens and takes notes."))
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.outputs: dict[str, widgets.Output] = {}
        self.add_class("codev-step-content")
        # Set apart from the kit's own text by the branding's accent colour (no stylesheet
        # of its own: the page's theme may replace console.css).
        self.layout.border_left = "4px solid var(--codev-accent, #b35c00)"
        self.layout.padding = "0 0 0 0.75rem"
        self.layout.margin = "0.5rem 0"
        self._follow()
        self.refresh()

    def __repr__(self) -> str:
        return f"StepContent(session={self.session.id!r}, steps={list(self.outputs)!r})"

    def output(self, step_id: str) -> widgets.Output:
        """The area of ``step_id`` (made at the first call); ``ValueError`` for an unknown id."""
        ids = [step.id for step in self.session.runbook.steps]
        if step_id not in ids:
            raise ValueError(f"unknown step {step_id!r}; this runbook's steps are {', '.join(ids)}")
        if step_id not in self.outputs:
            out = widgets.Output().add_class(f"codev-step-content--{step_id}")
            # The page tells the kernel what the area holds (Voilà's executor, JupyterLab's
            # widget manager): an area left empty shows no box.
            out.observe(lambda _: self.refresh(), "outputs")
            self.outputs[step_id] = out
            # In the runbook's order, whatever the order of the notebook's cells.
            self.children = tuple(self.outputs[i] for i in ids if i in self.outputs)
            self.refresh()
        return self.outputs[step_id]

    def during(self, step_id: str) -> contextlib.AbstractContextManager[widgets.Output]:
        """Capture what the block displays or prints into the area of ``step_id``.

        An unknown id is refused at once (``ValueError``). The area is emptied first: running
        the cell again replaces what it showed, as a cell's own output is replaced.
        """
        return _captured(self.output(step_id))

    def visible(self, step_id: str) -> bool:
        """Whether the area of ``step_id`` is shown now."""
        out = self.outputs.get(step_id)
        return out is not None and out.layout.display != "none" and self.layout.display != "none"

    def _on_event(self, event: Event) -> None:
        if touches(event, TIMER_KINDS, {"step", "timer"}):
            self.refresh()

    def refresh(self) -> None:
        session = self.session
        now = session.current_step.id if session.status in UNDER_WAY else None
        for step_id, out in self.outputs.items():
            show(out, step_id == now)
        # No empty box (its margin, its coloured edge) at a step whose cell showed nothing.
        show(self, now in self.outputs and bool(self.outputs[now].outputs))


@contextlib.contextmanager
def _captured(out: widgets.Output) -> Iterator[widgets.Output]:
    """Run the block and put what it displays, prints or raises into ``out``, from the kernel.

    Not ``with out:``, which leaves the routing of the block's messages to the front end: in
    Voilà its executor mirrors each one back to the kernel as the area's new state, on the
    shell channel, while the cell still runs; a served client notebook then waited, now and
    then, for a cell's reply its idle kernel never gave (issue 20, part 7)."""
    out.outputs = ()
    failed: list[dict[str, Any]] = []
    with capture_output() as captured:
        try:
            yield out
        except Exception as exc:  # shown in the area, as a cell's own output shows it
            lines = traceback.format_exception(exc)
            error = {"ename": type(exc).__name__, "evalue": str(exc), "traceback": lines}
            failed.append({"output_type": "error", **error})
    shown: list[dict[str, Any]] = []
    if captured.stdout:
        shown.append({"output_type": "stream", "name": "stdout", "text": captured.stdout})
    for rich in captured.outputs:
        shown.append(
            {"output_type": "display_data", "data": rich.data, "metadata": rich.metadata or {}}
        )
    if captured.stderr:
        shown.append({"output_type": "stream", "name": "stderr", "text": captured.stderr})
    out.outputs = (*out.outputs, *shown, *failed)


@contextlib.contextmanager
def discarded() -> Iterator[None]:
    """Run a block and show nothing of it: what it displays or prints, nor its errors.

    ``during`` of a page that is not a console (a visitor without the facilitator's link): a
    client notebook's step cells run there too, and must neither fail nor show that page
    the consultant's content. Widgets the block made are closed: a page loads the state of
    every open widget of its kernel, displayed or not.
    """
    before = set(_instances)
    try:
        with contextlib.suppress(Exception), capture_output():
            yield
    finally:
        for key in set(_instances) - before:
            with contextlib.suppress(KeyError):  # closed already, with its parent
                _instances[key].close()
