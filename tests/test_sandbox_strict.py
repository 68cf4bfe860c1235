"""The sandbox is as slow and as strict as AWS: changes pass through their states, and AWS's
refusals come worded as AWS words them (docs/aws-behaviours.md lists each with its source).

Each test drives plain boto3 clients on a session the sandbox is installed on (moto in-process,
no network), at ``time_scale`` 0, the tests' speed: every intermediate state must still be seen
by the first describe after the change, and be over by the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_sandbox import (
    ACCOUNT,
    Clients,
    cluster_status,
    error_of,
    global_members,
    make_cluster,
    make_instance,
    new_session,
)

from slrwizard.sandbox import GLOBAL_CLUSTER, Sandbox
from slrwizard.sandbox import backends as moto_state

US, EU = "us-east-1", "eu-west-1"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(time_scale=0, account_id=ACCOUNT)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def aws(sandbox: Sandbox) -> Clients:
    session = new_session(sandbox.home_region)
    sandbox.install(session.events)
    cache: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        if (service, region) not in cache:
            cache[(service, region)] = session.client(service, region_name=region)  # type: ignore[call-overload]
        return cache[(service, region)]

    return client


def cluster(rds: Any, cid: str) -> dict[str, Any]:
    return dict(rds.describe_db_clusters(DBClusterIdentifier=cid)["DBClusters"][0])


def instance(rds: Any, iid: str) -> dict[str, Any]:
    return dict(rds.describe_db_instances(DBInstanceIdentifier=iid)["DBInstances"][0])


# -- changes take time, and none is skipped at speed 0 -------------------------------------------


def test_modify_cluster_is_modifying_before_protection_is_off(aws: Clients) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "guarded", DeletionProtection=True)
    answer = rds.modify_db_cluster(
        DBClusterIdentifier="guarded", DeletionProtection=False, ApplyImmediately=True
    )["DBCluster"]
    assert (answer["Status"], answer["DeletionProtection"]) == ("modifying", True)
    err = error_of(
        lambda: rds.delete_db_cluster(DBClusterIdentifier="guarded", SkipFinalSnapshot=True)
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert "is in modifying state" in err["Message"]
    first = cluster(rds, "guarded")
    assert (first["Status"], first["DeletionProtection"]) == ("modifying", True)
    then = cluster(rds, "guarded")
    assert (then["Status"], then["DeletionProtection"]) == ("available", False)


def test_modify_instance_is_modifying_before_protection_is_off(aws: Clients) -> None:
    rds = aws("rds", US)
    make_instance(rds, "solo", DeletionProtection=True)
    rds.modify_db_instance(
        DBInstanceIdentifier="solo", DeletionProtection=False, ApplyImmediately=True
    )
    first = instance(rds, "solo")
    assert (first["DBInstanceStatus"], first["DeletionProtection"]) == ("modifying", True)
    then = instance(rds, "solo")
    assert (then["DBInstanceStatus"], then["DeletionProtection"]) == ("available", False)


def test_a_stopped_instance_refuses_modification_until_started(aws: Clients) -> None:
    rds = aws("rds", US)
    make_instance(rds, "sleepy", DeletionProtection=True)
    rds.stop_db_instance(DBInstanceIdentifier="sleepy")
    err = error_of(
        lambda: rds.modify_db_instance(
            DBInstanceIdentifier="sleepy", DeletionProtection=False, ApplyImmediately=True
        )
    )
    assert (err["Code"], err["Message"]) == (
        "InvalidDBInstanceState",
        "Database instance is not in available state.",
    )
    rds.start_db_instance(DBInstanceIdentifier="sleepy")
    assert instance(rds, "sleepy")["DBInstanceStatus"] == "starting"
    assert instance(rds, "sleepy")["DBInstanceStatus"] == "available"
    rds.modify_db_instance(
        DBInstanceIdentifier="sleepy", DeletionProtection=False, ApplyImmediately=True
    )


def test_promotion_clears_the_replication_source_only_at_the_end(aws: Clients) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "main")
    source = cluster(rds, "main")["DBClusterArn"]
    make_cluster(rds, "copy", ReplicationSourceIdentifier=source)
    assert cluster(rds, "copy")["ReplicationSourceIdentifier"] == source
    rds.promote_read_replica_db_cluster(DBClusterIdentifier="copy")
    during = cluster(rds, "copy")
    assert (during["Status"], during.get("ReplicationSourceIdentifier")) == ("promoting", source)
    after = cluster(rds, "copy")
    assert (after["Status"], after.get("ReplicationSourceIdentifier")) == ("available", None)


def test_a_deletion_is_seen_deleting_before_it_is_gone(aws: Clients) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "brief", instances=0)
    rds.delete_db_cluster(DBClusterIdentifier="brief", SkipFinalSnapshot=True)
    assert cluster_status(rds, "brief") == "deleting"
    assert error_of(lambda: cluster(rds, "brief"))["Code"] == "DBClusterNotFoundFault"


def test_a_cluster_that_left_its_global_database_is_listed_for_a_while(aws: Clients) -> None:
    use1, euw1 = aws("rds", US), aws("rds", EU)
    use1.create_global_cluster(
        GlobalClusterIdentifier=GLOBAL_CLUSTER,
        Engine="aurora-mysql",
        EngineVersion="8.0.mysql_aurora.3.05.2",
    )
    for rds, cid in ((use1, "pay-use1"), (euw1, "pay-euw1")):
        rds.create_db_cluster(
            DBClusterIdentifier=cid,
            Engine="aurora-mysql",
            EngineVersion="8.0.mysql_aurora.3.05.2",
            GlobalClusterIdentifier=GLOBAL_CLUSTER,
            **(
                {"MasterUsername": "dbadmin", "MasterUserPassword": "pw-12345678"}
                if rds is use1
                else {}
            ),
        )
    secondary = cluster(euw1, "pay-euw1")["DBClusterArn"]
    euw1.remove_from_global_cluster(
        GlobalClusterIdentifier=GLOBAL_CLUSTER, DbClusterIdentifier=secondary
    )
    assert secondary in global_members(use1)
    assert secondary not in global_members(use1)
    primary = cluster(use1, "pay-use1")["DBClusterArn"]
    use1.remove_from_global_cluster(
        GlobalClusterIdentifier=GLOBAL_CLUSTER, DbClusterIdentifier=primary
    )
    err = error_of(lambda: use1.delete_global_cluster(GlobalClusterIdentifier=GLOBAL_CLUSTER))
    assert (err["Code"], err["Message"]) == (
        "InvalidGlobalClusterStateFault",
        f"Global Cluster arn:aws:rds::{ACCOUNT}:global-cluster:{GLOBAL_CLUSTER} is not empty",
    )
    assert global_members(use1) == [primary]
    assert global_members(use1) == []
    use1.delete_global_cluster(GlobalClusterIdentifier=GLOBAL_CLUSTER)


# -- refusals, worded as AWS words them ----------------------------------------------------------


def test_a_source_cluster_keeps_its_last_instance_while_a_replica_exists(aws: Clients) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "main", instances=2)
    make_cluster(rds, "copy", ReplicationSourceIdentifier=cluster(rds, "main")["DBClusterArn"])
    rds.delete_db_instance(DBInstanceIdentifier="main-2", SkipFinalSnapshot=True)
    err = error_of(
        lambda: rds.delete_db_instance(DBInstanceIdentifier="main-1", SkipFinalSnapshot=True)
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert (
        "Delete the replica cluster before deleting the last master cluster instance."
        in (err["Message"])
    )
    rds.promote_read_replica_db_cluster(DBClusterIdentifier="copy")
    err = error_of(
        lambda: rds.delete_db_instance(DBInstanceIdentifier="main-1", SkipFinalSnapshot=True)
    )
    assert err["Code"] == "InvalidDBClusterStateFault"  # still promoting: still a replica
    assert cluster(rds, "copy")["Status"] == "promoting"
    assert cluster(rds, "copy")["Status"] == "available"
    rds.delete_db_instance(DBInstanceIdentifier="main-1", SkipFinalSnapshot=True)


@pytest.mark.parametrize(
    "state", ["creating", "failed", "incompatible-restore", "incompatible-network"]
)
def test_no_final_snapshot_of_an_instance_in_a_broken_state(
    sandbox: Sandbox, aws: Clients, state: str
) -> None:
    rds = aws("rds", US)
    make_instance(rds, "broken")
    moto_state.rds(ACCOUNT, US).databases["broken"].status = state
    err = error_of(
        lambda: rds.delete_db_instance(
            DBInstanceIdentifier="broken", FinalDBSnapshotIdentifier="broken-final"
        )
    )
    assert err["Code"] == "InvalidDBInstanceState"
    assert f"is in {state} state" in err["Message"]
    rds.delete_db_instance(DBInstanceIdentifier="broken", SkipFinalSnapshot=True)


def test_the_manual_snapshot_quota_refuses_a_final_snapshot(sandbox: Sandbox, aws: Clients) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "full", instances=0)
    make_instance(rds, "solo")
    rds.create_db_cluster_snapshot(DBClusterIdentifier="full", DBClusterSnapshotIdentifier="kept")
    rds.create_db_snapshot(DBInstanceIdentifier="solo", DBSnapshotIdentifier="kept-too")
    sandbox.limits.snapshot_quota = 1
    quotas = {
        q["AccountQuotaName"]: (q["Used"], q["Max"])
        for q in rds.describe_account_attributes()["AccountQuotas"]
    }
    assert quotas["ManualClusterSnapshots"] == (1, 1)
    assert quotas["ManualSnapshots"] == (1, 1)
    message = "The request would result in the user exceeding the allowed number of DB snapshots."
    for delete in (
        lambda: rds.delete_db_cluster(DBClusterIdentifier="full", FinalDBSnapshotIdentifier="f1"),
        lambda: rds.delete_db_instance(DBInstanceIdentifier="solo", FinalDBSnapshotIdentifier="f2"),
    ):
        assert error_of(delete) == {
            "Code": "SnapshotQuotaExceeded",
            "Message": message,
            "Type": "Sender",
        }
    rds.delete_db_cluster(DBClusterIdentifier="full", SkipFinalSnapshot=True)


def test_a_disabled_kms_key_refuses_a_final_snapshot(aws: Clients) -> None:
    rds, kms = aws("rds", US), aws("kms", US)
    meta = kms.create_key(Description="orders")["KeyMetadata"]
    key = meta["Arn"]
    make_cluster(rds, "sealed", instances=0, StorageEncrypted=True, KmsKeyId=key)
    kms.disable_key(KeyId=meta["KeyId"])  # moto's DisableKey takes no ARN
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
    err = error_of(
        lambda: rds.delete_db_cluster(DBClusterIdentifier="sealed", FinalDBSnapshotIdentifier="s1")
    )
    assert err["Code"] == "KMSKeyNotAccessibleFault"
    assert err["Message"] == (
        f"The specified KMS key [{key}] does not exist, is not enabled or you do not have "
        "permissions to access it."
    )
    kms.enable_key(KeyId=meta["KeyId"])
    rds.delete_db_cluster(DBClusterIdentifier="sealed", FinalDBSnapshotIdentifier="s1")


def test_snapshot_names_are_taken_case_insensitively(aws: Clients) -> None:
    rds = aws("rds", US)
    make_cluster(rds, "orders", instances=0)
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="orders", DBClusterSnapshotIdentifier="orders-final"
    )
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="orders", FinalDBSnapshotIdentifier="Orders-Final"
        )
    )
    assert err["Code"] == "DBClusterSnapshotAlreadyExistsFault"
