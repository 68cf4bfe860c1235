"""The demo account: what a team that has used Aurora for a few years leaves behind.

Everything the wizard must handle shows up at least once: Aurora MySQL and PostgreSQL, deletion
protection on a cluster and on an instance, a cluster with a writer and two readers (and Aurora
Auto Scaling of its readers), a global
database spanning two regions, a stopped cluster, a Neptune cluster (it shares the role), a
cluster with no instances, standalone instances (one RDS Custom for Oracle, which AWS deletes only
without a final snapshot, so the wizard snapshots it first), and a snapshot whose name is already
taken; and beside them (:func:`seed_related`) one of each kind that can stand in the cleanup's
way: a Blue/Green deployment and its green instance, an Aurora Limitless cluster's shard group, a
zero-ETL integration, an RDS Proxy, a DB cluster group, retained automated backups, a Multi-AZ DB
cluster with a read replica instance, and one listing an SCP denies.

Resources are created through the API (the same boto3 code path the wizard uses); moto's backends
are touched only for what the API cannot set (``RoleLastUsed``, a role created years ago) and to
undo moto quirks (a new cluster answers ``creating`` once).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from slrwizard.domain.models import ROLE_NAME, ROLE_PATH
from slrwizard.sandbox import backends

ClientFactory = Callable[[str, str], Any]

AURORA_MYSQL = ("aurora-mysql", "8.0.mysql_aurora.3.05.2")
AURORA_PG = ("aurora-postgresql", "15.4")
AURORA_PG_LIMITLESS = ("aurora-postgresql", "16.4-limitless")
NEPTUNE = ("neptune", "1.3.2.1")
ROLE_LAST_USED_REGION = "eu-west-1"
ROLE_LAST_USED_AGO = timedelta(hours=6)  # Access Advisor lags ~4 h: anything newer is invisible
ROLE_CREATED = datetime(2019, 3, 14, 9, 26, 53)
# A fake account in memory: moto insists on some master password.
DEMO_PASSWORD = "demo-password-1"  # noqa: S105


@dataclass(frozen=True)
class ClusterSpec:
    """One cluster to create, with its instances (the first is the writer)."""

    region: str
    identifier: str
    engine: tuple[str, str]
    instances: tuple[str, ...] = ()
    instance_class: str = "db.r6g.large"
    deletion_protection: bool = False
    team: str = "platform"
    global_cluster: str | None = None
    stopped: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    autoscaling: tuple[int, int] | None = None
    """Aurora Auto Scaling of its readers (min, max): a scalable target is registered."""


GLOBAL_CLUSTER = "payments-global"
CLUSTERS: tuple[ClusterSpec, ...] = (
    ClusterSpec(
        "us-east-1",
        "orders-prod",
        AURORA_MYSQL,
        ("orders-prod-writer", "orders-prod-reader-1", "orders-prod-reader-2"),
        instance_class="db.r6g.xlarge",
        deletion_protection=True,
        team="commerce",
        autoscaling=(2, 6),
    ),
    ClusterSpec(
        "us-east-1",
        "payments-core-use1",
        AURORA_MYSQL,
        ("payments-core-use1-a",),
        team="payments",
        global_cluster=GLOBAL_CLUSTER,
    ),
    ClusterSpec(
        "eu-west-1",
        "payments-core-euw1",
        AURORA_MYSQL,
        ("payments-core-euw1-a",),
        team="payments",
        global_cluster=GLOBAL_CLUSTER,
    ),
    ClusterSpec(
        "eu-west-1", "billing-aurora-pg", AURORA_PG, ("billing-aurora-pg-1",), team="finance"
    ),
    ClusterSpec(
        "eu-central-1",
        "analytics-staging",
        AURORA_PG,
        ("analytics-staging-1",),
        instance_class="db.t4g.medium",
        team="data",
        stopped=True,
    ),
    ClusterSpec("eu-central-1", "fraud-graph", NEPTUNE, ("fraud-graph-1",), team="risk"),
    ClusterSpec(
        "ap-southeast-2",
        "inventory-apac",
        AURORA_MYSQL,
        ("inventory-apac-writer", "inventory-apac-reader"),
        team="commerce",
    ),
    ClusterSpec("us-west-2", "session-cache-old", AURORA_PG, (), team="web"),
    # Aurora Limitless: no instances of its own, a DB shard group instead (seed_related).
    ClusterSpec("us-west-2", "ledger-limitless", AURORA_PG_LIMITLESS, (), team="finance"),
)


@dataclass(frozen=True)
class InstanceSpec:
    """A standalone DB instance."""

    region: str
    identifier: str
    engine: str
    engine_version: str
    instance_class: str = "db.t4g.large"
    deletion_protection: bool = False
    team: str = "platform"
    port: int | None = None
    """Given for engines moto has no default port for (RDS Custom)."""
    backup_retention_days: int = 7


INSTANCES: tuple[InstanceSpec, ...] = (
    InstanceSpec("us-east-1", "legacy-reporting", "postgres", "13.13", team="data"),
    InstanceSpec(
        "ap-southeast-2", "crm-mysql", "mysql", "8.0.35", deletion_protection=True, team="sales"
    ),
    # RDS Custom for Oracle: deleted only without a final snapshot, so the wizard snapshots it.
    InstanceSpec(
        "eu-west-1",
        "erp-oracle-custom",
        "custom-oracle-ee",
        "19.c.ee.002",
        instance_class="db.m5.xlarge",
        team="finance",
        port=1521,
    ),
)

EXISTING_SNAPSHOTS: tuple[tuple[str, str, str], ...] = (
    ("us-east-1", "orders-prod", "orders-prod-pre-upgrade"),
)
"""Manual cluster snapshots that already exist, so a clashing final-snapshot name can be shown."""


def _tags(team: str) -> list[dict[str, str]]:
    return [{"Key": "team", "Value": team}, {"Key": "managed-by", "Value": "terraform"}]


def seed_account(client: ClientFactory, account: str, home_region: str) -> None:
    """Create the demo account's role, clusters, instances and snapshots.

    Args:
        client: makes a boto3 client for ``(service_name, region)``, from the wizard's session.
        account: the moto account id the sandbox runs as.
        home_region: where IAM is called.
    """
    _seed_role(client("iam", home_region), account)
    client("rds", "us-east-1").create_global_cluster(
        GlobalClusterIdentifier=GLOBAL_CLUSTER,
        Engine=AURORA_MYSQL[0],
        EngineVersion=AURORA_MYSQL[1],
    )
    for spec in CLUSTERS:
        _seed_cluster(client("rds", spec.region), account, spec)
        if spec.autoscaling is not None:
            low, high = spec.autoscaling
            client("application-autoscaling", spec.region).register_scalable_target(
                ServiceNamespace="rds",
                ResourceId=f"cluster:{spec.identifier}",
                ScalableDimension="rds:cluster:ReadReplicaCount",
                MinCapacity=low,
                MaxCapacity=high,
            )
    for inst in INSTANCES:
        client("rds", inst.region).create_db_instance(
            DBInstanceIdentifier=inst.identifier,
            DBInstanceClass=inst.instance_class,
            Engine=inst.engine,
            EngineVersion=inst.engine_version,
            AllocatedStorage=100,
            MasterUsername="dbadmin",
            MasterUserPassword=DEMO_PASSWORD,
            DeletionProtection=inst.deletion_protection,
            BackupRetentionPeriod=inst.backup_retention_days,
            Tags=_tags(inst.team),
            **({"Port": inst.port} if inst.port else {}),
        )
    for region, cluster_id, snapshot_id in EXISTING_SNAPSHOTS:
        client("rds", region).create_db_cluster_snapshot(
            DBClusterIdentifier=cluster_id, DBClusterSnapshotIdentifier=snapshot_id
        )


def _seed_role(iam: Any, account: str) -> None:
    iam.create_role(
        RoleName=ROLE_NAME,
        Path=ROLE_PATH,
        AssumeRolePolicyDocument=json.dumps(backends.TRUST_POLICY),
        Description=backends.ROLE_DESCRIPTION,
        MaxSessionDuration=3600,
    )
    role = backends.iam(account).get_role(ROLE_NAME)
    # RoleLastUsed and an old CreateDate cannot be set through the API.
    role.last_used = datetime.now(timezone.utc) - ROLE_LAST_USED_AGO
    role.last_used_region = ROLE_LAST_USED_REGION
    role.create_date = ROLE_CREATED


def _seed_cluster(rds: Any, account: str, spec: ClusterSpec) -> None:
    engine, version = spec.engine
    kwargs: dict[str, Any] = {
        "DBClusterIdentifier": spec.identifier,
        "Engine": engine,
        "EngineVersion": version,
        "DeletionProtection": spec.deletion_protection,
        "Tags": _tags(spec.team),
    }
    if spec.global_cluster:
        kwargs["GlobalClusterIdentifier"] = spec.global_cluster
    if engine != "neptune" and not spec.global_cluster:
        kwargs["MasterUsername"] = "dbadmin"
        kwargs["MasterUserPassword"] = DEMO_PASSWORD
    rds.create_db_cluster(**kwargs)
    for ident in spec.instances:
        rds.create_db_instance(
            DBInstanceIdentifier=ident,
            DBClusterIdentifier=spec.identifier,
            DBInstanceClass=spec.instance_class,
            Engine=engine,
            Tags=_tags(spec.team),
        )
    cluster = backends.rds(account, rds.meta.region_name).clusters[spec.identifier]
    cluster.status = "available"  # moto answers `creating` to the first describe otherwise
    if spec.stopped:
        rds.stop_db_cluster(DBClusterIdentifier=spec.identifier)
        for db in list(cluster.members):
            db.status = "stopped"  # moto leaves a stopped cluster's instances available


LATE_ARRIVAL = ("eu-west-2", "reporting-ci-nightly", "reporting-ci-nightly-1")
"""A cluster that a (fictional) nightly CI job creates while the wizard is deleting the role.

