"""The change ticket's evidence: one session (and those it resumed) as Markdown or JSON.

An operator closing a decommissioning ticket must show what was found, who confirmed what and
when, which AWS calls changed something (with their request ids), which final snapshots exist and
what became of the role. All of it is in the journal; this module gathers it into a
:class:`SessionExport` (the JSON form, with the raw records attached) and renders it.

The snapshot status shown is the one the session itself verified. ``journal export --verify``
re-checks each snapshot in the live account through a ``lookup`` the CLI provides, so this module
needs no AWS client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from slrwizard import __version__
from slrwizard.domain.errors import WizardError
from slrwizard.domain.models import Caller
from slrwizard.domain.plan import DeletionPlan, ResourceKind, ResourceSteps
from slrwizard.domain.records import (
    ConfirmationRefused,
    Record,
    RoleCreated,
    RoleDeletionRecord,
    RoleInspected,
    ScanCompleted,
    StepRecord,
    StepStatus,
    UnscannedRegionsAccepted,
    utcnow,
)
from slrwizard.journal.sessions import (
    JournalView,
    ResourceHistory,
    Session,
    histories,
    load,
)

SnapshotLookup = Callable[[str, str, bool], str]
"""``(region, snapshot_id, is_cluster_snapshot) -> status`` ("available", "missing", ...)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScanEvidence(_Model):
    session_id: str
    at: datetime
    purpose: str
    regions_scanned: int
    incomplete: list[str]
    resources: list[str]
    beside: list[str] = []
    """What stood beside the databases (Blue/Green deployments, proxies, backups...), each with
    what it meant for the role and what the wizard did about it."""
    unchecked: list[str] = []
    """Listings the caller could not make, ``<region>: could not check ...``."""


class ChoiceEvidence(_Model):
    resource: str
    kind: str
    final_snapshot_id: str | None
    skip_final_snapshot: bool
    lift_protection: bool


class ConfirmationEvidence(_Model):
    session_id: str
    at: datetime
    confirmed_by: str
    typed_matched: bool
    choices: list[ChoiceEvidence]


class CallEvidence(_Model):
    session_id: str
    at: datetime
    resource: str
    step: str
    target: str
    description: str
    status: str
    note: str
    request_id: str | None
    error_code: str | None


class ResourceEvidence(_Model):
    resource: str
    kind: str
    outcome: str
    final_snapshot_id: str | None
    error: str | None


class SnapshotEvidence(_Model):
    resource: str
    region: str
    snapshot_id: str
    cluster: bool
    session_status: str
    """``available`` (verified by the session), ``not verified`` or ``verification failed: ...``."""
    verified_at: datetime | None
    live_status: str | None = None
    """Filled by ``--verify`` only: what the live account says now."""


class RoleAttemptEvidence(_Model):
    """One DeleteServiceLinkedRole request and what became of it.

    A walkthrough can ask more than once: AWS refuses while something still uses the role (the
    task ends FAILED with a usage list), the operator removes it, and asks again. The ticket must
    show each attempt at its own time, or it reads as if the role went before what blocked it.
    """

    session_id: str
    requested_at: datetime
    task_id: str | None
    outcome: str
    """``SUCCEEDED``, ``FAILED``, ``IN_PROGRESS``, ``refused`` (the request itself was refused)
    or ``no end seen``."""
    reason: str | None = None
    usage_regions: list[str] = []
    usage_resources: list[str] = []
    refused: str | None = None


class UnscannedAcceptanceEvidence(_Model):
    """The operator's acceptance that regions could not be scanned: there, only AWS's own check
    at the role's deletion stood guard, and the ticket must say who accepted that, and when."""

    session_id: str
    at: datetime
    accepted_by: str
    regions: list[str]
    """Each region with why it was not scanned, as the scan before the acceptance said."""


class RoleEvidence(_Model):
    arn: str | None
    existed_at_start: bool | None
    created_at: datetime | None
    deletion_requested_at: datetime | None
    requested_in: str | None = None
    task_id: str | None
    final_state: str | None
    reason: str | None
    usage_regions: list[str]
    refused: str | None
    gone_confirmed_at: datetime | None = None
    """When a session found the role gone after a deletion request whose answer was lost."""
    attempts: list[RoleAttemptEvidence] = []
    """Every deletion request, oldest first (the fields above describe the last one)."""


