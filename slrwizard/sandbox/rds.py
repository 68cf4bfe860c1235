"""RDS the way AWS behaves: deletions take time, stopped clusters refuse, parameters are checked.

moto 5.2.5 deletes clusters and instances instantly, deletes stopped clusters and global members,
accepts both or neither of ``FinalDBSnapshotIdentifier``/``SkipFinalSnapshot`` for clusters and
never validates a cluster's final snapshot name. Each handler below fills one of those gaps; calls
that moto already answers like AWS (deletion protection, a cluster that still has members, unknown
identifiers) fall through to moto untouched.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

from slrwizard.sandbox import atomic, backends
from slrwizard.sandbox.calls import Call, Reply, answer, fail
from slrwizard.sandbox.globaldb import membership
from slrwizard.sandbox.limits import NO_FINAL_SNAPSHOT_STATES, Limits
from slrwizard.sandbox.state import Ghost, Kind, SimState

_SNAPSHOT_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,254}")
_BUSY_CLUSTER_STATES = frozenset({"stopped", "stopping", "starting", "promoting", "modifying"})
_INVALID_SNAPSHOT_ID = (
    "The parameter FinalDBSnapshotIdentifier is not a valid identifier. Identifiers must begin "
    "with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with "
    "a hyphen or contain two consecutive hyphens."
)

Handler = Callable[[Call], Reply | None]
AfterHandler = Callable[[Call, dict[str, Any]], None]


def valid_snapshot_id(value: str) -> bool:
    """AWS's rule for snapshot identifiers: 1-255 letters, digits and hyphens, starting with a
    letter, no two hyphens in a row and no hyphen at the end."""
    return bool(_SNAPSHOT_ID.fullmatch(value)) and "--" not in value and not value.endswith("-")


def snapshot_choice_problem(
    params: dict[str, Any], existing: Iterable[str], exists_code: str
) -> Reply | None:
    """The error AWS gives for a bad final-snapshot choice, or None when it is acceptable.

    moto accepts both and neither for clusters, and never checks a cluster snapshot's name.
    """
    final = params.get("FinalDBSnapshotIdentifier")
    skip = bool(params.get("SkipFinalSnapshot", False))
    if final is not None and skip:
        return fail(
            "InvalidParameterCombination",
            "FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is set to true.",
        )
    if final is None and not skip:
        return fail(
            "InvalidParameterCombination",
            "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.",
        )
    if final is not None and not valid_snapshot_id(final):
        return fail("InvalidParameterValue", _INVALID_SNAPSHOT_ID)
    # Identifiers are case-insensitive: "Orders-Final" is taken if "orders-final" exists.
    if final is not None and final.lower() in {str(name).lower() for name in existing}:
        return fail(
            exists_code,
            f"Cannot create the snapshot because a snapshot with the identifier {final} "
            "already exists.",
        )
    return None


def _filters_match(ghost: Ghost, filters: list[dict[str, Any]] | None) -> bool:
    """Whether a ghost passes a Describe* ``Filters`` list. Unknown filter names exclude it: a
    resource wrongly hidden for a few seconds is safer than one wrongly shown."""
    for flt in filters or []:
        values = {str(v).lower() for v in flt.get("Values") or []}
        name = flt.get("Name")
        if name == "db-cluster-id":
            own = ghost.identifier if ghost.kind == "cluster" else ghost.cluster_id or ""
            arn = ghost.arn if ghost.kind == "cluster" else ""
            if own.lower() not in values and arn.lower() not in values:
                return False
        elif name == "db-instance-id" and ghost.kind == "instance":
            if ghost.identifier.lower() not in values and ghost.arn.lower() not in values:
                return False
        elif name == "engine":
            if str(ghost.body.get("Engine", "")).lower() not in values:
                return False
        else:
            return False
    return True


class RdsBehaviour:
    """The RDS gaps: deletion in progress, stopped and starting clusters, global members, final
    snapshot parameters, and the role AWS creates with the first database."""

    def __init__(self, state: SimState, account: str, limits: Limits) -> None:
        self._state = state
        self._account = account
        self._limits = limits
        self._created: dict[tuple[str, str, str], int] = {}
        """(operation, region, name) -> how many times that name was created."""
        self._before: dict[str, Handler] = {
            "DescribeDBClusters": self._describe_cluster_ghost,
            "DescribeDBInstances": self._describe_instance_ghost,
            "DeleteDBCluster": self._check_delete_cluster,
            "DeleteDBInstance": self._check_delete_instance,
            "StartDBCluster": self._check_start_cluster,
            "CreateDBCluster": self._check_create_cluster,
            "CreateDBInstance": self._check_create_instance,
        }
        self._after: dict[str, AfterHandler] = {
            "DescribeDBClusters": self._after_describe_clusters,
            "DescribeDBInstances": self._after_describe_instances,
            "DeleteDBCluster": self._after_delete_cluster,
            "DeleteDBInstance": self._after_delete_instance,
            "StartDBCluster": self._after_start_cluster,
            "StopDBCluster": self._after_stop_cluster,
            "CreateDBCluster": self._after_create,
            "CreateDBInstance": self._after_create,
        }

    def before_call(self, call: Call) -> Reply | None:
        """Answer or refuse the call where moto would get it wrong; None lets moto answer."""
        handler = self._before.get(call.operation) if call.service == "rds" else None
        return handler(call) if handler else None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """Amend moto's successful answer (statuses, resources still being deleted)."""
        handler = self._after.get(call.operation) if call.service == "rds" else None
        if handler:
            handler(call, parsed)

    def role_usage(self) -> list[tuple[str, list[str]]]:
        """Every cluster and instance that keeps the role in use, by region (moto's backends,
        plus whatever is still being deleted): what AWS's deletion task would find."""
        by_region: dict[str, set[str]] = {}
        for region, backend in backends.rds_regions(self._account):
            arns = {c.db_cluster_arn for c in list(backend.clusters.values())}
            arns |= {d.db_instance_arn for d in list(backend.databases.values())}
            if arns:
                by_region.setdefault(region, set()).update(arns)
        for ghost in [*self._state.ghosts("cluster"), *self._state.ghosts("instance")]:
            by_region.setdefault(ghost.region, set()).add(ghost.arn)
        return [(region, sorted(arns)) for region, arns in sorted(by_region.items())]

    # -- describing -------------------------------------------------------------------------

    def _decorate_cluster(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        """Show a transitional status, and members that are being deleted (AWS lists them
        until they are gone; moto forgets them at once)."""
        cid = str(body.get("DBClusterIdentifier", ""))
        self._state.show("cluster", region, body, "DBClusterIdentifier", "Status")
        members = body.setdefault("DBClusterMembers", [])
        listed = {str(m.get("DBInstanceIdentifier", "")).lower() for m in members}
        for ghost in self._state.ghosts("instance", region):
            if (
                ghost.cluster_id or ""
            ).lower() == cid.lower() and ghost.identifier.lower() not in listed:
                # Listed, not seen: only a describe of the instance shows its `deleting`.
                members.append(
                    {
                        "DBInstanceIdentifier": ghost.identifier,
                        "IsClusterWriter": ghost.writer,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    }
                )
        return body

    def _describe_cluster_ghost(self, call: Call) -> Reply | None:
        ghost = self._state.ghost("cluster", call.region, call.params.get("DBClusterIdentifier"))
        if ghost is None:
            return None
        ghost.seen = True
        body = self._decorate_cluster(call.region, copy.deepcopy(ghost.body))
        return answer({"DBClusters": [body]})

    def _describe_instance_ghost(self, call: Call) -> Reply | None:
        ghost = self._state.ghost("instance", call.region, call.params.get("DBInstanceIdentifier"))
        if ghost is None:
            return None
        ghost.seen = True
        return answer({"DBInstances": [copy.deepcopy(ghost.body)]})

    def _after_describe_clusters(self, call: Call, parsed: dict[str, Any]) -> None:
        clusters = parsed.setdefault("DBClusters", [])
        for body in clusters:
            self._decorate_cluster(call.region, body)
        if call.params.get("DBClusterIdentifier") or parsed.get("Marker"):
            return
        listed = {str(c.get("DBClusterIdentifier", "")).lower() for c in clusters}
        for ghost in self._state.ghosts("cluster", call.region):
            if ghost.identifier.lower() not in listed and _filters_match(
                ghost, call.params.get("Filters")
            ):
                ghost.seen = True
                clusters.append(self._decorate_cluster(call.region, copy.deepcopy(ghost.body)))

    def _after_describe_instances(self, call: Call, parsed: dict[str, Any]) -> None:
        instances = parsed.setdefault("DBInstances", [])
        for body in instances:
            self._state.show(
                "instance", call.region, body, "DBInstanceIdentifier", "DBInstanceStatus"
            )
        # moto paginates instances: ghosts go on the last page only.
        if call.params.get("DBInstanceIdentifier") or parsed.get("Marker"):
            return
        listed = {str(i.get("DBInstanceIdentifier", "")).lower() for i in instances}
        for ghost in self._state.ghosts("instance", call.region):
            if ghost.identifier.lower() not in listed and _filters_match(
                ghost, call.params.get("Filters")
            ):
                ghost.seen = True
                instances.append(copy.deepcopy(ghost.body))

    # -- deleting ---------------------------------------------------------------------------

    def _check_delete_cluster(self, call: Call) -> Reply | None:
        cid = str(call.params.get("DBClusterIdentifier", ""))
        if self._state.ghost("cluster", call.region, cid):
            return fail("InvalidDBClusterStateFault", f"Cluster {cid} is already being deleted.")
        backend = backends.rds(self._account, call.region)
        cluster = backend.clusters.get(cid)
        if cluster is None:
            return None  # moto answers DBClusterNotFoundFault like AWS
        problem = snapshot_choice_problem(
            call.params, backend.cluster_snapshots, "DBClusterSnapshotAlreadyExistsFault"
        )
        if problem:
            return problem
        final = call.params.get("FinalDBSnapshotIdentifier")
        if final is not None:
            problem = self._limits.snapshot_refusal(call.region, cluster, cluster=True)
            if problem:
                return problem
        # moto deletes stopped, starting and promoting clusters; AWS refuses.
        status = self._state.status("cluster", call.region, cid) or backends.raw_status(cluster)
        if status in _BUSY_CLUSTER_STATES:
            return fail(
                "InvalidDBClusterStateFault",
                f"DbCluster {cid} is in {status} state but expected it to be one of available.",
            )
        # moto silently detaches global members (and only from its own region); AWS refuses.
        member = membership(self._account, cluster)
        if member is not None:
            gc, primary, others = member
            if primary and others:
                return fail(
                    "InvalidGlobalClusterStateFault",
                    f"Cluster {cluster.db_cluster_arn} is the primary cluster of global cluster "
                    f"{gc.global_cluster_identifier}, which still has secondary clusters.",
                )
            return fail(
                "InvalidDBClusterStateFault",
                "This cluster is a part of a global cluster, please remove it from globalcluster "
                "first",
            )
        if atomic.wants_instances_deleted(call):
            # moto does not know DeleteDBInstances: all checked first, then every instance.
            problem = atomic.refusal(self._state, self._account, call, cluster)
            if problem:
                return problem
            atomic.delete_members(self._state, self._account, call, cluster)
        return None  # moto checks deletion protection and remaining members like AWS

    def _after_delete_cluster(self, call: Call, parsed: dict[str, Any]) -> None:
        # moto removed the cluster at once; AWS keeps describing it as deleting for minutes.
        body = parsed.get("DBCluster") or {}
        body["Status"] = "deleting"
        self._bury("cluster", call, body, "DBClusterIdentifier", "DBClusterArn")

    def _check_delete_instance(self, call: Call) -> Reply | None:
        iid = str(call.params.get("DBInstanceIdentifier", ""))
        if self._state.ghost("instance", call.region, iid):
            return fail("InvalidDBInstanceState", f"Instance {iid} is already being deleted.")
        backend = backends.rds(self._account, call.region)
        db = backend.databases.get(iid)
        if db is None:
            return None  # moto answers DBInstanceNotFound like AWS
        shown = self._state.status("instance", call.region, iid)
        if shown:
            return fail(
                "InvalidDBInstanceState",
                f"Instance {iid} is in {shown} state and cannot be deleted until it is available.",
            )
        final = call.params.get("FinalDBSnapshotIdentifier")
        if getattr(db, "db_cluster_identifier", None):
            # moto would take a snapshot of a cluster member; AWS refuses the parameter.
            if final is not None:
                return fail(
                    "InvalidParameterCombination",
                    "FinalDBSnapshotIdentifier can not be specified when deleting a cluster "
                    "instance",
                )
            call.notes["cluster_id"] = db.db_cluster_identifier
            call.notes["writer"] = bool(getattr(db, "is_cluster_writer", False))
            return self._limits.last_source_instance_refusal(call.region, db)
        if getattr(db, "source_db_instance_identifier", None):
            if final is not None:
                return fail(
                    "InvalidParameterCombination",
                    "FinalDBSnapshotIdentifier can not be specified when deleting a replica "
                    "instance",
                )
            return None
        problem = snapshot_choice_problem(
            call.params, backend.database_snapshots, "DBSnapshotAlreadyExists"
        )
        if problem or final is None:
            return problem
        status = backends.raw_status(db)
        if status in NO_FINAL_SNAPSHOT_STATES:
            # USER_DeleteInstance: no final snapshot while creating, failed, incompatible-*.
            return fail(
                "InvalidDBInstanceState",
                f"Cannot create a final snapshot of DB instance {iid} because it is in {status} "
                "state. Delete it with SkipFinalSnapshot, or fix its state first.",
            )
        return self._limits.snapshot_refusal(call.region, db, cluster=False)

    def _after_delete_instance(self, call: Call, parsed: dict[str, Any]) -> None:
        body = parsed.get("DBInstance") or {}
        body["DBInstanceStatus"] = "deleting"
        self._bury("instance", call, body, "DBInstanceIdentifier", "DBInstanceArn")

    def _bury(
        self, kind: Kind, call: Call, body: dict[str, Any], id_key: str, arn_key: str
    ) -> None:
        seconds = (
            self._state.clock.durations.cluster_delete
            + float(call.notes.get("after_instances", 0.0))  # DeleteDBInstances: theirs first
            if kind == "cluster"
            else self._state.clock.durations.instance_delete
        )
        self._state.bury(
            Ghost(
                kind=kind,
                region=call.region,
                identifier=str(body.get(id_key, "")),
                arn=str(body.get(arn_key, "")),
                body=copy.deepcopy(body),
                gone_at=self._state.clock.deadline(seconds),
                cluster_id=call.notes.get("cluster_id"),
                writer=bool(call.notes.get("writer", False)),
                after_members="after_instances" in call.notes,
            )
        )

    # -- starting, stopping, promoting -------------------------------------------------------

    def _check_start_cluster(self, call: Call) -> Reply | None:
        cid = str(call.params.get("DBClusterIdentifier", ""))
        status = self._state.status("cluster", call.region, cid)
        if self._state.ghost("cluster", call.region, cid):
            status = "deleting"
        if status is None:
            return None  # moto refuses clusters that are not stopped, like AWS
        return fail(
            "InvalidDBClusterStateFault",
            f"DbCluster {cid} is in {status} state but expected it to be one of "
            "stopped,inaccessible-encryption-credentials-recoverable.",
        )

    def _after_start_cluster(self, call: Call, parsed: dict[str, Any]) -> None:
        # moto is `available` at once (and answers `started`); AWS is `starting` for minutes.
        cid = str(call.params.get("DBClusterIdentifier", ""))
        seconds = self._state.clock.durations.cluster_start
        self._state.begin("cluster", call.region, cid, "starting", seconds)
        if isinstance(parsed.get("DBCluster"), dict):
            parsed["DBCluster"]["Status"] = "starting"
        cluster = backends.rds(self._account, call.region).clusters.get(cid)
        for db in list(cluster.members) if cluster is not None else []:
            if backends.raw_status(db) == "stopped":
                db.status = "available"
                self._state.begin(
                    "instance", call.region, db.db_instance_identifier, "starting", seconds
                )

    def _after_stop_cluster(self, call: Call, parsed: dict[str, Any]) -> None:
        # moto stops the cluster but leaves its instances `available`; AWS stops them too.
        cid = str(call.params.get("DBClusterIdentifier", ""))
        cluster = backends.rds(self._account, call.region).clusters.get(cid)
        for db in list(cluster.members) if cluster is not None else []:
            db.status = "stopped"

    # -- creating ---------------------------------------------------------------------------

    def _check_create_cluster(self, call: Call) -> Reply | None:
        # moto would let a new cluster take the name of one that AWS is still deleting.
        if self._state.ghost("cluster", call.region, call.params.get("DBClusterIdentifier")):
            return fail("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        return None

    def _check_create_instance(self, call: Call) -> Reply | None:
        if self._state.ghost("instance", call.region, call.params.get("DBInstanceIdentifier")):
            return fail("DBInstanceAlreadyExists", "DB instance already exists")
        return None

    def _after_create(self, call: Call, parsed: dict[str, Any]) -> None:
        # AWS creates the service-linked role with the first cluster or instance; moto does not.
        backends.ensure_rds_role(self._account)
        self._new_resource_id(call, parsed)

    def _new_resource_id(self, call: Call, parsed: dict[str, Any]) -> None:
        """AWS gives every new cluster and instance its own resource id, never reused (moto
        gives every instance one constant ``DbiResourceId``). The sandbox derives it from the
        account, region, name and how many times that name was created in this sandbox: a
        database created again under an old name gets another id, as on AWS, while the demo
        account seeded afresh for a resumed demo walkthrough is the same account it was."""
        cluster = call.operation == "CreateDBCluster"
        name = str(call.params.get("DBClusterIdentifier" if cluster else "DBInstanceIdentifier"))
        backend = backends.rds(self._account, call.region)
        found = (backend.clusters if cluster else backend.databases).get(name)
        if found is None:
            return
        count = self._created.get((call.operation, call.region, name.lower()), 0) + 1
        self._created[(call.operation, call.region, name.lower())] = count
        seed = f"{self._account}/{call.region}/{name.lower()}/{count}".encode()
        digest = base64.b32encode(hashlib.sha256(seed).digest()).decode()[:26]
        if cluster:
            found.db_cluster_resource_id = f"cluster-{digest}"
            body, field = parsed.get("DBCluster"), "DbClusterResourceId"
            value = found.db_cluster_resource_id
        else:
            found.dbi_resource_id = f"db-{digest}"
            body, field = parsed.get("DBInstance"), "DbiResourceId"
            value = found.dbi_resource_id
        if isinstance(body, dict):
            body[field] = value
