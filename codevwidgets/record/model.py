"""The session record: what a session produced, read from the store alone.

No live kernel and no runbook file: the stored runbook snapshot, state, roster, notes,
contributions and event log are enough. ``build_record`` is the one read model behind every
export format (``codevwidgets.record.export``) and the cycle notebook.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from codevwidgets.core.branding import logo_src
from codevwidgets.core.clock import Clock, system_clock
from codevwidgets.core.contributions import Contribution, latest_evaluations
from codevwidgets.core.drift import drift_flags
from codevwidgets.core.i18n import Translator, catalog, languages
from codevwidgets.core.roles import Roles
from codevwidgets.core.runbook import NoteField, Runbook
from codevwidgets.core.session import Session
from codevwidgets.core.signals import people_who_speak, talk_clock
from codevwidgets.core.theme import readable
from codevwidgets.record.followup import (
    FollowUpOutcome,
    Loaded,
    followup_outcome,
    has_followup,
    later_followup,
    previous_plan,
)
from codevwidgets.store.base import Store, StoredSession, StoreError

__all__ = [
    "DriftRecord",
    "Entry",
    "Evaluation",
    "NoteText",
    "SessionRecord",
    "StepRecord",
    "StepTiming",
    "TalkTime",
    "build_record",
    "suggested_minutes",
]

# Note fields the record puts first, for the client: their problem, contract and action plan.
# They are found by id in whichever step of the runbook holds them (a client file may move them).
PROBLEM_FIELDS = ("headline", "topic", "question")
CONTRACT_FIELDS = ("contract",)
PLAN_FIELDS = ("objective", "actions", "resources", "date")
SUMMARY_FIELDS = (*PROBLEM_FIELDS, *CONTRACT_FIELDS, *PLAN_FIELDS)
KINDS = ("questions", "ideas", "learnings")


@dataclass(frozen=True)
class StepTiming:
    """One step's minutes: as planned, the extensions given, as spent (pauses excluded)."""

    step_id: str
    title: str
    planned: int
    extended: float
    actual: float

    @property
    def overtime(self) -> float:
        """Minutes spent beyond the plan and its extensions."""
        return max(0.0, self.actual - self.planned - self.extended)


@dataclass(frozen=True)
class BreakTaken:
    """A break the group took (core.breaks): when (UTC) and how long, in minutes."""

    at: dt.datetime
    minutes: float


@dataclass(frozen=True)
class TalkTime:
    """How long one person spoke (the facilitator's talk buttons), as m:ss: in each of the
    record's ``talk_steps`` (same order) and in total."""

    name: str
    steps: tuple[str, ...]
    total: str


@dataclass(frozen=True)
class NoteText:
    """A note field as the facilitator typed it, with its label in the record's language."""

    field_id: str
    label: str
    text: str


@dataclass(frozen=True)
class Entry:
    """A contribution as the record shows it: its text and who (a name, or a role with
    ``--no-names``); ``author`` ``None``: sent anonymously."""

    text: str
    author: str | None
    kind: str | None
    hidden: bool = False


@dataclass(frozen=True)
class StepRecord:
    """One step: its title, timing, notes and what participants contributed in it."""

    step_id: str
    title: str
    timing: StepTiming
    notes: tuple[NoteText, ...]
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Evaluation:
    """The 1–5 evaluation: each person's last rating counted once, never who gave which."""

    people: int
    average: float
    counts: dict[int, int]  # rating → how many people gave it


@dataclass(frozen=True)
class DriftRecord:
    """One time the client said the group was drifting from the question: in which step
    (its title), when raised, when cleared (None: still standing at the record's making), and
    whether the facilitator cleared it (else the client took it back)."""

    step: str
    raised: dt.datetime
    cleared: dt.datetime | None
    by_facilitator: bool


@dataclass(frozen=True)
class ChosenTopic:
    """The topic the group chose, as the record says it (``topic_chosen``): a ``heading``, the
    ``line`` naming it with its dots, the ``others``' counts (never their headlines nor who
    gave a dot) and, in the client's record only, its ``preparation``."""

    heading: str
    line: str
    others: str
    preparation_heading: str = ""
    preparation: tuple[NoteText, ...] = ()


