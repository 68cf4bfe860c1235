"""The demo sandbox behaves like AWS where moto does not.

Every test drives plain boto3 clients from a session the sandbox is installed on, and asserts
what AWS would answer (see docs/aws-semantics.md): moto in-process plus the sandbox's botocore
handlers, no network.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.exceptions import ClientError

from slrwizard.domain.models import ROLE_NAME, ROLE_PATH
from slrwizard.sandbox import BLUE_GREEN, CLUSTERS, GLOBAL_CLUSTER, INSTANCES, MULTI_AZ, Sandbox

SCALE = 0.05  # cluster deletion 0.2 s, instance 0.15 s, start 0.15 s, promotion and role 0.1 s
ACCOUNT = "481516234201"
Clients = Callable[[str, str], Any]
# One botocore loader for every session: each test gets a fresh session (the sandbox's handlers are
# per sandbox) but re-reading the service models from disk would make the file several times slower.
_LOADER = botocore.loaders.create_loader()


def new_session(region: str = "us-east-1") -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(botocore_session=core, region_name=region)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(time_scale=SCALE, account_id=ACCOUNT)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def aws(sandbox: Sandbox) -> Clients:
    """A client factory on a session the sandbox is installed on (one client per pair)."""
    session = new_session(sandbox.home_region)
    sandbox.install(session.events)
    cache: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def client(service: str, region: str) -> Any:
        with lock:
            if (service, region) not in cache:
                cache[(service, region)] = session.client(service, region_name=region)  # type: ignore[call-overload]
            return cache[(service, region)]

    return client


@pytest.fixture
def seeded(sandbox: Sandbox, aws: Clients) -> Clients:
    sandbox.seed(aws)
    return aws


def global_members(rds: Any) -> list[str]:
    """The member ARNs DescribeGlobalClusters lists for the demo's global database."""
    found = rds.describe_global_clusters(GlobalClusterIdentifier=GLOBAL_CLUSTER)["GlobalClusters"]
    return [m["DBClusterArn"] for m in found[0]["GlobalClusterMembers"]]


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll ``check`` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.01)


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call()
    return dict(info.value.response["Error"])


def make_cluster(rds: Any, cid: str, instances: int = 1, **extra: Any) -> None:
    """An Aurora PostgreSQL cluster with ``instances`` members, answering `available`."""
    rds.create_db_cluster(
        DBClusterIdentifier=cid,
        Engine="aurora-postgresql",
        MasterUsername="dbadmin",
        MasterUserPassword="demo-password-1",
        **extra,
    )
    for n in range(instances):
        rds.create_db_instance(
            DBInstanceIdentifier=f"{cid}-{n + 1}",
            DBClusterIdentifier=cid,
            DBInstanceClass="db.r6g.large",
            Engine="aurora-postgresql",
        )
    rds.describe_db_clusters(DBClusterIdentifier=cid)  # moto answers `creating` once


def make_instance(rds: Any, iid: str, **extra: Any) -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=iid,
        DBInstanceClass="db.t4g.large",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="dbadmin",
        MasterUserPassword="demo-password-1",
        **extra,
    )


def cluster_status(rds: Any, cid: str) -> str:
    return str(rds.describe_db_clusters(DBClusterIdentifier=cid)["DBClusters"][0]["Status"])


# -- the account ------------------------------------------------------------------------------