class SessionExport(_Model):
    """Everything the change ticket needs, for one session and the sessions it resumed."""

    session_id: str
    chain: list[str]
    account: str | None
    caller_arn: str | None
    operators: list[str]
    tool_version: str | None
    demo: bool
    read_only: bool
    started: datetime
    ended: datetime | None
    end_state: str
    scans: list[ScanEvidence]
    confirmations: list[ConfirmationEvidence]
    refused_confirmations: int
    unscanned_accepted: list[UnscannedAcceptanceEvidence] = []
    calls: list[CallEvidence]
    resources: list[ResourceEvidence]
    snapshots: list[SnapshotEvidence]
    role: RoleEvidence
    live_verified_at: datetime | None = None
    unreadable_lines: list[int]
    records: list[Record]


def build_export(view: JournalView, session: Session) -> SessionExport:
    """Gather the evidence of ``session`` and every session it resumed."""
    chain = view.chain(session)
    records = [r for s in chain for r in s.records]
    history = histories(chain)
    first = chain[0].started
    caller = session.caller or (first.caller if first else None)
    return SessionExport(
        session_id=session.session_id,
        chain=[s.session_id for s in chain],
        account=caller.account if caller else None,
        caller_arn=caller.arn if caller else None,
        operators=sorted({s.operator for s in chain}),
        tool_version=session.started.tool_version if session.started else None,
        demo=bool(caller and caller.demo),
        read_only=session.read_only,
        started=chain[0].started_at,
        ended=session.ended.at if session.ended else None,
        end_state=session.state_label(),
        scans=[_scan(r) for r in records if isinstance(r, ScanCompleted)],
        confirmations=[
            ConfirmationEvidence(
                session_id=c.session_id,
                at=c.at,
                confirmed_by=c.confirmed_by,
                typed_matched=c.typed_matched,
                choices=[
                    ChoiceEvidence(
                        resource=r.key,
                        kind=r.kind.value,
                        final_snapshot_id=r.final_snapshot_id,
                        skip_final_snapshot=r.skip_final_snapshot,
                        lift_protection=r.lift_protection,
                    )
                    for r in c.plan.resources
                ],
            )
            for s in chain
            for c in s.confirmations
        ],
        refused_confirmations=sum(isinstance(r, ConfirmationRefused) for r in records),
        unscanned_accepted=_acceptances(records),
        calls=sorted(_calls([r for r in records if isinstance(r, StepRecord)]), key=_at),
        resources=[_resource(h) for _, h in sorted(history.items())],
        snapshots=[s for _, h in sorted(history.items()) if (s := _snapshot(h)) is not None],
        role=_role(records),
        unreadable_lines=view.unreadable,
        records=records,
    )


def _scan(record: ScanCompleted) -> ScanEvidence:
    scan = record.scan
    return ScanEvidence(
        session_id=record.session_id,
        at=record.at,
        purpose=record.purpose,
        regions_scanned=len(scan.regions) - len(scan.incomplete_regions),
        incomplete=[
            f"{r.region}: {r.outcome.value}" + (f" ({r.reason})" if r.reason else "")
            for r in scan.incomplete_regions
        ],
        resources=scan.blockers(),
        beside=[
            f"{x.region}: {x.label} {x.shown_name}: {x.role_effect} {x.handling}"
            for x in scan.related
        ],
        unchecked=scan.unchecked,
    )


def _at(call: CallEvidence) -> datetime:
    return call.at


def _acceptances(records: list[Record]) -> list[UnscannedAcceptanceEvidence]:
    """Each acceptance, its regions told with the reason the scan before it gave."""
    reasons: dict[str, str] = {}
    found: list[UnscannedAcceptanceEvidence] = []
    for record in records:
        if isinstance(record, ScanCompleted):
            for r in record.scan.incomplete_regions:
                reasons[r.region] = r.outcome.value + (f": {r.reason}" if r.reason else "")
        elif isinstance(record, UnscannedRegionsAccepted):
            found.append(
                UnscannedAcceptanceEvidence(
                    session_id=record.session_id,
                    at=record.at,
                    accepted_by=record.accepted_by,
                    regions=[
                        f"{region} ({reasons[region]})" if region in reasons else region
                        for region in record.regions
                    ],
                )
            )
    return found


def _calls(steps: list[StepRecord]) -> list[CallEvidence]:
    """One row per mutating call (its announcement merged with its outcome), one per failure.

    An announcement with no outcome after it stays ``running``: the process stopped during the
    call, and only AWS can say whether it happened (a resume finds out).
    """
    rows: list[CallEvidence] = []
    merged: set[int] = set()
    for i, record in enumerate(steps):
        if record.status is StepStatus.RUNNING and record.step.mutating:
            outcome = next(
                (
                    later
                    for later in steps[i + 1 :]
                    if later.session_id == record.session_id
                    and later.resource == record.resource
                    and later.index == record.index
                    and later.status is not StepStatus.WAITING
                ),
                None,
            )
            if outcome is not None:
                merged.add(id(outcome))
            rows.append(_call(record, outcome))
        elif record.status is StepStatus.FAILED and id(record) not in merged:
            rows.append(_call(record, record))  # a failed wait, or refused before any call
    return rows