@dataclass(frozen=True)
class SessionRecord:
    """Everything a session produced, in its language, ready for a template."""

    session_id: str
    language: str
    title: str  # the client organisation's title for its sessions, else the kit's
    organisation: str | None  # the runbook's client (an organisation)
    group: str | None
    runbook: str  # the preset's or the client file's name, never a path of this machine
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None
    status: str
    # (role label, names or role names), in role order, each person once: the note-taker is
    # marked among the advisors (one person, two roles), not listed again.
    roles: tuple[tuple[str, str], ...]
    client: str | None  # the person who brought the problem (a role name with --no-names)
    steps: tuple[StepRecord, ...]
    evaluation: Evaluation | None
    labels: dict[str, str] = field(default_factory=dict)  # interface texts the templates use
    followup: tuple[NoteText, ...] = ()  # how the previous client's plan went (this session)
    followed_up: tuple[NoteText, ...] = ()  # how this plan went (told in a later session)
    logo: str | None = None  # the client's logo as a checked data: URI (shown as an <img>)
    colour: str | None = None  # the client's primary colour, made readable on white paper
    talk_steps: tuple[str, ...] = ()  # titles of the steps where someone's talk was timed
    talk: tuple[TalkTime, ...] = ()  # per person, in the order of the roles
    drifts: tuple[DriftRecord, ...] = ()  # the client's drift flags, in the order raised
    breaks: tuple[BreakTaken, ...] = ()  # in the session's timeline, in order
    topic_chosen: ChosenTopic | None = None  # the group's choice (a topic_choice step)

    @property
    def timings(self) -> tuple[StepTiming, ...]:
        return tuple(step.timing for step in self.steps)

    def fields(self, ids: Iterable[str]) -> tuple[NoteText, ...]:
        """The non-empty note fields with these ids, in the order given."""
        by_id = {note.field_id: note for step in self.steps for note in step.notes}
        return tuple(by_id[i] for i in ids if i in by_id and by_id[i].text.strip())

    @property
    def problem(self) -> tuple[NoteText, ...]:
        return self.fields(PROBLEM_FIELDS)

    @property
    def contract(self) -> tuple[NoteText, ...]:
        return self.fields(CONTRACT_FIELDS)

    @property
    def action_plan(self) -> tuple[NoteText, ...]:
        return self.fields(PLAN_FIELDS)

    @property
    def details(self) -> tuple[tuple[int, StepRecord], ...]:
        """Step by step, what the first pages do not already show: each step's other note
        fields and contributions of no summary kind, with the step's number; the steps with
        nothing more are left out (their minutes are in the timings table)."""
        shown = {id(note) for note in self.fields(SUMMARY_FIELDS)}
        found = []
        for number, step in enumerate(self.steps, 1):
            notes = tuple(n for n in step.notes if n.text.strip() and id(n) not in shown)
            entries = tuple(e for e in step.entries if e.kind not in KINDS)
            if notes or entries:
                found.append((number, replace(step, notes=notes, entries=entries)))
        return tuple(found)

    def entries(self, kind: str) -> tuple[Entry, ...]:
        """Every contribution of one kind (questions, ideas, learnings), in order."""
        return tuple(e for step in self.steps for e in step.entries if e.kind == kind)

    @property
    def planned_minutes(self) -> int:
        return sum(t.planned for t in self.timings)

    @property
    def actual_minutes(self) -> float:
        return sum(t.actual for t in self.timings)