def test_seed_builds_a_believable_account(seeded: Clients) -> None:
    role = seeded("iam", "us-east-1").get_role(RoleName=ROLE_NAME)["Role"]
    assert role["Path"] == ROLE_PATH
    assert role["Description"] == "Allows Amazon RDS to manage AWS resources on your behalf"
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "rds.amazonaws.com"}
    assert role["RoleLastUsed"]["Region"] == "eu-west-1"
    age = time.time() - role["RoleLastUsed"]["LastUsedDate"].timestamp()
    assert 3600 < age < 12 * 3600
    policies = seeded("iam", "us-east-1").list_attached_role_policies(RoleName=ROLE_NAME)
    assert [p["PolicyName"] for p in policies["AttachedPolicies"]] == ["AmazonRDSServiceRolePolicy"]

    clusters: dict[str, dict[str, Any]] = {}
    instances: dict[str, dict[str, Any]] = {}
    for region in sorted({c.region for c in CLUSTERS} | {i.region for i in INSTANCES}):
        rds = seeded("rds", region)
        clusters |= {c["DBClusterIdentifier"]: c for c in rds.describe_db_clusters()["DBClusters"]}
        instances |= {
            i["DBInstanceIdentifier"]: i for i in rds.describe_db_instances()["DBInstances"]
        }
    # besides CLUSTERS, the Multi-AZ DB cluster of the related kinds (and its read replica)
    assert {c.identifier for c in CLUSTERS} | {MULTI_AZ[1]} == set(clusters)
    assert instances[MULTI_AZ[2]]["ReadReplicaSourceDBClusterIdentifier"] == MULTI_AZ[1]
    assert instances[BLUE_GREEN[3]]["ReadReplicaSourceDBInstanceIdentifier"] == BLUE_GREEN[2]
    engines = {c["Engine"] for c in clusters.values()}
    assert {"aurora-mysql", "aurora-postgresql", "neptune"} <= engines
    assert clusters["orders-prod"]["DeletionProtection"] is True
    members = clusters["orders-prod"]["DBClusterMembers"]
    assert sorted(m["IsClusterWriter"] for m in members) == [False, False, True]
    assert clusters["analytics-staging"]["Status"] == "stopped"
    assert instances["analytics-staging-1"]["DBInstanceStatus"] == "stopped"
    assert all(c["Status"] == "available" for k, c in clusters.items() if k != "analytics-staging")
    standalone = {k: i for k, i in instances.items() if not i.get("DBClusterIdentifier")}
    assert standalone["legacy-reporting"]["Engine"] == "postgres"
    assert any(i["DeletionProtection"] for i in standalone.values())

    gdb = seeded("rds", "us-east-1").describe_global_clusters(
        GlobalClusterIdentifier=GLOBAL_CLUSTER
    )
    members = gdb["GlobalClusters"][0]["GlobalClusterMembers"]
    writers = {m["DBClusterArn"].split(":")[3]: m["IsWriter"] for m in members}
    assert writers == {"us-east-1": True, "eu-west-1": False}


def test_start_sets_the_account_and_is_idempotent(sandbox: Sandbox, aws: Clients) -> None:
    sandbox.start()
    identity = aws("sts", "us-east-1").get_caller_identity()
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/")


def test_describe_regions_lists_enabled_commercial_regions(aws: Clients) -> None:
    regions = aws("ec2", "us-east-1").describe_regions()["Regions"]
    names = [r["RegionName"] for r in regions]
    assert 15 <= len(names) <= 20
    assert not [n for n in names if n.startswith(("us-gov-", "cn-", "us-iso"))]
    assert {"us-east-1", "eu-west-1", "sa-east-1"} <= set(names)
    assert {r["OptInStatus"] for r in regions} <= {"opt-in-not-required", "opted-in"}
    everything = aws("ec2", "us-east-1").describe_regions(AllRegions=True)["Regions"]
    assert any(r["OptInStatus"] == "not-opted-in" for r in everything)


def test_denied_region_answers_access_denied_from_an_scp(aws: Clients) -> None:
    err = error_of(lambda: aws("rds", "sa-east-1").describe_db_clusters())
    assert err["Code"] == "AccessDenied"
    assert "rds:DescribeDBClusters" in err["Message"]
    assert "with an explicit deny in a service control policy" in err["Message"]
    aws("rds", "eu-west-1").describe_db_clusters()  # other regions answer


def test_denied_regions_are_configurable() -> None:
    box = Sandbox(time_scale=0, denied_regions=["eu-north-1"])
    box.start()
    try:
        session = new_session()
        box.install(session.events)
        session.client("rds", region_name="sa-east-1").describe_db_instances()
        north = session.client("rds", region_name="eu-north-1")
        assert error_of(north.describe_db_instances)["Code"] == "AccessDenied"
    finally:
        box.stop()


# -- deletions take time ------------------------------------------------------------------------


