"""``slrwizard policy``: the least-privilege IAM policy the wizard needs.

Every action the gateway calls is listed here (a test runs the whole walkthrough against the
sandbox and compares). Two actions are never called directly but are required by AWS for a delete
with a final snapshot: ``rds:CreateDBClusterSnapshot`` and ``rds:CreateDBSnapshot``.
"""

from __future__ import annotations

import json
from typing import Any

ROLE_ARN = "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"

STATEMENTS: list[dict[str, Any]] = [
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
        "Resource": ROLE_ARN,
    },
    {
        "Sid": "ReadAccessAdvisorReport",
        "Effect": "Allow",
        "Action": ["iam:GetServiceLastAccessedDetails"],
        "Resource": "*",
    },
    {
        "Sid": "RecreateTheRoleIfAsked",
        "Effect": "Allow",
        "Action": ["iam:CreateServiceLinkedRole"],
        "Resource": ROLE_ARN,
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
        ],
        "Resource": "*",
    },
    {
        "Sid": "DeleteClustersAndInstances",
        "Effect": "Allow",
        "Action": [
            "rds:StartDBCluster",
            "rds:RemoveFromGlobalCluster",
            "rds:PromoteReadReplicaDBCluster",
            "rds:ModifyDBCluster",
            "rds:DeleteDBCluster",
            "rds:ModifyDBInstance",
            "rds:DeleteDBInstance",
            "rds:DeleteGlobalCluster",
        ],
        "Resource": [
            "arn:aws:rds:*:*:cluster:*",
            "arn:aws:rds:*:*:db:*",
            "arn:aws:rds:*::global-cluster:*",
        ],
    },
    {
        "Sid": "KeepFinalSnapshots",
        "Effect": "Allow",
        "Action": ["rds:CreateDBClusterSnapshot", "rds:CreateDBSnapshot"],
        "Resource": [
            "arn:aws:rds:*:*:cluster:*",
            "arn:aws:rds:*:*:db:*",
            "arn:aws:rds:*:*:cluster-snapshot:*",
            "arn:aws:rds:*:*:snapshot:*",
        ],
    },
]

IMPLIED_ACTIONS = frozenset({"rds:CreateDBClusterSnapshot", "rds:CreateDBSnapshot"})


def policy_document() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": STATEMENTS}


def actions() -> set[str]:
    """Every action the policy allows."""
    return {a for s in STATEMENTS for a in s["Action"]}


def render() -> str:
    return json.dumps(policy_document(), indent=2) + "\n"
