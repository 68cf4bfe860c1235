"""A cluster's members as they are *now*: Aurora Auto Scaling adds readers back.

A cluster with an Application Auto Scaling target (service namespace ``rds``, dimension
``rds:cluster:ReadReplicaCount``) gets a reader back after one is deleted
(terraform-provider-aws issue 19536): the readers the plan listed are then not all the members
``DeleteDBCluster`` finds, and AWS refuses it ("Cluster cannot be deleted, it still contains DB
instances in non-deleting state."). Two steps answer that:

- ``DEREGISTER_AUTOSCALING`` (only with the operator's tick): deregister the cluster's scalable
  targets before its readers are deleted, so none is added back;
- ``DELETE_NEW_MEMBERS``, right before ``DeleteDBCluster`` on the readers-then-writer path: read
  the cluster again and delete every member that is not already deleting (readers first).

Both describe first and act only if still needed, so a resumed plan repeats nothing.
"""

from __future__ import annotations

from typing import Any

from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import ScalableTarget
from slrwizard.domain.plan import PlanStep
from slrwizard.domain.ports import StepResult

AUTOSCALING = "application-autoscaling"
RDS_NAMESPACE = "rds"
_GONE_OR_GOING = {"deleting", "deleted"}


def cluster_resource_id(cluster_id: str) -> str:
    """Application Auto Scaling's name for an Aurora cluster: ``cluster:<identifier>``."""
    return f"cluster:{cluster_id}"


def scalable_target_from_api(raw: dict[str, Any]) -> ScalableTarget:
    """A :class:`ScalableTarget` from one ``DescribeScalableTargets`` item."""
    return ScalableTarget(
        resource_id=str(raw.get("ResourceId", "")),
        dimension=str(raw.get("ScalableDimension", "")),
        min_capacity=int(raw.get("MinCapacity") or 0),
        max_capacity=int(raw.get("MaxCapacity") or 0),
        arn=str(raw.get("ScalableTargetARN") or ""),
    )


class MemberSteps:
    """The two steps above, on the gateway's transport."""

    def __init__(self, transport: Transport) -> None:
        self.aws = transport

    def targets(self, region: str, cluster_id: str) -> list[dict[str, Any]]:
        """The cluster's scalable targets, as ``DescribeScalableTargets`` lists them."""
        return list(
            self.aws.paginate(
                AUTOSCALING,
                "DescribeScalableTargets",
                "ScalableTargets",
                region,
                ServiceNamespace=RDS_NAMESPACE,
                ResourceIds=[cluster_resource_id(cluster_id)],
            )
        )

    def deregister(self, step: PlanStep) -> StepResult:
        """Deregister every scalable target of the cluster (none left: skipped)."""
        found = self.targets(step.region, step.target)
        if not found:
            return StepResult(skipped=True, note="no Auto Scaling target registered any more")
        request_id = None
        for target in found:
            try:
                answer = self.aws.call(
                    AUTOSCALING,
                    "DeregisterScalableTarget",
                    step.region,
                    ServiceNamespace=RDS_NAMESPACE,
                    ResourceId=target["ResourceId"],
                    ScalableDimension=target["ScalableDimension"],
                )
            except e.NotFoundError:
                continue  # gone meanwhile (a retried request of ours, or someone else)
            request_id = (answer.get("ResponseMetadata") or {}).get("RequestId") or request_id
        dims = ", ".join(str(t.get("ScalableDimension")) for t in found)
        return StepResult(request_id=request_id, note=f"deregistered {dims}")

    def delete_new_members(
        self, step: PlanStep, cluster: dict[str, Any] | None, only: str | None = None
    ) -> StepResult:
        """Delete every member of ``cluster`` (described just now) not already deleting (only
        those whose identifier starts with ``only``, if given)."""
        if cluster is None or cluster.get("Status") in _GONE_OR_GOING:
            return StepResult(skipped=True, note="the cluster is already going")
        members = sorted(
            cluster.get("DBClusterMembers") or [],
            key=lambda m: (bool(m.get("IsClusterWriter")), str(m.get("DBInstanceIdentifier"))),
        )
        deleted: list[str] = []
        request_id = None
        for member in members:
            ident = str(member.get("DBInstanceIdentifier", ""))
            if only is not None and not ident.startswith(only):
                continue
            if self._going(step.region, ident):
                continue
            try:
                answer = self.aws.call(
                    "rds",
                    "DeleteDBInstance",
                    step.region,
                    DBInstanceIdentifier=ident,
                    SkipFinalSnapshot=True,
                )
            except (e.InvalidStateError, e.NotFoundError):
                if self._going(step.region, ident):
                    continue  # our own earlier request, resent: it went through
                raise
            deleted.append(ident)
            request_id = (answer.get("ResponseMetadata") or {}).get("RequestId") or request_id
        if not deleted:
            return StepResult(skipped=True, note="no member appeared")
        return StepResult(
            request_id=request_id,
            note=f"deleted {len(deleted)} that appeared: {', '.join(deleted)}",
        )

    def _going(self, region: str, ident: str) -> bool:
        """Whether the instance is gone or deleting."""
        try:
            found = self.aws.call("rds", "DescribeDBInstances", region, DBInstanceIdentifier=ident)
        except e.NotFoundError:
            return True
        rows = found.get("DBInstances") or []
        return not rows or rows[0].get("DBInstanceStatus") in _GONE_OR_GOING
