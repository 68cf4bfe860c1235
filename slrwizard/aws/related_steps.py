"""The plan steps that remove what stands beside a database (a Blue/Green deployment, a zero-ETL
integration, an RDS Proxy, a Limitless shard group, a cluster group membership), idempotently:
each describes first, acts only if still needed, and a deletion returns once AWS no longer lists
the resource (one already ``deleting`` is waited for, not deleted again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import StepResult

Stop = Callable[[], bool] | None

# kind -> (describe operation, its id parameter, result key, delete operation, its parameters)
_DELETIONS: dict[StepKind, tuple[str, str, str, str, dict[str, Any]]] = {
    StepKind.DELETE_BLUE_GREEN: (
        "DescribeBlueGreenDeployments",
        "BlueGreenDeploymentIdentifier",
        "BlueGreenDeployments",
        "DeleteBlueGreenDeployment",
        {},  # no DeleteTarget: both sides stay (the plan deletes them as its own databases)
    ),
    StepKind.DELETE_INTEGRATION: (
        "DescribeIntegrations",
        "IntegrationIdentifier",
        "Integrations",
        "DeleteIntegration",
        {},
    ),
    StepKind.DELETE_PROXY: ("DescribeDBProxies", "DBProxyName", "DBProxies", "DeleteDBProxy", {}),
    StepKind.DELETE_SHARD_GROUP: (
        "DescribeDBShardGroups",
        "DBShardGroupIdentifier",
        "DBShardGroups",
        "DeleteDBShardGroup",
        {},
    ),
}


class RelatedSteps:
    """Carries out :data:`slrwizard.domain.plan.RELATED_STEPS` on the Transport."""

    def __init__(self, transport: Transport) -> None:
        self.aws = transport

    def run(self, step: PlanStep, stop: Stop = None) -> StepResult:
        if step.kind is StepKind.REMOVE_FROM_CLUSTER_GROUP:
            return self._remove_from_group(step)
        return self._delete(step, stop)

    def _describe(self, step: PlanStep) -> dict[str, Any] | None:
        describe, param, key, _, _ = _DELETIONS[step.kind]
        try:
            found = self.aws.call("rds", describe, step.region, **{param: step.target}).get(key)
        except e.NotFoundError:
            return None
        return dict(found[0]) if found else None

    def _delete(self, step: PlanStep, stop: Stop) -> StepResult:
        _, param, _, delete, extra = _DELETIONS[step.kind]
        current = self._describe(step)
        if current is None:
            return StepResult(skipped=True, note="already gone")
        request_id = None
        if str(current.get("Status", "")).lower() not in ("deleting", "deleted"):
            try:
                answer = self.aws.call("rds", delete, step.region, **{param: step.target}, **extra)
                request_id = (answer.get("ResponseMetadata") or {}).get("RequestId")
            except e.NotFoundError:
                return StepResult(skipped=True, note="already gone")
        self.aws.poll_until(
            f"{step.target} is no longer listed",
            step.region,
            lambda: self._describe(step) is None,
            stop,
        )
        if request_id is None:
            return StepResult(skipped=True, note="already deleting: waited until it was gone")
        return StepResult(request_id=str(request_id), note="AWS no longer lists it")

    def _remove_from_group(self, step: PlanStep) -> StepResult:
        try:
            found = self.aws.call(
                "rds", "DescribeDBClusters", step.region, DBClusterIdentifier=step.target
            )["DBClusters"]
        except e.NotFoundError:
            return StepResult(skipped=True, note="cluster already gone")
        group = found[0].get("DBClusterGroupIdentifier") if found else None
        if not group:
            return StepResult(skipped=True, note="in no cluster group any more")
        answer = self.aws.call(
            "rds",
            "RemoveDBClusterFromDBClusterGroup",
            step.region,
            DBClusterGroupIdentifier=group,
            DBClusterIdentifier=step.target,
        )
        rid = (answer.get("ResponseMetadata") or {}).get("RequestId")
        return StepResult(request_id=str(rid) if rid else None, note=f"removed from {group}")
