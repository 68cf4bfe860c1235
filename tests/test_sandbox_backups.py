"""The sandbox keeps backups as AWS does where moto does not: retained cluster automated backups
(listed, and counted against their quota, refused over it as AWS words it), a new
``DbiResourceId`` for every instance, and RDS Custom deleted only without a final snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_sandbox import ACCOUNT, Clients, error_of, make_cluster, make_instance, new_session

from slrwizard.sandbox import Sandbox

EU = "eu-west-1"


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

    def client(service: str, region: str) -> Any:
        return session.client(service, region_name=region)  # type: ignore[call-overload]

    return client


def _delete_cluster(rds: Any, cid: str, **extra: Any) -> None:
    rds.delete_db_instance(DBInstanceIdentifier=f"{cid}-1", SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier=cid, SkipFinalSnapshot=True, **extra)


def _cluster_backups(rds: Any) -> list[dict[str, Any]]:
    return list(rds.describe_db_cluster_automated_backups()["DBClusterAutomatedBackups"])


def test_a_cluster_deleted_with_retained_backups_lists_them(aws: Clients) -> None:
    rds = aws("rds", EU)
    make_cluster(rds, "kept")
    make_cluster(rds, "gone")
    resource_id = rds.describe_db_clusters(DBClusterIdentifier="kept")["DBClusters"][0][
        "DbClusterResourceId"
    ]
    _delete_cluster(rds, "kept", DeleteAutomatedBackups=False)
    _delete_cluster(rds, "gone")  # AWS's default: deleted with it
    [retained] = _cluster_backups(rds)
    assert retained["DBClusterIdentifier"] == "kept"
    assert retained["DbClusterResourceId"] == resource_id
    assert retained["Status"] == "retained"


def test_retained_cluster_backups_over_the_quota_are_refused(
    sandbox: Sandbox, aws: Clients
) -> None:
    sandbox.limits.cluster_quota = 1
    rds = aws("rds", EU)
    make_cluster(rds, "first")
    make_cluster(rds, "second")
    _delete_cluster(rds, "first", DeleteAutomatedBackups=False)
    rds.delete_db_instance(DBInstanceIdentifier="second-1", SkipFinalSnapshot=True)
    error = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="second", SkipFinalSnapshot=True, DeleteAutomatedBackups=False
        )
    )
    assert error["Code"] == "DBClusterAutomatedBackupQuotaExceededFault"
    assert "same as your DB cluster quota" in error["Message"]
    assert rds.describe_db_clusters(DBClusterIdentifier="second")["DBClusters"]
    quotas = {
        q["AccountQuotaName"]: q["Max"] for q in rds.describe_account_attributes()["AccountQuotas"]
    }
    assert quotas["DBClusters"] == 1


def test_every_instance_gets_its_own_dbi_resource_id(aws: Clients) -> None:
    rds = aws("rds", EU)
    make_instance(rds, "solo")
    first = rds.describe_db_instances(DBInstanceIdentifier="solo")["DBInstances"][0]
    rds.delete_db_instance(DBInstanceIdentifier="solo", SkipFinalSnapshot=True)
    rds.describe_db_instances()  # seen deleting: at time_scale 0 it is then gone
    make_instance(rds, "solo")
    again = rds.describe_db_instances(DBInstanceIdentifier="solo")["DBInstances"][0]
    assert first["DbiResourceId"].startswith("db-")
    assert again["DbiResourceId"] != first["DbiResourceId"]


def test_rds_custom_refuses_a_final_snapshot(aws: Clients) -> None:
    rds = aws("rds", EU)
    rds.create_db_instance(
        DBInstanceIdentifier="erp",
        Engine="custom-oracle-ee",
        EngineVersion="19.c.ee.002",
        DBInstanceClass="db.m5.xlarge",
        AllocatedStorage=40,
        Port=1521,
        MasterUsername="admin",
        MasterUserPassword="demo-password-1",
    )
    error = error_of(
        lambda: rds.delete_db_instance(DBInstanceIdentifier="erp", FinalDBSnapshotIdentifier="x")
    )
    assert error["Code"] == "InvalidParameterCombination"
    assert "SkipFinalSnapshot" in error["Message"]
    assert rds.describe_db_instances(DBInstanceIdentifier="erp")["DBInstances"]
