"""``DeleteDBCluster(DeleteDBInstances=true)`` and Aurora Auto Scaling, the way AWS does them
(docs/aws-behaviours.md): the one call deletes every instance and then the cluster, or nothing;
a cluster with a scalable target gets a reader back after one is deleted."""

from __future__ import annotations

from typing import Any

from test_sandbox import error_of, make_cluster
from test_sandbox_strict import aws, sandbox  # noqa: F401  (fixtures)

from slrwizard.sandbox import Sandbox

US = "us-east-1"
NOTHING = "The DB cluster and its DB instances were not deleted."


def members(rds: Any, cid: str) -> list[str]:
    found = rds.describe_db_clusters(DBClusterIdentifier=cid)["DBClusters"][0]
    return sorted(m["DBInstanceIdentifier"] for m in found["DBClusterMembers"])


def instance_status(rds: Any, iid: str) -> str:
    return str(
        rds.describe_db_instances(DBInstanceIdentifier=iid)["DBInstances"][0]["DBInstanceStatus"]
    )


def gone(call: Any) -> str:
    return str(error_of(call)["Code"])


def test_one_call_deletes_the_instances_then_the_cluster(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "orders", 3)
    answer = rds.delete_db_cluster(
        DBClusterIdentifier="orders", SkipFinalSnapshot=True, DeleteDBInstances=True
    )["DBCluster"]
    assert answer["Status"] == "deleting"
    # The instances are deleting and still listed; then they are gone, the cluster still
    # deleting; then the cluster is gone too.
    assert members(rds, "orders") == ["orders-1", "orders-2", "orders-3"]
    assert [instance_status(rds, f"orders-{n}") for n in (1, 2, 3)] == ["deleting"] * 3
    assert gone(lambda: rds.describe_db_instances(DBInstanceIdentifier="orders-1")) == (
        "DBInstanceNotFound"
    )
    after = rds.describe_db_clusters(DBClusterIdentifier="orders")["DBClusters"][0]
    assert after["Status"] == "deleting"
    assert gone(lambda: rds.describe_db_clusters(DBClusterIdentifier="orders")) == (
        "DBClusterNotFoundFault"
    )


def test_one_call_keeps_its_final_snapshot(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "ledger", 2)
    rds.delete_db_cluster(
        DBClusterIdentifier="ledger",
        FinalDBSnapshotIdentifier="ledger-final",
        DeleteDBInstances=True,
    )
    snaps = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="ledger-final")
    assert [s["DBClusterSnapshotIdentifier"] for s in snaps["DBClusterSnapshots"]] == [
        "ledger-final"
    ]


def test_an_instance_that_cannot_go_deletes_nothing(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "busy", 2)
    rds.modify_db_instance(
        DBInstanceIdentifier="busy-2", DBInstanceClass="db.r6g.xlarge", ApplyImmediately=True
    )
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="busy", SkipFinalSnapshot=True, DeleteDBInstances=True
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert err["Message"] == (
        "Cannot delete DB cluster busy with DeleteDBInstances: DB instance busy-2 is in "
        f"modifying state and cannot be deleted. {NOTHING}"
    )
    assert members(rds, "busy") == ["busy-1", "busy-2"]
    assert instance_status(rds, "busy-1") == "available"


def test_an_instance_already_deleting_is_refused(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "half", 2)
    rds.delete_db_instance(DBInstanceIdentifier="half-2", SkipFinalSnapshot=True)
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="half", SkipFinalSnapshot=True, DeleteDBInstances=True
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert "DB instance half-2 is in deleting state" in err["Message"]
    assert instance_status(rds, "half-1") == "available"


def test_a_protected_cluster_is_refused_before_any_instance_goes(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "guarded", 2, DeletionProtection=True)
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="guarded", SkipFinalSnapshot=True, DeleteDBInstances=True
        )
    )
    assert err == {
        "Code": "InvalidParameterCombination",
        "Message": "Cannot delete protected Cluster, please disable deletion protection and "
        "try again.",
        "Type": "Sender",
    }
    assert members(rds, "guarded") == ["guarded-1", "guarded-2"]
    assert instance_status(rds, "guarded-2") == "available"


