"""``slrwizard policy`` read the way IAM reads it: (action, resource ARN) pairs matched with IAM's
wildcards against the printed statements, ARNs as the Service Authorization Reference writes them.

The helpers here (a call recorder on the gateway's botocore events, the resource ARNs a call acts
on, IAM's matching) also serve ``test_engine_demo_policy.py``, which checks every pair the whole
demo walkthrough called.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import pytest
from enginekit import ACCOUNT, Run, error_reply, ok_reply

from slrwizard import policy
from slrwizard.aws.errors import CREATE_SLR_STATEMENT
from slrwizard.domain.models import ROLE_NAME, ROLE_PATH, SERVICE_PRINCIPAL

GLOBAL_ARN = f"arn:aws:rds::{ACCOUNT}:global-cluster:billing-global"
"""A global cluster's ARN as RDS returns it: no region."""


# -- what the gateway called --------------------------------------------------------------------
@dataclass(frozen=True)
class ApiCall:
    service: str
    operation: str
    region: str
    params: dict[str, Any]


class Recorder:
    """Every call made by a gateway's clients, with the parameters the gateway passed.

    ``before-parameter-build`` is botocore's public event with the caller's own parameters and
    the request context (``client_region``), before anything is sent or answered.
    """

    def __init__(self, gateway: Any) -> None:
        self.calls: list[ApiCall] = []
        self._lock = threading.Lock()
        for events in [gateway.events, *(c.meta.events for c in gateway.transport.clients())]:
            events.register("before-parameter-build", self._record, unique_id=f"rec-{id(self)}")

    def _record(self, params: Any, model: Any, context: Any, event_name: str, **_: Any) -> None:
        service = event_name.split(".")[1]
        call = ApiCall(service, model.name, str(context.get("client_region", "")), dict(params))
        with self._lock:
            self.calls.append(call)


# -- the resources a call acts on (Service Authorization Reference) -----------------------------
Pair = tuple[str, str, dict[str, str]]
"""(action, resource ARN, condition context)."""


