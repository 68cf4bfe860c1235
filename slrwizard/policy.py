"""``slrwizard policy``: the least-privilege IAM policy the wizard needs.

Every action the gateway calls is listed here, on the resources AWS checks it against: a test
runs the whole walkthrough against the sandbox and matches every (action, resource ARN) it
called against this policy the way IAM does. Two actions are required by AWS for a delete with a
final snapshot: ``rds:CreateDBClusterSnapshot`` and ``rds:CreateDBSnapshot``; the second is also
called directly, for the manual snapshot an RDS Custom instance gets before its deletion.

ARNs are written as AWS writes them (Service Authorization Reference): a global cluster has no
region (``arn:aws:rds::<account>:global-cluster:<name>``), so a pattern with a region field
(``arn:aws:rds:*::global-cluster:*``) matches none and RemoveFromGlobalCluster/DeleteGlobalCluster
would be denied. The partition (``aws``, ``aws-cn``, ``aws-us-gov``) and the account narrow
every ARN: ``arn:aws:...`` is not a pattern that matches a GovCloud or China resource.
"""

from __future__ import annotations

import json
import re
from typing import Any

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
"""The partitions RDS's service-linked role exists in that this tool knows how to reach."""

ROLE_RESOURCE = "role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"


def role_arn(partition: str = "aws", account: str = "*") -> str:
    """The role's ARN (IAM ARNs have no region)."""
    return f"arn:{partition}:iam::{account}:{ROLE_RESOURCE}"


ROLE_ARN = role_arn()
"""The seed's ARN for iam:CreateServiceLinkedRole: any account, the commercial partition."""


def check_account(account: str) -> str:
    """An account ID (12 digits) or ``*``; anything else would make a policy matching nothing."""
    if account != "*" and not re.fullmatch(r"\d{12}", account):
        raise ValueError(f"{account!r} is not an AWS account ID (12 digits)")
    return account


def statements(partition: str = "aws", account: str = "*") -> list[dict[str, Any]]:
    """The policy's statements for ``partition`` and ``account`` (``*``: any account)."""
    if not re.fullmatch(r"aws(-[a-z]+)*", partition):  # a caller may name one not listed here
        raise ValueError(f"{partition!r} is not a partition (such as {', '.join(PARTITIONS)})")
    check_account(account)
    role = role_arn(partition, account)

    def rds(kind: str) -> str:
        return f"arn:{partition}:rds:*:{account}:{kind}:*"

    global_cluster = f"arn:{partition}:rds::{account}:global-cluster:*"
    return [
        {
            "Sid": "WhoAndWhere",
            "Effect": "Allow",
            "Action": ["sts:GetCallerIdentity", "ec2:DescribeRegions", "account:ListRegions"],
            "Resource": "*",
        },
        {
            "Sid": "InspectAndDeleteTheRole",
            "Effect": "Allow",
            "Action": [
                "iam:GetRole",
                "iam:ListAttachedRolePolicies",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:DeleteServiceLinkedRole",
                "iam:GetServiceLinkedRoleDeletionStatus",
            ],
            "Resource": role,
        },
        {
            "Sid": "ReadAccessAdvisorReport",
            "Effect": "Allow",
            "Action": ["iam:GetServiceLastAccessedDetails"],  # no resource types: "*" only
            "Resource": "*",
        },
        {
            "Sid": "RecreateTheRoleIfAsked",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": role,
            "Condition": {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}},
        },
        {
            "Sid": "ListRdsResources",
            "Effect": "Allow",
            "Action": [
                "rds:DescribeDBClusters",
                "rds:DescribeDBInstances",
                "rds:DescribeGlobalClusters",
                "rds:DescribeDBClusterSnapshots",
                "rds:DescribeDBSnapshots",
                # The snapshot quota, checked before a resource's first irreversible call.
                "rds:DescribeAccountAttributes",
                # What can stand beside the databases (each listing may be refused: the scan
                # then says "could not check" for that region, and goes on).
                "rds:DescribeBlueGreenDeployments",
                "rds:DescribeDBShardGroups",
                "rds:DescribeIntegrations",
                "rds:DescribeDBProxies",
                "rds:DescribeDBProxyTargets",
                "rds:DescribeDBClusterGroups",
                "rds:DescribeDBInstanceAutomatedBackups",
                "rds:DescribeDBClusterAutomatedBackups",
            ],
            "Resource": "*",
        },
        {
            "Sid": "CheckEncryptionKeysBeforeDeleting",
            "Effect": "Allow",
            "Action": ["kms:DescribeKey"],  # a disabled key would fail the final snapshot
            "Resource": f"arn:{partition}:kms:*:{account}:key/*",
        },
        {
            "Sid": "ReadAuroraAutoScaling",
            "Effect": "Allow",
            # An autoscaled cluster gets readers back: the scan shows its scalable targets.
            "Action": ["application-autoscaling:DescribeScalableTargets"],  # "*" only
            "Resource": "*",
        },
        {
            "Sid": "DeregisterAuroraAutoScalingWhenTicked",
            "Effect": "Allow",
            "Action": ["application-autoscaling:DeregisterScalableTarget"],
            "Resource": f"arn:{partition}:application-autoscaling:*:{account}:scalable-target/*",
        },
        {
            "Sid": "DeleteClustersAndInstances",
            "Effect": "Allow",
            "Action": [
                "rds:StartDBCluster",
                "rds:StartDBInstance",
                "rds:RemoveFromGlobalCluster",
                "rds:PromoteReadReplicaDBCluster",
                "rds:ModifyDBCluster",
                "rds:DeleteDBCluster",
                "rds:ModifyDBInstance",
                # Also for DeleteDBCluster(DeleteDBInstances=true), on every instance it deletes.
                "rds:DeleteDBInstance",
                "rds:DeleteGlobalCluster",
            ],
            "Resource": [rds("cluster"), rds("db"), global_cluster],
        },
        {
            "Sid": "RemoveWhatMustGoFirst",
            "Effect": "Allow",
            "Action": [
                "rds:DeleteBlueGreenDeployment",
                "rds:DeleteIntegration",
                "rds:DeleteDBProxy",
                "rds:DeleteDBShardGroup",
                "rds:RemoveDBClusterFromDBClusterGroup",
            ],
            "Resource": [
                rds("deployment"),
                rds("integration"),
                rds("db-proxy"),
                rds("shard-group"),
                rds("cluster-group"),
                rds("cluster"),
            ],
        },
        {
            "Sid": "DeleteClustersIntoFinalSnapshots",
            "Effect": "Allow",
            "Action": ["rds:DeleteDBCluster"],  # also checked against the snapshot it makes
            "Resource": rds("cluster-snapshot"),
        },
        {
            "Sid": "KeepFinalSnapshots",
            "Effect": "Allow",
            "Action": ["rds:CreateDBClusterSnapshot", "rds:CreateDBSnapshot"],
            "Resource": [rds("cluster"), rds("db"), rds("cluster-snapshot"), rds("snapshot")],
        },
    ]


STATEMENTS = statements()
"""The policy for any account of the commercial partition."""

IMPLIED_ACTIONS = frozenset({"rds:CreateDBClusterSnapshot", "rds:CreateDBSnapshot"})


def policy_document(partition: str = "aws", account: str = "*") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements(partition, account)}


def actions() -> set[str]:
    """Every action the policy allows."""
    return {a for s in STATEMENTS for a in s["Action"]}


def render(partition: str = "aws", account: str = "*") -> str:
    return json.dumps(policy_document(partition, account), indent=2) + "\n"