def test_cluster_deletion_takes_time_then_the_cluster_is_gone(aws: Clients) -> None:
    rds = aws("rds", "eu-west-1")
    make_cluster(rds, "billing-aurora-pg", instances=0)
    answer = rds.delete_db_cluster(DBClusterIdentifier="billing-aurora-pg", SkipFinalSnapshot=True)
    assert answer["DBCluster"]["Status"] == "deleting"
    assert cluster_status(rds, "billing-aurora-pg") == "deleting"
    listed = {
        c["DBClusterIdentifier"]: c["Status"] for c in rds.describe_db_clusters()["DBClusters"]
    }
    assert listed == {"billing-aurora-pg": "deleting"}
    again = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="billing-aurora-pg", SkipFinalSnapshot=True
        )
    )
    assert again["Code"] == "InvalidDBClusterStateFault"

    rds.get_waiter("db_cluster_deleted").wait(
        DBClusterIdentifier="billing-aurora-pg", WaiterConfig={"Delay": 0.05, "MaxAttempts": 100}
    )
    assert rds.describe_db_clusters()["DBClusters"] == []
    gone = error_of(lambda: rds.describe_db_clusters(DBClusterIdentifier="billing-aurora-pg"))
    assert gone["Code"] == "DBClusterNotFoundFault"


def test_instance_deletion_takes_time_then_the_instance_is_gone(aws: Clients) -> None:
    rds = aws("rds", "us-east-1")
    make_instance(rds, "legacy-reporting")
    rds.delete_db_instance(DBInstanceIdentifier="legacy-reporting", SkipFinalSnapshot=True)
    one = rds.describe_db_instances(DBInstanceIdentifier="legacy-reporting")["DBInstances"]
    assert one[0]["DBInstanceStatus"] == "deleting"
    listed = [i["DBInstanceStatus"] for i in rds.describe_db_instances()["DBInstances"]]
    assert listed == ["deleting"]
    again = error_of(
        lambda: rds.delete_db_instance(
            DBInstanceIdentifier="legacy-reporting", SkipFinalSnapshot=True
        )
    )
    assert again["Code"] == "InvalidDBInstanceState"

    rds.get_waiter("db_instance_deleted").wait(
        DBInstanceIdentifier="legacy-reporting", WaiterConfig={"Delay": 0.05, "MaxAttempts": 100}
    )
    gone = error_of(lambda: rds.describe_db_instances(DBInstanceIdentifier="legacy-reporting"))
    assert gone["Code"] == "DBInstanceNotFound"


def test_deleting_members_stay_listed_and_the_cluster_can_go_meanwhile(aws: Clients) -> None:
    rds = aws("rds", "ap-southeast-2")
    make_cluster(rds, "inventory-apac", instances=2)
    for n in (2, 1):
        rds.delete_db_instance(DBInstanceIdentifier=f"inventory-apac-{n}", SkipFinalSnapshot=True)
    members = rds.describe_db_clusters(DBClusterIdentifier="inventory-apac")["DBClusters"][0][
        "DBClusterMembers"
    ]
    assert {m["DBInstanceIdentifier"]: m["IsClusterWriter"] for m in members} == {
        "inventory-apac-1": True,
        "inventory-apac-2": False,
    }
    # AWS accepts the cluster's deletion once its members are deleting, not gone.
    rds.delete_db_cluster(DBClusterIdentifier="inventory-apac", SkipFinalSnapshot=True)
    eventually(lambda: not rds.describe_db_clusters()["DBClusters"])
    eventually(lambda: not rds.describe_db_instances()["DBInstances"])


