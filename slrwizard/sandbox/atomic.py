"""``DeleteDBCluster(DeleteDBInstances=true)``: every instance, then the cluster, in one request.

botocore 1.44.18's RDS model documents the parameter; moto 5.2.6 does not know it (it ignores it
and refuses a cluster that still has members). The sandbox does what the model's documentation
says AWS does: "RDS deletes every DB instance in the DB cluster and then deletes the DB cluster
... If RDS can't delete a DB instance in the DB cluster, the request fails and RDS doesn't
delete the DB cluster or any of its DB instances", within its constraints (Aurora MySQL and
PostgreSQL only; not a global member, which the general DeleteDBCluster checks already refuse;
protection off; no instance deleting or unable to go; no instance the source of a replica
cluster or the blue of an active Blue/Green deployment; not ``stopping``, refused like any busy
state). Everything is checked first; only then are the instances deleted (``deleting``, then
gone) and the cluster after them (``deleting`` until its instances are gone and its own time
is up).
"""

from __future__ import annotations

from typing import Any

from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply, fail
from slrwizard.sandbox.state import Ghost, SimState

ONE_CALL_ENGINES = frozenset({"aurora-mysql", "aurora-postgresql"})
_INSTANCE_REFUSES_DELETE = frozenset(
    {"modifying", "starting", "stopping", "stopped", "rebooting", "creating", "upgrading"}
)
_NOTHING = "The DB cluster and its DB instances were not deleted."


def wants_instances_deleted(call: Call) -> bool:
    """Whether the call asks for ``DeleteDBInstances=true``."""
    return bool(call.params.get("DeleteDBInstances"))


def refusal(state: SimState, account: str, call: Call, cluster: Any) -> Reply | None:
    """Why AWS would refuse to delete ``cluster`` with its instances, or None.

    Called after the checks every DeleteDBCluster gets (snapshot, quota, KMS key, busy states,
    global membership), and before anything is deleted.
    """
    cid = str(cluster.db_cluster_identifier)
    region = call.region
    if str(cluster.engine) not in ONE_CALL_ENGINES:
        return fail(
            "InvalidParameterCombination",
            "The DeleteDBInstances parameter is valid only for Aurora MySQL and Aurora "
            "PostgreSQL DB clusters.",
        )
    protected = state.override(
        "cluster", region, cid, "DeletionProtection", bool(cluster.deletion_protection)
    )
    if protected:
        return fail(
            "InvalidParameterCombination",
            "Cannot delete protected Cluster, please disable deletion protection and try again.",
        )
    replicas = list(getattr(cluster, "read_replica_identifiers", []) or [])
    if replicas:
        return fail(
            "InvalidDBClusterStateFault",
            f"Cannot delete DB cluster {cid} with DeleteDBInstances: it is the source of the "
            f"read replica DB cluster {', '.join(replicas)}. {_NOTHING}",
        )
    for ghost in state.ghosts("instance", region):
        if (ghost.cluster_id or "").lower() == cid.lower():
            return fail(
                "InvalidDBClusterStateFault",
                f"Cannot delete DB cluster {cid} with DeleteDBInstances: DB instance "
                f"{ghost.identifier} is in deleting state. {_NOTHING}",
            )
    for db in list(cluster.members):
        iid = str(db.db_instance_identifier)
        status = state.status("instance", region, iid) or backends.raw_status(db)
        if status in _INSTANCE_REFUSES_DELETE:
            return fail(
                "InvalidDBClusterStateFault",
                f"Cannot delete DB cluster {cid} with DeleteDBInstances: DB instance {iid} is "
                f"in {status} state and cannot be deleted. {_NOTHING}",
            )
    blue = _active_blue_green(account, region, cluster)
    if blue:
        return fail(
            "InvalidDBClusterStateFault",
            f"Cannot delete DB cluster {cid} with DeleteDBInstances: it is the blue (source) "
            f"of the active blue/green deployment {blue}. {_NOTHING}",
        )
    return None


def delete_members(state: SimState, account: str, call: Call, cluster: Any) -> None:
    """Delete every instance of ``cluster`` (moto's backend; the sandbox shows them deleting)."""
    region = call.region
    backend = backends.rds(account, region)
    seconds = state.clock.durations.instance_delete
    for db in list(cluster.members):
        iid = str(db.db_instance_identifier)
        body = {
            "DBInstanceIdentifier": iid,
            "DBInstanceArn": str(db.db_instance_arn),
            "DBInstanceClass": str(getattr(db, "db_instance_class", "") or ""),
            "Engine": str(db.engine),
            "DBInstanceStatus": "deleting",
            "DBClusterIdentifier": str(cluster.db_cluster_identifier),
        }
        writer = bool(getattr(db, "is_cluster_writer", False))
        backend.delete_db_instance(iid, skip_final_snapshot=True)
        if db in cluster.members:  # moto keeps a deleted instance listed as a member
            cluster.members.remove(db)
        state.bury(
            Ghost(
                kind="instance",
                region=region,
                identifier=iid,
                arn=body["DBInstanceArn"],
                body=body,
                gone_at=state.clock.deadline(seconds),
                cluster_id=str(cluster.db_cluster_identifier),
                writer=writer,
            )
        )
    call.notes["after_instances"] = seconds


def _active_blue_green(account: str, region: str, cluster: Any) -> str | None:
    """The active Blue/Green deployment whose blue (source) is ``cluster``, if moto has one."""
    deployments = getattr(backends.rds(account, region), "blue_green_deployments", {}) or {}
    arn = str(cluster.db_cluster_arn)
    for deployment in list(deployments.values()):
        status = str(getattr(deployment, "status", "") or "").upper()
        if getattr(deployment, "source", None) == arn and status not in (
            "SWITCHOVER_COMPLETED",
            "DELETING",
        ):
            return str(getattr(deployment, "blue_green_deployment_identifier", "") or "")
    return None