def build_record(
    store: Store,
    session_id: str,
    *,
    names: bool = True,
    include_hidden: bool = False,
    clock: Clock = system_clock,
    loaded: Loaded | None = None,
    for_client: bool = False,
) -> SessionRecord:
    """The record of one stored session.

    ``names=False`` shows advisors, the note-taker and observers by their role ("Advisor 2"),
    in the roles and as authors; ``include_hidden`` keeps the contributions the facilitator
    hid (marked as such). ``loaded``: the sessions already loaded for the records built
    together (a cycle's), so that none is loaded twice. Raises ``StoreError`` when the store
    has no such session. ``for_client``: the client's own record, which adds the preparation
    of their topic when the group chose it (context, what was tried, help wanted); no other
    record has it, and no record ever has the topics not chosen.
    """
    loaded = loaded or Loaded(store)
    stored = loaded(session_id)
    if stored is None:
        raise StoreError(f"no session {session_id!r} in this store")
    book = stored.runbook
    language = stored.language if stored.language in languages() else book.language
    t = Translator(language)
    session = stored.session(clock)
    roles = session.roles
    alias = _aliases(roles, t) if not names else {}
    authors, someone = _author_aliases(roles, t, alias), t("record.participant")
    actual = session.actual_minutes()
    extra = stored.state.get("extra", {})
    items = store.contributions(session_id, include_hidden=include_hidden)
    steps = []
    for step in book.steps:
        title = book.text(step.title, language)
        timing = StepTiming(
            step.id, title, step.minutes, float(extra.get(step.id, 0.0)) / 60, actual[step.id]
        )
        typed = stored.state["notes"].get(step.id, {})
        notes = tuple(
            NoteText(note.id, book.text(note.label, language), _choice(note, typed, language, book))
            for note in step.notes
        )
        entries = tuple(
            Entry(c.text, _author(c, authors, someone), c.kind, c.hidden)
            for c in items
            if c.step_id == step.id and c.kind != "evaluation"
        )
        steps.append(StepRecord(step.id, title, timing, notes, entries))
    started, finished = _bounds(store, session_id)
    group = stored.roster.group if stored.roster else None
    return SessionRecord(
        session_id=session_id,
        language=language,
        title=book.text(book.branding.title, language) if book.branding.title else t("app.title"),
        organisation=book.client,
        group=group,
        runbook=_runbook_name(stored),
        created=_utc(stored.created) if stored.created else started or _utc(clock()),
        started=started,
        finished=finished,
        status=session.status,
        roles=_roles(roles, t, alias),
        client=(alias.get(roles.client, roles.client) if roles else None),
        steps=tuple(steps),
        evaluation=_evaluation(items, stored.names),
        labels=_labels(t),
        followup=_followup_here(loaded, stored, language, alias),
        followed_up=_followed_up(loaded, session_id, language),
        logo=logo_src(book.branding.logo),
        colour=_paper_colour(book),
        **_talk(session, book, language, alias),
        drifts=_drifts(store, session_id, book, language),
        breaks=tuple(BreakTaken(_utc(b.at), b.seconds / 60) for b in session.breaks),
        topic_chosen=_chosen(store, session, t, alias, for_client),
    )


def _chosen(
    store: Store, session: Session, t: Translator, alias: dict[str, str], for_client: bool
) -> ChosenTopic | None:
    """What the record says of the group's choice: the chosen headline and its author, the
    counts; the chosen topic's preparation for the client's record only."""
    chosen = session.chosen
    if chosen is None:
        return None
    name = alias.get(chosen.author, chosen.author)
    line = t("dots.record_chosen", headline=chosen.headline, name=name, count=chosen.dots)
    others = ", ".join(map(str, chosen.others))
    record = ChosenTopic(
        t("dots.record_heading"), line, t("dots.record_others", counts=others) if others else ""
    )
    if not for_client:
        return record
    topic = next((x for x in store.topics(session.id, private=True) if x.key == chosen.key), None)
    if topic is None:  # withdrawn meanwhile: nothing to add
        return record
    parts = (("context", topic.context), ("tried", topic.tried), ("help", topic.help))
    notes = tuple(NoteText(k, t(f"dots.record_{k}"), text) for k, text in parts if text)
    return replace(
        record, preparation_heading=t("dots.record_preparation", name=name), preparation=notes
    )