def test_a_cluster_with_live_members_still_refuses_deletion(aws: Clients) -> None:
    rds = aws("rds", "us-east-1")
    make_cluster(rds, "orders-prod", instances=1)
    err = error_of(
        lambda: rds.delete_db_cluster(DBClusterIdentifier="orders-prod", SkipFinalSnapshot=True)
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert "non-deleting state" in err["Message"]


def test_concurrent_deletions_from_many_threads(aws: Clients) -> None:
    regions = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"]
    for region in regions:
        make_cluster(aws("rds", region), f"svc-{region}", instances=2)

    def wipe(region: str) -> None:
        rds = aws("rds", region)
        for n in (2, 1):
            rds.delete_db_instance(DBInstanceIdentifier=f"svc-{region}-{n}", SkipFinalSnapshot=True)
        rds.delete_db_cluster(DBClusterIdentifier=f"svc-{region}", SkipFinalSnapshot=True)
        rds.get_waiter("db_cluster_deleted").wait(
            DBClusterIdentifier=f"svc-{region}", WaiterConfig={"Delay": 0.05, "MaxAttempts": 100}
        )

    with ThreadPoolExecutor(max_workers=len(regions)) as pool:
        list(pool.map(wipe, regions))
    assert all(not aws("rds", r).describe_db_clusters()["DBClusters"] for r in regions)


# -- stopped clusters -------------------------------------------------------------------------


def test_stopped_cluster_refuses_deletion_until_started(aws: Clients) -> None:
    rds = aws("rds", "eu-central-1")
    make_cluster(rds, "analytics-staging", instances=0)
    rds.stop_db_cluster(DBClusterIdentifier="analytics-staging")
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="analytics-staging", SkipFinalSnapshot=True
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert err["Message"].startswith("DbCluster analytics-staging is in stopped state")

    started = rds.start_db_cluster(DBClusterIdentifier="analytics-staging")
    assert started["DBCluster"]["Status"] == "starting"
    assert cluster_status(rds, "analytics-staging") == "starting"
    err = error_of(
        lambda: rds.delete_db_cluster(
            DBClusterIdentifier="analytics-staging", SkipFinalSnapshot=True
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    eventually(lambda: cluster_status(rds, "analytics-staging") == "available")
    rds.delete_db_cluster(DBClusterIdentifier="analytics-staging", SkipFinalSnapshot=True)


def test_starting_a_cluster_starts_its_stopped_instances(seeded: Clients) -> None:
    rds = seeded("rds", "eu-central-1")
    rds.start_db_cluster(DBClusterIdentifier="analytics-staging")
    status = rds.describe_db_instances(DBInstanceIdentifier="analytics-staging-1")["DBInstances"]
    assert status[0]["DBInstanceStatus"] == "starting"
    eventually(
        lambda: (
            rds.describe_db_instances(DBInstanceIdentifier="analytics-staging-1")["DBInstances"][0][
                "DBInstanceStatus"
            ]
            == "available"
        )
    )


# -- global databases -------------------------------------------------------------------------


def test_global_members_must_leave_before_deletion(seeded: Clients) -> None:
    use1, euw1 = seeded("rds", "us-east-1"), seeded("rds", "eu-west-1")
    primary = use1.describe_db_clusters(DBClusterIdentifier="payments-core-use1")["DBClusters"][0]
    secondary = euw1.describe_db_clusters(DBClusterIdentifier="payments-core-euw1")["DBClusters"][0]
    for rds, cluster in ((use1, primary), (euw1, secondary)):
        rds.delete_db_instance(
            DBInstanceIdentifier=cluster["DBClusterMembers"][0]["DBInstanceIdentifier"],
            SkipFinalSnapshot=True,
        )

    err = error_of(
        lambda: euw1.delete_db_cluster(
            DBClusterIdentifier="payments-core-euw1", SkipFinalSnapshot=True
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    assert "please remove it from globalcluster first" in err["Message"]
    err = error_of(
        lambda: use1.delete_db_cluster(
            DBClusterIdentifier="payments-core-use1", SkipFinalSnapshot=True
        )
    )
    assert err["Code"] == "InvalidGlobalClusterStateFault"
    err = error_of(
        lambda: use1.remove_from_global_cluster(
            GlobalClusterIdentifier=GLOBAL_CLUSTER, DbClusterIdentifier=primary["DBClusterArn"]
        )
    )
    assert err["Code"] == "InvalidGlobalClusterStateFault"
    err = error_of(lambda: use1.delete_global_cluster(GlobalClusterIdentifier=GLOBAL_CLUSTER))
    assert err["Code"] == "InvalidGlobalClusterStateFault"

    # The secondary leaves (by ARN, called from its own region), is promoted, then can go.
    euw1.remove_from_global_cluster(
        GlobalClusterIdentifier=GLOBAL_CLUSTER, DbClusterIdentifier=secondary["DBClusterArn"]
    )
    assert cluster_status(euw1, "payments-core-euw1") == "promoting"
    err = error_of(
        lambda: euw1.delete_db_cluster(
            DBClusterIdentifier="payments-core-euw1",
            FinalDBSnapshotIdentifier="payments-euw1-final",
        )
    )
    assert err["Code"] == "InvalidDBClusterStateFault"
    eventually(lambda: cluster_status(euw1, "payments-core-euw1") == "available")
    detached = euw1.describe_db_clusters(DBClusterIdentifier="payments-core-euw1")["DBClusters"][0]
    assert not detached.get("GlobalClusterIdentifier")
    euw1.delete_db_cluster(
        DBClusterIdentifier="payments-core-euw1", FinalDBSnapshotIdentifier="payments-euw1-final"
    )

    again = error_of(
        lambda: euw1.remove_from_global_cluster(
            GlobalClusterIdentifier=GLOBAL_CLUSTER, DbClusterIdentifier=secondary["DBClusterArn"]
        )
    )
    assert again["Code"] == "InvalidParameterValue"
    assert "is not found in global cluster" in again["Message"]

    use1.remove_from_global_cluster(
        GlobalClusterIdentifier=GLOBAL_CLUSTER, DbClusterIdentifier=primary["DBClusterArn"]
    )
    use1.delete_db_cluster(DBClusterIdentifier="payments-core-use1", SkipFinalSnapshot=True)
    # Leaving takes a while: the global database lists its members until then, and refuses.
    err = error_of(lambda: use1.delete_global_cluster(GlobalClusterIdentifier=GLOBAL_CLUSTER))
    assert (err["Code"], err["Message"]) == (
        "InvalidGlobalClusterStateFault",
        f"Global Cluster arn:aws:rds::{ACCOUNT}:global-cluster:{GLOBAL_CLUSTER} is not empty",
    )
    eventually(lambda: not global_members(use1))
    deleted = use1.delete_global_cluster(GlobalClusterIdentifier=GLOBAL_CLUSTER)
    assert deleted["GlobalCluster"]["GlobalClusterMembers"] == []
    assert use1.describe_global_clusters()["GlobalClusters"] == []
    err = error_of(lambda: use1.describe_global_clusters(GlobalClusterIdentifier=GLOBAL_CLUSTER))
    assert err["Code"] == "GlobalClusterNotFoundFault"


# -- final snapshots ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (
            {"SkipFinalSnapshot": True, "FinalDBSnapshotIdentifier": "ok-name"},
            "InvalidParameterCombination",
        ),
        ({}, "InvalidParameterCombination"),
        ({"SkipFinalSnapshot": False}, "InvalidParameterCombination"),
        ({"FinalDBSnapshotIdentifier": "1-starts-with-digit"}, "InvalidParameterValue"),
        ({"FinalDBSnapshotIdentifier": "two--hyphens"}, "InvalidParameterValue"),
        ({"FinalDBSnapshotIdentifier": "trailing-"}, "InvalidParameterValue"),
        ({"FinalDBSnapshotIdentifier": "under_score"}, "InvalidParameterValue"),
        ({"FinalDBSnapshotIdentifier": "a" * 256}, "InvalidParameterValue"),
        (
            {"FinalDBSnapshotIdentifier": "orders-prod-pre-upgrade"},
            "DBClusterSnapshotAlreadyExistsFault",
        ),
    ],
)
def test_cluster_final_snapshot_parameters_are_checked(
    aws: Clients, params: dict[str, Any], code: str
) -> None:
    rds = aws("rds", "us-east-1")
    make_cluster(rds, "orders-prod", instances=0)
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="orders-prod", DBClusterSnapshotIdentifier="orders-prod-pre-upgrade"
    )
    err = error_of(lambda: rds.delete_db_cluster(DBClusterIdentifier="orders-prod", **params))
    assert err["Code"] == code
    assert cluster_status(rds, "orders-prod") == "available"  # nothing happened


def test_cluster_final_snapshot_is_available_afterwards(aws: Clients) -> None:
    rds = aws("rds", "eu-west-1")
    make_cluster(rds, "billing-aurora-pg", instances=0)
    name = "billing-aurora-pg-final-20250101-0000"
    rds.delete_db_cluster(DBClusterIdentifier="billing-aurora-pg", FinalDBSnapshotIdentifier=name)
    snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)
    assert snapshot["DBClusterSnapshots"][0]["Status"] == "available"
    assert snapshot["DBClusterSnapshots"][0]["DBClusterIdentifier"] == "billing-aurora-pg"


