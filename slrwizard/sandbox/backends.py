"""Direct access to moto's in-memory backends: the truth about what exists.

The sandbox reads moto's state to decide what AWS would answer (is the cluster stopped? is it a
global member? which resources still use the role?) and writes it where the API cannot
(``RoleLastUsed``, statuses moto never moves). moto is imported here lazily, inside functions,
because importing it takes about a second and pulls in boto3: ``import slrwizard.sandbox`` must
stay cheap and boto3-free.
"""

from __future__ import annotations

import json
from typing import Any

from slrwizard.domain.models import ROLE_NAME, ROLE_PATH, SERVICE_PRINCIPAL

ROLE_DESCRIPTION = "Allows Amazon RDS to manage AWS resources on your behalf"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE_PRINCIPAL},
            "Action": "sts:AssumeRole",
        }
    ],
}
GLOBAL_CLUSTER_REGION = "us-east-1"
"""moto keeps every global cluster in its us-east-1 backend, whatever region created it."""


def _get(service: str) -> Any:
    from moto.backends import get_backend

    return get_backend(service)  # type: ignore[call-overload]


def rds(account: str, region: str) -> Any:
    """moto's RDS backend for one region (created on first use, under moto's own lock)."""
    return _get("rds")[account][region]


def rds_regions(account: str) -> list[tuple[str, Any]]:
    """Every RDS backend moto has created so far: regions nobody touched hold nothing."""
    return list(_get("rds")[account].items())


def iam(account: str) -> Any:
    """moto's IAM backend. It is keyed by partition (``aws``); moto maps ``global`` to it."""
    return _get("iam")[account]["aws"]


def find_role(account: str, name: str) -> Any | None:
    """The moto role called ``name``, or None."""
    return next((r for r in list(iam(account).roles.values()) if r.name == name), None)


def global_clusters(account: str) -> Any:
    """moto's global clusters (a case-insensitive dict keyed by identifier)."""
    return rds(account, GLOBAL_CLUSTER_REGION).global_clusters


def create_rds_role(account: str, description: str = ROLE_DESCRIPTION) -> Any:
    """Create ``AWSServiceRoleForRDS`` exactly as AWS does.

    moto's own ``CreateServiceLinkedRole`` names it ``AWSServiceRoleForrds`` (it lower-cases the
    service name), so the sandbox creates the role on the backend itself.
    """
    return iam(account).create_role(
        role_name=ROLE_NAME,
        assume_role_policy_document=json.dumps(TRUST_POLICY),
        path=ROLE_PATH,
        permissions_boundary=None,
        description=description,
        tags=[],
        max_session_duration="3600",
        linked_service=SERVICE_PRINCIPAL,
    )


def ensure_rds_role(account: str) -> None:
    """Create the role if it is missing: AWS does so when the first cluster or instance is
    created (moto does not)."""
    if find_role(account, ROLE_NAME) is None:
        create_rds_role(account)


def raw_status(resource: Any) -> str:
    """A moto cluster's or instance's status, without side effects.

    moto's ``DBCluster.status`` answers ``creating`` once and flips to ``available`` as it is
    read; the sandbox must not consume that one-shot answer just by looking.
    """
    return str(getattr(resource, "_status", None) or resource.status)


def kms_key(account: str, region: str, key_id: str) -> Any | None:
    """The moto KMS key named by id, ARN or alias in ``region``, or None if moto has none."""
    keys = _get("kms")[account][region]
    name = key_id
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) < 6:
            return None
        keys = _get("kms")[account][parts[3]]
        name = parts[5]
    name = name.removeprefix("key/")
    try:
        return keys.describe_key(name)
    except Exception:  # moto raises its own NotFoundException for unknown keys and aliases
        return None


def scalable_target(account: str, region: str, resource_id: str, dimension: str) -> Any | None:
    """moto's Application Auto Scaling target for ``resource_id`` and ``dimension``, or None."""
    targets = _get("applicationautoscaling")[account][region].targets
    return targets.get(dimension, {}).get(resource_id)
