"""Build domain models from RDS API answers: AWS knowledge of what its fields mean, kept beside
the gateway that reads them (plain dicts in, no boto3 needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slrwizard.domain.models import Cluster, ClusterMember, Instance, RelatedKind, RelatedResource


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
        cluster_group_id=raw.get("DBClusterGroupIdentifier") or None,
        replica_clusters=[str(r) for r in raw.get("ReadReplicaIdentifiers") or []],
        limitless=str(raw.get("ClusterScalabilityType") or "") == "limitless",
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
        read_replica_source_cluster=raw.get("ReadReplicaSourceDBClusterIdentifier") or None,
        resource_id=resource_id_of(raw),
    )


def _name(arn_or_id: object) -> str:
    """A database's identifier from its ARN (``arn:aws:rds:r:a:db:name``, ``...:cluster:name``),
    or the identifier itself."""
    text = str(arn_or_id or "")
    parts = text.split(":")
    return parts[-1] if text.startswith("arn:") and len(parts) >= 7 else text


def related_from_api(
    kind: RelatedKind, region: str, raw: Mapping[str, Any], targets: list[str] | None = None
) -> RelatedResource | None:
    """A :class:`RelatedResource` from one item of its listing; None for items that are not
    in the cleanup's way (an automated backup of a database that still exists is deleted with
    it: only ``retained`` ones are kept).

    Args:
        kind: which listing the item came from.
        region: where it was found.
        raw: the API item.
        targets: a proxy's target databases (``DescribeDBProxyTargets``).
    """
    match kind:
        case RelatedKind.BLUE_GREEN:
            return RelatedResource(
                kind=kind,
                region=region,
                identifier=str(raw["BlueGreenDeploymentIdentifier"]),
                status=str(raw.get("Status", "")),
                attached_to=[_name(raw["Source"])] if raw.get("Source") else [],
                green=[_name(raw["Target"])] if raw.get("Target") else [],
            )
        case RelatedKind.SHARD_GROUP:
            return RelatedResource(
                kind=kind,
                region=region,
                identifier=str(raw["DBShardGroupIdentifier"]),
                arn=str(raw.get("DBShardGroupArn", "")),
                status=str(raw.get("Status", "")),
                attached_to=[str(raw["DBClusterIdentifier"])]
                if raw.get("DBClusterIdentifier")
                else [],
            )
        case RelatedKind.INTEGRATION:
            arn = str(raw.get("IntegrationArn", ""))
            return RelatedResource(
                kind=kind,
                region=region,
                identifier=arn.rsplit(":", 1)[-1] if arn else str(raw.get("IntegrationName", "")),
                name=str(raw.get("IntegrationName", "")),
                arn=arn,
                status=str(raw.get("Status", "")),
                attached_to=[_name(raw["SourceArn"])] if raw.get("SourceArn") else [],
            )
        case RelatedKind.PROXY:
            return RelatedResource(
                kind=kind,
                region=region,
                identifier=str(raw["DBProxyName"]),
                arn=str(raw.get("DBProxyArn", "")),
                status=str(raw.get("Status", "")),
                attached_to=sorted(set(targets or [])),
            )
        case RelatedKind.CLUSTER_GROUP:
            return RelatedResource(
                kind=kind,
                region=region,
                identifier=str(raw["DBClusterGroupIdentifier"]),
                arn=str(raw.get("DBClusterGroupArn", "")),
                status=str(raw.get("Status", "")),
                attached_to=sorted(
                    _name(m.get("DBClusterArn")) for m in raw.get("DBClusterGroupMembers") or []
                ),
                deletion_protection=bool(raw.get("DeletionProtection")),
            )
        case RelatedKind.INSTANCE_BACKUP | RelatedKind.CLUSTER_BACKUP:
            if str(raw.get("Status", "")) != "retained":
                return None
            cluster = kind is RelatedKind.CLUSTER_BACKUP
            ident = raw.get("DBClusterIdentifier" if cluster else "DBInstanceIdentifier")
            resource_id = raw.get("DbClusterResourceId" if cluster else "DbiResourceId")
            return RelatedResource(
                kind=kind,
                region=region,
                identifier=str(ident or resource_id or ""),
                arn=str(
                    raw.get(
                        "DBClusterAutomatedBackupsArn"
                        if cluster
                        else "DBInstanceAutomatedBackupsArn"
                    )
                    or ""
                ),
                status="retained",
                retention_days=raw.get("BackupRetentionPeriod"),
                storage_gib=raw.get("AllocatedStorage"),
            )


def proxy_target_names(raw_targets: Sequence[Mapping[str, Any]]) -> list[str]:
    """The databases a proxy points at, from ``DescribeDBProxyTargets``: a cluster target is
    named by ``TrackedClusterId`` (its instances too), a standalone instance by
    ``RdsResourceId``."""
    names: list[str] = []
    for t in raw_targets:
        name = t.get("TrackedClusterId") or t.get("RdsResourceId")
        if name:
            names.append(str(name))
    return names


def resource_id_of(raw: Mapping[str, Any]) -> str | None:
    """An RDS item's own resource id (``DbClusterResourceId`` of a cluster, ``DbiResourceId`` of
    an instance): what tells a database from another created later under the same name."""
    value = raw.get("DbClusterResourceId") or raw.get("DbiResourceId")
    return str(value) if value else None