def test_instance_final_snapshot_parameters_are_checked(aws: Clients) -> None:
    rds = aws("rds", "us-east-1")
    make_instance(rds, "legacy-reporting")
    rds.create_db_snapshot(DBInstanceIdentifier="legacy-reporting", DBSnapshotIdentifier="taken")
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"SkipFinalSnapshot": True, "FinalDBSnapshotIdentifier": "x1"},
            "InvalidParameterCombination",
        ),
        ({}, "InvalidParameterCombination"),
        ({"FinalDBSnapshotIdentifier": "bad--name"}, "InvalidParameterValue"),
        ({"FinalDBSnapshotIdentifier": "taken"}, "DBSnapshotAlreadyExists"),
    ]
    for params, code in cases:
        err = error_of(
            partial(rds.delete_db_instance, DBInstanceIdentifier="legacy-reporting", **params)
        )
        assert err["Code"] == code, params
    rds.delete_db_instance(
        DBInstanceIdentifier="legacy-reporting", FinalDBSnapshotIdentifier="legacy-final"
    )
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="legacy-final")["DBSnapshots"][0]
    assert snapshot["Status"] == "available"


def test_cluster_member_refuses_a_final_snapshot(aws: Clients) -> None:
    rds = aws("rds", "eu-west-1")
    make_cluster(rds, "billing-aurora-pg", instances=1)
    err = error_of(
        lambda: rds.delete_db_instance(
            DBInstanceIdentifier="billing-aurora-pg-1", FinalDBSnapshotIdentifier="member-final"
        )
    )
    assert err["Code"] == "InvalidParameterCombination"
    rds.delete_db_instance(DBInstanceIdentifier="billing-aurora-pg-1", SkipFinalSnapshot=True)


