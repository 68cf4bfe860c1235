"""Run a confirmed plan: every resource's steps in order, all resources at once.

Resources are independent except where AWS makes them depend on each other: a global database's
primary can only leave once its secondaries have, and the source of a read replica waits until the
replica has been promoted (clusters) or deleted (instances). Those waits are explicit gates here;
everything else runs concurrently, so the total time approaches the longest single chain.

A gate opens on *completion*, not on an API call's return: the source of a replica waits until
the replica's promotion step **and the wait that confirms it** (available, no replication source)
are done; a global primary waits until each secondary has left and ``DescribeGlobalClusters`` no
longer lists it.

Each resource's plan starts with a check (``CHECK_CLUSTER``/``CHECK_INSTANCE``: final snapshot
name free, snapshot quota, KMS key) and puts everything reversible before anything irreversible,
so a refusal stops that resource before anything was lost. AWS also refuses a change for a while
after another one (a cluster still ``modifying``, a member still listed by its global database):
those refusals (the ``Invalid*StateFault`` codes) are retried with a bounded, growing delay and
shown as *waiting*, not as failures. A failed resource stops where it failed and can be retried
(steps are idempotent) or left alone; the others carry on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from slrwizard.domain import errors as e
from slrwizard.domain.models import Cluster, Instance, ScanResult
from slrwizard.domain.plan import DeletionPlan, PlanStep, ResourceKind, ResourceSteps, StepKind
from slrwizard.domain.ports import Gateway, StepResult
from slrwizard.domain.records import StepStatus

StepListener = Callable[["StepUpdate"], None]
TRANSIENT_CODES = frozenset(
    {
        "InvalidDBClusterStateFault",
        "InvalidDBInstanceState",
        "InvalidDBInstanceStateFault",
        "InvalidGlobalClusterStateFault",
    }
)
"""AWS's "not now" answers: the resource is busy with a change that settles by itself (e.g. "is
not currently in the available state", "is a part of a global cluster" just after leaving it)."""
RETRIES = 5
STEADY_STATUSES = frozenset({"available", "stopped"})
"""Statuses that say nothing is under way: a waiting step says only the others ("AWS: deleting");
its own description already names the state it waits for."""
"""Attempts after the first for a transient refusal; delays double from one poll interval."""
MAX_RETRY_DELAY = 120.0
_CHECKS = (StepKind.CHECK_CLUSTER, StepKind.CHECK_INSTANCE)