def pairs_of(
    call: ApiCall, account: str, partition: str = "aws", arns: dict[str, str] | None = None
) -> list[Pair]:
    """The (action, resource) pairs IAM authorizes for ``call``, its dependent actions included
    (a delete that keeps a final snapshot is also a CreateDB(Cluster)Snapshot).

    ``arns`` gives the ARNs of resources a call names by a name the ARN does not hold (a proxy's
    and a shard group's ARNs end in their resource IDs), as their describes answered them."""
    p, op = call.params, call.operation
    # botocore's event names use the service id (application-auto-scaling), IAM the prefix.
    prefix = {"application-auto-scaling": "application-autoscaling"}.get(call.service)
    action = f"{prefix or call.service}:{op}"

    def rds(kind: str, name: str | None) -> str:
        if name and name.startswith("arn:"):
            return name
        return f"arn:{partition}:rds:{call.region}:{account}:{kind}:{name or '*'}"

    def global_cluster(name: str | None) -> str:
        return f"arn:{partition}:rds::{account}:global-cluster:{name or '*'}"

    role = f"arn:{partition}:iam::{account}:role{ROLE_PATH}{ROLE_NAME}"
    if call.service in ("sts", "ec2", "account") or op in (
        "GetServiceLastAccessedDetails",
        "DescribeAccountAttributes",
        # Listed for a whole region (no identifier): every automated backup, "*".
        "DescribeDBClusterAutomatedBackups",
        "DescribeDBInstanceAutomatedBackups",
    ):
        return [(action, "*", {})]  # no resource types: "*" only
    if prefix == "application-autoscaling":
        if op == "DescribeScalableTargets":
            return [(action, "*", {})]  # no resource types: "*" only
        assert op == "DeregisterScalableTarget", f"no ARN known for {action}"
        # A scalable target's ARN ends in an id AWS assigns (DescribeScalableTargets'
        # ScalableTargetARN), not in the cluster's name: the shape is what the policy matches.
        target_id = str(p["ResourceId"]).replace(":", "-")
        return [
            (
                action,
                f"arn:{partition}:application-autoscaling:{call.region}:{account}:"
                f"scalable-target/{target_id}",
                {},
            )
        ]
    if call.service == "kms":
        assert op == "DescribeKey", f"no ARN known for {action}"
        key = str(p["KeyId"])
        if not key.startswith("arn:"):
            key = f"arn:{partition}:kms:{call.region}:{account}:key/{key}"
        return [(action, key, {})]
    if call.service == "iam":
        if op == "CreateServiceLinkedRole":
            return [(action, role, {"iam:AWSServiceName": str(p["AWSServiceName"])})]
        if op == "GenerateServiceLastAccessedDetails":
            return [(action, str(p["Arn"]), {})]
        assert op in {
            "GetRole",
            "ListAttachedRolePolicies",
            "DeleteServiceLinkedRole",
            "GetServiceLinkedRoleDeletionStatus",  # the task of the role's deletion
        }, f"no ARN known for {action}"
        assert p.get("RoleName", ROLE_NAME) == ROLE_NAME
        return [(action, role, {})]
    assert call.service == "rds", f"no ARN known for {action}"
    cluster = rds("cluster", p.get("DBClusterIdentifier") or p.get("DbClusterIdentifier"))
    db = rds("db", p.get("DBInstanceIdentifier"))
    glob = global_cluster(p.get("GlobalClusterIdentifier"))
    by_operation: dict[str, list[str]] = {
        "DescribeDBClusters": [cluster],
        "DescribeDBInstances": [db],
        "DescribeGlobalClusters": [glob],
        "DescribeDBClusterSnapshots": [
            rds("cluster-snapshot", p.get("DBClusterSnapshotIdentifier")),
            *([cluster] if "DBClusterIdentifier" in p else []),
        ],
        "DescribeDBSnapshots": [
            rds("snapshot", p.get("DBSnapshotIdentifier")),
            *([db] if "DBInstanceIdentifier" in p else []),
        ],
        "StartDBCluster": [cluster],
        "StartDBInstance": [db],
        "ModifyDBCluster": [cluster],
        "PromoteReadReplicaDBCluster": [cluster],
        "RemoveFromGlobalCluster": [glob, cluster],
        "DeleteGlobalCluster": [glob],
        "DeleteDBCluster": [cluster],
        "ModifyDBInstance": [db],
        "DeleteDBInstance": [db],
        "DeleteBlueGreenDeployment": [rds("deployment", p.get("BlueGreenDeploymentIdentifier"))],
        "DeleteIntegration": [rds("integration", p.get("IntegrationIdentifier"))],
        "DeleteDBProxy": [(arns or {}).get(str(p.get("DBProxyName")), rds("db-proxy", None))],
        "DeleteDBShardGroup": [
            (arns or {}).get(str(p.get("DBShardGroupIdentifier")), rds("shard-group", None))
        ],
        "RemoveDBClusterFromDBClusterGroup": [
            rds("cluster-group", p.get("DBClusterGroupIdentifier")),
            cluster,
        ],
        # RDS Custom's manual snapshot: authorized on the instance and on the snapshot.
        "CreateDBSnapshot": [db, rds("snapshot", p.get("DBSnapshotIdentifier"))],
    }
    listings = {
        "DescribeBlueGreenDeployments": ("deployment", "BlueGreenDeploymentIdentifier"),
        "DescribeDBShardGroups": ("shard-group", "DBShardGroupIdentifier"),
        "DescribeIntegrations": ("integration", "IntegrationIdentifier"),
        "DescribeDBProxies": ("db-proxy", "DBProxyName"),
        "DescribeDBProxyTargets": ("db-proxy", "DBProxyName"),
        "DescribeDBClusterGroups": ("cluster-group", "DBClusterGroupIdentifier"),
        "DescribeDBInstanceAutomatedBackups": ("auto-backup", None),
        "DescribeDBClusterAutomatedBackups": ("cluster-auto-backup", None),
    }
    if op in listings:
        kind, param = listings[op]
        name = p.get(param) if param else None
        return [(action, (arns or {}).get(str(name)) or rds(kind, name), {})]
    assert op in by_operation, f"no ARN known for {action}"
    pairs: list[Pair] = [(action, arn, {}) for arn in by_operation[op]]
    final = p.get("FinalDBSnapshotIdentifier")
    if op == "DeleteDBCluster" and final:
        snapshot = rds("cluster-snapshot", final)
        pairs += [(action, snapshot, {})]
        pairs += [("rds:CreateDBClusterSnapshot", arn, {}) for arn in (cluster, snapshot)]
    if op == "DeleteDBInstance" and final:
        pairs += [("rds:CreateDBSnapshot", arn, {}) for arn in (db, rds("snapshot", final))]
    return pairs


