"""Aurora Auto Scaling and the one-call deletion, end to end on the ``--demo`` sandbox (moto made
to behave like AWS): an autoscaled cluster ends deleted whichever path it takes, with or without
the operator's tick to deregister its target first."""

from __future__ import annotations

from typing import Any

from enginekit import PASSWORD, lifted, outside

from slrwizard.domain.plan import DeletionPlan, StepKind
from slrwizard.domain.records import Record, StepRecord, StepStatus
from slrwizard.domain.wizard import Wizard

DEMO = "481516234201"
EU2 = "eu-west-2"
K = StepKind


def _autoscaled_replica_source() -> None:
    """`stock` has a writer, a reader and Aurora Auto Scaling (1-3 readers), and a replica
    cluster `stock-copy`: a replication source goes one by one, so its reader comes back."""
    rds = outside("rds", EU2)
    arn = rds.create_db_cluster(
        DBClusterIdentifier="stock",
        Engine="aurora-mysql",
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
    )["DBCluster"]["DBClusterArn"]
    for name in ("stock-w", "stock-r1"):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBClusterIdentifier="stock",
            Engine="aurora-mysql",
            DBInstanceClass="db.r6g.large",
        )
    rds.describe_db_clusters(DBClusterIdentifier="stock")  # moto: `creating` only once
    outside("application-autoscaling", EU2).register_scalable_target(
        ServiceNamespace="rds",
        ResourceId="cluster:stock",
        ScalableDimension="rds:cluster:ReadReplicaCount",
        MinCapacity=1,
        MaxCapacity=3,
    )
    rds.create_db_cluster(
        DBClusterIdentifier="stock-copy",
        Engine="aurora-mysql",
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
        ReplicationSourceIdentifier=arn,
    )
    rds.describe_db_clusters(DBClusterIdentifier="stock-copy")


def _ticked(plan: DeletionPlan, *names: str) -> DeletionPlan:
    return plan.model_copy(
        update={
            "resources": [
                r.model_copy(update={"deregister_autoscaling": r.identifier in names})
                for r in plan.resources
            ]
        }
    )


def _delete_everything(wz: Wizard, plan: DeletionPlan) -> None:
    assert wz.set_plan(plan) == []
    wz.review()
    wz.confirm(DEMO)
    assert wz.delete_resources() is True, {
        k: p.error.explanation for k, p in wz.progress.items() if p.error
    }


def _done(records: list[Record], key: str) -> list[StepRecord]:
    return [
        r
        for r in records
        if isinstance(r, StepRecord) and r.resource == key and r.status is StepStatus.DONE
    ]


def test_an_autoscaled_cluster_without_the_tick_ends_deleted(
    demo: tuple[Wizard, Any, Any],
) -> None:
    wz, _wiring, _ = demo
    records: list[Record] = []
    wz.listeners.append(records.append)
    _autoscaled_replica_source()
    wz.inspect()
    scan = wz.scan()
    wz.accept_unscanned_regions()
    stock = next(c for c in scan.clusters if c.identifier == "stock")
    assert [(t.resource_id, t.min_capacity, t.max_capacity) for t in stock.autoscaling] == [
        ("cluster:stock", 1, 3)
    ]
    seeded = next(c for c in scan.clusters if c.identifier == "orders-prod")
    assert [t.resource_id for t in seeded.autoscaling] == ["cluster:orders-prod"]
    plan = lifted(wz.default_plan())
    steps = {r.identifier: r.steps for r in plan.schedule(scan)}
    # The replication source goes one by one and says why; the seeded cluster in one call.
    assert any("the source of replica cluster stock-copy" in s.description for s in steps["stock"])
    assert next(s for s in steps["orders-prod"] if s.kind is K.DELETE_CLUSTER).delete_instances
    _delete_everything(wz, plan)
    done = _done(records, f"{EU2}/stock")
    again = next(r for r in done if r.step.kind is K.DELETE_NEW_MEMBERS)
    assert "application-autoscaling-" in again.note  # the reader Aurora added back
    wz.finish_deletions()
    assert wz.rescan().resource_count == 0


def test_with_the_tick_the_target_goes_first_and_no_reader_comes_back(
    demo: tuple[Wizard, Any, Any],
) -> None:
    wz, _wiring, _ = demo
    records: list[Record] = []
    wz.listeners.append(records.append)
    _autoscaled_replica_source()
    wz.inspect()
    wz.scan()
    wz.accept_unscanned_regions()
    _delete_everything(wz, _ticked(lifted(wz.default_plan()), "stock", "orders-prod"))
    kinds = [r.step.kind for r in _done(records, f"{EU2}/stock")]
    assert kinds.index(K.DEREGISTER_AUTOSCALING) < kinds.index(K.DELETE_MEMBER)
    assert K.DELETE_NEW_MEMBERS not in kinds  # skipped: no member appeared
    targets = outside("application-autoscaling", EU2).describe_scalable_targets(
        ServiceNamespace="rds"
    )["ScalableTargets"]
    assert targets == []
    wz.finish_deletions()
    assert wz.rescan().resource_count == 0