# -- the role -----------------------------------------------------------------------------------


def wait_for_task(iam: Any, task_id: str) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
        return status if status["Status"] != "IN_PROGRESS" else None

    return dict(eventually(finished))


def test_role_deletion_fails_while_rds_uses_the_role(seeded: Clients) -> None:
    iam = seeded("iam", "us-east-1")
    task_id = iam.delete_service_linked_role(RoleName=ROLE_NAME)["DeletionTaskId"]
    assert task_id.startswith(f"task/aws-service-role/rds.amazonaws.com/{ROLE_NAME}/")
    first = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
    assert first["Status"] == "IN_PROGRESS"
    assert iam.delete_service_linked_role(RoleName=ROLE_NAME)["DeletionTaskId"] == task_id

    status = wait_for_task(iam, task_id)
    assert status["Status"] == "FAILED"
    assert status["Reason"]["Reason"]
    usage = {u["Region"]: u["Resources"] for u in status["Reason"]["RoleUsageList"]}
    assert set(usage) == {c.region for c in CLUSTERS} | {i.region for i in INSTANCES}
    neptune = f"arn:aws:rds:eu-central-1:{ACCOUNT}:cluster:fraud-graph"
    assert neptune in usage["eu-central-1"]
    assert f"arn:aws:rds:us-east-1:{ACCOUNT}:db:legacy-reporting" in usage["us-east-1"]
    iam.get_role(RoleName=ROLE_NAME)  # still there

    retry = iam.delete_service_linked_role(RoleName=ROLE_NAME)["DeletionTaskId"]
    assert retry != task_id  # a finished task is not reused


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_role_deletion_counts_resources_that_are_still_deleting() -> None:
    clock = FakeClock()
    box = Sandbox(time_scale=1.0, clock=clock)  # cluster deletion 4 s, role task 2 s
    box.start()
    try:
        session = new_session()
        box.install(session.events)
        iam = session.client("iam", region_name="us-east-1")
        rds = session.client("rds", region_name="us-west-2")
        make_cluster(rds, "session-cache-old", instances=0)  # AWS creates the role with it
        rds.delete_db_cluster(DBClusterIdentifier="session-cache-old", SkipFinalSnapshot=True)
        task_id = iam.delete_service_linked_role(RoleName=ROLE_NAME)["DeletionTaskId"]
        clock.now += 1.9
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
        assert status["Status"] == "IN_PROGRESS"
        clock.now += 0.2
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)
        assert status["Status"] == "FAILED"
        assert status["Reason"]["RoleUsageList"] == [
            {
                "Region": "us-west-2",
                "Resources": [f"arn:aws:rds:us-west-2:{box.account_id}:cluster:session-cache-old"],
            }
        ]
        clock.now += 2.0  # the cluster is gone now
        assert rds.describe_db_clusters()["DBClusters"] == []
        retry = iam.delete_service_linked_role(RoleName=ROLE_NAME)["DeletionTaskId"]
        clock.now += 2.0
        status = iam.get_service_linked_role_deletion_status(DeletionTaskId=retry)
        assert status["Status"] == "SUCCEEDED"
    finally:
        box.stop()


