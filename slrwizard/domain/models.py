"""What the wizard knows about an account: the caller, the role, the regions and their resources.

These pydantic models are the vocabulary shared by every layer. They import neither boto3 nor
textual: the AWS gateway builds them from API answers, the TUI and the report render them, and the
JSON report is simply their serialisation.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

ROLE_NAME = "AWSServiceRoleForRDS"
ROLE_PATH = "/aws-service-role/rds.amazonaws.com/"
SERVICE_PRINCIPAL = "rds.amazonaws.com"
ROLE_POLICY = "AmazonRDSServiceRolePolicy"


class Frozen(BaseModel):
    """Base for value objects: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _ignore_computed_fields(cls, data: Any) -> Any:
        """Read our own JSON back: computed fields (``engine_label``, ``complete``...) are
        serialised for the reader of a report or journal, but they are outputs, not inputs, and
        ``extra="forbid"`` would otherwise refuse them."""
        computed = cls.model_computed_fields
        if isinstance(data, dict) and computed and any(k in data for k in computed):
            return {k: v for k, v in data.items() if k not in computed}
        return data


class Caller(Frozen):
    """Who is running the wizard, against which account and endpoint. Never holds credentials."""

    account: str
    arn: str
    profile: str | None = None
    home_region: str = "us-east-1"
    endpoint_url: str | None = None
    demo: bool = False


class AccessAdvisorEntry(Frozen):
    """One row of IAM Access Advisor: when the role last reached a service, and from where."""

    service_namespace: str
    service_name: str
    last_authenticated: datetime | None = None
    last_authenticated_region: str | None = None


class Role(Frozen):
    """The service-linked role as IAM describes it."""

    name: str = ROLE_NAME
    arn: str
    path: str
    role_id: str = ""
    trust_principals: list[str] = Field(default_factory=list)
    attached_policies: list[str] = Field(default_factory=list)
    description: str = ""
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_region: str | None = None
    access_advisor: list[AccessAdvisorEntry] = Field(default_factory=list)
    access_advisor_note: str | None = Field(
        default=None,
        description="Why Access Advisor data is missing or partial (denied, still generating).",
    )


class RoleInspection(Frozen):
    """The answer to 'does the role exist?'. Absent is a normal answer, not an error."""

    exists: bool
    role: Role | None = None