def _drifts(store: Store, session_id: str, book: Runbook, language: str) -> tuple[DriftRecord, ...]:
    """The client's drift flags, from the session's event log (``core.drift``)."""
    titles = {step.id: book.text(step.title, language) for step in book.steps}
    return tuple(
        DriftRecord(
            titles.get(flag.step_id, flag.step_id),
            _utc(flag.raised),
            _utc(flag.cleared) if flag.cleared is not None else None,
            flag.by_facilitator,
        )
        for flag in drift_flags(store.events(session_id))
    )


def _talk(session: Session, book: Runbook, language: str, alias: dict[str, str]) -> dict[str, Any]:
    """Talk time per person, per step where it was timed and in total (``talk_steps``,
    ``talk``)."""
    steps = [s for s in book.steps if session.talk_seconds(s.id)]
    total = session.talk_seconds()
    order = [n for n in people_who_speak(session.roles) if n in total]
    people = [*order, *sorted(set(total) - set(order))]
    rows = tuple(
        TalkTime(
            alias.get(name, name),
            tuple(talk_clock(session.talk_seconds(s.id).get(name, 0.0)) for s in steps),
            talk_clock(total[name]),
        )
        for name in people
    )
    return {"talk_steps": tuple(book.text(s.title, language) for s in steps), "talk": rows}


def _paper_colour(book: Runbook) -> str | None:
    """The client's primary colour, darkened where needed to read as text on white (AA)."""
    colours = book.branding.colours
    if colours is None or colours.primary is None:
        return None
    return readable(colours.primary, "#ffffff")


def suggested_minutes(records: Iterable[SessionRecord]) -> dict[str, int]:
    """Per step id, the median of the minutes actually spent, rounded (at least 1), over the
    finished sessions that ran that step: durations to plan the next sessions with."""
    spent: dict[str, list[float]] = {}
    for record in records:
        if record.status != "finished":
            continue
        for timing in record.timings:
            if timing.actual > 0:
                spent.setdefault(timing.step_id, []).append(timing.actual)
    return {step: max(1, round(statistics.median(m))) for step, m in spent.items()}