def _call(announced: StepRecord, outcome: StepRecord | None) -> CallEvidence:
    final = outcome or announced
    return CallEvidence(
        session_id=announced.session_id,
        at=announced.at,
        resource=announced.resource,
        step=announced.step.kind.value,
        target=announced.step.target,
        description=announced.step.description,
        status=final.status.value if outcome else "no answer recorded (the process stopped)",
        note=final.error or final.note,
        request_id=final.request_id,
        error_code=final.error_code,
    )


def _resource(history: ResourceHistory) -> ResourceEvidence:
    error = history.last_error
    return ResourceEvidence(
        resource=history.key,
        kind=history.choice.kind.value,
        outcome=history.outcome,
        final_snapshot_id=history.choice.final_snapshot_id,
        error=(error.error or error.note) if error and history.outcome == "failed" else None,
    )


def _snapshot(history: ResourceHistory) -> SnapshotEvidence | None:
    """A final snapshot the session asked AWS for (its resource's deletion was announced)."""
    snapshot = history.choice.final_snapshot_id
    if not snapshot or history.delete_announced is None or history.vanished:
        return None
    verified = history.snapshot_verified
    failures = [
        c.record
        for c in history.calls
        if c.step.target == snapshot and c.record.status is StepStatus.FAILED
    ]
    if verified is not None:
        status = "available"
    elif failures:
        status = f"verification failed: {failures[-1].error or failures[-1].note}"
    else:
        status = "not verified"
    return SnapshotEvidence(
        resource=history.key,
        region=history.choice.region,
        snapshot_id=snapshot,
        cluster=history.choice.kind is ResourceKind.CLUSTER,
        session_status=status,
        verified_at=verified.record.at if verified else None,
    )


@dataclass
class _Attempt:
    """An attempt being read from the journal (mutable while its records come in)."""

    session_id: str
    requested_at: datetime
    task_id: str | None
    outcome: str | None = None
    last_state: str | None = None
    reason: str | None = None
    usage_regions: list[str] = field(default_factory=list)
    usage_resources: list[str] = field(default_factory=list)
    refused: str | None = None

    def evidence(self) -> RoleAttemptEvidence:
        return RoleAttemptEvidence(
            session_id=self.session_id,
            requested_at=self.requested_at,
            task_id=self.task_id,
            outcome=self.outcome or self.last_state or "no end seen",
            reason=self.reason,
            usage_regions=self.usage_regions,
            usage_resources=self.usage_resources,
            refused=self.refused,
        )


def _attempts(deletions: list[RoleDeletionRecord]) -> list[RoleAttemptEvidence]:
    """One attempt per DeleteServiceLinkedRole request, each with its own outcome.

    The journal writes ``requested`` before the call (without a task id) and again with the task
    id it returned; ``refused`` when the call itself failed; ``status`` for each poll of a task.
    A status belongs to the latest attempt with its task id (a resume may poll a task that an
    earlier session requested; AWS answers a repeated request with the unfinished task's id).
    """
    attempts: list[_Attempt] = []

    def open_or_new(record: RoleDeletionRecord) -> _Attempt:
        if attempts and attempts[-1].outcome is None:
            return attempts[-1]
        attempts.append(_Attempt(record.session_id, record.at, record.task_id))
        return attempts[-1]

    for record in deletions:
        if record.phase == "requested":
            known = any(a.task_id == record.task_id for a in attempts)
            if record.task_id and attempts and attempts[-1].task_id is None:
                attempts[-1].task_id = record.task_id  # the id of the request just announced
            elif not record.task_id or not known:
                attempts.append(_Attempt(record.session_id, record.at, record.task_id))
        elif record.phase == "refused":
            attempt = open_or_new(record)
            attempt.outcome, attempt.refused = "refused", record.error
        elif record.status is not None:
            status = record.status
            same_task = [a for a in attempts if a.task_id == status.task_id]
            attempt = same_task[-1] if same_task else open_or_new(record)
            attempt.task_id = status.task_id
            attempt.last_state = status.state.value
            attempt.outcome = status.state.value if status.finished else None
            attempt.reason = status.reason
            attempt.usage_regions = status.usage_regions
            attempt.usage_resources = [arn for u in status.usage for arn in u.resources]
    return [a.evidence() for a in attempts]


