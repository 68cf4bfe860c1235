"""How a cluster's instances go: in the cluster's own deletion call, or one by one before it.

``DeleteDBCluster`` takes ``DeleteDBInstances=true`` (botocore 1.44.18's RDS model): RDS deletes
every DB instance of the cluster, then the cluster, and "if RDS can't delete a DB instance in the
DB cluster, the request fails and RDS doesn't delete the DB cluster or any of its DB instances".
One call that is all or nothing is safer than a series of calls, each of which can leave the
cluster half-deleted, so the plan takes it whenever its documented constraints hold:

- Aurora MySQL and Aurora PostgreSQL DB clusters only;
- not a member of an Aurora global database;
- not an Aurora Limitless Database cluster;
- deletion protection off (the plan lifts it first, and waits until AWS shows it off);
- no DB instance ``deleting`` (nor switching over, the blue of an active Blue/Green deployment,
  or with an active zero-ETL integration: the scan does not see those, and AWS's refusal of the
  one call deletes nothing);
- no DB instance the source of an Aurora read replica DB cluster;
- the cluster not ``stopping``.

Otherwise the plan deletes the readers, then the writer, reads the members again (Aurora Auto
Scaling adds readers back) and deletes any that appeared, then the cluster. Either way, the plan
says which path a cluster takes and why (docs/aws-behaviours.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slrwizard.domain.models import Cluster

ONE_CALL_ENGINES = frozenset({"aurora-mysql", "aurora-postgresql"})
"""The engines ``DeleteDBInstances`` is valid for ("Aurora MySQL and Aurora PostgreSQL DB
clusters only")."""


@dataclass(frozen=True)
class DeletionPath:
    """Whether a cluster's instances go in its ``DeleteDBCluster`` call, and why (not)."""

    one_call: bool
    why: str


def deletion_path(cluster: Cluster, replicas: Sequence[str] = ()) -> DeletionPath:
    """The path ``cluster`` takes, given the clusters of the scan that replicate from it.

    Args:
        cluster: the cluster as scanned.
        replicas: identifiers of scanned clusters whose replication source is ``cluster`` (AWS
            lists them in ``ReadReplicaIdentifiers`` too; both are counted).
    """
    if not cluster.members_deleted_separately:
        return DeletionPath(False, "AWS deletes its instances with the cluster")
    if not cluster.members:
        return DeletionPath(False, "it has no instances")
    reasons: list[str] = []
    if cluster.engine not in ONE_CALL_ENGINES:
        reasons.append(f"{cluster.engine_label} (the one call is for Aurora MySQL/PostgreSQL)")
    if cluster.global_cluster_id:
        reasons.append(f"a member of global database {cluster.global_cluster_id}")
    if cluster.limitless:
        reasons.append("an Aurora Limitless Database cluster")
    sources = sorted({r.rsplit(":", 1)[-1] for r in [*cluster.replica_clusters, *replicas]})
    if sources:
        reasons.append(f"the source of replica cluster {', '.join(sources)}")
    if cluster.status == "stopping":
        reasons.append("stopping")
    deleting = [m.identifier for m in cluster.members if m.status == "deleting"]
    if deleting:
        reasons.append(f"instance {', '.join(deleting)} already deleting")
    if reasons:
        return DeletionPath(False, "; ".join(reasons))
    return DeletionPath(
        True,
        "DeleteDBInstances: RDS deletes every instance, then the cluster; if one instance "
        "cannot go, nothing is deleted",
    )