# -- helpers ---------------------------------------------------------------------------------


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _bounds(store: Store, session_id: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the session started and finished, from its event log."""
    started = finished = None
    for at, kind, _ in store.events(session_id):
        if kind == "start" and started is None:
            started = _utc(at)
        elif kind == "finish":
            finished = _utc(at)
    return started, finished


def _runbook_name(stored: StoredSession) -> str:
    """The runbook as people call it: the preset's name, or the client file's (its stem).

    The store keeps a client file's whole path (``codev serve --runbook FILE``): a path of the
    consultant's machine, which a record handed to a client must not show. The snapshot's name
    is the file's stem; a path stored with an older snapshot gives its stem too."""
    name = stored.runbook.name or stored.runbook_ref
    if "/" in name or "\\" in name:
        return PurePath(name.replace("\\", "/")).stem
    return name


def _aliases(roles: Roles | None, t: Translator) -> dict[str, str]:
    """Names to show as roles with --no-names: advisors and observers numbered, a note-taker
    outside the advisors by the role. The client and facilitator keep their names in the
    roles (the record is the client's); ``_author`` shows their contributions by role."""
    if roles is None:
        return {}
    alias: dict[str, str] = {}
    if roles.note_taker:
        alias[roles.note_taker] = t("role.note_taker")
    # An advisor who takes the notes is "Advisor 2", the advisor row saying who notes.
    for i, name in enumerate(roles.advisors, 1):
        alias[name] = t("record.advisor_n", n=i)
    for i, name in enumerate(roles.observers, 1):
        alias[name] = t("record.observer_n", n=i)
    return alias


def _author_aliases(roles: Roles | None, t: Translator, alias: dict[str, str]) -> dict[str, str]:
    """With --no-names, who wrote what: everyone by their role, the client and facilitator
    included (their own contributions are labelled, not mistaken for anonymous ones)."""
    if roles is None or not alias:
        return alias
    return {roles.client: t("role.client"), roles.facilitator: t("role.facilitator"), **alias}


def _author(item: Contribution, alias: dict[str, str], someone: str) -> str | None:
    if item.author is None:
        return None
    if not alias:
        return item.author
    found = {name.strip().casefold(): shown for name, shown in alias.items()}
    # A free name typed on a participant link, matching nobody's role: a participant's, the
    # name not shown either (and not "anonymous": the person did sign it).
    return found.get(item.author.strip().casefold(), someone)


def _roles(
    roles: Roles | None, t: Translator, alias: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    """The role rows, each person once: the note-taker marked among the advisors."""
    if roles is None:
        return ()
    note_taker = roles.note_taker

    def advisor(name: str) -> str:
        shown = alias.get(name, name)
        same = note_taker is not None and name.strip().casefold() == note_taker.strip().casefold()
        return t("record.with_notes", name=shown) if same else shown

    among = note_taker is not None and any(
        n.strip().casefold() == note_taker.strip().casefold() for n in roles.advisors
    )
    shown = [
        ("client", [roles.client]),
        ("facilitator", [roles.facilitator]),
        ("advisors", [advisor(n) for n in roles.advisors]),
        ("note_taker", [alias.get(note_taker, note_taker)] if note_taker and not among else []),
        ("observers", [alias.get(n, n) for n in roles.observers]),
    ]
    return tuple((t(f"role.{role}"), ", ".join(people)) for role, people in shown if people)


def _evaluation(items: Iterable[Contribution], people: Sequence[str]) -> Evaluation | None:
    # The same rule as the console's average: a person's last rating counts; hidden ones not.
    scores = latest_evaluations(items, people)
    if not scores:
        return None
    counts = dict.fromkeys(range(1, 6), 0)
    for score in scores:
        counts[score] += 1
    return Evaluation(len(scores), sum(scores) / len(scores), counts)


def _choice(note: NoteField, typed: dict[str, str], language: str, book: Runbook) -> str:
    """The typed text of a note field; a choice field's chosen label rather than its id."""
    text = typed.get(note.id, "")
    if note.choices and text in note.choices:
        return book.text(note.choices[text], language)
    return text


def _followup_here(
    loaded: Loaded, stored: StoredSession, language: str, alias: dict[str, str]
) -> tuple[NoteText, ...]:
    """The previous client's plan and how it went, from this session's follow-up step."""
    if not has_followup(stored.runbook):
        return ()
    t = Translator(language)
    found = []
    plan = previous_plan(loaded.store, stored.session_id, language, loaded)
    if plan is not None:
        when = _utc(plan.created).date().isoformat()
        client = alias.get(plan.client or "", plan.client) or t("record.none")
        found.append(NoteText("previous", t("record.previous"), f"{client} — {when}"))
        found += [NoteText(f"plan-{i}", label, text) for i, (label, text) in enumerate(plan.fields)]
    outcome = followup_outcome(stored, language)
    if outcome is not None:
        found += _outcome(outcome, t)
    return tuple(found)


def _followed_up(loaded: Loaded, session_id: str, language: str) -> tuple[NoteText, ...]:
    """How this session's plan went, as the group's next session recorded it."""
    outcome = later_followup(loaded.store, session_id, language, loaded)
    if outcome is None:
        return ()
    t = Translator(language)
    when = NoteText("when", t("record.date"), _utc(float(outcome.created)).date().isoformat())
    return (when, *_outcome(outcome, t))


def _outcome(outcome: FollowUpOutcome, t: Translator) -> list[NoteText]:
    found = [
        NoteText("outcome", t("record.outcome"), outcome.outcome_label),
        NoteText("note", t("record.outcome_note"), outcome.note),
    ]
    return [n for n in found if n.text.strip()]


def _labels(t: Translator) -> dict[str, str]:
    """The interface texts of the record (the ``record`` section of the locale file)."""
    return {
        key.removeprefix("record."): text
        for key, text in catalog(t.language).items()
        if key.startswith("record.")
    }
