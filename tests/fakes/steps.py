"""The fake's plan steps: each looks first and acts only if still needed, like ``aws/steps.py``,
and refuses what AWS refuses (a cluster with members left, a protected resource, a primary
leaving its global database before its secondaries, a snapshot name already taken, a full
snapshot quota, a disabled KMS key, a stopped instance's modification). Its checks before the
first irreversible call are ``aws/prechecks.py``'s, on the account's data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slrwizard.aws.identity import CLUSTER_TARGETS, WAITS_FOR_GONE
from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep, StepKind, unconfirmed_member
from slrwizard.domain.ports import StepResult

if TYPE_CHECKING:
    from fakes import FakeCluster, FakeGateway, FakeInstance

Stop = Callable[[], bool] | None
GOING = ("deleting", "deleted")
NO_FINAL_SNAPSHOT_STATES = ("creating", "failed", "incompatible-restore", "incompatible-network")


def _state_error(message: str, code: str = "InvalidDBClusterStateFault") -> e.InvalidStateError:
    return e.InvalidStateError(message, code=code)


class FakeSteps:
    def __init__(
        self, gateway: FakeGateway, on_status: Callable[[str], None] | None = None
    ) -> None:
        self.gw = gateway
        self.aws = gateway.aws
        self.on_status = on_status
        self._said = ""

    def identity(self, step: PlanStep) -> StepResult | None:
        """``aws/identity.py`` on the account's data: the confirmed database, or a refusal."""
        if not step.resource_id:
            return None
        with self.aws.lock:
            found = self._cluster(step) if step.kind in CLUSTER_TARGETS else self._instance(step)
        if found is not None and found.resource_id == step.resource_id:
            with self.aws.lock:
                members = [
                    (i.identifier, i.resource_id)
                    for i in self.aws.instances.values()
                    if i.region == step.region and i.cluster_id == step.target
                ]
            refused = unconfirmed_member(step, members)
            if refused is not None:
                raise refused
        if found is None or found.resource_id == step.resource_id:
            return None
        if step.kind in WAITS_FOR_GONE:
            return StepResult(note=f"the confirmed database is gone (now {found.resource_id})")
        kind = "Cluster" if step.kind in CLUSTER_TARGETS else "Instance"
        raise e.replaced(kind, step.target, step.region, step.resource_id, found.resource_id)

    def run(self, step: PlanStep, stop: Stop) -> StepResult:
        kind = step.kind
        if kind is StepKind.WAIT_CLUSTER_AVAILABLE:
            self._require_cluster(step)
            self._wait(step, lambda: self._cluster_status(step) == "available", stop)
            if step.source_cluster_id:
                return StepResult(note="promoted: no replication source any more")
            if step.global_cluster_id:
                return StepResult(note=f"{step.global_cluster_id} no longer lists it")
            return StepResult()
        if kind is StepKind.WAIT_CLUSTER_DELETED:
            return self._wait(step, lambda: self._cluster(step) is None, stop)
        if kind is StepKind.WAIT_INSTANCE_DELETED:
            return self._wait(step, lambda: self._instance(step) is None, stop)
        if kind is StepKind.WAIT_INSTANCE_AVAILABLE:
            self._require_instance(step)
            return self._wait(
                step, lambda: getattr(self._instance(step), "status", None) == "available", stop
            )
        if kind in (StepKind.VERIFY_CLUSTER_SNAPSHOT, StepKind.VERIFY_INSTANCE_SNAPSHOT):
            return self._verify(step, kind is StepKind.VERIFY_CLUSTER_SNAPSHOT, stop)
        with self.aws.lock:
            return self._act(step)

    # -- lookups --------------------------------------------------------------------------------
    def _cluster(self, step: PlanStep, ident: str | None = None) -> FakeCluster | None:
        return self.aws.clusters.get(f"{step.region}/{ident or step.target}")

    def _instance(self, step: PlanStep) -> FakeInstance | None:
        return self.aws.instances.get(f"{step.region}/{step.target}")

    def _cluster_status(self, step: PlanStep) -> str | None:
        cluster = self._cluster(step)
        if cluster is not None and cluster.status in GOING:
            raise _state_error(
                f"rds:DescribeDBClusters in {step.region}: the resource reached a state that "
                "will never become what we wait for.",
                "WaiterFailure",
            )
        return cluster.status if cluster else None

    def _require_instance(self, step: PlanStep) -> FakeInstance:
        instance = self._instance(step)
        if instance is None:
            raise e.NotFoundError(
                f"Instance {step.target} no longer exists in {step.region}.",
                code="DBInstanceNotFound",
            )
        return instance

    def _require_cluster(self, step: PlanStep) -> FakeCluster:
        cluster = self._cluster(step)
        if cluster is None:
            raise e.NotFoundError(
                f"Cluster {step.target} no longer exists in {step.region} "
                "(deleted outside the wizard?).",
                code="DBClusterNotFoundFault",
            )
        return cluster

    def _done(self) -> StepResult:
        return StepResult(request_id=self.gw.request_id())

    # -- waits ----------------------------------------------------------------------------------
    def _wait(self, step: PlanStep, done: Callable[[], bool], stop: Stop) -> StepResult:
        def polled() -> bool:
            self._tell(step)
            return done()

        self.gw.wait_for(f"{step.kind.value} {step.target}", polled, stop)
        return StepResult()

    def _tell(self, step: PlanStep) -> None:
        """What the boto3 gateway's describes tell ``on_status``: the target's new status."""
        found = self._cluster(step) or self._instance(step)
        word = found.status if found is not None else ""
        if word and word != self._said and self.on_status is not None:
            self._said = word
            self.on_status(word)
        if found is not None and found.status == "starting":
            found.status = "available"  # the start is over once a read has seen it under way
            self._tell(step)

    def _verify(self, step: PlanStep, cluster: bool, stop: Stop) -> StepResult:
        key = (step.region, step.target, cluster)
        if key not in self.aws.snapshots:
            raise e.AwsError(
                f"The final snapshot {step.target} in {step.region} does not exist, although "
                "the deletion asked for it.",
                hint="Check the snapshots in the RDS console before deleting the role.",
                code="FinalSnapshotMissing",
            )
        self.gw.wait_for(
            f"snapshot {step.target}", lambda: self.aws.snapshots.get(key) == "available", stop
        )
        return StepResult(note="available")

    # -- actions (under the account's lock) -----------------------------------------------------
    def _act(self, step: PlanStep) -> StepResult:
        kind = step.kind
        if kind in (StepKind.CHECK_CLUSTER, StepKind.CHECK_INSTANCE):
            return self._check(step, kind is StepKind.CHECK_CLUSTER)
        if kind is StepKind.SNAPSHOT_INSTANCE:
            self._require_instance(step)
            name = str(step.final_snapshot_id)
            if (step.region, name, False) in self.aws.snapshots:
                return StepResult(skipped=True, note=f"snapshot {name} already taken")
            self.aws.reserved.get((step.region, False), set()).discard(name.lower())
            self.aws.snapshots[(step.region, name, False)] = "available"
            self.aws.snapshot_sources[(step.region, name.lower())] = self._require_instance(
                step
            ).resource_id
            return self._done()
        if kind is StepKind.START_INSTANCE:
            instance = self._require_instance(step)
            if instance.status != "stopped":
                return StepResult(skipped=True, note=f"already {instance.status}")
            instance.status = "available"
            return self._done()
        if kind is StepKind.START_CLUSTER:
            cluster = self._require_cluster(step)
            if cluster.status != "stopped":
                return StepResult(skipped=True, note=f"already {cluster.status}")
            cluster.status = "starting"  # until a wait reads it (see _tell)
            for member in self.aws.members(step.region, step.target):
                member.status = "available"
            return self._done()
        if kind is StepKind.REMOVE_FROM_GLOBAL:
            return self._remove_from_global(step)
        if kind is StepKind.PROMOTE_REPLICA:
            cluster = self._require_cluster(step)
            if not cluster.replication_source:
                return StepResult(skipped=True, note="already standalone")
            cluster.replication_source = None
            return self._done()
        if kind is StepKind.DELETE_MEMBER:
            member = self._instance(step)
            if member is None:
                return StepResult(skipped=True, note="already gone")
            if member.status in GOING:
                return StepResult(skipped=True, note="already deleting")
            del self.aws.instances[f"{step.region}/{step.target}"]
            self._autoscale(member)
            return self._done()
        if kind is StepKind.DEREGISTER_AUTOSCALING:
            cluster = self._require_cluster(step)
            if not cluster.autoscaling:
                return StepResult(skipped=True, note="no Auto Scaling target registered any more")
            cluster.autoscaling = []
            return StepResult(request_id=self.gw.request_id(), note="deregistered")
        if kind is StepKind.DELETE_NEW_MEMBERS:
            return self._delete_new_members(step)
        if kind is StepKind.LIFT_CLUSTER_PROTECTION:
            cluster = self._require_cluster(step)
            if not cluster.deletion_protection:
                return StepResult(skipped=True, note="protection already off")
            cluster.deletion_protection = False
            return self._done()
        if kind is StepKind.DELETE_CLUSTER:
            return self._delete_cluster(step)
        if kind is StepKind.DELETE_GLOBAL_CLUSTER:
            group = self.aws.globals.get(step.target)
            if group is None:
                return StepResult(skipped=True, note="already gone")
            if group.members:
                raise _state_error(
                    f"Global cluster {step.target} still has members.",
                    "InvalidGlobalClusterStateFault",
                )
            del self.aws.globals[step.target]
            return self._done()
        if kind is StepKind.LIFT_INSTANCE_PROTECTION:
            instance = self._instance(step)
            if instance is None:
                raise e.NotFoundError(
                    f"Instance {step.target} no longer exists in {step.region}.",
                    code="DBInstanceNotFound",
                )
            if not instance.deletion_protection:
                return StepResult(skipped=True, note="protection already off")
            if instance.status == "stopped":
                raise _state_error(
                    "Database instance is not in available state.", "InvalidDBInstanceState"
                )
            instance.deletion_protection = False
            return self._done()
        if kind is StepKind.DELETE_INSTANCE:
            return self._delete_instance(step)
        raise AssertionError(f"the fake does not know {kind}")  # pragma: no cover

    def _autoscale(self, deleted: FakeInstance) -> None:
        """Aurora Auto Scaling adds a reader back while the cluster keeps its writer and has
        fewer readers than its target's minimum (at least one)."""
        cluster = self.aws.clusters.get(f"{deleted.region}/{deleted.cluster_id}")
        if deleted.writer or cluster is None or not cluster.autoscaling:
            return
        live = self.aws.members(cluster.region, cluster.identifier)
        readers = sum(1 for m in live if not m.writer)
        if any(m.writer for m in live) and readers < max(1, cluster.autoscaling[0].min_capacity):
            added = sum(len(c.added_back) for c in self.aws.clusters.values())
            name = f"application-autoscaling-{added + 1:08x}"  # AWS's name for them
            self.aws.add_instance(
                cluster.region, name, engine=cluster.engine, cluster_id=cluster.identifier
            )
            cluster.added_back.append(name)

    def _delete_new_members(self, step: PlanStep) -> StepResult:
        cluster = self._cluster(step)
        if cluster is None or cluster.status in GOING:
            return StepResult(skipped=True, note="the cluster is already going")
        members = [m for m in self.aws.members(step.region, step.target) if m.status not in GOING]
        if not members:
            return StepResult(skipped=True, note="no member appeared")
        for member in sorted(members, key=lambda m: (m.writer, m.identifier)):
            del self.aws.instances[f"{member.region}/{member.identifier}"]
        names = ", ".join(sorted(m.identifier for m in members))
        return StepResult(
            request_id=self.gw.request_id(),
            note=f"deleted {len(members)} that appeared: {names}",
        )

    def _remove_from_global(self, step: PlanStep) -> StepResult:
        cluster = self._require_cluster(step)
        gid = cluster.global_cluster_id
        if not gid:
            return StepResult(skipped=True, note="no longer in a global database")
        group = self.aws.globals[gid]
        key = f"{step.region}/{step.target}"
        if group.members[:1] == [key] and len(group.members) > 1:
            raise _state_error(
                f"Cluster {cluster.arn} is the primary cluster of global cluster {gid}, which "
                "still has secondary clusters.",
                "InvalidGlobalClusterStateFault",
            )
        group.members.remove(key)
        cluster.global_cluster_id = None
        return self._done()

    def _check(self, step: PlanStep, cluster: bool) -> StepResult:
        """``aws/prechecks.py`` on the account's data: state, name, KMS key, quota."""
        found = self._cluster(step) if cluster else self._instance(step)
        if found is None:
            kind = "Cluster" if cluster else "Instance"
            raise e.NotFoundError(
                f"{kind} {step.target} no longer exists in {step.region} (deleted outside the "
                "wizard?).",
                code="DBClusterNotFoundFault" if cluster else "DBInstanceNotFound",
            )
        if found.status in GOING:
            return StepResult(skipped=True, note="already deleting: nothing left to check")
        if step.delete_automated_backups is False:
            self._room_to_retain(step, cluster)
        name = step.final_snapshot_id
        if not name:
            return StepResult(note="nothing to check")
        own = self.aws.snapshot_sources.get((step.region, name.lower()))
        if not cluster and found.engine.startswith("custom-") and own == found.resource_id:
            return StepResult(note=f"its snapshot {name} was already taken")
        if not cluster and found.status in NO_FINAL_SNAPSHOT_STATES:
            raise e.InvalidStateError(
                f"Instance {step.target} is {found.status}: AWS takes no final snapshot of an "
                "instance in that state, so its deletion would be refused. Nothing was changed.",
                hint="Go back and choose to skip its final snapshot, or repair the instance first.",
                code="InvalidDBInstanceState",
            )
        if self._taken(step.region, name, cluster):
            raise e.SnapshotExistsError(
                f"A snapshot named {name} already exists in {step.region} (snapshot names "
                f"ignore case); nothing was changed on {step.target}.",
                hint="Go back and choose another final snapshot name for it.",
                code="DBClusterSnapshotAlreadyExistsFault"
                if cluster
                else "DBSnapshotAlreadyExists",
            )
        if found.kms_key_state not in (None, "Enabled"):
            raise e.AwsError(
                f"The KMS key of {step.target} is {found.kms_key_state}: AWS would refuse its "
                "final snapshot with KMSKeyNotAccessibleFault. Nothing was changed.",
                hint="Enable the key in the KMS console (or cancel its deletion), then retry.",
                code="KMSKeyNotAccessibleFault",
            )
        used = sum(1 for (r, _, c) in self.aws.snapshots if r == step.region and c == cluster)
        reserved = self.aws.reserved.setdefault((step.region, cluster), set())
        if used + len(reserved - {name.lower()}) + 1 > self.aws.snapshot_quota:
            raise e.AwsError(
                f"The final snapshot {name} would exceed the manual snapshot quota in "
                f"{step.region}; AWS would refuse it with SnapshotQuotaExceeded. Nothing was "
                "changed.",
                hint="Delete old manual snapshots or ask AWS for a higher quota, then retry.",
                code="SnapshotQuotaExceeded",
            )
        reserved.add(name.lower())
        return StepResult(note=f"snapshot name {name} free, quota has room")

    def _room_to_retain(self, step: PlanStep, cluster: bool) -> None:
        """``aws/retained.py`` on the account's data."""
        where = (step.region, cluster)
        retained = len(self.aws.retained_backups.get(where, set()))
        planned = self.aws.planned_retained.setdefault(where, set())
        key = f"{step.region}/{step.target}"
        if retained + len(planned - {key}) + 1 > self.aws.retained_quota:
            fault = (
                "DBClusterAutomatedBackupQuotaExceededFault"
                if cluster
                else "DBInstanceAutomatedBackupQuotaExceeded"
            )
            raise e.AwsError(
                f"Retaining the automated backups of {step.target} would exceed the retained "
                f"automated backups quota in {step.region}; AWS would refuse its deletion with "
                f"{fault}. Nothing was changed.",
                hint="Delete old retained automated backups, or delete them with it.",
                code=fault,
            )
        planned.add(key)

    def _retain(self, step: PlanStep, cluster: bool) -> None:
        if step.delete_automated_backups is False:
            where = (step.region, cluster)
            key = f"{step.region}/{step.target}"
            self.aws.planned_retained.get(where, set()).discard(key)
            self.aws.retained_backups.setdefault(where, set()).add(key)

    def _taken(self, region: str, name: str, cluster: bool) -> bool:
        return any(
            (r, n.lower(), c) == (region, name.lower(), cluster) for (r, n, c) in self.aws.snapshots
        )

    def _take_snapshot(self, step: PlanStep, cluster: bool) -> None:
        name = step.final_snapshot_id
        if name is None:
            return
        self.aws.reserved.get((step.region, cluster), set()).discard(name.lower())
        if self._taken(step.region, name, cluster):
            raise e.SnapshotExistsError(
                f"A snapshot with that name already exists in {step.region}: {name}",
                hint="Choose another final snapshot name.",
                code="DBClusterSnapshotAlreadyExistsFault"
                if cluster
                else "DBSnapshotAlreadyExists",
            )
        self.aws.snapshots[(step.region, name, cluster)] = "available"

    def _already_gone(self, step: PlanStep, *, cluster: bool) -> StepResult:
        """Gone before our delete: ours if its final snapshot exists, someone else's if not."""
        name = step.final_snapshot_id
        if name and (step.region, name, cluster) not in self.aws.snapshots:
            kind = "Cluster" if cluster else "Instance"
            raise e.NotFoundError(
                f"{kind} {step.target} no longer exists in {step.region} (deleted outside the "
                f"wizard?); no final snapshot {name} was taken by the wizard.",
                code="DBClusterNotFoundFault" if cluster else "DBInstanceNotFound",
            )
        return StepResult(skipped=True, note="already gone")

    def _delete_cluster(self, step: PlanStep) -> StepResult:
        cluster = self._cluster(step)
        if cluster is None:
            return self._already_gone(step, cluster=True)
        if cluster.status in GOING:
            return StepResult(skipped=True, note="already deleting: waiting for it")
        if cluster.status != "available":
            raise _state_error(
                f"DbCluster {step.target} is in {cluster.status} state but expected it to be "
                "one of available."
            )
        if cluster.global_cluster_id:
            raise _state_error(
                "This cluster is a part of a global cluster, please remove it from "
                "globalcluster first"
            )
        if cluster.deletion_protection:
            raise e.InvalidInputError(
                f"Cannot delete protected Cluster {step.target}, please disable deletion "
                "protection and try again.",
                code="InvalidParameterCombination",
            )
        members = self.aws.members(step.region, step.target)
        note = ""
        if step.delete_instances and members:
            self._one_call_refusal(step, cluster, members)
        elif members and cluster.engine not in ("mysql", "postgres"):
            # AWS refuses ("still contains DB instances in non-deleting state"); the gateway then
            # deletes the readers Aurora Auto Scaling added (by their name) and tries once more.
            if not all(m.identifier.startswith("application-autoscaling-") for m in members):
                raise _state_error(
                    "Cluster cannot be deleted, it still contains DB instances in non-deleting "
                    "state."
                )
            note = "members were left: deleted one by one first"
        self._take_snapshot(step, cluster=True)
        self._retain(step, cluster=True)
        for member in members:
            del self.aws.instances[f"{member.region}/{member.identifier}"]
        del self.aws.clusters[f"{step.region}/{step.target}"]
        return StepResult(request_id=self.gw.request_id(), note=note)

    def _one_call_refusal(
        self, step: PlanStep, cluster: FakeCluster, members: list[FakeInstance]
    ) -> None:
        """AWS's refusals of DeleteDBInstances=true, before anything is deleted."""
        if cluster.engine not in ("aurora-mysql", "aurora-postgresql"):
            raise e.InvalidInputError(
                "The DeleteDBInstances parameter is valid only for Aurora MySQL and Aurora "
                "PostgreSQL DB clusters.",
                code="InvalidParameterCombination",
            )
        for member in members:
            if member.status != "available":
                raise _state_error(
                    f"Cannot delete DB cluster {step.target} with DeleteDBInstances: DB instance "
                    f"{member.identifier} is in {member.status} state and cannot be deleted. "
                    "The DB cluster and its DB instances were not deleted."
                )

    def _delete_instance(self, step: PlanStep) -> StepResult:
        instance = self._instance(step)
        if instance is None:
            return self._already_gone(step, cluster=False)
        if instance.status in GOING:
            return StepResult(skipped=True, note="already deleting: waiting for it")
        if instance.deletion_protection:
            raise e.InvalidInputError(
                f"Cannot delete protected DB Instance {step.target}, please disable deletion "
                "protection and try again.",
                code="InvalidParameterCombination",
            )
        self._take_snapshot(step, cluster=False)
        self._retain(step, cluster=False)
        del self.aws.instances[f"{step.region}/{step.target}"]
        return self._done()
