"""Build domain models from RDS API answers: AWS knowledge of what its fields mean, kept beside
the gateway that reads them (plain dicts in, no boto3 needed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slrwizard.domain.models import Cluster, ClusterMember, Instance


def cluster_from_api(
    region: str,
    raw: Mapping[str, Any],
    instance_status: Mapping[str, str],
    global_writers: set[str],
    instance_ids: Mapping[str, str] | None = None,
) -> Cluster:
    """A :class:`Cluster` from one ``DescribeDBClusters`` item.

    Args:
        region: where it was found.
        raw: the API item.
        instance_status: member instance id -> status, from ``DescribeDBInstances``.
        global_writers: ARNs of clusters that are the primary of their global database.
        instance_ids: member instance id -> its ``DbiResourceId``, from ``DescribeDBInstances``.
    """
    ids = instance_ids or {}
    arn = str(raw.get("DBClusterArn", ""))
    members = [
        ClusterMember(
            identifier=str(m["DBInstanceIdentifier"]),
            is_writer=bool(m.get("IsClusterWriter")),
            status=instance_status.get(str(m["DBInstanceIdentifier"]), ""),
            resource_id=ids.get(str(m["DBInstanceIdentifier"])),
        )
        for m in raw.get("DBClusterMembers", [])
    ]
    global_id = raw.get("GlobalClusterIdentifier") or None
    return Cluster(
        region=region,
        identifier=str(raw["DBClusterIdentifier"]),
        arn=arn,
        engine=str(raw.get("Engine", "")),
        engine_version=str(raw.get("EngineVersion", "")),
        engine_mode=str(raw.get("EngineMode") or "provisioned"),
        status=str(raw.get("Status", "")),
        deletion_protection=bool(raw.get("DeletionProtection")),
        members=sorted(members, key=lambda m: (not m.is_writer, m.identifier)),
        global_cluster_id=str(global_id) if global_id else None,
        global_cluster_primary=bool(global_id) and arn in global_writers,
        replication_source=raw.get("ReplicationSourceIdentifier") or None,
        resource_id=str(raw["DbClusterResourceId"]) if raw.get("DbClusterResourceId") else None,
    )


def instance_from_api(region: str, raw: Mapping[str, Any]) -> Instance:
    """An :class:`Instance` from one ``DescribeDBInstances`` item (standalone instances only)."""
    return Instance(
        region=region,
        identifier=str(raw["DBInstanceIdentifier"]),
        arn=str(raw.get("DBInstanceArn", "")),
        engine=str(raw.get("Engine", "")),
        engine_version=str(raw.get("EngineVersion", "")),
        instance_class=str(raw.get("DBInstanceClass", "")),
        status=str(raw.get("DBInstanceStatus", "")),
        deletion_protection=bool(raw.get("DeletionProtection")),
        read_replica_source=raw.get("ReadReplicaSourceDBInstanceIdentifier") or None,
        resource_id=resource_id_of(raw),
    )


def resource_id_of(raw: Mapping[str, Any]) -> str | None:
    """An RDS item's own resource id (``DbClusterResourceId`` of a cluster, ``DbiResourceId`` of
    an instance): what tells a database from another created later under the same name."""
    value = raw.get("DbClusterResourceId") or raw.get("DbiResourceId")
    return str(value) if value else None
