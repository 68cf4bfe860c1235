"""A region's listings of what can stand beside its databases in the cleanup's way.

Each listing is guarded on its own: one the caller may not make (AccessDenied, an operation the
endpoint does not know, any other refusal) becomes a "could not check <kind>" line on the region's
scan, never a failure of the scan. :class:`~slrwizard.aws.scan.Scanner` starts them with the
region's clusters and instances and reads them once those are in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slrwizard.aws.parse import proxy_target_names, related_from_api
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import RELATED_LISTING_LABELS, RelatedKind, RelatedResource

RELATED_LISTINGS: tuple[tuple[RelatedKind, str, str], ...] = (
    (RelatedKind.BLUE_GREEN, "DescribeBlueGreenDeployments", "BlueGreenDeployments"),
    (RelatedKind.SHARD_GROUP, "DescribeDBShardGroups", "DBShardGroups"),
    (RelatedKind.INTEGRATION, "DescribeIntegrations", "Integrations"),
    (RelatedKind.PROXY, "DescribeDBProxies", "DBProxies"),
    (RelatedKind.CLUSTER_GROUP, "DescribeDBClusterGroups", "DBClusterGroups"),
    (
        RelatedKind.INSTANCE_BACKUP,
        "DescribeDBInstanceAutomatedBackups",
        "DBInstanceAutomatedBackups",
    ),
    (RelatedKind.CLUSTER_BACKUP, "DescribeDBClusterAutomatedBackups", "DBClusterAutomatedBackups"),
)
"""(kind, operation, result key) of every related listing, in the order they are shown."""


def list_items(transport: Transport, operation: str, key: str, region: str) -> list[dict[str, Any]]:
    """Every item of one listing: with botocore's paginator where it has one (DescribeDBShard
    Groups has none in botocore's model), else page by page with ``Marker``."""
    if transport.client("rds", region).can_paginate(_snake(operation)):
        return list(transport.paginate("rds", operation, key, region))
    items: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        answer = transport.call("rds", operation, region, **({"Marker": marker} if marker else {}))
        items += answer.get(key) or []
        marker = answer.get("Marker")
        if not marker:
            return items


def _snake(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


def read_related(
    transport: Transport,
    region: str,
    kind: RelatedKind,
    items: Callable[[], list[dict[str, Any]]],
) -> tuple[list[RelatedResource], str | None]:
    """One listing's resources, or none and the "could not check" line saying why."""
    try:
        raw = items()
        found: list[RelatedResource] = []
        for item in raw:
            targets = _proxy_targets(transport, region, item) if kind is RelatedKind.PROXY else None
            resource = related_from_api(kind, region, item, targets)
            if resource is not None:
                found.append(resource)
    except e.WizardError as exc:
        return [], could_not_check(kind, exc)
    return sorted(found, key=lambda x: x.identifier), None


def could_not_check(kind: RelatedKind, exc: e.WizardError) -> str:
    """The line a region shows for a listing it could not make."""
    why = exc.code or type(exc).__name__
    if isinstance(exc, e.AccessDeniedError):
        why = f"{exc.code or 'AccessDenied'}: this caller may not list them"
    elif exc.code in ("InvalidAction", "UnknownOperation", "UnknownOperationException"):
        why = f"{exc.code}: this endpoint does not know the operation"
    return f"could not check {RELATED_LISTING_LABELS[kind]} ({why})"


def _proxy_targets(transport: Transport, region: str, proxy: dict[str, Any]) -> list[str]:
    name = str(proxy["DBProxyName"])
    try:
        targets = list(
            transport.paginate("rds", "DescribeDBProxyTargets", "Targets", region, DBProxyName=name)
        )
    except e.NotFoundError:
        return []  # no default target group yet, or gone meanwhile: no target
    return proxy_target_names(targets)
