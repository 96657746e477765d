"""Creating a session and its two links: for `codev serve` and `codev sessions new`.

Sessions are created here, by the facilitator's own commands on the machine (or in JupyterLab),
never by a page a visitor opens: a served console page needs a session's id and key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from codevwidgets.core.cycle import plan_cycle
from codevwidgets.core.roles import Roles
from codevwidgets.core.roster import Roster, load_roster
from codevwidgets.core.runbook import resolve
from codevwidgets.core.session import Session
from codevwidgets.demo import roster_source
from codevwidgets.store.base import Secrets, Store
from codevwidgets.store.location import page_link


@dataclass(frozen=True)
class Links:
    """The facilitator's link (private: the key steers the session) and the participants'."""

    facilitator: str
    participants: str

    def lines(self) -> str:
        """The two lines of the contract: ``Facilitator: URL`` and ``Participants: URL``."""
        return f"Facilitator: {self.facilitator}\nParticipants: {self.participants}"


def links(base: str, secrets: Secrets, facilitator: str = "facilitator.ipynb") -> Links:
    """The pages' addresses on the server at ``base`` (e.g. ``http://127.0.0.1:8866``);
    ``facilitator``: the console's notebook (a client's, with ``codev serve --notebook``)."""
    key = {"session": secrets.session_id, "key": secrets.facilitator_key}
    code = {"session": secrets.session_id, "code": secrets.join_code}
    return Links(page_link(base, facilitator, key), page_link(base, "participant.ipynb", code))


def new_session(
    store: Store, runbook: str, roster: Path | None = None, *, planned_roles: bool = False
) -> Secrets:
    """Store a new session of ``runbook`` (a preset name or a file) for the group ``roster``:
    in the group of the sessions made before from the same file (``roster_source``).

    ``planned_roles``: the cycle plan's first client and facilitator, every other member an
    advisor (the demo). Raises ``InputError`` (located lines) for a bad runbook or roster.
    """
    book = resolve(runbook)
    group: Roster | None = load_roster(roster) if roster else None
    session = Session(book)
    if planned_roles and group is not None:
        planned = plan_cycle(group, dt.date.today(), 14).sessions[0]
        advisors = tuple(n for n in group.names if n not in {planned.client, planned.facilitator})
        session.set_roles(Roles(planned.client, planned.facilitator, advisors))
    ref = runbook if runbook == book.name else str(Path(runbook).resolve())
    source = roster_source(roster, group) if roster and group else None
    return store.create(session, ref, book.language, group, source)
