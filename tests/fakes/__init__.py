"""An in-memory :class:`~slrwizard.domain.ports.Gateway`: an AWS account as plain Python data.

The wizard, the executor and the screens test *our* logic; they do not need botocore and moto to
do it, and each moto round trip costs milliseconds that a suite of hundreds of walks multiplies
into minutes. :class:`FakeAccount` holds what AWS would hold (regions, clusters, instances, global
databases, snapshots, the role and its deletion tasks) and :class:`FakeGateway` answers the port
from it, refusing what AWS refuses. ``tests/contract/test_gateway_contract.py`` runs the same
observations against this fake and against the boto3 gateway on the demo sandbox, so the fake
cannot drift from what the real gateway does without a test failing.

Deletions and starts finish at once (the sandbox's ``time_scale=0``); a test that needs a
resource stuck in a state sets its ``status`` and the waits poll it, hearing ``should_stop``.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fakes import related
from fakes.obstacles import STEP_ACTIONS, Denial, Hold, Obstacles, access_denied
from fakes.steps import FakeSteps
from slrwizard.domain import errors as e
from slrwizard.domain.models import (
    ROLE_NAME,
    ROLE_PATH,
    ROLE_POLICY,
    SERVICE_PRINCIPAL,
    Caller,
    Cluster,
    ClusterMember,
    Instance,
    RegionList,
    RegionOutcome,
    RegionScan,
    RegionSource,
    RelatedResource,
    Role,
    RoleDeletionState,
    RoleDeletionStatus,
    RoleInspection,
    RoleUsage,
    ScalableTarget,
)
from slrwizard.domain.plan import RELATED_STEPS, PlanStep, StepKind
from slrwizard.domain.ports import StepResult
from slrwizard.sandbox import DEFAULT_DENIED_REGIONS, ENABLED_REGIONS, NOT_OPTED_IN

ACCOUNT = "123456789012"


@dataclass
class FakeInstance:
    region: str
    identifier: str
    engine: str = "postgres"
    status: str = "available"
    deletion_protection: bool = False
    cluster_id: str | None = None
    writer: bool = False
    read_replica_source: str | None = None
    arn: str = ""
    kms_key_state: str | None = None
    """The state of its KMS key (``Enabled``, ``Disabled``...); None: not encrypted."""
    read_replica_source_cluster: str | None = None
    resource_id: str = field(default_factory=lambda: f"db-{uuid.uuid4().hex[:26].upper()}")
    """Its ``DbiResourceId``: new for every instance, even one created under an old name."""


@dataclass
class FakeCluster:
    region: str
    identifier: str
    engine: str = "aurora-mysql"
    engine_mode: str = "provisioned"
    status: str = "available"
    deletion_protection: bool = False
    global_cluster_id: str | None = None
    replication_source: str | None = None
    arn: str = ""
    kms_key_state: str | None = None
    autoscaling: list[ScalableTarget] = field(default_factory=list)
    """Its Aurora Auto Scaling targets: while one is registered, deleting a reader adds one
    back (as the sandbox does)."""
    added_back: list[str] = field(default_factory=list)
    """Readers Aurora Auto Scaling added back, in order."""
    resource_id: str = field(default_factory=lambda: f"cluster-{uuid.uuid4().hex[:26].upper()}")
    """Its ``DbClusterResourceId``: new for every cluster, even one created under an old name."""


@dataclass
class FakeGlobal:
    identifier: str
    members: list[str] = field(default_factory=list)
    """Keys (``region/id``) of its clusters, the primary (writer) first."""


@dataclass
class Task:
    task_id: str
    state: RoleDeletionState = RoleDeletionState.IN_PROGRESS
    usage: list[RoleUsage] = field(default_factory=list)


@dataclass
class FakeAccount:
    """What AWS holds for one account. Tests arrange it directly; the gateway obeys AWS's rules.

    ``refusals`` maps a port method name, or a step kind's value (``"delete-cluster"``), to the
    errors its next calls raise, in order: a denied action, a throttle that outlasted retries.
    """

    account: str = ACCOUNT
    enabled: list[str] = field(default_factory=lambda: [name for name, _ in ENABLED_REGIONS])
    not_opted_in: list[str] = field(default_factory=lambda: list(NOT_OPTED_IN))
    denied: list[str] = field(default_factory=lambda: list(DEFAULT_DENIED_REGIONS))
    role: Role | None = None
    clusters: dict[str, FakeCluster] = field(default_factory=dict)
    instances: dict[str, FakeInstance] = field(default_factory=dict)
    globals: dict[str, FakeGlobal] = field(default_factory=dict)
    snapshots: dict[tuple[str, str, bool], str] = field(default_factory=dict)
    """``(region, name, of a cluster)`` -> status."""
    snapshot_sources: dict[tuple[str, str], str] = field(default_factory=dict)
    """``(region, name)`` of a DB snapshot -> the ``DbiResourceId`` it was taken from."""
    snapshot_quota: int = 100
    reserved: dict[tuple[str, bool], set[str]] = field(default_factory=dict)
    """Final snapshots the checks counted and no deletion has taken yet, by (region, cluster)."""
    """Manual snapshots allowed per region, of clusters and of instances alike (as the
    sandbox's ``limits.snapshot_quota``)."""
    retained_backups: dict[tuple[str, bool], set[str]] = field(default_factory=dict)
    """``(region, of a cluster)`` -> keys of deleted databases whose automated backups AWS
    retains (``DeleteAutomatedBackups=false``)."""
    retained_quota: int = 40
    """Retained automated backups allowed per region (AWS: the DB cluster / instance quota)."""
    planned_retained: dict[tuple[str, bool], set[str]] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    refusals: dict[str, list[e.WizardError]] = field(default_factory=dict)
    obstacles: Obstacles = field(default_factory=Obstacles)
    related: list[RelatedResource] = field(default_factory=list)
    """What stands beside the databases (fakes/related.py)."""
    unchecked: dict[str, list[str]] = field(default_factory=dict)
    """Region -> its "could not check" lines (listings the caller may not make)."""
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- arranging ------------------------------------------------------------------------------
    def add_role(self) -> Role:
        self.role = Role(
            name=ROLE_NAME,
            arn=f"arn:aws:iam::{self.account}:role{ROLE_PATH}{ROLE_NAME}",
            path=ROLE_PATH,
            role_id="AROAFAKEROLE",
            trust_principals=[SERVICE_PRINCIPAL],
            attached_policies=[ROLE_POLICY],
        )
        return self.role

    def add_cluster(
        self,
        region: str,
        ident: str,
        *,
        readers: int = 0,
        writer: bool = True,
        engine: str = "aurora-mysql",
        protected: bool = False,
        stopped: bool = False,
        global_id: str | None = None,
        replica_of: str | None = None,
    ) -> FakeCluster:
        """A cluster with ``<ident>-w`` (writer) and ``<ident>-r<n>`` members, as enginekit's
        ``make_cluster`` makes them in moto."""
        cluster = FakeCluster(
            region,
            ident,
            engine=engine,
            status="stopped" if stopped else "available",
            deletion_protection=protected,
            global_cluster_id=global_id,
            replication_source=replica_of,
            arn=f"arn:aws:rds:{region}:{self.account}:cluster:{ident}",
        )
        self.clusters[f"{region}/{ident}"] = cluster
        names = [(f"{ident}-w", True)] if writer else []
        names += [(f"{ident}-r{n}", False) for n in range(1, readers + 1)]
        for name, is_writer in names:
            self.add_instance(region, name, engine=engine, cluster_id=ident, writer=is_writer)
            if stopped:
                self.instances[f"{region}/{name}"].status = "stopped"
        if global_id:
            self.globals.setdefault(global_id, FakeGlobal(global_id)).members.append(
                f"{region}/{ident}"
            )
        return cluster

    def autoscale(self, region: str, ident: str, low: int = 1, high: int = 4) -> None:
        """Register an Aurora Auto Scaling target (its readers) on the cluster."""
        self.clusters[f"{region}/{ident}"].autoscaling.append(
            ScalableTarget(resource_id=f"cluster:{ident}", min_capacity=low, max_capacity=high)
        )

    def add_instance(
        self,
        region: str,
        ident: str,
        *,
        engine: str = "postgres",
        protected: bool = False,
        cluster_id: str | None = None,
        writer: bool = False,
        replica_of: str | None = None,
    ) -> FakeInstance:
        instance = FakeInstance(
            region,
            ident,
            engine=engine,
            deletion_protection=protected,
            cluster_id=cluster_id,
            writer=writer,
            read_replica_source=replica_of,
            arn=f"arn:aws:rds:{region}:{self.account}:db:{ident}",
        )
        self.instances[f"{region}/{ident}"] = instance
        return instance

    def add_snapshot(self, region: str, name: str, *, cluster: bool = True) -> None:
        self.snapshots[(region, name, cluster)] = "available"

    def refuse(self, what: str, error: e.WizardError, times: int = 1) -> None:
        """The next ``times`` calls of ``what`` (a method name or a step kind) raise ``error``."""
        self.refusals.setdefault(what, []).extend([error] * times)

    def deny(
        self,
        kind: StepKind,
        *,
        region: str | None = None,
        target: str | None = None,
        scp: bool = False,
        times: int | None = None,
    ) -> Denial:
        """IAM (or an SCP) refuses the steps of ``kind``: AccessDenied naming the step's action
        (``fakes.obstacles.STEP_ACTIONS``), until :meth:`allow` or ``times`` refusals."""
        return self.obstacles.deny(Denial(kind, region, target, scp=scp, times=times))

    def allow(self, *denials: Denial) -> None:
        """The policy was fixed: lift ``denials``."""
        self.obstacles.allow(*denials)

    def hold(self, kind: StepKind, *, target: str | None = None) -> Hold:
        """Keep the next step of ``kind`` (on ``target``) in flight until the hold is released."""
        return self.obstacles.hold(Hold(kind, None, target))

    def delete_outside(self, region: str, ident: str) -> None:
        """Someone else deletes a cluster (members and all) or an instance, with no snapshot."""
        with self.lock:
            cluster = self.clusters.pop(f"{region}/{ident}", None)
            if cluster is not None:
                for member in self.members(region, ident):
                    del self.instances[f"{region}/{member.identifier}"]
                group = self.globals.get(cluster.global_cluster_id or "")
                if group is not None:
                    group.members.remove(f"{region}/{ident}")
            else:
                del self.instances[f"{region}/{ident}"]

    # -- what AWS would show --------------------------------------------------------------------
    def members(self, region: str, cluster_id: str) -> list[FakeInstance]:
        return [
            i for i in self.instances.values() if i.region == region and i.cluster_id == cluster_id
        ]

    def usage(self) -> list[RoleUsage]:
        """What AWS's deletion task finds using the role: every cluster and instance."""
        by_region: dict[str, set[str]] = {}
        for thing in [*self.clusters.values(), *self.instances.values()]:
            by_region.setdefault(thing.region, set()).add(thing.arn)
        return [RoleUsage(region=r, resources=sorted(a)) for r, a in sorted(by_region.items())]

    def take_refusal(self, what: str) -> None:
        with self.lock:
            queue = self.refusals.get(what)
            error = queue.pop(0) if queue else None
        if error is not None:
            raise error


def _not_found(kind: str, ident: str, region: str) -> e.NotFoundError:
    code = "DBClusterNotFoundFault" if kind == "Cluster" else "DBInstanceNotFound"
    return e.NotFoundError(f"{kind} {ident} no longer exists in {region}.", code=code)


class FakeGateway:
    """The port, answered from a :class:`FakeAccount`, idempotent as ``aws/steps.py`` is."""

    def __init__(self, account: FakeAccount | None = None, poll_seconds: float = 0.005) -> None:
        self.aws = account or FakeAccount()
        self._poll = poll_seconds
        self._ids = itertools.count(1)
        self.wait_timeout = 5.0

    @property
    def poll_seconds(self) -> float:
        return self._poll

    def request_id(self) -> str:
        return f"fake-{next(self._ids)}"

    # -- who, where, the role -------------------------------------------------------------------
    def caller(self) -> Caller:
        self.aws.take_refusal("caller")
        return Caller(account=self.aws.account, arn=f"arn:aws:iam::{self.aws.account}:user/ops")

    def list_regions(self) -> RegionList:
        self.aws.take_refusal("list_regions")
        return RegionList(regions=sorted(self.aws.enabled), source=RegionSource.EC2)

    def inspect_role(self) -> RoleInspection:
        self.aws.take_refusal("inspect_role")
        role = self.aws.role
        return RoleInspection(exists=role is not None, role=role)

    def create_role(self) -> Role:
        self.aws.take_refusal("create_role")
        with self.aws.lock:
            return self.aws.role or self.aws.add_role()

    def delete_role(self) -> str:
        self.aws.take_refusal("delete_role")
        with self.aws.lock:
            running = [
                t for t in self.aws.tasks.values() if t.state is RoleDeletionState.IN_PROGRESS
            ]
            if running:  # AWS hands back the unfinished task rather than starting another
                return running[0].task_id
            if self.aws.role is None:
                raise e.NotFoundError(f"The role with name {ROLE_NAME} cannot be found.")
            task = Task(
                f"task/aws-service-role/{SERVICE_PRINCIPAL}/{ROLE_NAME}/{self.request_id()}"
            )
            self.aws.tasks[task.task_id] = task
            return task.task_id

    def role_deletion_status(self, task_id: str) -> RoleDeletionStatus:
        """Decided when first asked (the sandbox's ``time_scale=0``), then fixed."""
        self.aws.take_refusal("role_deletion_status")
        with self.aws.lock:
            task = self.aws.tasks.get(task_id)
            if task is None:
                raise e.InvalidInputError(f"Invalid deletion task id: {task_id}")
            if task.state is RoleDeletionState.IN_PROGRESS:
                task.usage = self.aws.usage()
                task.state = RoleDeletionState.FAILED if task.usage else RoleDeletionState.SUCCEEDED
                if not task.usage:
                    self.aws.role = None
            reason = "Amazon RDS is still using the role." if task.usage else None
            return RoleDeletionStatus(
                task_id=task_id, state=task.state, reason=reason, usage=list(task.usage)
            )

    # -- scanning -------------------------------------------------------------------------------
    def scan_regions(
        self, regions: Sequence[str], on_region: Callable[[RegionScan], None] | None = None
    ) -> list[RegionScan]:
        scans = [self._scan_one(region) for region in dict.fromkeys(regions)]
        for scan in scans:
            if on_region is not None:
                on_region(scan)
        return scans

    def _scan_one(self, region: str) -> RegionScan:
        try:
            self.aws.take_refusal(f"scan:{region}")
        except e.WizardError as exc:
            return RegionScan(region=region, outcome=RegionOutcome.FAILED, reason=exc.explanation)
        if region not in self.aws.enabled:
            return RegionScan(
                region=region,
                outcome=RegionOutcome.SKIPPED_DISABLED,
                reason=f"The region {region} is not enabled for this account.",
            )
        if region in self.aws.denied:
            return RegionScan(
                region=region,
                outcome=RegionOutcome.DENIED,
                reason=f"rds:DescribeDBClusters denied in {region} by a service control policy.",
            )
        with self.aws.lock:
            clusters = [
                self._cluster_model(c) for c in self.aws.clusters.values() if c.region == region
            ]
            instances = [
                Instance(
                    region=region,
                    identifier=i.identifier,
                    arn=i.arn,
                    engine=i.engine,
                    status=i.status,
                    deletion_protection=i.deletion_protection,
                    read_replica_source=i.read_replica_source,
                    read_replica_source_cluster=i.read_replica_source_cluster,
                    resource_id=i.resource_id,
                )
                for i in self.aws.instances.values()
                if i.region == region and i.cluster_id is None
            ]
        return RegionScan(
            region=region,
            outcome=RegionOutcome.SCANNED,
            clusters=sorted(clusters, key=lambda c: c.identifier),
            instances=sorted(instances, key=lambda i: i.identifier),
            related=related.in_region(self.aws, region),
            unchecked=list(self.aws.unchecked.get(region, [])),
        )

    def _cluster_model(self, c: FakeCluster) -> Cluster:
        members = [
            ClusterMember(
                identifier=m.identifier,
                is_writer=m.writer,
                status=m.status,
                resource_id=m.resource_id,
            )
            for m in self.aws.members(c.region, c.identifier)
        ]
        group = self.aws.globals.get(c.global_cluster_id or "")
        return Cluster(
            region=c.region,
            identifier=c.identifier,
            arn=c.arn,
            engine=c.engine,
            engine_mode=c.engine_mode,
            status=c.status,
            deletion_protection=c.deletion_protection,
            members=sorted(members, key=lambda m: (not m.is_writer, m.identifier)),
            global_cluster_id=c.global_cluster_id,
            global_cluster_primary=bool(
                group and group.members[:1] == [f"{c.region}/{c.identifier}"]
            ),
            replication_source=c.replication_source,
            cluster_group_id=related.group_of(self.aws, c.region, c.identifier),
            autoscaling=list(c.autoscaling),
            resource_id=c.resource_id,
        )

    # -- snapshots ------------------------------------------------------------------------------
    def snapshot_status(self, region: str, snapshot_id: str, cluster: bool) -> str | None:
        return self.aws.snapshots.get((region, snapshot_id, cluster))

    def snapshot_exists(self, region: str, name: str, cluster: bool) -> bool:
        return self.snapshot_status(region, name, cluster) is not None

    # -- steps: see steps.py ---------------------------------------------------------------
    def run_step(
        self,
        step: PlanStep,
        should_stop: Callable[[], bool] | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> StepResult:
        self.aws.take_refusal(step.kind.value)
        self.aws.obstacles.check(step, self.wait_timeout)
        over = FakeSteps(self).identity(step)
        if over is not None:
            return over
        with self.aws.lock:
            refused = related.refusal(self.aws, step)
            if refused is not None:
                raise refused
            if step.kind in RELATED_STEPS:
                return related.run(self.aws, step, self.request_id())
        return FakeSteps(self, on_status).run(step, should_stop)

    def wait_for(
        self, what: str, done: Callable[[], bool], should_stop: Callable[[], bool] | None
    ) -> None:
        """Poll ``done`` as the boto3 gateway's waits do: stop when asked, give up in time."""
        deadline = time.monotonic() + self.wait_timeout
        while True:
            with self.aws.lock:
                if done():
                    return
            if time.monotonic() > deadline:
                raise e.UnreachableError(f"Gave up waiting ({what}).", code="WaitTimeout")
            if should_stop is not None and should_stop():
                raise e.GuardError("Stopped while waiting, at the operator's request.")
            time.sleep(self._poll)


__all__ = [
    "ACCOUNT",
    "STEP_ACTIONS",
    "Denial",
    "FakeAccount",
    "FakeCluster",
    "FakeGateway",
    "FakeInstance",
    "Hold",
    "access_denied",
]
