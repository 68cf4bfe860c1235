"""The fake account's related resources (Blue/Green deployments, shard groups, zero-ETL
integrations, proxies, cluster groups, retained backups), kept as the domain's own
:class:`~slrwizard.domain.models.RelatedResource`, and the plan steps that remove them: each looks
first and acts only if still needed, like ``aws/related_steps.py``; deleting a cluster with a shard
group, or either side of a Blue/Green deployment, is refused as the sandbox refuses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slrwizard.domain import errors as e
from slrwizard.domain.models import RelatedKind, RelatedResource
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import StepResult

if TYPE_CHECKING:
    from fakes import FakeAccount

_DELETES = {
    StepKind.DELETE_BLUE_GREEN: RelatedKind.BLUE_GREEN,
    StepKind.DELETE_INTEGRATION: RelatedKind.INTEGRATION,
    StepKind.DELETE_PROXY: RelatedKind.PROXY,
    StepKind.DELETE_SHARD_GROUP: RelatedKind.SHARD_GROUP,
}


def in_region(account: FakeAccount, region: str) -> list[RelatedResource]:
    return sorted(
        (x for x in account.related if x.region == region),
        key=lambda x: (x.kind.value, x.identifier),
    )


def group_of(account: FakeAccount, region: str, cluster: str) -> str | None:
    return next(
        (
            x.identifier
            for x in account.related
            if x.kind is RelatedKind.CLUSTER_GROUP
            and x.region == region
            and cluster in x.attached_to
        ),
        None,
    )


def refusal(account: FakeAccount, step: PlanStep) -> e.WizardError | None:
    """Why AWS would refuse ``step`` because of a related resource, or None."""
    if step.kind not in (StepKind.DELETE_CLUSTER, StepKind.DELETE_INSTANCE):
        return None
    cluster = step.kind is StepKind.DELETE_CLUSTER
    for x in account.related:
        if x.region != step.region:
            continue
        if x.kind is RelatedKind.BLUE_GREEN and step.target in (*x.attached_to, *x.green):
            return e.InvalidStateError(
                f"{step.target} is part of Blue/Green deployment {x.identifier}; delete the "
                "deployment first.",
                code="InvalidDBClusterStateFault" if cluster else "InvalidDBInstanceState",
            )
        if x.kind is RelatedKind.SHARD_GROUP and cluster and step.target in x.attached_to:
            return e.InvalidStateError(
                f"DB cluster {step.target} has DB shard group {x.identifier}; delete the shard "
                "group first.",
                code="InvalidDBClusterStateFault",
            )
    return None


def run(account: FakeAccount, step: PlanStep, request_id: str) -> StepResult:
    """Carry out one of the related steps (under the account's lock)."""
    if step.kind is StepKind.REMOVE_FROM_CLUSTER_GROUP:
        group = group_of(account, step.region, step.target)
        if group is None:
            return StepResult(skipped=True, note="in no cluster group any more")
        account.related = [
            x.model_copy(update={"attached_to": [a for a in x.attached_to if a != step.target]})
            if x.kind is RelatedKind.CLUSTER_GROUP and x.identifier == group
            else x
            for x in account.related
        ]
        return StepResult(request_id=request_id, note=f"removed from {group}")
    kind = _DELETES[step.kind]
    found = [
        x
        for x in account.related
        if x.kind is kind and x.region == step.region and x.identifier == step.target
    ]
    if not found:
        return StepResult(skipped=True, note="already gone")
    account.related = [x for x in account.related if x not in found]
    return StepResult(request_id=request_id, note="AWS no longer lists it")
