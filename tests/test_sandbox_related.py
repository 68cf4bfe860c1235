"""The demo account's related resources (slrwizard/sandbox/related.py): one of each kind in the
seed, listed and deleted as AWS does (``deleting`` first, even at speed 0), and AWS's order
enforced (a shard group before its cluster, a Blue/Green deployment before either side; deleting
a Multi-AZ DB cluster promotes its read replica)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_sandbox import ACCOUNT, Clients, error_of, new_session

from slrwizard.sandbox import Sandbox

US, WEST, EU, CENTRAL, APAC = (
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
)


@pytest.fixture
def aws() -> Iterator[Clients]:
    box = Sandbox(time_scale=0, account_id=ACCOUNT)
    box.start()
    session = new_session(box.home_region)
    box.install(session.events)
    cache: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        if (service, region) not in cache:
            cache[(service, region)] = session.client(service, region_name=region)  # type: ignore[call-overload]
        return cache[(service, region)]

    box.seed(client)
    yield client
    box.stop()


def test_the_demo_has_one_of_each_kind(aws: Clients) -> None:
    [bgd] = aws("rds", US).describe_blue_green_deployments()["BlueGreenDeployments"]
    assert (bgd["BlueGreenDeploymentIdentifier"], bgd["Status"]) == (
        "bgd-7h2kq9x4m1",
        "AVAILABLE",
    )
    assert bgd["Source"].endswith(":db:legacy-reporting")
    assert bgd["Target"].endswith(":db:legacy-rpt-green")
    [shards] = aws("rds", WEST).describe_db_shard_groups()["DBShardGroups"]
    assert shards["DBClusterIdentifier"] == "ledger-limitless"
    [etl] = aws("rds", EU).describe_integrations()["Integrations"]
    assert etl["SourceArn"].endswith(":cluster:billing-aurora-pg")
    [proxy] = aws("rds", APAC).describe_db_proxies()["DBProxies"]
    targets = aws("rds", APAC).describe_db_proxy_targets(DBProxyName=proxy["DBProxyName"])
    assert [t["RdsResourceId"] for t in targets["Targets"]] == ["crm-mysql"]
    [group] = aws("rds", APAC).describe_db_cluster_groups()["DBClusterGroups"]
    assert group["DeletionProtection"] is True
    member = aws("rds", APAC).describe_db_clusters(DBClusterIdentifier="inventory-apac")
    assert member["DBClusters"][0]["DBClusterGroupIdentifier"] == "apac-fleet"
    backups = aws("rds", EU).describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]
    assert [
        (b["DBInstanceIdentifier"], b["Status"], b["BackupRetentionPeriod"]) for b in backups
    ] == [("old-billing-mysql", "retained", 7)]
    cluster_backups = aws("rds", US).describe_db_cluster_automated_backups()
    assert [b["DBClusterIdentifier"] for b in cluster_backups["DBClusterAutomatedBackups"]] == [
        "search-aurora-2023"
    ]
    replica = aws("rds", CENTRAL).describe_db_instances(DBInstanceIdentifier="events-maz-replica")
    assert replica["DBInstances"][0]["ReadReplicaSourceDBClusterIdentifier"] == "events-maz"
    # the demo's SCP denies one listing: the wizard's "could not check"
    denied = error_of(lambda: aws("rds", CENTRAL).describe_integrations())
    assert denied["Code"] == "AccessDeniedException"
    assert "explicit deny in a service control policy" in denied["Message"]


def test_a_shard_group_is_deleting_before_it_is_gone_and_goes_before_its_cluster(
    aws: Clients,
) -> None:
    rds = aws("rds", WEST)
    refused = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="ledger-limitless", SkipFinalSnapshot=True
        )
    )
    assert refused["Code"] == "InvalidDBClusterStateFault"
    assert "delete the shard group first" in refused["Message"]
    assert rds.delete_db_shard_group(DBShardGroupIdentifier="ledger-shards")["Status"] == "deleting"
    [seen] = rds.describe_db_shard_groups()["DBShardGroups"]
    assert seen["Status"] == "deleting"  # never skipped, even at speed 0
    assert rds.describe_db_shard_groups()["DBShardGroups"] == []
    missing = error_of(lambda: rds.describe_db_shard_groups(DBShardGroupIdentifier="ledger-shards"))
    assert missing["Code"] == "DBShardGroupNotFound"
    rds.delete_db_cluster(DBClusterIdentifier="ledger-limitless", SkipFinalSnapshot=True)


def test_neither_side_of_a_blue_green_deployment_goes_before_it(aws: Clients) -> None:
    rds = aws("rds", US)
    for side in ("legacy-reporting", "legacy-rpt-green"):
        refused = error_of(
            lambda side=side: rds.delete_db_instance(
                DBInstanceIdentifier=side, SkipFinalSnapshot=True
            )
        )
        assert refused["Code"] == "InvalidDBInstanceState"
        assert "Blue/Green deployment bgd-7h2kq9x4m1" in refused["Message"]
    answer = rds.delete_blue_green_deployment(BlueGreenDeploymentIdentifier="bgd-7h2kq9x4m1")
    assert answer["BlueGreenDeployment"]["Status"] == "DELETING"
    assert rds.describe_blue_green_deployments()["BlueGreenDeployments"][0]["Status"] == "DELETING"
    assert rds.describe_blue_green_deployments()["BlueGreenDeployments"] == []
    rds.delete_db_instance(DBInstanceIdentifier="legacy-rpt-green", SkipFinalSnapshot=True)


def test_deleting_a_multi_az_cluster_promotes_its_read_replica(aws: Clients) -> None:
    rds = aws("rds", CENTRAL)
    rds.delete_db_cluster(DBClusterIdentifier="events-maz", SkipFinalSnapshot=True)
    replica = rds.describe_db_instances(DBInstanceIdentifier="events-maz-replica")["DBInstances"][0]
    assert "ReadReplicaSourceDBClusterIdentifier" not in replica  # a standalone instance now
    assert replica["DBInstanceStatus"] == "available"  # and it still holds the role


def test_a_cluster_removed_from_its_group_leaves_the_group_empty(aws: Clients) -> None:
    rds = aws("rds", APAC)
    rds.remove_db_cluster_from_db_cluster_group(
        DBClusterGroupIdentifier="apac-fleet", DBClusterIdentifier="inventory-apac"
    )
    cluster = rds.describe_db_clusters(DBClusterIdentifier="inventory-apac")["DBClusters"][0]
    assert "DBClusterGroupIdentifier" not in cluster
    [group] = rds.describe_db_cluster_groups()["DBClusterGroups"]
    assert group["DBClusterGroupMembers"] == []  # left behind, empty
    again = error_of(
        lambda: rds.remove_db_cluster_from_db_cluster_group(
            DBClusterGroupIdentifier="apac-fleet", DBClusterIdentifier="inventory-apac"
        )
    )
    assert again["Code"] == "InvalidDBClusterStateFault"
