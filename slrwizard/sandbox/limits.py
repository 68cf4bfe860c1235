"""What makes a deletion fail *after* the wizard has started changing things, on AWS.

A final snapshot counts against the region's manual snapshot quota (``ManualSnapshots`` for DB
instances, ``ManualClusterSnapshots`` for clusters, 100 each by default) and needs the resource's
KMS key to be usable; a source cluster cannot lose its last instance while a replica cluster
still replicates from it. moto 5.2.5 checks none of these and has no ``DescribeAccountAttributes``
at all, so the sandbox refuses and answers as AWS does. Tests lower ``snapshot_quota`` (or disable
a key with moto's KMS) to see the refusals; the wizard's pre-check reads the same quota first.
"""

from __future__ import annotations

from typing import Any

from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply, answer, fail
from slrwizard.sandbox.state import SimState

NO_FINAL_SNAPSHOT_STATES = frozenset(
    {"creating", "failed", "incompatible-restore", "incompatible-network"}
)
"""USER_DeleteInstance: AWS takes no final snapshot of an instance in these states."""
DEFAULT_SNAPSHOT_QUOTA = 100
KMS_NOT_ACCESSIBLE = (
    "The specified KMS key [{key}] does not exist, is not enabled or you do not have permissions "
    "to access it."
)


def _manual(snapshots: Any) -> int:
    return sum(
        1 for s in list(snapshots.values()) if getattr(s, "snapshot_type", "manual") == "manual"
    )


class Limits:
    """Snapshot quotas, KMS keys and replica sources; also answers DescribeAccountAttributes."""

    def __init__(
        self, state: SimState, account: str, snapshot_quota: int = DEFAULT_SNAPSHOT_QUOTA
    ) -> None:
        self._state = state
        self._account = account
        self.snapshot_quota = snapshot_quota
        """Manual snapshots allowed per region, for DB instances and for clusters alike."""
        self.cluster_quota = 40
        """DB clusters per region (AWS's default); retained cluster backups share it."""
        self.instance_quota = 40
        """DB instances per region (AWS's default); retained instance backups share it."""

    # -- a Behaviour ----------------------------------------------------------------------------
    def before_call(self, call: Call) -> Reply | None:
        """Answer ``DescribeAccountAttributes`` (moto does not implement it)."""
        if call.service != "rds" or call.operation != "DescribeAccountAttributes":
            return None
        return answer({"AccountQuotas": self.quotas(call.region)})

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """Nothing to amend."""

    def quotas(self, region: str) -> list[dict[str, Any]]:
        """The region's account quotas, in botocore's parsed form."""
        backend = backends.rds(self._account, region)
        return [
            {
                "AccountQuotaName": "DBClusters",
                "Used": len(backend.clusters),
                "Max": self.cluster_quota,
            },
            {
                "AccountQuotaName": "DBInstances",
                "Used": len(backend.databases),
                "Max": self.instance_quota,
            },
            {
                "AccountQuotaName": "ManualClusterSnapshots",
                "Used": _manual(backend.cluster_snapshots),
                "Max": self.snapshot_quota,
            },
            {
                "AccountQuotaName": "ManualSnapshots",
                "Used": _manual(backend.database_snapshots),
                "Max": self.snapshot_quota,
            },
        ]

    # -- refusals -------------------------------------------------------------------------------
    def snapshot_refusal(self, region: str, resource: Any, *, cluster: bool) -> Reply | None:
        """Why AWS would refuse a final snapshot of ``resource`` (quota, KMS key), or None."""
        backend = backends.rds(self._account, region)
        used = _manual(backend.cluster_snapshots if cluster else backend.database_snapshots)
        if used >= self.snapshot_quota:
            return fail(
                "SnapshotQuotaExceeded",
                "The request would result in the user exceeding the allowed number of DB "
                "snapshots.",
            )
        key = getattr(resource, "kms_key_id", None)
        if key and getattr(resource, "storage_encrypted", False):
            found = backends.kms_key(self._account, region, str(key))
            if found is not None and found.key_state != "Enabled":
                return fail("KMSKeyNotAccessibleFault", KMS_NOT_ACCESSIBLE.format(key=key))
        return None

    def last_source_instance_refusal(self, region: str, db: Any) -> Reply | None:
        """AWS keeps a replication source's last instance while a replica cluster exists, and a
        replica's last instance until its promotion is over (Aurora guide, USER_DeleteCluster)."""
        cid = str(db.db_cluster_identifier)
        cluster = backends.rds(self._account, region).clusters.get(cid)
        if cluster is None:
            return None
        others = [
            m
            for m in list(cluster.members)
            if m is not db and not self._state.ghost("instance", region, m.db_instance_identifier)
        ]
        if others:
            return None
        if self._state.status("cluster", region, cid) == "promoting":
            return fail(
                "InvalidDBClusterStateFault",
                f"DbCluster {cid} is in promoting state; its last instance cannot be deleted "
                "until the promotion completes.",
            )
        replicas = self._replicas_of(cluster)
        if not replicas:
            return None
        return fail(
            "InvalidDBClusterStateFault",
            f"Cannot delete the last instance of the master cluster {cid} while it has the "
            f"replica cluster {', '.join(replicas)}. Delete the replica cluster before deleting "
            "the last master cluster instance.",
        )

    def _replicas_of(self, cluster: Any) -> list[str]:
        names = {str(cluster.db_cluster_arn), str(cluster.db_cluster_identifier).lower()}
        found = []
        for region, backend in backends.rds_regions(self._account):
            for other in list(backend.clusters.values()):
                source = self._state.override(
                    "cluster",
                    region,
                    other.db_cluster_identifier,
                    "ReplicationSourceIdentifier",
                    getattr(other, "replication_source_identifier", None),
                )
                if source and (source in names or str(source).lower() in names):
                    found.append(str(other.db_cluster_identifier))
        return sorted(found)
