"""Carry out one plan step against RDS, idempotently.

Each step first looks at the resource and acts only if AWS is not already where the step leads: a
cluster already ``deleting`` is waited for, not deleted again; a member already gone is skipped.
That is what makes a resumed or retried plan safe.

A step is done when AWS *describes* it done, not when the call returns: lifting protection waits
until a describe shows it off (the resource is ``modifying`` meanwhile), the wait after a
promotion until the replication source is gone, the wait after leaving a global database until
``DescribeGlobalClusters`` no longer lists the cluster, and deleting a global database until it
lists no member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typing_extensions import assert_never  # typing's own arrived in 3.11; pydantic needs this

from slrwizard.aws.identity import IdentityCheck
from slrwizard.aws.members import MemberSteps
from slrwizard.aws.observe import Listener, StatusWatch
from slrwizard.aws.prechecks import PreChecks
from slrwizard.aws.related_steps import RelatedSteps
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.plan import AUTOSCALED_PREFIX, PlanStep, StepKind
from slrwizard.domain.ports import StepResult

Stop = Callable[[], bool] | None
_GONE_OR_GOING = {"deleting", "deleted"}
_MEMBERS_LEFT = "still contains DB instances in non-deleting state"
"""AWS's words (and moto's) for a DeleteDBCluster that finds members not deleting."""


def _snapshot_missing(step: PlanStep) -> e.WizardError:
    """A final snapshot we asked for is not there: the one proof that nothing was lost is
    missing, which must read as a failure, never as a resource that vanished."""
    return e.AwsError(
        f"The final snapshot {step.target} in {step.region} does not exist, although the "
        "deletion asked for it.",
        hint="Check the snapshots in the RDS console before deleting the role; retry to look "
        "again.",
        code="FinalSnapshotMissing",
    )


def _request_id(answer: dict[str, Any]) -> str | None:
    meta = answer.get("ResponseMetadata") or {}
    rid = meta.get("RequestId")
    return str(rid) if rid else None


class StepRunner:
    """Dispatches a :class:`PlanStep` to the RDS calls that carry it out."""

    def __init__(self, transport: Transport) -> None:
        self.aws = transport
        self.checks = PreChecks(transport)
        self._autoscaling = MemberSteps(transport)
        self.identity = IdentityCheck(transport)
        self.watch = StatusWatch()
        self.watch.install(transport.session.events)

    def run(
        self, step: PlanStep, should_stop: Stop = None, on_status: Listener | None = None
    ) -> StepResult:
        """Carry out ``step``, on the confirmed database only (:mod:`slrwizard.aws.identity`),
        telling ``on_status`` each status AWS gives its target meanwhile
        (:mod:`slrwizard.aws.observe`); mypy checks that every kind has its branch."""
        with self.watch.watching(step.target, on_status):
            over = self.identity.check(step)
            if over is not None:
                return over
            return self._dispatch(step, should_stop)

    def _dispatch(self, step: PlanStep, should_stop: Stop) -> StepResult:
        stop = should_stop
        match step.kind:
            case StepKind.CHECK_CLUSTER:
                return self.checks.run(step, self._cluster(step))
            case StepKind.CHECK_INSTANCE:
                return self.checks.run(step, self._instance(step))
            case StepKind.START_CLUSTER:
                return self._start_cluster(step)
            case StepKind.WAIT_CLUSTER_AVAILABLE:
                return self._wait_cluster_available(step, stop)
            case StepKind.REMOVE_FROM_GLOBAL:
                return self._remove_from_global(step)
            case StepKind.PROMOTE_REPLICA:
                return self._promote_replica(step)
            case StepKind.DEREGISTER_AUTOSCALING:
                return self._autoscaling.deregister(step)
            case StepKind.DELETE_MEMBER:
                return self._delete_member(step)
            case StepKind.DELETE_NEW_MEMBERS:
                return self._autoscaling.delete_new_members(step, self._cluster(step))
            case StepKind.LIFT_CLUSTER_PROTECTION:
                return self._lift_protection(step, stop, cluster=True)
            case StepKind.DELETE_CLUSTER:
                return self._delete_cluster(step)
            case StepKind.WAIT_CLUSTER_DELETED:
                return self._wait_deleted(step, "db_cluster_deleted", "DBClusterIdentifier", stop)
            case StepKind.DELETE_GLOBAL_CLUSTER:
                return self._delete_global_cluster(step, stop)
            case StepKind.VERIFY_CLUSTER_SNAPSHOT:
                return self._verify_snapshot(
                    step, "db_cluster_snapshot_available", "DBClusterSnapshotIdentifier", stop
                )
            case StepKind.SNAPSHOT_INSTANCE:
                return self._snapshot_instance(step)
            case StepKind.START_INSTANCE:
                return self._start_instance(step)
            case StepKind.WAIT_INSTANCE_AVAILABLE:
                self._require_instance(step)
                self.aws.wait(
                    "rds",
                    "db_instance_available",
                    step.region,
                    stop,
                    DBInstanceIdentifier=step.target,
                )
                return StepResult()
            case StepKind.LIFT_INSTANCE_PROTECTION:
                return self._lift_protection(step, stop, cluster=False)
            case StepKind.DELETE_INSTANCE:
                return self._delete_instance(step)
            case StepKind.WAIT_INSTANCE_DELETED:
                return self._wait_deleted(step, "db_instance_deleted", "DBInstanceIdentifier", stop)
            case StepKind.VERIFY_INSTANCE_SNAPSHOT:
                return self._verify_snapshot(
                    step, "db_snapshot_available", "DBSnapshotIdentifier", stop
                )
            case (
                StepKind.DELETE_BLUE_GREEN
                | StepKind.DELETE_INTEGRATION
                | StepKind.DELETE_PROXY
                | StepKind.DELETE_SHARD_GROUP
                | StepKind.REMOVE_FROM_CLUSTER_GROUP
            ):
                return RelatedSteps(self.aws).run(step, stop)
            case _:
                assert_never(step.kind)

    # -- lookups --------------------------------------------------------------------------------
    def _cluster(self, step: PlanStep, ident: str | None = None) -> dict[str, Any] | None:
        try:
            found = self.aws.call(
                "rds", "DescribeDBClusters", step.region, DBClusterIdentifier=ident or step.target
            )["DBClusters"]
        except e.NotFoundError:
            return None
        return dict(found[0]) if found else None

    def _instance(self, step: PlanStep) -> dict[str, Any] | None:
        try:
            found = self.aws.call(
                "rds", "DescribeDBInstances", step.region, DBInstanceIdentifier=step.target
            )["DBInstances"]
        except e.NotFoundError:
            return None
        return dict(found[0]) if found else None

    def _require_instance(self, step: PlanStep) -> dict[str, Any]:
        instance = self._instance(step)
        if instance is None:
            raise e.NotFoundError(
                f"Instance {step.target} no longer exists in {step.region}.",
                code="DBInstanceNotFound",
            )
        return instance

    def _require_cluster(self, step: PlanStep) -> dict[str, Any]:
        cluster = self._cluster(step)
        if cluster is None:
            raise e.NotFoundError(
                f"Cluster {step.target} no longer exists in {step.region} "
                "(deleted outside the wizard?).",
                code="DBClusterNotFoundFault",
            )
        return cluster

    def _send_delete(self, step: PlanStep, operation: str, **params: Any) -> StepResult:
        """Send a delete; if AWS refuses it because the resource is already deleting or gone,
        look again: botocore resends a request whose answer was lost (a read timeout), and the
        refusal is then the echo of our own first request, which did go through."""
        try:
            answer = self.aws.call("rds", operation, step.region, **params)
        except (e.InvalidStateError, e.NotFoundError):
            if operation == "DeleteDBCluster":
                current = self._cluster(step)
                status = current.get("Status") if current else None
            else:
                current = self._instance(step)
                status = current.get("DBInstanceStatus") if current else None
            if current is not None and status not in _GONE_OR_GOING:
                raise
            return StepResult(note="AWS had already accepted this delete (a retried request)")
        return StepResult(request_id=_request_id(answer))

    # -- cluster steps --------------------------------------------------------------------------
    def _start_cluster(self, step: PlanStep) -> StepResult:
        status = self._require_cluster(step)["Status"]
        if status != "stopped":
            return StepResult(skipped=True, note=f"already {status}")
        answer = self.aws.call(
            "rds", "StartDBCluster", step.region, DBClusterIdentifier=step.target
        )
        return StepResult(request_id=_request_id(answer))

    def _wait_cluster_available(self, step: PlanStep, stop: Stop) -> StepResult:
        self._require_cluster(step)
        self.aws.wait(
            "rds", "db_cluster_available", step.region, stop, DBClusterIdentifier=step.target
        )
        if step.source_cluster_id:
            # The source link clears only when the promotion is over, after `available` at times.
            self.aws.poll_until(
                f"{step.target} has no replication source",
                step.region,
                lambda: not self._require_cluster(step).get("ReplicationSourceIdentifier"),
                stop,
            )
            return StepResult(note="promoted: no replication source any more")
        if step.global_cluster_id:
            gid = step.global_cluster_id
            arn = self._require_cluster(step).get("DBClusterArn")

            def left() -> bool:
                listed = arn in self._global_members(step.region, gid)
                if listed:
                    self.watch.say(f"still listed by global database {gid}")
                return not listed

            self.aws.poll_until(f"{gid} no longer lists {step.target}", step.region, left, stop)
            return StepResult(note=f"{gid} no longer lists it")
        return StepResult()

    def _global_members(self, region: str, gid: str) -> list[str]:
        """The member ARNs ``DescribeGlobalClusters`` lists for ``gid`` (none once it is gone)."""
        try:
            found = self.aws.call(
                "rds", "DescribeGlobalClusters", region, GlobalClusterIdentifier=gid
            )["GlobalClusters"]
        except e.NotFoundError:
            return []
        return [
            str(m.get("DBClusterArn")) for g in found for m in g.get("GlobalClusterMembers") or []
        ]

    def _remove_from_global(self, step: PlanStep) -> StepResult:
        cluster = self._require_cluster(step)
        gid = cluster.get("GlobalClusterIdentifier")
        if not gid:
            return StepResult(skipped=True, note="no longer in a global database")
        answer = self.aws.call(
            "rds",
            "RemoveFromGlobalCluster",
            step.region,
            GlobalClusterIdentifier=gid,
            DbClusterIdentifier=cluster["DBClusterArn"],
        )
        return StepResult(request_id=_request_id(answer))

    def _promote_replica(self, step: PlanStep) -> StepResult:
        cluster = self._require_cluster(step)
        if not cluster.get("ReplicationSourceIdentifier"):
            return StepResult(skipped=True, note="already standalone")
        if cluster.get("Status") == "promoting":  # ours, from a retried or resumed step
            return StepResult(skipped=True, note="promotion already under way")
        answer = self.aws.call(
            "rds", "PromoteReadReplicaDBCluster", step.region, DBClusterIdentifier=step.target
        )
        return StepResult(request_id=_request_id(answer))

    def _delete_member(self, step: PlanStep) -> StepResult:
        instance = self._instance(step)
        if instance is None:
            return StepResult(skipped=True, note="already gone")
        if instance.get("DBInstanceStatus") in _GONE_OR_GOING:
            return StepResult(skipped=True, note="already deleting")
        return self._send_delete(
            step,
            "DeleteDBInstance",
            DBInstanceIdentifier=step.target,
            SkipFinalSnapshot=True,
        )

    def _lift_protection(self, step: PlanStep, stop: Stop, *, cluster: bool) -> StepResult:
        """Turn deletion protection off, and return only once a describe shows it off and the
        resource is no longer ``modifying``: AWS applies the change asynchronously."""
        status_key = "Status" if cluster else "DBInstanceStatus"

        def look() -> dict[str, Any]:
            return self._require_cluster(step) if cluster else self._require_instance(step)

        def lifted() -> bool:
            now = look()
            return not now.get("DeletionProtection") and now.get(status_key) != "modifying"

        current = look()
        if current.get(status_key) == "modifying":
            # A change is under way (ours, from a retried or resumed step, or someone else's):
            # let it settle, then decide on what AWS then shows.
            self.aws.poll_until(
                f"{step.target} is no longer modifying",
                step.region,
                lambda: look().get(status_key) != "modifying",
                stop,
            )
            current = look()
        if not current.get("DeletionProtection"):
            return StepResult(skipped=True, note="protection already off")
        operation, param = (
            ("ModifyDBCluster", "DBClusterIdentifier")
            if cluster
            else ("ModifyDBInstance", "DBInstanceIdentifier")
        )
        answer = self.aws.call(
            "rds",
            operation,
            step.region,
            **{param: step.target},
            DeletionProtection=False,
            ApplyImmediately=True,
        )
        try:
            self.aws.poll_until(
                f"{step.target} shows deletion protection off", step.region, lifted, stop
            )
        except e.GuardError:
            # Stopped while AWS applies it: the call *was* made, and the journal must say so
            # (a step that stops unfinished made no call). A resumed plan lifts it again, which
            # waits for the change and then finds protection off.
            return StepResult(
                request_id=_request_id(answer),
                note="asked AWS to turn protection off; stopped before a describe showed it off",
            )
        return StepResult(request_id=_request_id(answer), note="AWS shows protection off")

    def _delete_cluster(self, step: PlanStep) -> StepResult:
        cluster = self._cluster(step)
        if cluster is None:
            return self._already_gone(step, cluster=True)
        if cluster.get("Status") in _GONE_OR_GOING:
            return StepResult(
                skipped=True, note="already deleting: waiting for it, not deleting again"
            )
        # DeleteDBInstances=true: every instance, then the cluster, all or nothing (paths.py).
        with_instances = {"DeleteDBInstances": True} if step.delete_instances else {}
        try:
            result = self._send_delete(
                step,
                "DeleteDBCluster",
                DBClusterIdentifier=step.target,
                **_final_snapshot(step),
                **with_instances,
            )
        except e.InvalidStateError as exc:
            if _MEMBERS_LEFT not in exc.explanation:
                raise
            # The one call on an endpoint that ignores DeleteDBInstances (all its members), or a
            # reader Aurora Auto Scaling added since the members were read again (only those,
            # by AWS's name for them): delete them, then the cluster once more.
            autoscaled = None if step.delete_instances else AUTOSCALED_PREFIX
            result = self._delete_members_then_cluster(step, autoscaled, exc)
        self.checks.release(step.region, step.final_snapshot_id, cluster=True)
        return result

    def _delete_members_then_cluster(
        self, step: PlanStep, only: str | None, refusal: e.InvalidStateError
    ) -> StepResult:
        """AWS found members not deleting: the endpoint ignored DeleteDBInstances (moto, older
        emulators; AWS itself deletes the instances or nothing), or Aurora Auto Scaling added a
        reader since the members were read again. Those members (``only`` those whose name
        starts so, if given) one by one, readers first, then the cluster alone, once."""
        members = self._autoscaling.delete_new_members(step, self._cluster(step), only)
        if members.skipped:
            raise refusal  # nothing of the kind: AWS's refusal stands
        result = self._send_delete(
            step, "DeleteDBCluster", DBClusterIdentifier=step.target, **_final_snapshot(step)
        )
        note = "members were left: deleted one by one first"
        return result.model_copy(update={"note": f"{note} ({members.note})"})

    def _delete_global_cluster(self, step: PlanStep, stop: Stop) -> StepResult:
        """Members that left are listed for a while and AWS refuses until they are not: the
        primary's wait covers that, and the executor retries the refusal if it comes anyway."""
        try:
            found = self.aws.call(
                "rds", "DescribeGlobalClusters", step.region, GlobalClusterIdentifier=step.target
            )["GlobalClusters"]
        except e.NotFoundError:
            return StepResult(skipped=True, note="already gone")
        if not found:
            return StepResult(skipped=True, note="already gone")
        answer = self.aws.call(
            "rds", "DeleteGlobalCluster", step.region, GlobalClusterIdentifier=step.target
        )
        return StepResult(request_id=_request_id(answer))

    def _already_gone(self, step: PlanStep, *, cluster: bool) -> StepResult:
        """The resource is gone before our delete call. If its final snapshot exists, the
        deletion was ours (a resumed or retried plan); if a snapshot was asked for and there is
        none, someone else deleted it: say so (the executor reports it as vanished) rather than
        wait for a snapshot that will never exist."""
        snapshot = step.final_snapshot_id
        if snapshot and self.snapshot_status(step.region, snapshot, cluster) is None:
            kind = "Cluster" if cluster else "Instance"
            raise e.NotFoundError(
                f"{kind} {step.target} no longer exists in {step.region} (deleted outside the "
                f"wizard?); no final snapshot {snapshot} was taken by the wizard.",
                code="DBClusterNotFoundFault" if cluster else "DBInstanceNotFound",
            )
        return StepResult(skipped=True, note="already gone")

    # -- standalone instance steps --------------------------------------------------------------
    def _snapshot_instance(self, step: PlanStep) -> StepResult:
        """RDS Custom's backup: a manual snapshot before the deletion AWS accepts only without
        a final one. A snapshot of that name already there is ours (a retried or resumed step:
        the check before found the name free)."""
        name = step.final_snapshot_id
        assert name is not None
        self._require_instance(step)
        if self.snapshot_status(step.region, name, cluster=False) is not None:
            return StepResult(skipped=True, note=f"snapshot {name} already taken")
        answer = self.aws.call(
            "rds",
            "CreateDBSnapshot",
            step.region,
            DBInstanceIdentifier=step.target,
            DBSnapshotIdentifier=name,
        )
        self.checks.release(step.region, name, cluster=False)
        return StepResult(request_id=_request_id(answer), note=f"snapshot {name} requested")

    def _start_instance(self, step: PlanStep) -> StepResult:
        status = self._require_instance(step).get("DBInstanceStatus")
        if status != "stopped":
            return StepResult(skipped=True, note=f"already {status}")
        answer = self.aws.call(
            "rds", "StartDBInstance", step.region, DBInstanceIdentifier=step.target
        )
        return StepResult(request_id=_request_id(answer))

    def _delete_instance(self, step: PlanStep) -> StepResult:
        instance = self._instance(step)
        if instance is None:
            return self._already_gone(step, cluster=False)
        if instance.get("DBInstanceStatus") in _GONE_OR_GOING:
            return StepResult(
                skipped=True, note="already deleting: waiting for it, not deleting again"
            )
        result = self._send_delete(
            step, "DeleteDBInstance", DBInstanceIdentifier=step.target, **_final_snapshot(step)
        )
        self.checks.release(step.region, step.final_snapshot_id, cluster=False)
        return result

    # -- waits, for either kind -----------------------------------------------------------------
    def _wait_deleted(self, step: PlanStep, waiter: str, param: str, stop: Stop) -> StepResult:
        self.aws.wait("rds", waiter, step.region, stop, **{param: step.target})
        return StepResult()

    def _verify_snapshot(self, step: PlanStep, waiter: str, param: str, stop: Stop) -> StepResult:
        try:
            self.aws.wait("rds", waiter, step.region, stop, **{param: step.target})
        except e.NotFoundError:
            raise _snapshot_missing(step) from None
        return StepResult(note="available")

    # -- snapshots ------------------------------------------------------------------------------
    def snapshot_status(self, region: str, snapshot_id: str, cluster: bool) -> str | None:
        """The status of the (cluster) snapshot called ``snapshot_id``; None if there is none."""
        op, key, param = (
            ("DescribeDBClusterSnapshots", "DBClusterSnapshots", "DBClusterSnapshotIdentifier")
            if cluster
            else ("DescribeDBSnapshots", "DBSnapshots", "DBSnapshotIdentifier")
        )
        try:
            found = self.aws.call("rds", op, region, **{param: snapshot_id}).get(key) or []
        except e.NotFoundError:
            return None
        return str(found[0].get("Status") or "unknown") if found else None


def _final_snapshot(step: PlanStep) -> dict[str, Any]:
    """A delete's snapshot parameters (AWS refuses both and neither), and what becomes of its
    automated backups when the plan says (``DeleteAutomatedBackups``)."""
    backups = (
        {}
        if step.delete_automated_backups is None
        else {"DeleteAutomatedBackups": step.delete_automated_backups}
    )
    if step.final_snapshot_id:
        return {"FinalDBSnapshotIdentifier": step.final_snapshot_id, **backups}
    return {"SkipFinalSnapshot": True, **backups}