def _role(records: list[Record]) -> RoleEvidence:
    inspections = [r for r in records if isinstance(r, RoleInspected)]
    inspected = inspections[0] if inspections else None
    created = next((r for r in records if isinstance(r, RoleCreated)), None)
    attempts = _attempts([r for r in records if isinstance(r, RoleDeletionRecord)])
    last = attempts[-1] if attempts else None
    finished = last is not None and last.outcome in ("SUCCEEDED", "FAILED")
    role = inspected.inspection.role if inspected else None
    gone = [
        r
        for r in inspections
        if last is not None and not r.inspection.exists and r.at > last.requested_at
    ]
    return RoleEvidence(
        arn=role.arn if role else (created.arn if created else None),
        existed_at_start=inspected.inspection.exists if inspected else None,
        created_at=created.at if created else None,
        deletion_requested_at=last.requested_at if last else None,
        requested_in=last.session_id if last else None,
        task_id=last.task_id if last else None,
        final_state=last.outcome if last is not None and finished else None,
        reason=last.reason if last else None,
        usage_regions=last.usage_regions if last else [],
        refused=last.refused if last else None,
        gone_confirmed_at=gone[0].at if gone else None,
        attempts=attempts,
    )


def verify_live(export: SessionExport, lookup: SnapshotLookup) -> SessionExport:
    """Re-check every final snapshot in the live account (``journal export --verify``)."""
    checked = []
    for snap in export.snapshots:
        try:
            live = lookup(snap.region, snap.snapshot_id, snap.cluster)
        except WizardError as exc:
            live = f"could not check: {exc.explanation}"
        checked.append(snap.model_copy(update={"live_status": live}))
    return export.model_copy(update={"snapshots": checked, "live_verified_at": utcnow()})


def export_markdown(path: Path, session_id: str) -> str:
    """The Markdown report of ``session_id`` (or ``latest``) in the journal at ``path``.

    The TUI's summary screen offers this; it reads the journal only, no AWS call.

    Raises:
        SessionNotFoundError: no such session in the journal.
        JournalError: the journal cannot be read.
    """
    from slrwizard.journal.render import render_markdown

    view = load(path)
    return render_markdown(build_export(view, view.get(session_id)))


def export_json(path: Path, session_id: str) -> str:
    """The JSON report of ``session_id`` (or ``latest``): the evidence plus the raw records."""
    view = load(path)
    return build_export(view, view.get(session_id)).model_dump_json(indent=2) + "\n"


# -- a read-only walkthrough's plan, for a pre-approval ticket ---------------------------------
class PlannedResource(_Model):
    resource: str
    kind: str
    final_snapshot_id: str | None
    skip_final_snapshot: bool
    lift_protection: bool
    steps: list[str]
    """The calls the wizard would make for this resource, in order."""


class PlanExport(_Model):
    """A plan reviewed in read-only mode: what a later, writable walkthrough would do.

    Nothing was confirmed (read-only confirms nothing), so the plan comes from the screen, and
    the who, where and what-was-found from the journal, as in :class:`SessionExport`.
    """

    session_id: str
    account: str
    caller_arn: str | None
    operators: list[str]
    tool_version: str | None
    demo: bool
    read_only: bool
    prepared_at: datetime
    scans: list[ScanEvidence]
    unscanned_accepted: list[UnscannedAcceptanceEvidence] = []
    resources: list[PlannedResource]


def build_plan_export(
    path: Path,
    session_id: str,
    plan: DeletionPlan,
    schedule: list[ResourceSteps],
    *,
    caller: Caller,
    operator: str,
) -> PlanExport:
    """The plan a read-only session reviewed: who and where from the running session (the
    ``caller``), what the scans found from its journal."""
    records = list(load(path).get(session_id).records)
    resources: list[PlannedResource] = []
    for item in schedule:
        choice = plan.choice(item.key)
        if choice is None:  # the schedule is built from the plan: never, but say so plainly
            raise WizardError(f"{item.key} is scheduled but not in the plan.")
        resources.append(
            PlannedResource(
                resource=choice.key,
                kind=item.kind.value,
                final_snapshot_id=choice.final_snapshot_id,
                skip_final_snapshot=choice.skip_final_snapshot,
                lift_protection=choice.lift_protection,
                steps=[step.description for step in item.steps],
            )
        )
    return PlanExport(
        session_id=session_id,
        account=plan.account,
        caller_arn=caller.arn,
        operators=[operator],
        tool_version=__version__,
        demo=caller.demo,
        read_only=True,
        prepared_at=utcnow(),
        scans=[_scan(r) for r in records if isinstance(r, ScanCompleted)],
        unscanned_accepted=_acceptances(records),
        resources=resources,
    )
