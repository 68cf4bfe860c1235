"""Make sense of a journal: sessions, chains of resumed sessions, and each resource's history.

A journal file holds many sessions, one line per record, possibly interleaved (two terminals).
Resume, ``journal show`` and the export all need the same reading of it, so it lives here: what a
session was, which sessions continued which (``resumed_from``), and for every resource of a plan
which AWS calls were announced, made, skipped or failed, across the whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from slrwizard.domain.models import Caller, RegionOutcome, RoleDeletionState
from slrwizard.domain.plan import DeletionPlan, PlanStep, ResourcePlan, StepKind
from slrwizard.domain.records import (
    PlanConfirmed,
    Record,
    RoleCreationRequested,
    RoleDeletionRecord,
    ScanCompleted,
    SessionEnded,
    SessionStarted,
    StepRecord,
    StepStatus,
)
from slrwizard.journal.store import JournalContents, read_journal

LATEST = "latest"
DELETE_KINDS = frozenset({StepKind.DELETE_CLUSTER, StepKind.DELETE_INSTANCE})
WAIT_DELETED_KINDS = frozenset({StepKind.WAIT_CLUSTER_DELETED, StepKind.WAIT_INSTANCE_DELETED})
VERIFY_KINDS = frozenset({StepKind.VERIFY_CLUSTER_SNAPSHOT, StepKind.VERIFY_INSTANCE_SNAPSHOT})


class SessionNotFoundError(LookupError):
    """No session (or more than one) matches what the operator typed."""


@dataclass
class Session:
    """Every record of one session, in the order they were written."""

    session_id: str
    records: list[Record] = field(default_factory=list)

    @property
    def started(self) -> SessionStarted | None:
        return next((r for r in self.records if isinstance(r, SessionStarted)), None)

    @property
    def ended(self) -> SessionEnded | None:
        """The first end record: whatever a stopping worker wrote after it does not undo it."""
        return next((r for r in self.records if isinstance(r, SessionEnded)), None)

    @property
    def caller(self) -> Caller | None:
        return self.started.caller if self.started else None

    @property
    def account(self) -> str | None:
        return self.caller.account if self.caller else None

    @property
    def operator(self) -> str:
        return self.started.operator if self.started else "?"

    @property
    def started_at(self) -> datetime:
        return self.started.at if self.started else self.records[0].at

    @property
    def resumed_from(self) -> str | None:
        return self.started.resumed_from if self.started else None

    @property
    def read_only(self) -> bool:
        return bool(self.started and self.started.read_only)

    @property
    def confirmations(self) -> list[PlanConfirmed]:
        return [r for r in self.records if isinstance(r, PlanConfirmed)]

    @property
    def role_deleted(self) -> bool:
        return any(
            isinstance(r, RoleDeletionRecord)
            and r.status is not None
            and r.status.state is RoleDeletionState.SUCCEEDED
            for r in self.records
        )

    @property
    def changed_something(self) -> bool:
        """True once the operator confirmed a plan or the role was asked to go or come back."""
        return any(
            isinstance(r, (PlanConfirmed, RoleCreationRequested))
            or (isinstance(r, RoleDeletionRecord) and r.phase == "requested")
            for r in self.records
        )

    @property
    def finished(self) -> bool:
        """Nothing left to resume: it reached ``done`` or saw the role deleted."""
        return self.role_deleted or (self.ended is not None and self.ended.state == "done")

    def state_label(self) -> str:
        """One phrase for ``journal show``: how the session ended, or that it never did."""
        end = self.ended
        if end is None:
            return "interrupted (no end record)"
        if end.state == "done":
            return f"done: {end.reason}"
        return f"{end.state.replace('_', ' ')}: {end.reason}"


@dataclass
class Call:
    """One announced or finished step of a resource, as the journal tells it."""

    session_id: str
    record: StepRecord

    @property
    def step(self) -> PlanStep:
        return self.record.step


@dataclass
class ResourceHistory:
    """Everything the chain of sessions did to one resource of its plans."""

    key: str
    choice: ResourcePlan
    calls: list[Call] = field(default_factory=list)
    found_gone: datetime | None = None
    """When a later, complete scan of its region no longer listed it (a resume's fresh scan)."""

    def _final(self) -> list[Call]:
        return [c for c in self.calls if c.record.status is not StepStatus.WAITING]

    @property
    def deleted(self) -> bool:
        return any(
            c.step.kind in WAIT_DELETED_KINDS and c.record.status is StepStatus.DONE
            for c in self.calls
        )

    @property
    def vanished(self) -> bool:
        return any(
            c.record.status is StepStatus.SKIPPED and c.record.note.startswith("gone:")
            for c in self.calls
        )

    @property
    def delete_announced(self) -> Call | None:
        """The first DeleteDBCluster/DeleteDBInstance the journal announced for it, if any."""
        return next(
            (
                c
                for c in self.calls
                if c.step.kind in DELETE_KINDS and c.record.status is StepStatus.RUNNING
            ),
            None,
        )

    @property
    def snapshot_verified(self) -> Call | None:
        """The step that saw its final snapshot ``available``, if one did."""
        return next(
            (
                c
                for c in self.calls
                if c.step.kind in VERIFY_KINDS and c.record.status is StepStatus.DONE
            ),
            None,
        )

    @property
    def global_database(self) -> str | None:
        """The global database its steps named (it left it, or was to delete it), if any."""
        for call in self.calls:
            if call.step.kind is StepKind.DELETE_GLOBAL_CLUSTER:
                return call.step.target
            if call.step.global_cluster_id:
                return call.step.global_cluster_id
        return None

    @property
    def global_database_deleted(self) -> bool:
        """A step of ours deleted its global database, or found it already gone."""
        return any(
            c.step.kind is StepKind.DELETE_GLOBAL_CLUSTER
            and c.record.status in (StepStatus.DONE, StepStatus.SKIPPED)
            for c in self.calls
        )

    @property
    def in_doubt(self) -> list[Call]:
        """Steps announced ``running`` with no outcome after them: the process died meanwhile."""
        doubtful: list[Call] = []
        for i, call in enumerate(self.calls):
            if call.record.status is not StepStatus.RUNNING:
                continue
            later = self.calls[i + 1 :]
            if not any(
                c.session_id == call.session_id
                and c.step.kind is call.step.kind
                and c.step.target == call.step.target
                for c in later
            ):
                doubtful.append(call)
        return doubtful

    @property
    def outcome(self) -> str:
        """deleted, vanished, failed, stopped, in doubt, in progress or not started.

        A resource whose deletion we announced and that a later scan found gone was deleted by
        us, even if the process died before seeing it go; gone without our asking: vanished.
        """
        if self.deleted:
            return "deleted"
        if self.vanished:  # our own step saw it gone before its delete was sent
            return "vanished"
        if self.found_gone and self.delete_announced:
            return "deleted"
        if self.found_gone:
            return "vanished"
        final = self._final()
        if not final:
            return "not started"
        last = final[-1].record
        if last.status is StepStatus.FAILED:
            return "failed"
        if last.status is StepStatus.PENDING:
            return "stopped"
        if last.status is StepStatus.RUNNING:
            return "in doubt"
        return "in progress"

    @property
    def last_error(self) -> StepRecord | None:
        failed = [c.record for c in self.calls if c.record.status is StepStatus.FAILED]
        return failed[-1] if failed else None


@dataclass
class JournalView:
    """A journal file read into sessions (in the order they first appear)."""

    path: Path
    sessions: dict[str, Session]
    unreadable: list[int]

    def get(self, ref: str) -> Session:
        """The session called ``ref``: a full id, a unique prefix, or ``latest``.

        Raises:
            SessionNotFoundError: no session, or several, match ``ref``.
        """
        if not self.sessions:
            raise SessionNotFoundError(f"The journal {self.path} holds no sessions yet.")
        if ref == LATEST:
            return max(self.sessions.values(), key=lambda s: s.started_at)
        if ref in self.sessions:
            return self.sessions[ref]
        matches = [s for sid, s in self.sessions.items() if sid.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(s.session_id for s in matches)
            raise SessionNotFoundError(f"{ref!r} matches several sessions: {names}.")
        raise SessionNotFoundError(f"No session {ref!r} in {self.path}.")

    def chain(self, session: Session) -> list[Session]:
        """``session`` and the sessions it resumed, recursively, oldest first."""
        chain = [session]
        while chain[0].resumed_from and chain[0].resumed_from in self.sessions:
            previous = self.sessions[chain[0].resumed_from]
            if previous in chain:  # a hand-edited loop: stop rather than spin
                break
            chain.insert(0, previous)
        return chain

    def resumed_by(self, session_id: str) -> list[Session]:
        return [s for s in self.sessions.values() if s.resumed_from == session_id]


def group(contents: JournalContents) -> JournalView:
    """Split a journal's records into sessions."""
    sessions: dict[str, Session] = {}
    for record in contents.records:
        sessions.setdefault(record.session_id, Session(record.session_id)).records.append(record)
    return JournalView(contents.path, sessions, contents.unreadable)


def load(path: Path) -> JournalView:
    """Read and group ``path`` (a missing file is an empty journal)."""
    return group(read_journal(path))


def latest_plan(chain: list[Session]) -> PlanConfirmed | None:
    """The last plan the operator confirmed anywhere in the chain."""
    confirmed = [c for s in chain for c in s.confirmations]
    return confirmed[-1] if confirmed else None


def histories(chain: list[Session]) -> dict[str, ResourceHistory]:
    """Each planned resource's calls across the chain (the latest confirmed choice wins)."""
    choices: dict[str, ResourcePlan] = {}
    for session in chain:
        for confirmed in session.confirmations:
            for choice in confirmed.plan.resources:
                choices[choice.key] = choice
    result = {key: ResourceHistory(key, choice) for key, choice in choices.items()}
    for session in chain:
        for record in session.records:
            if isinstance(record, StepRecord) and record.resource in result:
                result[record.resource].calls.append(Call(session.session_id, record))
    for history in result.values():
        history.found_gone = _found_gone(chain, history)
    return result


def _found_gone(chain: list[Session], history: ResourceHistory) -> datetime | None:
    """The first scan after the plan was confirmed that scanned its region and did not list it."""
    confirmed = [c.at for s in chain for c in s.confirmations if c.plan.choice(history.key)]
    if not confirmed:
        return None
    for session in chain:
        for record in session.records:
            if not isinstance(record, ScanCompleted) or record.at < confirmed[0]:
                continue
            scan = record.scan
            region = next((r for r in scan.regions if r.region == history.choice.region), None)
            listed = {c.key for c in scan.clusters} | {i.key for i in scan.instances}
            if region and region.outcome is RegionOutcome.SCANNED and history.key not in listed:
                return record.at
    return None


def role_task_in_flight(chain: list[Session]) -> str | None:
    """The id of the last role deletion task that was requested but never reached an end.

    A resumed session polls that task instead of asking again. A task with a final status
    (SUCCEEDED or FAILED) is not in flight: a new request is the right thing after a failure.
    """
    task: str | None = None
    for session in chain:
        for record in session.records:
            if not isinstance(record, RoleDeletionRecord):
                continue
            if record.phase == "requested" and record.task_id:
                task = record.task_id
            elif (
                record.phase == "status"
                and record.status is not None
                and record.status.finished
                and record.task_id == task
            ):
                task = None
    return task


def plan_of(confirmed: PlanConfirmed | None) -> DeletionPlan | None:
    return confirmed.plan if confirmed else None