def test_the_source_of_a_replica_cluster_is_refused(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "origin", 1)
    source = rds.describe_db_clusters(DBClusterIdentifier="origin")["DBClusters"][0]
    aws("rds", "eu-west-1").create_db_cluster(
        DBClusterIdentifier="copy",
        Engine="aurora-postgresql",
        MasterUsername="dbadmin",
        MasterUserPassword="demo-password-1",
        ReplicationSourceIdentifier=source["DBClusterArn"],
    )
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="origin", SkipFinalSnapshot=True, DeleteDBInstances=True
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert "is the source of the read replica DB cluster" in err["Message"]
    assert err["Message"].endswith(NOTHING)
    assert members(rds, "origin") == ["origin-1"]


def test_the_one_call_is_for_aurora_only(aws: Any) -> None:  # noqa: F811
    rds = aws("rds", US)
    rds.create_db_cluster(DBClusterIdentifier="graph", Engine="neptune")
    rds.create_db_instance(
        DBInstanceIdentifier="graph-1",
        DBClusterIdentifier="graph",
        Engine="neptune",
        DBInstanceClass="db.r6g.large",
    )
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="graph", SkipFinalSnapshot=True, DeleteDBInstances=True
        )
    )
    assert err["Code"] == "InvalidParameterCombination"
    assert "valid only for Aurora MySQL and Aurora PostgreSQL" in err["Message"]
    assert members(rds, "graph") == ["graph-1"]


def autoscale(aws: Any, cid: str, low: int = 1, high: int = 4) -> None:  # noqa: F811
    aws("application-autoscaling", US).register_scalable_target(
        ServiceNamespace="rds",
        ResourceId=f"cluster:{cid}",
        ScalableDimension="rds:cluster:ReadReplicaCount",
        MinCapacity=low,
        MaxCapacity=high,
    )


def test_aurora_auto_scaling_adds_a_reader_back(aws: Any, sandbox: Sandbox) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "shop", 2)  # shop-1 the writer, shop-2 a reader
    autoscale(aws, "shop")
    rds.delete_db_instance(DBInstanceIdentifier="shop-2", SkipFinalSnapshot=True)
    [added] = sandbox.autoscaling.added
    assert added.startswith("application-autoscaling-")
    assert members(rds, "shop") == sorted(["shop-1", "shop-2", added])
    # The writer goes: no reader is added for a cluster that is being emptied.
    rds.delete_db_instance(DBInstanceIdentifier="shop-1", SkipFinalSnapshot=True)
    rds.delete_db_instance(DBInstanceIdentifier=added, SkipFinalSnapshot=True)
    assert sandbox.autoscaling.added == [added]
    # Every member deleting: the cluster goes.
    answer = rds.delete_db_cluster(DBClusterIdentifier="shop", SkipFinalSnapshot=True)
    assert answer["DBCluster"]["Status"] == "deleting"


def test_a_deregistered_target_adds_no_reader(aws: Any, sandbox: Sandbox) -> None:  # noqa: F811
    rds = aws("rds", US)
    make_cluster(rds, "calm", 2)
    autoscale(aws, "calm")
    aws("application-autoscaling", US).deregister_scalable_target(
        ServiceNamespace="rds",
        ResourceId="cluster:calm",
        ScalableDimension="rds:cluster:ReadReplicaCount",
    )
    rds.delete_db_instance(DBInstanceIdentifier="calm-2", SkipFinalSnapshot=True)
    assert sandbox.autoscaling.added == []
    assert members(rds, "calm") == ["calm-1", "calm-2"]  # calm-2 still listed, deleting


def test_a_reader_added_back_makes_the_cluster_refuse_deletion(
    aws: Any,  # noqa: F811
    sandbox: Sandbox,  # noqa: F811
) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "grow", 2)
    autoscale(aws, "grow")
    rds.delete_db_instance(DBInstanceIdentifier="grow-2", SkipFinalSnapshot=True)
    rds.delete_db_instance(DBInstanceIdentifier="grow-1", SkipFinalSnapshot=True)
    err = error_of(
        lambda: rds.delete_db_cluster(DBClusterIdentifier="grow", SkipFinalSnapshot=True)
    )
    assert err == {
        "Code": "InvalidDBClusterStateFault",
        "Message": "Cluster cannot be deleted, it still contains DB instances in non-deleting "
        "state.",
        "Type": "Sender",
    }