# -- IAM's matching ------------------------------------------------------------------------------
def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _condition_holds(condition: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    """The operators this policy may use; a key the request lacks fails, as in IAM."""
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            value = context.get(key)
            if value is None:
                return False
            if operator == "StringLike":
                if not any(fnmatchcase(value, w) for w in _listed(wanted)):
                    return False
            elif operator == "StringEquals":
                if value not in _listed(wanted):
                    return False
            else:
                raise AssertionError(f"condition operator {operator} is not evaluated here")
    return True


def allows(document: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    """True if an Allow statement matches: action (case-insensitive), resource (``*``/``?``,
    case-sensitive) and every condition. The policy has no Deny."""
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        if not any(fnmatchcase(action.lower(), a.lower()) for a in _listed(statement["Action"])):
            continue
        if not any(fnmatchcase(resource, r) for r in _listed(statement["Resource"])):
            continue
        if _condition_holds(statement.get("Condition", {}), context):
            return True
    return False


def refused(document: dict[str, Any], pairs: list[Pair]) -> list[tuple[str, str]]:
    return [(a, r) for a, r, context in pairs if not allows(document, a, r, context)]


# -- the policy's ARNs ----------------------------------------------------------------------------
def test_global_clusters_are_allowed_by_their_real_arn() -> None:
    document = policy.policy_document()
    old_pattern = "arn:aws:rds:*::global-cluster:*"  # what the policy used to say
    assert not fnmatchcase(GLOBAL_ARN, old_pattern), "an ARN with no region matched a region field"
    for action in ("rds:RemoveFromGlobalCluster", "rds:DeleteGlobalCluster"):
        assert allows(document, action, GLOBAL_ARN, {}), action
    cluster = f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:billing"
    assert allows(document, "rds:RemoveFromGlobalCluster", cluster, {})


def test_create_service_linked_role_is_the_seeds_statement() -> None:
    """The seed procedure's statement for iam:CreateServiceLinkedRole, as the policy prints it,
    and IAM's answer to the call the wizard makes: allowed for rds.amazonaws.com only."""
    seed = json.loads(CREATE_SLR_STATEMENT)
    document = policy.policy_document()
    printed = [s for s in document["Statement"] if "iam:CreateServiceLinkedRole" in s["Action"]]
    assert len(printed) == 1
    statement = printed[0]
    assert _listed(statement["Action"]) == [seed["Action"]]
    assert (statement["Effect"], statement["Resource"]) == (seed["Effect"], seed["Resource"])
    assert statement["Condition"] == seed["Condition"]
    role = seed["Resource"].replace("*", ACCOUNT)
    create = "iam:CreateServiceLinkedRole"
    assert allows(document, create, role, {"iam:AWSServiceName": SERVICE_PRINCIPAL})
    assert not allows(document, create, role, {"iam:AWSServiceName": "ec2.amazonaws.com"})
    assert not allows(document, create, role, {})


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_partition_and_account_narrow_every_arn(run: Run, partition: str) -> None:
    code, out, err = run("policy", "--partition", partition, "--account", ACCOUNT)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document == policy.policy_document(partition, ACCOUNT)
    arns = [r for s in document["Statement"] for r in _listed(s["Resource"]) if r != "*"]
    assert arns
    for arn in arns:
        assert arn.startswith(f"arn:{partition}:"), arn
        assert f":{ACCOUNT}:" in arn, arn
    global_cluster = GLOBAL_ARN.replace("arn:aws:", f"arn:{partition}:")
    assert allows(document, "rds:DeleteGlobalCluster", global_cluster, {})
    other = "aws-cn" if partition == "aws" else "aws"
    assert not allows(
        document, "rds:DeleteGlobalCluster", global_cluster.replace(partition, other, 1), {}
    )
    assert not allows(
        document, "rds:DeleteGlobalCluster", global_cluster.replace(ACCOUNT, "210987654321"), {}
    )


def test_policy_without_partition_takes_the_callers(
    run: Run, aws_hook: Callable[[str, Callable[..., Any]], None]
) -> None:
    arn = f"arn:aws-us-gov:sts::{ACCOUNT}:assumed-role/DatabaseAdmin/alice"
    aws_hook(
        "before-call.sts.GetCallerIdentity",
        lambda **_: ok_reply({"Account": ACCOUNT, "Arn": arn, "UserId": "AROAEXAMPLE:alice"}),
    )
    code, out, err = run("policy")
    assert code == 0
    assert json.loads(out) == policy.policy_document("aws-us-gov")
    assert err == "slrwizard: ARNs for partition aws-us-gov, the caller's.\n"


def test_policy_offline_is_the_commercial_partition_and_says_why(
    run: Run, aws_hook: Callable[[str, Callable[..., Any]], None]
) -> None:
    aws_hook(
        "before-call.sts.GetCallerIdentity",
        lambda **_: error_reply("ExpiredToken", "The security token included has expired.", 403),
    )
    code, out, err = run("policy")
    assert code == 0
    assert json.loads(out) == policy.policy_document("aws")
    assert err.startswith("slrwizard: ARNs for partition aws (no caller to ask: ")
    assert "--partition" in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_policy_refuses_an_account_that_is_not_one(run: Run) -> None:
    code, out, err = run("policy", "--partition", "aws", "--account", "12345")
    assert code == 2
    assert out == ""
    assert "not an AWS account ID" in err
