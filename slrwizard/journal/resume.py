"""Find the interrupted session to resume, in the journal, and build the domain's view of it.

What a resume then does with it (adapt the plan to a fresh scan, verify the final snapshots of
resources that are already gone, poll a role deletion in flight) is the use case in
:mod:`slrwizard.domain.resume`; this module only reads the journal: which session is unfinished,
which sessions it continued, what was confirmed, and each resource's history.
"""

from __future__ import annotations

from pathlib import Path

from slrwizard.domain.resume import PriorSession
from slrwizard.journal.sessions import (
    JournalView,
    Session,
    histories,
    latest_plan,
    load,
    role_task_in_flight,
)


def prior_from(view: JournalView, session: Session) -> PriorSession:
    """The resume view of ``session`` and the sessions it resumed."""
    chain = view.chain(session)
    confirmed = latest_plan(chain)
    caller = session.caller
    return PriorSession(
        session_id=session.session_id,
        chain=tuple(s.session_id for s in chain),
        account=session.account or "",
        operator=session.operator,
        caller_arn=caller.arn if caller else "?",
        started=chain[0].started_at,
        ended=session.ended,
        plan=confirmed.plan if confirmed else None,
        confirmed_by=confirmed.confirmed_by if confirmed else None,
        confirmed_at=confirmed.at if confirmed else None,
        role_task_id=role_task_in_flight(chain),
        resources=histories(chain),
    )


def find_unfinished(path: Path, account: str, *, demo: bool = False) -> PriorSession | None:
    """The session to offer to resume for ``account``, or None.

    Only the latest session of the account that changed something (confirmed a plan, or asked
    for the role's deletion or creation) counts: a later fresh start that went that far
    supersedes older work, because its own scan saw everything that was left. That session is
    offered unless it finished (reached ``done`` or saw the role deleted). Sessions that
    changed nothing (read-only, or stopped before any confirmation) have nothing to resume.
    Demo sessions ran against a sandbox that died with them: they are only considered when
    ``demo`` is true.
    """
    view = load(path)
    candidates = [
        s
        for s in view.sessions.values()
        if s.account == account
        and not s.read_only
        and s.caller is not None
        and s.caller.demo == demo
        and (s.changed_something or s.finished)
    ]
    if not candidates:
        return None
    latest = max(candidates, key=lambda s: s.started_at)
    if latest.finished:
        return None
    return prior_from(view, latest)