class StepUpdate(BaseModel):
    """A step changed status. ``RUNNING`` is announced before the AWS call is made."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    resource: str
    index: int
    total: int
    status: StepStatus
    note: str = ""
    request_id: str | None = None
    error: e.WizardError | None = None


class ResourceState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    VANISHED = "vanished"
    FAILED = "failed"
    STOPPED = "stopped"


class ResourceProgress:
    """Mutable progress of one resource (owned by the executor; read by the UI)."""

    def __init__(self, steps: ResourceSteps) -> None:
        self.steps = steps
        self.next_index = 0
        self.state = ResourceState.PENDING
        self.error: e.WizardError | None = None
        self.milestones: set[StepKind] = set()
        self.changed = threading.Condition()

    @property
    def key(self) -> str:
        return self.steps.key

    @property
    def finished(self) -> bool:
        return self.state in (ResourceState.DONE, ResourceState.VANISHED)


def _expected_length(p: ResourceProgress) -> int:
    """A rough rank of how long a resource's remaining steps take: starting a stopped cluster
    (minutes, then everything else) outweighs any number of other steps."""
    left = p.steps.steps[p.next_index :]
    starts = (StepKind.START_CLUSTER, StepKind.START_INSTANCE)
    return len(left) + sum(10 for step in left if step.kind in starts)


class Executor:
    """Carries out a plan through the gateway; thread-safe, resumable, stoppable."""

    def __init__(
        self,
        gateway: Gateway,
        plan: DeletionPlan,
        scan: ScanResult,
        listener: StepListener | None = None,
        max_workers: int = 256,
    ) -> None:
        self.gateway = gateway
        self.plan = plan
        self.listener = listener
        self.max_workers = max_workers
        self._stop = threading.Event()
        self.progress: dict[str, ResourceProgress] = {
            r.key: ResourceProgress(r) for r in plan.schedule(scan)
        }
        self._gates = _gates(scan, self.progress)
        # Already being deleted when scanned (a resumed plan): its final snapshot, if any,
        # is the one that deletion is taking, so the name check below must not refuse it.
        self._under_way = {c.key for c in scan.clusters if c.status == "deleting"} | {
            i.key for i in scan.instances if i.status == "deleting"
        }

    # -- control ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask every resource to stop after its current step (waits give up at their next poll)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> dict[str, ResourceProgress]:
        """Run every resource not yet finished; return when each is done, failed or stopped."""
        # Resources that wait for another go last: the pool is first-in first-out, so whatever
        # they wait for already has a thread, and waiting ones cannot starve the pool. Among the
        # others, the longest plans first (a stopped cluster must be started and waited for
        # before anything else): their first calls leave before the burst of everyone else's,
        # and the total is the longest chain (benchmarks/pipeline.py).
        gated = {key for key, _ in self._gates}
        pending = sorted(
            (p for p in self.progress.values() if not p.finished),
            key=lambda p: (p.key in gated, -_expected_length(p)),
        )
        if pending:
            workers = max(1, min(self.max_workers, len(pending)))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="delete") as pool:
                list(pool.map(self._run_resource, pending))
        return self.progress

    def retry(self, key: str) -> ResourceProgress:
        """Run one failed or stopped resource again, from the step that did not finish."""
        self._stop.clear()
        progress = self.progress[key]
        self._run_resource(progress)
        return progress

    def skip(self, key: str) -> None:
        """Leave a failed resource as it is (it will keep the role in use)."""
        progress = self.progress[key]
        with progress.changed:
            progress.state = ResourceState.STOPPED
            progress.changed.notify_all()

    # -- one resource -------------------------------------------------------------------------
    def _emit(self, p: ResourceProgress, index: int, status: StepStatus, **kw: Any) -> None:
        if self.listener is not None:
            self.listener(
                StepUpdate(
                    resource=p.key,
                    index=index,
                    total=len(p.steps.steps),
                    status=status,
                    **kw,
                )
            )

    def _set(self, p: ResourceProgress, state: ResourceState, error: e.WizardError | None) -> None:
        with p.changed:
            p.state, p.error = state, error
            p.changed.notify_all()

    def _run_resource(self, p: ResourceProgress) -> None:
        self._set(p, ResourceState.RUNNING, None)
        steps = p.steps.steps
        try:
            self._preflight(p)
            while p.next_index < len(steps):
                if self._stop.is_set():
                    self._set(p, ResourceState.STOPPED, None)
                    return
                index, step = p.next_index, steps[p.next_index]
                self._wait_for_gate(p, step.kind)
                self._emit(p, index, StepStatus.RUNNING)
                result = self._run_step(p, index, step)
                status = StepStatus.SKIPPED if result.skipped else StepStatus.DONE
                self._emit(p, index, status, note=result.note, request_id=result.request_id)
                with p.changed:
                    p.milestones.add(step.kind)
                    p.next_index += 1
                    p.changed.notify_all()
            self._set(p, ResourceState.DONE, None)
        except e.NotFoundError as exc:
            if p.next_index < len(steps):  # a cluster or a standalone instance alike
                self._vanished(p, exc)
            else:
                self._failed(p, exc)
        except e.WizardError as exc:
            if self._stop.is_set() and isinstance(exc, e.GuardError):
                self._set(p, ResourceState.STOPPED, None)
                self._emit(p, p.next_index, StepStatus.PENDING, note="stopped")
                return
            self._failed(p, exc)
        except Exception as exc:  # a bug must not leave the resource "running" forever
            self._failed(p, e.AwsError(f"Unexpected error on {p.key}: {exc!r}", code="Internal"))

    def _aws_says(self, p: ResourceProgress, index: int, word: str) -> None:
        """Show what AWS says of the step's target meanwhile, if something is under way."""
        if word not in STEADY_STATUSES:
            self._emit(p, index, StepStatus.RUNNING, note=f"AWS: {word}")

    def _run_step(self, p: ResourceProgress, index: int, step: PlanStep) -> StepResult:
        """Run one step; a transient refusal of a change waits and tries again, a few times."""
        delay = max(0.01, self.gateway.poll_seconds)
        for attempt in range(RETRIES + 1):
            try:
                return self.gateway.run_step(
                    step, self._stop.is_set, lambda word: self._aws_says(p, index, word)
                )
            except e.InvalidStateError as exc:
                if not step.mutating or exc.code not in TRANSIENT_CODES or attempt == RETRIES:
                    raise
                self._emit(
                    p,
                    index,
                    StepStatus.WAITING,
                    note=f"AWS is not ready yet ({exc.code}): trying again in "
                    f"{_seconds(delay)} ({attempt + 1} of {RETRIES} retries)",
                )
                if self._stop.wait(delay):
                    raise e.GuardError("Stopped while waiting for AWS to be ready.") from None
                delay = min(delay * 2, MAX_RETRY_DELAY)
                self._emit(p, index, StepStatus.RUNNING)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _failed(self, p: ResourceProgress, exc: e.WizardError) -> None:
        self._emit(p, p.next_index, StepStatus.FAILED, error=exc, note=exc.explanation)
        self._set(p, ResourceState.FAILED, exc)

    def _vanished(self, p: ResourceProgress, exc: e.WizardError) -> None:
        """Someone else deleted the resource: nothing left to do, and no snapshot of ours."""
        self._emit(p, p.next_index, StepStatus.SKIPPED, note=f"gone: {exc.explanation}")
        for index in range(p.next_index + 1, len(p.steps.steps)):
            self._emit(p, index, StepStatus.SKIPPED, note="resource already gone")
        with p.changed:
            p.next_index = len(p.steps.steps)
        self._set(p, ResourceState.VANISHED, exc)

    def _preflight(self, p: ResourceProgress) -> None:
        """Refuse to start a resource whose final snapshot name is already taken (for plans
        journaled before they began with their own check step)."""
        first = p.steps.steps[0].kind if p.steps.steps else None
        if first in _CHECKS or p.next_index > 0 or p.key in self._under_way:
            return  # already under way: the snapshot may be ours
        choice = self.plan.choice(p.key)
        if choice is None or not choice.final_snapshot_id:
            return
        if self.gateway.snapshot_exists(
            choice.region, choice.final_snapshot_id, choice.kind is ResourceKind.CLUSTER
        ):
            raise e.SnapshotExistsError(
                f"A snapshot named {choice.final_snapshot_id} already exists in {choice.region}; "
                f"nothing was changed on {choice.identifier}.",
                hint="Go back and choose another final snapshot name for it.",
                code="DBClusterSnapshotAlreadyExistsFault",
            )

    def _wait_for_gate(self, p: ResourceProgress, kind: StepKind) -> None:
        for other_key, milestone in self._gates.get((p.key, kind), []):
            other = self.progress[other_key]
            self._emit(p, p.next_index, StepStatus.WAITING, note=f"waiting for {other_key}")
            with other.changed:
                while not _reached(other, milestone):
                    if other.state in (ResourceState.FAILED, ResourceState.STOPPED):
                        raise e.InvalidStateError(
                            f"{p.key} waits for {other_key}, which did not get past "
                            f"'{milestone.value}'.",
                            hint=f"Retry {other_key} first, then retry this one.",
                            code="DependencyFailed",
                        )
                    if self._stop.is_set():
                        raise e.GuardError("Stopped while waiting for another resource.")
                    other.changed.wait(timeout=0.5)


