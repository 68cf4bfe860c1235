"""Backups the way AWS keeps them when a database is deleted, where moto does not.

- ``DeleteAutomatedBackups=false`` retains a deleted cluster's automated backups until their
  retention ends: moto 5.2.6 has no ``DescribeDBClusterAutomatedBackups`` at all, so the sandbox
  keeps the retained cluster backups and answers it. (moto retains an instance's and answers
  ``DescribeDBInstanceAutomatedBackups`` itself.)
- Retained automated backups count against a quota "the same as your DB cluster quota" (DB
  instance quota for instances): over it AWS refuses the deletion with
  ``DBClusterAutomatedBackupQuotaExceededFault`` / ``DBInstanceAutomatedBackupQuotaExceeded``;
  moto never does. The quotas are ``Limits.cluster_quota`` / ``Limits.instance_quota``, which
  ``DescribeAccountAttributes`` reports too.
- RDS Custom is deleted only with ``SkipFinalSnapshot`` (RDS API Reference, DeleteDBInstance:
  "This setting is required for RDS Custom"); moto would take the final snapshot.
"""

from __future__ import annotations

from typing import Any

from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply, fail
from slrwizard.sandbox.limits import Limits
from slrwizard.sandbox.related import RelatedBehaviour

CLUSTER_QUOTA_FAULT = (
    "The quota for retained automated backups was exceeded. This prevents you from retaining "
    "any additional automated backups. The retained automated backups quota is the same as your "
    "DB cluster quota."
)
INSTANCE_QUOTA_FAULT = (
    "The quota for retained automated backups was exceeded. This prevents you from retaining "
    "any additional automated backups. The retained automated backups quota is the same as your "
    "DB instance quota."
)
CUSTOM_FINAL_SNAPSHOT = (
    "RDS Custom DB instances can't have a final snapshot: specify SkipFinalSnapshot when you "
    "delete one."
)


class BackupsBehaviour:
    """Retained automated backups (and their quota), and RDS Custom's deletion rule."""

    def __init__(self, account: str, limits: Limits, related: RelatedBehaviour) -> None:
        self._account = account
        self._limits = limits
        self._related = related
        """Where retained cluster backups are kept: the store that answers
        ``DescribeDBClusterAutomatedBackups`` (with the demo's seeded ones)."""

    def retained_clusters(self, region: str) -> list[dict[str, Any]]:
        """The ``DescribeDBClusterAutomatedBackups`` items of the region's retained backups."""
        return [
            i.body for i in self._related.items if i.kind == "cluster-backup" and i.region == region
        ]

    def before_call(self, call: Call) -> Reply | None:
        """Answer what moto lacks; refuse what AWS refuses."""
        if call.service != "rds":
            return None
        retain = call.params.get("DeleteAutomatedBackups") is False
        full = len(self.retained_clusters(call.region)) >= self._limits.cluster_quota
        if call.operation == "DeleteDBCluster" and retain and full:
            return fail("DBClusterAutomatedBackupQuotaExceededFault", CLUSTER_QUOTA_FAULT)
        if call.operation == "DeleteDBInstance":
            return self._instance_refusal(call, retain)
        return None

    def _instance_refusal(self, call: Call, retain: bool) -> Reply | None:
        backend = backends.rds(self._account, call.region)
        db = backend.databases.get(str(call.params.get("DBInstanceIdentifier", "")))
        if db is None:
            return None  # moto says "not found" as AWS does
        if str(db.engine).startswith("custom-") and call.params.get("FinalDBSnapshotIdentifier"):
            return fail("InvalidParameterCombination", CUSTOM_FINAL_SNAPSHOT)
        if retain and int(getattr(db, "backup_retention_period", 0) or 0):
            backups = backend.describe_db_instance_automated_backups()
            retained = [b for b in backups if b.status == "retained"]
            if len(retained) >= self._limits.instance_quota:
                return fail("DBInstanceAutomatedBackupQuotaExceeded", INSTANCE_QUOTA_FAULT)
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """A cluster deleted with ``DeleteAutomatedBackups=false`` leaves its backups."""
        if call.service != "rds" or call.operation != "DeleteDBCluster":
            return
        if call.params.get("DeleteAutomatedBackups") is not False:
            return
        cluster = parsed.get("DBCluster") or {}
        self._related.add(
            "cluster-backup",
            call.region,
            str(cluster.get("DBClusterIdentifier") or ""),
            {
                "DBClusterIdentifier": cluster.get("DBClusterIdentifier"),
                "DbClusterResourceId": cluster.get("DbClusterResourceId"),
                "Engine": cluster.get("Engine"),
                "Region": call.region,
                "Status": "retained",
                "BackupRetentionPeriod": cluster.get("BackupRetentionPeriod") or 1,
            },
        )