def test_role_deletion_succeeds_once_nothing_uses_it(aws: Clients) -> None:
    iam = aws("iam", "us-east-1")
    iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")
    task_id = iam.delete_service_linked_role(RoleName=ROLE_NAME)["DeletionTaskId"]
    assert wait_for_task(iam, task_id)["Status"] == "SUCCEEDED"
    assert error_of(lambda: iam.get_role(RoleName=ROLE_NAME))["Code"] == "NoSuchEntity"
    again = error_of(lambda: iam.delete_service_linked_role(RoleName=ROLE_NAME))
    assert again["Code"] == "NoSuchEntity"


def test_unknown_deletion_task_is_invalid_input(aws: Clients) -> None:
    iam = aws("iam", "us-east-1")
    err = error_of(
        lambda: iam.get_service_linked_role_deletion_status(
            DeletionTaskId=f"task/aws-service-role/rds.amazonaws.com/{ROLE_NAME}/nope"
        )
    )
    assert err["Code"] == "InvalidInput"


def test_delete_role_cannot_touch_a_service_linked_role(seeded: Clients) -> None:
    iam = seeded("iam", "us-east-1")
    err = error_of(lambda: iam.delete_role(RoleName=ROLE_NAME))
    assert err["Code"] == "UnmodifiableEntity"
    assert "only modifiable by AWS" in err["Message"]
    iam.get_role(RoleName=ROLE_NAME)


def test_create_service_linked_role_like_aws(aws: Clients) -> None:
    iam = aws("iam", "us-east-1")
    role = iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")["Role"]
    assert role["RoleName"] == ROLE_NAME
    assert role["Path"] == ROLE_PATH
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role{ROLE_PATH}{ROLE_NAME}"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "rds.amazonaws.com"
    }
    assert iam.get_role(RoleName=ROLE_NAME)["Role"]["Path"] == ROLE_PATH
    err = error_of(lambda: iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com"))
    assert err["Code"] == "InvalidInput"
    assert err["Message"] == (
        f"Service role name {ROLE_NAME} has been taken in this account, please try a "
        "different suffix."
    )


def test_first_database_creates_the_role(aws: Clients) -> None:
    iam = aws("iam", "us-east-1")
    assert error_of(lambda: iam.get_role(RoleName=ROLE_NAME))["Code"] == "NoSuchEntity"
    make_cluster(aws("rds", "eu-west-2"), "first-db", instances=0)
    assert iam.get_role(RoleName=ROLE_NAME)["Role"]["Path"] == ROLE_PATH


def test_access_advisor_reports_the_services_the_role_reached(seeded: Clients) -> None:
    iam = seeded("iam", "us-east-1")
    arn = iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"]
    job_id = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    details = iam.get_service_last_accessed_details(JobId=job_id)
    assert details["JobStatus"] == "COMPLETED"
    assert details["JobCompletionDate"] >= details["JobCreationDate"]
    services = {s["ServiceNamespace"]: s for s in details["ServicesLastAccessed"]}
    assert {"rds", "ec2", "cloudwatch"} <= set(services)
    rds = services["rds"]
    assert rds["ServiceName"] == "Amazon RDS"
    assert rds["LastAuthenticatedRegion"] == "eu-west-1"
    assert rds["LastAuthenticated"] <= details["JobCreationDate"]
    assert rds["TotalAuthenticatedEntities"] == 1
    assert any("LastAuthenticated" not in s for s in services.values())  # some never used
    err = error_of(lambda: iam.get_service_last_accessed_details(JobId=str(uuid.uuid4())))
    assert err["Code"] == "NoSuchEntity"
