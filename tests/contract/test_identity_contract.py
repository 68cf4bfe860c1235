"""Identity, not names, on every backend: the scan reads each database's resource id, a new
database under an old name has another one, and a step confirmed for the old one refuses it."""

from __future__ import annotations

import pytest
from backends import Arrange

from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import Gateway

Backend = tuple[Gateway, Arrange]
EU = "eu-west-1"


def step(kind: StepKind, target: str, resource_id: str | None, **refs: str) -> PlanStep:
    return PlanStep(
        kind=kind,
        region=EU,
        target=target,
        resource_id=resource_id,
        description=kind.value,
        **refs,
    )


def ids(gw: Gateway) -> dict[str, str | None]:
    """Every database's and member's resource id, by name, as the scan reads them."""
    [scan] = gw.scan_regions([EU])
    assert scan.outcome is RegionOutcome.SCANNED
    found: dict[str, str | None] = {c.identifier: c.resource_id for c in scan.clusters}
    found.update({m.identifier: m.resource_id for c in scan.clusters for m in c.members})
    found.update({i.identifier: i.resource_id for i in scan.instances})
    return found


def test_the_scan_reads_resource_ids_and_a_recreated_database_has_a_new_one(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders", readers=1)
    arrange.cluster(EU, "ledger")
    arrange.instance(EU, "solo")
    first = ids(gw)
    assert first["orders"] != first["ledger"]
    assert first["orders"] and first["orders"].startswith("cluster-")
    assert first["solo"] and first["solo"].startswith("db-")
    assert first["orders-w"] and first["orders-w"] != first["orders-r1"]
    arrange.delete_outside(EU, "solo", cluster=False)
    arrange.instance(EU, "solo")
    second = ids(gw)
    assert second["solo"] != first["solo"]


@pytest.mark.parametrize(
    ("kind", "target", "cluster"),
    [
        (StepKind.DELETE_INSTANCE, "solo", False),
        (StepKind.LIFT_INSTANCE_PROTECTION, "solo", False),
        (StepKind.CHECK_INSTANCE, "solo", False),
        (StepKind.DELETE_CLUSTER, "orders", True),
        (StepKind.DELETE_MEMBER, "orders-w", True),
    ],
)
def test_a_step_confirmed_for_another_database_of_that_name_changes_nothing(
    backend: Backend, kind: StepKind, target: str, cluster: bool
) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders")
    arrange.instance(EU, "solo", protected=kind is StepKind.LIFT_INSTANCE_PROTECTION)
    before = ids(gw)
    refs = {"cluster_id": "orders"} if kind is StepKind.DELETE_MEMBER else {}
    if kind in (StepKind.DELETE_INSTANCE, StepKind.DELETE_CLUSTER):
        refs["final_snapshot_id"] = f"{target}-final"
    old = "cluster-OLDONE" if cluster and kind is not StepKind.DELETE_MEMBER else "db-OLDONE"
    with pytest.raises(e.ResourceReplacedError) as refused:
        gw.run_step(step(kind, target, old, **refs))
    assert "not the database you confirmed" in refused.value.explanation
    assert refused.value.code == "ResourceReplaced"
    assert ids(gw) == before  # nothing deleted, nothing modified
    # The same step with the id the scan shows goes ahead.
    if kind is StepKind.DELETE_CLUSTER:
        writer = step(StepKind.DELETE_MEMBER, "orders-w", before["orders-w"], cluster_id="orders")
        gw.run_step(writer)
    assert gw.run_step(step(kind, target, before[target], **refs)).skipped is False


def test_a_wait_for_a_deletion_is_over_when_the_name_has_another_database(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.instance(EU, "solo")
    result = gw.run_step(step(StepKind.WAIT_INSTANCE_DELETED, "solo", "db-DELETEDONE"))
    assert "gone" in result.note
    assert ids(gw)["solo"]  # the new one is untouched
