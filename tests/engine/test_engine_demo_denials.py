"""AccessDenied on every call the boto3 gateway makes, as botocore hands it over: each becomes an
``AccessDeniedError`` whose ``action`` names the IAM action to add. This is the gateway's own
translation, so it runs on moto (the slow tier); what the executor and the wizard do with such an
error is tested on the fake in ``test_engine_denials.py``. One moto account serves the whole
module: a denied call changes nothing, so no test can disturb another."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from enginekit import Faults, make_cluster, make_instance, new_session, outside, seed_role
from moto import mock_aws

from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
from slrwizard.domain import errors as e
from slrwizard.domain.plan import PlanStep, StepKind

K = StepKind

# The seed's words (docs: "Using service-linked roles for Amazon Aurora"), verbatim.
SEED_MESSAGE = (
    "Unable to create the resource. Verify that you have permission to create service linked "
    "role. Otherwise wait and try again later."
)
SEED_STATEMENT = """{
    "Action": "iam:CreateServiceLinkedRole",
    "Effect": "Allow",
    "Resource": "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
    "Condition": {
        "StringLike": {
            "iam:AWSServiceName":"rds.amazonaws.com"
        }
    }
}"""


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Boto3Gateway, Faults]]:
    """One account with a resource for every kind of step, and the role."""
    with mock_aws():
        settings = GatewaySettings(region="us-east-1", poll_seconds=0.01, max_attempts=3)
        gw = Boto3Gateway(settings, new_session())
        faults = Faults(gw)
        seed_role()
        rds = outside("rds", "us-east-1")
        make_cluster("us-east-1", "sleepy", stopped=True)
        make_cluster("us-east-1", "plain")
        make_cluster("us-east-1", "guarded", protected=True)
        make_cluster("us-east-1", "empty", writer=False)
        rds.create_global_cluster(GlobalClusterIdentifier="g1", Engine="aurora-mysql")
        make_cluster("us-east-1", "prim", global_id="g1", writer=False)
        source = make_cluster("us-east-1", "src")
        make_cluster("us-east-1", "rep", replica_of=source, writer=False)
        make_instance("us-east-1", "solo", protected=True)
        yield gw, faults


@pytest.fixture
def gw(world: tuple[Boto3Gateway, Faults]) -> Iterator[Boto3Gateway]:
    yield world[0]
    world[1].clear()


@pytest.fixture
def faults(world: tuple[Boto3Gateway, Faults]) -> Faults:
    return world[1]


# -- AccessDenied on every call ---------------------------------------------------------------
STEP_DENIALS = [
    (K.START_CLUSTER, "sleepy", {}, "StartDBCluster"),
    (K.WAIT_CLUSTER_AVAILABLE, "plain", {}, "DescribeDBClusters"),
    (K.REMOVE_FROM_GLOBAL, "prim", {"global_cluster_id": "g1"}, "RemoveFromGlobalCluster"),
    (K.PROMOTE_REPLICA, "rep", {"source_cluster_id": "src"}, "PromoteReadReplicaDBCluster"),
    (K.DELETE_MEMBER, "plain-w", {"cluster_id": "plain"}, "DeleteDBInstance"),
    (K.LIFT_CLUSTER_PROTECTION, "guarded", {}, "ModifyDBCluster"),
    (K.DELETE_CLUSTER, "empty", {"final_snapshot_id": "empty-final"}, "DeleteDBCluster"),
    (K.DELETE_CLUSTER, "empty", {}, "DeleteDBCluster"),
    (K.WAIT_CLUSTER_DELETED, "plain", {}, "DescribeDBClusters"),
    (K.DELETE_GLOBAL_CLUSTER, "g1", {}, "DeleteGlobalCluster"),
    (K.VERIFY_CLUSTER_SNAPSHOT, "some-snapshot", {}, "DescribeDBClusterSnapshots"),
    (K.LIFT_INSTANCE_PROTECTION, "solo", {}, "ModifyDBInstance"),
    (K.DELETE_INSTANCE, "solo", {"final_snapshot_id": "solo-final"}, "DeleteDBInstance"),
    (K.WAIT_INSTANCE_DELETED, "solo", {}, "DescribeDBInstances"),
    (K.VERIFY_INSTANCE_SNAPSHOT, "some-snapshot", {}, "DescribeDBSnapshots"),
]


@pytest.mark.parametrize(
    ("kind", "target", "references", "operation"),
    STEP_DENIALS,
    ids=[f"{k.value}-{op}" for k, _, _, op in STEP_DENIALS],
)
def test_access_denied_on_each_step_names_the_iam_action(
    gw: Boto3Gateway,
    faults: Faults,
    kind: StepKind,
    target: str,
    references: dict[str, str],
    operation: str,
) -> None:
    faults.deny(operation)
    step = PlanStep(kind=kind, region="us-east-1", target=target, description="x", **references)
    with pytest.raises(e.AccessDeniedError) as caught:
        gw.run_step(step)
    denied = caught.value
    assert denied.action == f"rds:{operation}"
    assert f"rds:{operation}" in denied.explanation
    assert "us-east-1" in denied.explanation
    assert f"rds:{operation}" in denied.hint
    assert "slrwizard policy" in denied.hint
    assert denied.code == "AccessDenied"
    assert f"rds:{operation}" in gw.actions_called


GATEWAY_DENIALS: list[tuple[str, str, Callable[[Boto3Gateway], Any]]] = [
    ("sts", "GetCallerIdentity", lambda gw: gw.caller()),
    ("iam", "GetRole", lambda gw: gw.inspect_role()),
    ("iam", "ListAttachedRolePolicies", lambda gw: gw.inspect_role()),
    ("iam", "DeleteServiceLinkedRole", lambda gw: gw.delete_role()),
    ("iam", "GetServiceLinkedRoleDeletionStatus", lambda gw: gw.role_deletion_status("task/x")),
    ("rds", "DescribeDBClusterSnapshots", lambda gw: gw.snapshot_exists("eu-west-1", "s", True)),
    ("rds", "DescribeDBSnapshots", lambda gw: gw.snapshot_exists("eu-west-1", "s", False)),
]


@pytest.mark.parametrize(
    ("service", "operation", "invoke"), GATEWAY_DENIALS, ids=[d[1] for d in GATEWAY_DENIALS]
)
@pytest.mark.parametrize("scp", [False, True], ids=["policy", "scp"])
def test_access_denied_on_each_gateway_call_names_the_iam_action(
    gw: Boto3Gateway,
    faults: Faults,
    service: str,
    operation: str,
    invoke: Callable[[Boto3Gateway], Any],
    scp: bool,
) -> None:
    faults.deny(operation, scp=scp)
    with pytest.raises(e.AccessDeniedError) as caught:
        invoke(gw)
    assert caught.value.action == f"{service}:{operation}"
    assert f"{service}:{operation}" in caught.value.explanation
    if scp:
        assert "service control policy" in caught.value.explanation
        assert "SCP" in caught.value.hint
    else:
        assert f"{service}:{operation}" in caught.value.hint


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException"])
def test_create_role_denied_carries_the_seeds_message_and_statement(
    gw: Boto3Gateway, faults: Faults, code: str
) -> None:
    faults.fail("CreateServiceLinkedRole", code, "not authorized", status=403)
    with pytest.raises(e.AccessDeniedError) as caught:
        gw.create_role()
    denied = caught.value
    assert denied.action == "iam:CreateServiceLinkedRole"
    assert denied.explanation == SEED_MESSAGE
    assert SEED_STATEMENT in denied.hint
    assert denied.hint.startswith("Make sure you have the following permissions enabled:")


@pytest.mark.parametrize(
    ("kind", "target", "operation", "code"),
    [
        (K.DELETE_CLUSTER, "empty", "DeleteDBCluster", "DBClusterSnapshotAlreadyExistsFault"),
        (K.DELETE_INSTANCE, "solo", "DeleteDBInstance", "DBSnapshotAlreadyExists"),
    ],
)
def test_a_snapshot_name_taken_at_the_last_moment_is_explained(
    gw: Boto3Gateway, faults: Faults, kind: StepKind, target: str, operation: str, code: str
) -> None:
    """Taken between the executor's pre-flight check and the delete call: AWS refuses it."""
    faults.fail(operation, code, "Cannot create the snapshot because it already exists.")
    step = PlanStep(
        kind=kind, region="us-east-1", target=target, final_snapshot_id="taken", description="x"
    )
    with pytest.raises(e.SnapshotExistsError) as caught:
        gw.run_step(step)
    assert caught.value.code == code
    assert "already exists" in caught.value.explanation
    assert "another final snapshot name" in caught.value.hint


def test_nothing_denied_changed_anything(gw: Boto3Gateway, faults: Faults) -> None:
    """Runs last: every resource of the module's account is still there, as it was."""
    rds = outside("rds", "us-east-1")
    clusters = {c["DBClusterIdentifier"]: c for c in rds.describe_db_clusters()["DBClusters"]}
    assert set(clusters) == {"sleepy", "plain", "guarded", "empty", "prim", "src", "rep"}
    assert clusters["sleepy"]["Status"] == "stopped"
    assert clusters["guarded"]["DeletionProtection"] is True
    assert clusters["prim"]["GlobalClusterIdentifier"] == "g1"
    assert clusters["rep"]["ReplicationSourceIdentifier"]
    instances = rds.describe_db_instances()["DBInstances"]
    assert {i["DBInstanceIdentifier"] for i in instances} >= {"solo", "plain-w"}
    assert gw.inspect_role().exists