AWS's own check at role deletion sees it although the wizard's re-scan, a moment earlier, could
not: the demo can then show the real failure (a RoleUsageList) and the way back to step 2.
"""


def create_late_arrival(account: str) -> str:
    """Create :data:`LATE_ARRIVAL` directly in moto's backend and return its ARN.

    Called from inside a botocore handler, where the sandbox's lock is held: going through a
    client would re-enter the handlers, so moto's backend is used, as the API would fill it.
    """
    region, cluster_id, instance_id = LATE_ARRIVAL
    backend = backends.rds(account, region)
    engine, version = AURORA_PG
    cluster = backend.create_db_cluster(
        {
            "db_cluster_identifier": cluster_id,
            "engine": engine,
            "engine_version": version,
            "master_username": "dbadmin",
            "master_user_password": DEMO_PASSWORD,
            "tags": _tags("data"),
        }
    )
    backend.create_db_instance(
        {
            "db_instance_identifier": instance_id,
            "db_cluster_identifier": cluster_id,
            "db_instance_class": "db.r6g.large",
            "engine": engine,
        }
    )
    cluster.status = "available"  # moto answers `creating` to the first describe otherwise
    return str(cluster.db_cluster_arn)


# -- what stands beside the databases (slrwizard.sandbox.related) -----------------------------
BLUE_GREEN = (
    "us-east-1",
    "bgd-7h2kq9x4m1",
    "legacy-reporting",
    "legacy-rpt-green",
)
"""(region, deployment, blue instance, green instance): an upgrade to PostgreSQL 16, never
switched over."""
LIMITLESS = ("us-west-2", "ledger-limitless", "ledger-shards")
"""(region, Aurora Limitless cluster (in CLUSTERS), its DB shard group)."""
INTEGRATION = ("eu-west-1", "billing-zero-etl", "billing-aurora-pg")
PROXY = ("ap-southeast-2", "crm-proxy", "crm-mysql")
CLUSTER_GROUP = ("ap-southeast-2", "apac-fleet", "inventory-apac")
MULTI_AZ = ("eu-central-1", "events-maz", "events-maz-replica")
"""(region, Multi-AZ DB cluster, its read replica instance)."""
RETAINED_BACKUPS = (
    ("eu-west-1", "instance-backup", "old-billing-mysql", 7, 200),
    ("us-east-1", "cluster-backup", "search-aurora-2023", 14, 500),
)
"""(region, kind, former database, retention days, GiB) of retained automated backups."""
DENIED_LISTINGS = (("eu-central-1", "DescribeIntegrations"),)
"""Listings an SCP denies, so the demo shows a "could not check" line."""


def seed_related(client: ClientFactory, related: Any, account: str) -> None:
    """Create the databases only related resources explain, and those resources.

    Args:
        client: makes a boto3 client for ``(service_name, region)``.
        related: the sandbox's :class:`~slrwizard.sandbox.related.RelatedBehaviour`.
        account: the moto account id.
    """
    region, bgd, blue, green = BLUE_GREEN
    client("rds", region).create_db_instance_read_replica(
        DBInstanceIdentifier=green, SourceDBInstanceIdentifier=blue, Tags=_tags("data")
    )
    related.add(
        "blue-green",
        region,
        bgd,
        {
            "BlueGreenDeploymentIdentifier": bgd,
            "BlueGreenDeploymentName": "legacy-reporting-pg16",
            "Source": related.arn(region, "db", blue),
            "Target": related.arn(region, "db", green),
            "Status": "AVAILABLE",
        },
        arn=related.arn(region, "deployment", bgd),
        attached=[blue, green],
    )

    region, cluster, shards = LIMITLESS
    related.add(
        "shard-group",
        region,
        shards,
        {
            "DBShardGroupIdentifier": shards,
            "DBShardGroupResourceId": "shardgroup-7b1e2c",
            "DBClusterIdentifier": cluster,
            "MaxACU": 768.0,
            "Status": "available",
            "DBShardGroupArn": related.arn(region, "shard-group", "shardgroup-7b1e2c"),
        },
        arn=related.arn(region, "shard-group", "shardgroup-7b1e2c"),
        attached=[cluster],
    )

    region, name, source = INTEGRATION
    arn = related.arn(region, "integration", "5b7e31c0-8d2f-4a6b-9c1e-2f4d6a8b0c13")
    related.add(
        "integration",
        region,
        arn,
        {
            "IntegrationName": name,
            "IntegrationArn": arn,
            "SourceArn": related.arn(region, "cluster", source),
            "TargetArn": f"arn:aws:redshift-serverless:{region}:{account}:namespace/"
            "0e2b6f1a-analytics",
            "Status": "active",
        },
        arn=arn,
        attached=[source],
    )

    region, proxy, target = PROXY
    related.add(
        "proxy",
        region,
        proxy,
        {
            "DBProxyName": proxy,
            "DBProxyArn": related.arn(region, "db-proxy", "prx-0c9d8e7f6a5b4c3d2"),
            "Status": "available",
            "EngineFamily": "MYSQL",
        },
        arn=related.arn(region, "db-proxy", "prx-0c9d8e7f6a5b4c3d2"),
        attached=[target],
    )

    region, group, member = CLUSTER_GROUP
    related.add(
        "cluster-group",
        region,
        group,
        {
            "DBClusterGroupIdentifier": group,
            "DBClusterGroupArn": related.arn(region, "cluster-group", group),
            "Status": "available",
            "Engine": AURORA_MYSQL[0],
            "DeletionProtection": True,
            "DBClusterGroupMembers": [{"DBClusterArn": related.arn(region, "cluster", member)}],
        },
        arn=related.arn(region, "cluster-group", group),
    )

    region, maz, replica = MULTI_AZ
    rds = client("rds", region)
    rds.create_db_cluster(
        DBClusterIdentifier=maz,
        Engine="mysql",
        EngineVersion="8.0.35",
        DBClusterInstanceClass="db.m6gd.large",
        AllocatedStorage=100,
        StorageType="io1",
        Iops=1000,
        MasterUsername="dbadmin",
        MasterUserPassword=DEMO_PASSWORD,
        Tags=_tags("data"),
    )
    backends.rds(account, region).clusters[maz].status = "available"
    rds.create_db_instance(
        DBInstanceIdentifier=replica,
        DBInstanceClass="db.m6gd.large",
        Engine="mysql",
        EngineVersion="8.0.35",
        AllocatedStorage=100,
        MasterUsername="dbadmin",
        MasterUserPassword=DEMO_PASSWORD,
        Tags=_tags("data"),
    )
    related.cluster_replicas[(region, replica)] = maz

    for region, kind, former, days, gib in RETAINED_BACKUPS:
        cluster_backup = kind == "cluster-backup"
        ident_key = "DBClusterIdentifier" if cluster_backup else "DBInstanceIdentifier"
        arn_key = (
            "DBClusterAutomatedBackupsArn" if cluster_backup else "DBInstanceAutomatedBackupsArn"
        )
        arn = related.arn(region, "auto-backup", f"ab-{former}")
        related.add(
            kind,
            region,
            former,
            {
                ident_key: former,
                arn_key: arn,
                "Region": region,
                "Status": "retained",
                "BackupRetentionPeriod": days,
                "AllocatedStorage": gib,
                "Engine": "aurora-mysql" if cluster_backup else "mysql",
            },
            arn=arn,
        )
    for region, operation in DENIED_LISTINGS:
        related.listing_refusals[(region, operation)] = (
            "AccessDeniedException",
            f"User is not authorized to perform: rds:{operation[0].lower()}{operation[1:]} "
            "with an explicit deny in a service control policy",
        )