class RegionOutcome(str, Enum):
    """How the scan of one region ended."""

    SCANNED = "scanned"
    SKIPPED_DISABLED = "skipped-disabled"
    DENIED = "denied"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The outcome in a word or two, for a line its reason follows ("failed: refuses these
        credentials..."): the reason says why, so the label must not say it again."""
        return "skipped" if self is RegionOutcome.SKIPPED_DISABLED else self.value


class RegionSource(str, Enum):
    """Where the list of regions came from, most trustworthy first."""

    EC2 = "ec2:DescribeRegions"
    ACCOUNT = "account:ListRegions"
    STATIC = "static list (botocore)"
    USER = "--regions"


class ClusterMember(Frozen):
    """A DB instance that belongs to a cluster."""

    identifier: str
    is_writer: bool
    status: str = ""
    resource_id: str | None = None
    """Its ``DbiResourceId``: unique for the life of the instance, never reused by a new one of
    the same name (None when read from a journal or an endpoint that has none)."""


class ScalableTarget(Frozen):
    """An Application Auto Scaling target on a cluster (Aurora Auto Scaling of its readers):
    while it is registered, Aurora adds readers back after they are deleted."""

    resource_id: str
    """``cluster:<identifier>``, as Application Auto Scaling names it."""
    dimension: str = "rds:cluster:ReadReplicaCount"
    min_capacity: int = 0
    max_capacity: int = 0
    arn: str = ""

    @property
    def label(self) -> str:
        """The target in a few words: ``readers 1-4 (rds:cluster:ReadReplicaCount)``."""
        return f"readers {self.min_capacity}-{self.max_capacity} ({self.dimension})"


class Cluster(Frozen):
    """A DB cluster: Aurora, Neptune and DocumentDB all answer DescribeDBClusters and all keep
    the role in use."""

    region: str
    identifier: str
    arn: str
    engine: str
    engine_version: str = ""
    engine_mode: str = "provisioned"
    status: str
    deletion_protection: bool = False
    members: list[ClusterMember] = Field(default_factory=list)
    global_cluster_id: str | None = None
    global_cluster_primary: bool = False
    replication_source: str | None = None
    cluster_group_id: str | None = None
    """The DB cluster group it belongs to (``DBClusterGroupIdentifier``), if any."""
    replica_clusters: list[str] = Field(default_factory=list)
    """Clusters that replicate from this one (DescribeDBClusters' ``ReadReplicaIdentifiers``)."""
    limitless: bool = False
    """An Aurora Limitless Database cluster (``ClusterScalabilityType`` ``limitless``)."""
    autoscaling: list[ScalableTarget] = Field(default_factory=list)
    """Its Application Auto Scaling targets (service namespace ``rds``)."""
    autoscaling_note: str | None = None
    """Why its Auto Scaling targets could not be read (None: they were)."""
    resource_id: str | None = None
    """Its ``DbClusterResourceId``: who it is, where its name only says what it is called."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def engine_label(self) -> str:
        """A human name for the engine, as the console shows it."""
        return engine_label(self.engine)

    @property
    def readers(self) -> list[ClusterMember]:
        return [m for m in self.members if not m.is_writer]

    @property
    def writers(self) -> list[ClusterMember]:
        return [m for m in self.members if m.is_writer]

    @property
    def key(self) -> str:
        return f"{self.region}/{self.identifier}"

    @property
    def members_deleted_separately(self) -> bool:
        """False for Multi-AZ DB clusters (engine ``mysql``/``postgres``) and Serverless v1: AWS
        deletes their instances with the cluster and refuses to delete them one by one."""
        return self.engine not in ("mysql", "postgres") and self.engine_mode != "serverless"


class Instance(Frozen):
    """A DB instance that belongs to no cluster (standalone RDS, RDS Custom)."""

    region: str
    identifier: str
    arn: str
    engine: str
    engine_version: str = ""
    instance_class: str = ""
    status: str
    deletion_protection: bool = False
    read_replica_source: str | None = None
    read_replica_source_cluster: str | None = None
    """The Multi-AZ DB cluster it replicates from (``ReadReplicaSourceDBClusterIdentifier``):
    deleting that cluster would promote this replica to a standalone instance that still holds
    the role (API reference, DeleteDBCluster), so the plan deletes the replica first."""
    resource_id: str | None = None
    """Its ``DbiResourceId``: who it is, where its name only says what it is called."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def engine_label(self) -> str:
        return engine_label(self.engine)

    @property
    def key(self) -> str:
        return f"{self.region}/{self.identifier}"

    @property
    def final_snapshot_allowed(self) -> bool:
        """Whether the wizard can keep a snapshot of it: not of a read replica, of an instance
        or of a Multi-AZ DB cluster (AWS refuses "FinalDBSnapshotIdentifier can not be specified
        when deleting a replica instance", and its data lives in its source). RDS Custom is
        deleted only with ``SkipFinalSnapshot`` too, but the wizard takes a manual snapshot of it
        first (:attr:`snapshot_before_delete`), so a backup is kept there as well."""
        return self.read_replica_source is None and self.read_replica_source_cluster is None

    @property
    def snapshot_before_delete(self) -> bool:
        """RDS Custom (engine ``custom-...``): AWS requires ``SkipFinalSnapshot`` to delete it,
        so its backup is a manual snapshot (``CreateDBSnapshot``) taken and seen ``available``
        before the deletion."""
        return self.engine.startswith("custom-")

    @property
    def replica_of(self) -> str | None:
        """What it replicates from, an instance or a Multi-AZ DB cluster (None if neither)."""
        return self.read_replica_source or self.read_replica_source_cluster


class RelatedKind(str, Enum):
    """RDS resources that are not databases but can stand in the cleanup's way."""

    BLUE_GREEN = "blue-green-deployment"
    SHARD_GROUP = "db-shard-group"
    INTEGRATION = "zero-etl-integration"
    PROXY = "db-proxy"
    CLUSTER_GROUP = "db-cluster-group"
    INSTANCE_BACKUP = "instance-automated-backup"
    CLUSTER_BACKUP = "cluster-automated-backup"

    @property
    def label(self) -> str:
        return _RELATED_LABELS[self]


_RELATED_LABELS = {
    RelatedKind.BLUE_GREEN: "Blue/Green deployment",
    RelatedKind.SHARD_GROUP: "Limitless shard group",
    RelatedKind.INTEGRATION: "zero-ETL integration",
    RelatedKind.PROXY: "RDS Proxy",
    RelatedKind.CLUSTER_GROUP: "DB cluster group",
    RelatedKind.INSTANCE_BACKUP: "retained instance backups",
    RelatedKind.CLUSTER_BACKUP: "retained cluster backups",
}

RELATED_LISTING_LABELS = {
    RelatedKind.BLUE_GREEN: "Blue/Green deployments",
    RelatedKind.SHARD_GROUP: "Limitless shard groups",
    RelatedKind.INTEGRATION: "zero-ETL integrations",
    RelatedKind.PROXY: "RDS Proxies",
    RelatedKind.CLUSTER_GROUP: "DB cluster groups",
    RelatedKind.INSTANCE_BACKUP: "retained instance automated backups",
    RelatedKind.CLUSTER_BACKUP: "retained cluster automated backups",
}
"""The plural a "could not check ..." line names."""


class RelatedResource(Frozen):
    """An RDS resource found beside the databases, with what it is attached to.

    ``attached_to`` names the databases (identifiers, same region) it concerns: the blue side of
    a Blue/Green deployment (its green side is in ``green``), a shard group's cluster, an
    integration's source, a proxy's targets, a cluster group's members, a backup's former
    database. What it means for the role and what the wizard does about it are
    :mod:`slrwizard.domain.related`'s to say (``role_effect``, ``handling``).
    """

    kind: RelatedKind
    region: str
    identifier: str
    name: str = ""
    """A name besides the identifier, where the kind has one (an integration's)."""
    arn: str = ""
    status: str = ""
    attached_to: list[str] = Field(default_factory=list)
    green: list[str] = Field(default_factory=list)
    deletion_protection: bool = False
    retention_days: int | None = None
    storage_gib: int | None = None

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def shown_name(self) -> str:
        """The identifier, with the name where there is one."""
        return f"{self.name} ({self.identifier})" if self.name else self.identifier

    @property
    def key(self) -> str:
        return f"{self.region}/{self.kind.value}/{self.identifier}"

    @property
    def holds_role(self) -> bool | None:
        """True where AWS names this kind in a refused role deletion's RoleUsageList (proxies,
        Blue/Green deployments, integrations, shard groups); None where AWS's documentation
        does not say (cluster groups, retained backups): step 4 relies on AWS's answer."""
        undocumented = (
            RelatedKind.CLUSTER_GROUP,
            RelatedKind.INSTANCE_BACKUP,
            RelatedKind.CLUSTER_BACKUP,
        )
        return None if self.kind in undocumented else True

    @computed_field  # type: ignore[prop-decorator]
    @property
    def role_effect(self) -> str:
        """What it means for the role, in a sentence."""
        from slrwizard.domain.related import role_effect

        return role_effect(self)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def handling(self) -> str:
        """What the wizard does about it, in a sentence."""
        from slrwizard.domain.related import handling

        return handling(self)


class RegionScan(Frozen):
    """One region's answer, whatever it was.

    ``related`` are the other RDS resources found beside the databases (Blue/Green deployments,
    shard groups, zero-ETL integrations, proxies, cluster groups, retained automated backups);
    ``unchecked`` says, one line per listing, which of them could not be listed (denied, or an
    operation the endpoint does not know): a region is still scanned without them.
    """

    region: str
    outcome: RegionOutcome
    reason: str | None = None
    clusters: list[Cluster] = Field(default_factory=list)
    instances: list[Instance] = Field(default_factory=list)
    related: list[RelatedResource] = Field(default_factory=list)
    unchecked: list[str] = Field(default_factory=list)
    seconds: float = 0.0


class RegionList(Frozen):
    """The regions to scan and how we learned them."""

    regions: list[str]
    source: RegionSource
    note: str | None = None


class ScanResult(Frozen):
    """Every region's scan, in region order."""

    regions: list[RegionScan]
    region_source: RegionSource
    region_note: str | None = None
    started: datetime
    finished: datetime

    @property
    def clusters(self) -> list[Cluster]:
        return [c for r in self.regions for c in r.clusters]

    @property
    def instances(self) -> list[Instance]:
        return [i for r in self.regions for i in r.instances]

    @property
    def related(self) -> list[RelatedResource]:
        return [x for r in self.regions for x in r.related]

    @property
    def unchecked(self) -> list[str]:
        """Every listing that could not be made, as ``<region>: <line>``."""
        return [f"{r.region}: {line}" for r in self.regions for line in r.unchecked]

    def blue_green_side(self, region: str, identifier: str) -> tuple[str, RelatedResource] | None:
        """``("blue"|"green", deployment)`` when that database is a side of a Blue/Green
        deployment the scan found, else None."""
        for x in self.related:
            if x.kind is RelatedKind.BLUE_GREEN and x.region == region:
                if identifier in x.attached_to:
                    return "blue", x
                if identifier in x.green:
                    return "green", x
        return None

    @property
    def incomplete_regions(self) -> list[RegionScan]:
        return [r for r in self.regions if r.outcome is not RegionOutcome.SCANNED]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resource_count(self) -> int:
        return len(self.clusters) + len(self.instances)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        """True when every region was scanned: only then does 'nothing found' mean nothing."""
        return not self.incomplete_regions

    def blockers(self) -> list[str]:
        """Human lines naming everything that keeps the role in use, as far as we can see."""
        lines = [
            f"cluster {c.identifier} in {c.region} ({c.engine_label}, {c.status})"
            for c in self.clusters
        ]
        lines += [
            f"instance {i.identifier} in {i.region} ({i.engine_label}, {i.status})"
            for i in self.instances
        ]
        lines += [
            f"{x.label} {x.shown_name} in {x.region} ({x.status})"
            for x in self.related
            if x.holds_role is True
        ]
        return lines


class RoleDeletionState(str, Enum):
    """GetServiceLinkedRoleDeletionStatus's answers."""

    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RoleUsage(Frozen):
    """One region of the RoleUsageList AWS returns when the role is still in use."""

    region: str
    resources: list[str] = Field(default_factory=list)


class RoleDeletionStatus(Frozen):
    """Where a DeleteServiceLinkedRole task stands."""

    task_id: str
    state: RoleDeletionState
    reason: str | None = None
    usage: list[RoleUsage] = Field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in (RoleDeletionState.SUCCEEDED, RoleDeletionState.FAILED)

    @property
    def usage_regions(self) -> list[str]:
        """Regions named by the usage list, including regions only the ARNs mention."""
        regions: list[str] = []
        for usage in self.usage:
            for region in [usage.region, *(_arn_region(a) for a in usage.resources)]:
                if region and region not in regions:
                    regions.append(region)
        return regions


def _arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


_ENGINE_LABELS = {
    "aurora-mysql": "Aurora MySQL",
    "aurora": "Aurora MySQL 5.6",
    "aurora-postgresql": "Aurora PostgreSQL",
    "neptune": "Neptune",
    "docdb": "DocumentDB",
    "mysql": "MySQL",
    "postgres": "PostgreSQL",
    "mariadb": "MariaDB",
    "oracle-ee": "Oracle EE",
    "oracle-se2": "Oracle SE2",
    "sqlserver-ee": "SQL Server EE",
    "sqlserver-se": "SQL Server SE",
    "sqlserver-ex": "SQL Server Express",
    "sqlserver-web": "SQL Server Web",
    "db2-se": "Db2 SE",
    "db2-ae": "Db2 AE",
}


def engine_label(engine: str) -> str:
    """The console's name for an engine code; RDS Custom engines keep their code."""
    return _ENGINE_LABELS.get(engine, engine)
