"""Resume an interrupted session: say what it did, and adapt its plan to AWS as it is now.

The journal tells what was *announced*; only AWS tells what *happened*. So a resume never trusts
the journal alone. It is an ordinary walkthrough on the :class:`~slrwizard.domain.wizard.Wizard`'s
public API, started with ``resumed_from``::

    prior = find_unfinished(journal_path, account)           # None: nothing to resume
    wizard.start(resumed_from=prior.session_id)              # (connect_wizard does this)
    wizard.inspect()                                         # no role any more: finish_without_role
    scan = wizard.scan()                                     # a fresh scan of every region
    adapted = adapt_plan(prior.plan, scan)                   # gone: dropped; new: need a choice
    wizard.set_plan(adapted.completed(choices_for_the_new)); wizard.review()
    wizard.confirm(typed_account_id)                         # the operator confirms again
    wizard.delete_resources()                                # idempotent: describes, then acts
    verify_prior_snapshots(wizard, prior)                    # snapshots of resources now gone
    delete_emptied_global_databases(wizard, prior)           # a primary gone, its global left
    wizard.finish_deletions(); wizard.rescan()
    wizard.delete_role(task_id=prior.role_task_id)           # poll a task in flight, never redo

A fresh scan with nothing left goes ``wizard.skip_to_role()`` straight to ``delete_role``. A prior
session that confirmed no plan (it found nothing and only asked for the role's deletion) has
nothing to adapt: if the fresh scan finds something, the plan starts from
``wizard.default_plan()`` as in any session.

Every step of the gateway describes before it acts, so a cluster the first session already
started deleting is waited for, not deleted again.

This is the use case; where the prior session comes from is not its concern.
:func:`slrwizard.journal.resume.find_unfinished` reads it from the journal and builds the
:class:`PriorSession` (each resource's history is the journal's, seen through
:class:`PriorResource`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome, ScanResult
from slrwizard.domain.plan import DeletionPlan, PlanStep, ResourceKind, ResourcePlan, StepKind
from slrwizard.domain.records import SessionEnded, StepRecord, StepStatus
from slrwizard.domain.wizard import Wizard


class AnnouncedStep(Protocol):
    """A step the prior session announced (the journal's ``Call``)."""

    @property
    def step(self) -> PlanStep: ...


class PriorResource(Protocol):
    """What a resume needs to know of one resource's history across the prior sessions.

    A protocol, not a copy: the journal's ``ResourceHistory`` is it, so the summary and the
    snapshot check read exactly what the journal made of its records.
    """

    @property
    def choice(self) -> ResourcePlan:
        """The latest confirmed choice for the resource (snapshot name or skip, protection)."""

    @property
    def outcome(self) -> str:
        """deleted, vanished, failed, stopped, in doubt, in progress or not started."""

    @property
    def vanished(self) -> bool:
        """A step found it gone without our deleting it."""

    @property
    def delete_announced(self) -> object | None:
        """Its DeleteDBCluster/DeleteDBInstance as announced, if one was (None: never asked)."""

    @property
    def snapshot_verified(self) -> object | None:
        """The step that saw its final snapshot ``available`` (None: never verified)."""

    @property
    def in_doubt(self) -> Sequence[AnnouncedStep]:
        """Steps announced ``running`` with no outcome: the process died meanwhile."""

    @property
    def last_error(self) -> StepRecord | None:
        """Its last failed step, if any."""

    @property
    def global_database(self) -> str | None:
        """The global database its steps named (it left it, or was to delete it), if any."""

    @property
    def global_database_deleted(self) -> bool:
        """A step of the prior sessions deleted that global database (or found it gone)."""


@dataclass(frozen=True)
class PriorSession:
    """An unfinished session (and the sessions it resumed): what a resume starts from."""

    session_id: str
    """The latest session of the chain: the new session's ``resumed_from``."""
    chain: tuple[str, ...]
    account: str
    operator: str
    caller_arn: str
    started: datetime
    ended: SessionEnded | None
    plan: DeletionPlan | None
    """The last plan confirmed in the chain (None: nothing was confirmed)."""
    confirmed_by: str | None
    confirmed_at: datetime | None
    role_task_id: str | None
    """A role deletion task requested but never seen to end: poll it, do not request again."""
    resources: Mapping[str, PriorResource]
    """Each resource of the prior plans, by key, with what the prior sessions did to it."""

    def summary(self) -> list[str]:
        """What already happened, in the operator's words, for the Resume / Start fresh screen."""
        how = (
            "it has no end record (the process was killed or the machine stopped)"
            if self.ended is None
            else f"it ended {self.ended.state.replace('_', ' ')}: {self.ended.reason}"
        )
        lines = [
            f"Session {self.session_id} was started {_when(self.started)} by {self.operator} "
            f"({self.caller_arn}) and did not finish: {how}."
        ]
        if len(self.chain) > 1:
            lines.append("It continued earlier sessions: " + " -> ".join(self.chain[:-1]) + ".")
        if self.plan is not None:
            lines.append(
                f"{self.confirmed_by} confirmed a plan for {len(self.plan.resources)} resource(s) "
                f"{_when(self.confirmed_at)}."
            )
        for key, history in sorted(self.resources.items()):
            lines.append(f"  {key}: {_resource_line(history)}")
        if self.role_task_id:
            lines.append(
                f"The role's deletion was requested (task {self.role_task_id}) and never seen to "
                "end: it will be polled, not requested again."
            )
        lines.append(
            "Resuming re-reads AWS first: nothing is deleted twice, and you confirm again."
        )
        return lines


def _when(at: datetime | None) -> str:
    return f"at {at:%Y-%m-%d %H:%M:%S} UTC" if at else "at an unknown time"


def _resource_line(history: PriorResource) -> str:
    outcome = history.outcome
    if outcome == "deleted":
        snap = history.choice.final_snapshot_id
        if not snap:
            return "deleted (without a final snapshot, as confirmed)"
        verified = "verified available" if history.snapshot_verified else "not verified yet"
        return f"deleted; final snapshot {snap} {verified}"
    if outcome == "vanished":
        return "deleted by someone else (no final snapshot of ours)"
    if outcome == "in doubt":
        step = history.in_doubt[-1].step
        return (
            f"stopped during '{step.description}': AWS may or may not have done it; "
            "the fresh scan will tell"
        )
    if outcome == "failed" and history.last_error is not None:
        return f"failed: {history.last_error.error or history.last_error.note}"
    if history.delete_announced is not None:
        return f"{outcome}; its deletion was already requested"
    return outcome


@dataclass(frozen=True)
class AdaptedPlan:
    """The prior plan, fitted to a fresh scan."""

    plan: DeletionPlan
    """Choices kept for the resources still there; new resources are missing on purpose."""
    kept: list[str]
    dropped: list[str]
    """In the prior plan but gone from AWS (deleted by the prior session, or by someone else)."""
    new: list[str]
    """In AWS now but never in the prior plan: the operator must choose for them afresh."""
    recreated: list[str] = field(default_factory=list)
    """Among ``new``: a database of a confirmed name, but another resource id: the confirmed
    one was deleted and this one created under its name since. It is never deleted under the
    old confirmation."""

    def completed(self, choices: Iterable[ResourcePlan]) -> DeletionPlan:
        """The adapted plan plus the operator's fresh ``choices`` for the new resources.

        Choices for resources that are not new are ignored: the kept ones were confirmed
        before, and changing them is an ordinary ``Wizard.set_plan`` edit on the review screen.
        """
        fresh = [c for c in choices if c.key in self.new]
        return DeletionPlan(account=self.plan.account, resources=[*self.plan.resources, *fresh])

    def lines(self) -> list[str]:
        """A human account of the adaptation, for the review screen."""
        lines = [f"{len(self.kept)} resource(s) keep the choices you confirmed before."]
        if self.dropped:
            lines.append("Already gone, dropped from the plan: " + ", ".join(self.dropped) + ".")
        if self.recreated:
            lines.append(
                "Created again under a confirmed name since the interrupted session (another "
                "database, never deleted under the old confirmation): "
                + ", ".join(self.recreated)
                + "."
            )
        if self.new:
            lines.append(
                "New since the interrupted session, choose what to do with them: "
                + ", ".join(self.new)
                + "."
            )
        return lines


def adapt_plan(prior_plan: DeletionPlan, fresh_scan: ScanResult) -> AdaptedPlan:
    """Keep the prior choices of resources still present; drop the gone; list the new.

    The choices (final snapshot name or an explicit skip, lifting protection) are the operator's
    earlier decisions and are kept verbatim, so a final snapshot the first session already asked
    for keeps its name. The operator still confirms the adapted plan by typing the account ID.
    A database listed under a confirmed name but with another resource id than the one
    confirmed is another database (the confirmed one was deleted, this one created since): it
    is new, never kept under the old choice. Choices from journals without ids are matched by
    name, as they always were.
    """
    found = {c.key: c.resource_id for c in fresh_scan.clusters}
    found.update({i.key: i.resource_id for i in fresh_scan.instances})
    recreated = sorted(
        r.key
        for r in prior_plan.resources
        if r.key in found and r.resource_id and found[r.key] and found[r.key] != r.resource_id
    )
    kept = [r for r in prior_plan.resources if r.key in found and r.key not in recreated]
    prior_keys = {r.key for r in prior_plan.resources}
    return AdaptedPlan(
        plan=DeletionPlan(account=prior_plan.account, resources=kept),
        kept=sorted(r.key for r in kept),
        dropped=sorted(r.key for r in prior_plan.resources if r.key not in found),
        new=sorted(k for k in found if k not in prior_keys or k in recreated),
        recreated=recreated,
    )


def verify_prior_snapshots(
    wizard: Wizard,
    prior: PriorSession,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, bool]:
    """Check the final snapshots of resources the prior session deleted but never verified.

    A resource deleted just before the interruption is gone from the fresh scan, so the resumed
    plan cannot verify its snapshot. This read-only check does, and journals the answer as a
    ``verify-*-snapshot`` step of the current session, so the export can prove it.

    Returns:
        resource key -> True when its final snapshot is ``available``.
    """
    current = set()
    if wizard.plan is not None:
        current = {r.key for r in wizard.plan.resources}
    results: dict[str, bool] = {}
    for key, history in sorted(prior.resources.items()):
        snapshot = history.choice.final_snapshot_id
        if (
            not snapshot
            or key in current
            or history.delete_announced is None
            or history.vanished
            or history.snapshot_verified is not None
        ):
            continue
        cluster = history.choice.kind is ResourceKind.CLUSTER
        step = PlanStep(
            kind=StepKind.VERIFY_CLUSTER_SNAPSHOT if cluster else StepKind.VERIFY_INSTANCE_SNAPSHOT,
            region=history.choice.region,
            target=snapshot,
            description=f"Verify final snapshot {snapshot} is available (resumed session)",
        )
        base = {"session_id": wizard.session_id, "resource": key, "index": 0, "total": 1}
        try:
            wizard.gateway.run_step(step, should_stop)
            outcome = StepRecord(**base, step=step, status=StepStatus.DONE, note="available")
        except e.WizardError as exc:
            outcome = StepRecord(
                **base,
                step=step,
                status=StepStatus.FAILED,
                note=exc.explanation,
                error=exc.explanation,
                error_code=exc.code,
            )
        wizard.emit(outcome)
        results[key] = outcome.status is StepStatus.DONE
    return results


def gone_from(scan: ScanResult | None, region: str, key: str) -> bool:
    """Whether ``scan`` read ``region`` completely and did not list the resource ``key``."""
    if scan is None:
        return False
    read = any(r.region == region and r.outcome is RegionOutcome.SCANNED for r in scan.regions)
    listed = {c.key for c in scan.clusters} | {i.key for i in scan.instances}
    return read and key not in listed


@dataclass(frozen=True)
class GlobalDatabaseOutcome:
    """What became of a global database whose member the prior session deleted."""

    global_cluster_id: str
    region: str
    """The region its member was deleted in (where the wizard asks about it)."""
    deleted: bool
    """False: it is left behind, and ``note`` says why (AWS's words)."""
    note: str


GLOBAL_RETRIES = 3
"""Attempts after the first while AWS still lists a member that has just left."""


def delete_emptied_global_databases(
    wizard: Wizard,
    prior: PriorSession,
    should_stop: Callable[[], bool] | None = None,
) -> list[GlobalDatabaseOutcome]:
    """Delete the global databases the prior session emptied but did not live to delete.

    A primary's plan ends with ``DeleteGlobalCluster``; a session killed after the primary's
    deletion and before that call leaves an empty global database behind, and the resumed plan
    no longer holds the primary (it is gone). Each such global database is deleted here, once no
    cluster of the fresh scan is still its member, and the call is journaled like any step (the
    announcement first). AWS refuses one that still lists members: it is then named as left
    behind, with AWS's words, never passed over in silence.
    """
    current = {r.key for r in wizard.plan.resources} if wizard.plan is not None else set()
    scan = wizard.scan_result
    members_left = {c.global_cluster_id for c in scan.clusters} if scan is not None else set()
    handled = {h.global_database for h in prior.resources.values() if h.global_database_deleted}
    outcomes: list[GlobalDatabaseOutcome] = []
    for key, history in sorted(prior.resources.items()):
        gid = history.global_database
        gone = history.outcome in ("deleted", "vanished") or gone_from(
            scan, history.choice.region, key
        )
        if not gid or not gone or key in current or gid in handled or gid in members_left:
            continue
        handled.add(gid)
        outcomes.append(_delete_global(wizard, key, history.choice.region, gid, should_stop))
    return outcomes


def _delete_global(
    wizard: Wizard, key: str, region: str, gid: str, should_stop: Callable[[], bool] | None
) -> GlobalDatabaseOutcome:
    step = PlanStep(
        kind=StepKind.DELETE_GLOBAL_CLUSTER,
        region=region,
        target=gid,
        description=f"Delete the now empty global database {gid} (resumed session)",
    )
    base = {"session_id": wizard.session_id, "resource": key, "index": 0, "total": 1}
    delay = max(0.01, wizard.gateway.poll_seconds)
    for attempt in range(GLOBAL_RETRIES + 1):
        wizard.emit(StepRecord(**base, step=step, status=StepStatus.RUNNING))
        try:
            result = wizard.gateway.run_step(step, should_stop)
        except e.InvalidStateError as exc:
            stopping = should_stop is not None and should_stop()
            if attempt < GLOBAL_RETRIES and not stopping:
                wizard.emit(
                    StepRecord(**base, step=step, status=StepStatus.WAITING, note=exc.explanation)
                )
                time.sleep(delay)
                delay *= 2
                continue
            return _global_failed(wizard, base, step, exc)
        except e.WizardError as exc:
            return _global_failed(wizard, base, step, exc)
        status = StepStatus.SKIPPED if result.skipped else StepStatus.DONE
        wizard.emit(
            StepRecord(
                **base, step=step, status=status, note=result.note, request_id=result.request_id
            )
        )
        return GlobalDatabaseOutcome(gid, region, True, result.note or "deleted")
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns


def _global_failed(
    wizard: Wizard, base: dict[str, object], step: PlanStep, exc: e.WizardError
) -> GlobalDatabaseOutcome:
    wizard.emit(
        StepRecord(
            **base,
            step=step,
            status=StepStatus.FAILED,
            note=exc.explanation,
            error=exc.explanation,
            error_code=exc.code,
        )
    )
    return GlobalDatabaseOutcome(step.target, step.region, False, exc.explanation)