Gate = tuple[str, StepKind]


def _seconds(delay: float) -> str:
    return f"{delay:.1f} s" if delay < 10 else f"{delay:.0f} s"


def _reached(other: ResourceProgress, milestone: StepKind) -> bool:
    """Whether ``other`` has completed ``milestone``: the step itself and, when the next step is
    the wait that confirms it, that wait too (AWS's answer to a call is not the change done)."""
    if other.finished:
        return True
    steps = other.steps.steps
    index = next((i for i, s in enumerate(steps) if s.kind is milestone), None)
    if index is None:
        return False
    needed = index + 1
    if needed < len(steps) and steps[needed].kind in (
        StepKind.WAIT_CLUSTER_AVAILABLE,
        StepKind.WAIT_INSTANCE_DELETED,
    ):
        needed += 1
    return other.next_index >= needed


def _gates(
    scan: ScanResult, progress: dict[str, ResourceProgress]
) -> dict[tuple[str, StepKind], list[Gate]]:
    """Which step of which resource waits for which milestone of another."""
    gates: dict[tuple[str, StepKind], list[Gate]] = {}
    clusters = {c.key: c for c in scan.clusters if c.key in progress}
    for key, cluster in clusters.items():
        if cluster.global_cluster_id and cluster.global_cluster_primary:
            for other_key, other in clusters.items():
                if (
                    other_key != key
                    and other.global_cluster_id == cluster.global_cluster_id
                    and not other.global_cluster_primary
                ):
                    gates.setdefault((key, StepKind.REMOVE_FROM_GLOBAL), []).append(
                        (other_key, StepKind.REMOVE_FROM_GLOBAL)
                    )
        source = cluster.replication_source
        if source:
            for other_key, other in clusters.items():
                if source in (other.arn, other.identifier):
                    for kind in (StepKind.DELETE_MEMBER, StepKind.DELETE_CLUSTER):
                        gates.setdefault((other_key, kind), []).append(
                            (key, StepKind.PROMOTE_REPLICA)
                        )
    instances = {i.key: i for i in scan.instances if i.key in progress}
    for key, instance in instances.items():
        if instance.read_replica_source:
            source = instance.read_replica_source
            for other_key, origin in instances.items():
                # The source is an ARN when it is in another region, else a bare identifier.
                if source == origin.arn or (
                    origin.region == instance.region and source == origin.identifier
                ):
                    gates.setdefault((other_key, StepKind.DELETE_INSTANCE), []).append(
                        (key, StepKind.WAIT_INSTANCE_DELETED)
                    )
        _replica_of_cluster_gate(gates, clusters, key, instance)
    return gates


def _replica_of_cluster_gate(
    gates: dict[tuple[str, StepKind], list[Gate]],
    clusters: dict[str, Cluster],
    key: str,
    instance: Instance,
) -> None:
    """A Multi-AZ DB cluster is deleted only once its read replica instances are gone: deleting
    it first would promote them to standalone instances (API reference, DeleteDBCluster)."""
    source = instance.read_replica_source_cluster
    if not source:
        return
    for other_key, origin in clusters.items():
        if source == origin.arn or (
            origin.region == instance.region and source == origin.identifier
        ):
            gates.setdefault((other_key, StepKind.DELETE_CLUSTER), []).append(
                (key, StepKind.WAIT_INSTANCE_DELETED)
            )
