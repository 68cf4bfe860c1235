"""Identity, not names: before a step acts on a database, check that it is the one confirmed.

A name can be reused: a database deleted and created again under the same name (by a colleague,
a pipeline, a restore) answers to the same identifier but is another database, with another
``DbClusterResourceId`` (clusters) or ``DbiResourceId`` (instances); AWS never gives a new
database the resource id of an old one. The confirmation records each database's resource id
(:meth:`~slrwizard.domain.plan.DeletionPlan.identified`), every step carries its target's, and
this check describes the target first and refuses the step when AWS now shows another id, so an
old confirmation, a retried step or a resumed session never deletes a database nobody confirmed.

A target that is gone is left to the step (it knows whether gone means done or vanished). A wait
for the deletion of a database whose name now shows another id is over: the confirmed one is
gone.
"""

from __future__ import annotations

from typing import Any

from slrwizard.aws.parse import resource_id_of
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep, StepKind, unconfirmed_member
from slrwizard.domain.ports import StepResult

CLUSTER_TARGETS = frozenset(
    {
        StepKind.CHECK_CLUSTER,
        StepKind.START_CLUSTER,
        StepKind.WAIT_CLUSTER_AVAILABLE,
        StepKind.REMOVE_FROM_GLOBAL,
        StepKind.PROMOTE_REPLICA,
        StepKind.LIFT_CLUSTER_PROTECTION,
        StepKind.DELETE_CLUSTER,
        StepKind.WAIT_CLUSTER_DELETED,
        StepKind.DEREGISTER_AUTOSCALING,
        StepKind.DELETE_NEW_MEMBERS,
    }
)
"""Steps whose target is a DB cluster; the others with a resource id target a DB instance."""
WAITS_FOR_GONE = frozenset({StepKind.WAIT_CLUSTER_DELETED, StepKind.WAIT_INSTANCE_DELETED})


class IdentityCheck:
    """Compares a step's confirmed resource id with what AWS describes now."""

    def __init__(self, transport: Transport) -> None:
        self.aws = transport

    def current_id(self, step: PlanStep) -> tuple[bool, str | None]:
        """(found, its resource id) of the step's target, described now."""
        cluster = step.kind in CLUSTER_TARGETS
        op, key, param = (
            ("DescribeDBClusters", "DBClusters", "DBClusterIdentifier")
            if cluster
            else ("DescribeDBInstances", "DBInstances", "DBInstanceIdentifier")
        )
        try:
            found: list[Any] = self.aws.call("rds", op, step.region, **{param: step.target})[key]
        except e.NotFoundError:
            return False, None
        return (True, resource_id_of(found[0])) if found else (False, None)

    def members(self, step: PlanStep) -> list[tuple[str, str | None]]:
        """The instances of the step's cluster now, (identifier, resource id), when its one
        call would delete them all (else none are read)."""
        if not (step.delete_instances and step.member_ids):
            return []
        found = self.aws.paginate(
            "rds",
            "DescribeDBInstances",
            "DBInstances",
            step.region,
            Filters=[{"Name": "db-cluster-id", "Values": [step.target]}],
        )
        return [(str(i["DBInstanceIdentifier"]), resource_id_of(i)) for i in found]

    def check(self, step: PlanStep) -> StepResult | None:
        """None when the step may go on; a result when it is already over (a wait for a
        deletion whose database is gone and whose name another database took).

        Raises:
            ResourceReplacedError: the target is another database than the one confirmed.
        """
        if not step.resource_id:
            return None  # nothing recorded (an older journal, a snapshot, a global database)
        found, now = self.current_id(step)
        if found and now == step.resource_id:
            refused = unconfirmed_member(step, self.members(step))
            if refused is not None:
                raise refused
        if not found or not now or now == step.resource_id:
            return None
        if step.kind in WAITS_FOR_GONE:
            return StepResult(
                note=f"the confirmed database is gone (its name now belongs to {now})"
            )
        kind = "Cluster" if step.kind in CLUSTER_TARGETS else "Instance"
        raise e.replaced(kind, step.target, step.region, step.resource_id, now)
