"""Changes that take time on AWS and none in moto: modifying, starting an instance, promoting.

moto applies ``ModifyDBCluster``/``ModifyDBInstance`` at once, starts a DB instance at once and
clears a promoted replica's ``ReplicationSourceIdentifier`` at once. On AWS the resource shows
``modifying``/``starting``/``promoting`` first, and the *old* value of what is changing (deletion
protection, the replication source) until the change is over: a wait that trusts the API call's
return, or reads once, sees a change that has not happened. The sandbox lets moto do the change
and shows the transition (``SimState.begin`` with ``overrides``). AWS also refuses to modify a
stopped DB instance ("Database instance is not in available state."), which moto allows.
"""

from __future__ import annotations

from typing import Any

from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply, fail
from slrwizard.sandbox.state import SimState

_CLUSTER_REFUSES_MODIFY = frozenset({"stopped", "stopping", "starting", "promoting"})
_INSTANCE_REFUSES_MODIFY = frozenset({"stopped", "stopping", "starting"})


class ChangesBehaviour:
    """``ModifyDBCluster``, ``ModifyDBInstance``, ``StartDBInstance`` and
    ``PromoteReadReplicaDBCluster`` the way AWS takes their time."""

    def __init__(self, state: SimState, account: str) -> None:
        self._state = state
        self._account = account

    def before_call(self, call: Call) -> Reply | None:
        """Refuse what AWS refuses, and note the old values the transition will show."""
        if call.service != "rds":
            return None
        if call.operation == "ModifyDBCluster":
            return self._before_modify_cluster(call)
        if call.operation == "ModifyDBInstance":
            return self._before_modify_instance(call)
        if call.operation == "StartDBInstance":
            return self._before_start_instance(call)
        if call.operation == "PromoteReadReplicaDBCluster":
            cid = str(call.params.get("DBClusterIdentifier", ""))
            cluster = backends.rds(self._account, call.region).clusters.get(cid)
            if cluster is not None and not cluster.replication_source_identifier:
                # moto crashes on a cluster that replicates from nothing (or no longer does).
                status = self._state.status("cluster", call.region, cid) or "available"
                return fail(
                    "InvalidDBClusterStateFault",
                    f"DbCluster {cid} is not a read replica (it is {status}).",
                )
            if cluster is not None:
                call.notes["old"] = {
                    "ReplicationSourceIdentifier": cluster.replication_source_identifier
                }
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """moto changed the resource at once: show the transition AWS would be in."""
        if call.service != "rds":
            return
        durations = self._state.clock.durations
        old = call.notes.get("old") or {}
        if call.operation == "ModifyDBCluster":
            self._begin(call, parsed, "cluster", "modifying", durations.modify, old)
        elif call.operation == "ModifyDBInstance":
            self._begin(call, parsed, "instance", "modifying", durations.modify, old)
        elif call.operation == "StartDBInstance":
            self._begin(call, parsed, "instance", "starting", durations.instance_start, {})
        elif call.operation == "PromoteReadReplicaDBCluster":
            self._begin(call, parsed, "cluster", "promoting", durations.promote, old)

    def _begin(
        self,
        call: Call,
        parsed: dict[str, Any],
        kind: str,
        status: str,
        seconds: float,
        old: dict[str, Any],
    ) -> None:
        if kind == "cluster":
            ident = str(call.params.get("DBClusterIdentifier", ""))
            self._state.begin("cluster", call.region, ident, status, seconds, old)
            body, status_key = parsed.get("DBCluster"), "Status"
        else:
            ident = str(call.params.get("DBInstanceIdentifier", ""))
            self._state.begin("instance", call.region, ident, status, seconds, old)
            body, status_key = parsed.get("DBInstance"), "DBInstanceStatus"
        if isinstance(body, dict):  # the call's own answer shows the change just begun
            body[status_key] = status
            body.update({k: v for k, v in old.items() if v is not None})

    def _before_modify_cluster(self, call: Call) -> Reply | None:
        cid = str(call.params.get("DBClusterIdentifier", ""))
        cluster = backends.rds(self._account, call.region).clusters.get(cid)
        if cluster is None:
            return None  # moto answers DBClusterNotFoundFault like AWS
        status = self._state.status("cluster", call.region, cid) or backends.raw_status(cluster)
        if status in _CLUSTER_REFUSES_MODIFY:
            return fail(
                "InvalidDBClusterStateFault",
                f"DbCluster {cid} is in {status} state but expected it to be one of available.",
            )
        if "DeletionProtection" in call.params:
            call.notes["old"] = {
                "DeletionProtection": self._state.override(
                    "cluster",
                    call.region,
                    cid,
                    "DeletionProtection",
                    bool(cluster.deletion_protection),
                )
            }
        return None

    def _before_modify_instance(self, call: Call) -> Reply | None:
        iid = str(call.params.get("DBInstanceIdentifier", ""))
        db = backends.rds(self._account, call.region).databases.get(iid)
        if db is None:
            return None  # moto answers DBInstanceNotFound like AWS
        status = self._state.status("instance", call.region, iid) or backends.raw_status(db)
        if status in _INSTANCE_REFUSES_MODIFY:
            return fail("InvalidDBInstanceState", "Database instance is not in available state.")
        if "DeletionProtection" in call.params:
            call.notes["old"] = {
                "DeletionProtection": self._state.override(
                    "instance",
                    call.region,
                    iid,
                    "DeletionProtection",
                    bool(db.deletion_protection),
                )
            }
        return None

    def _before_start_instance(self, call: Call) -> Reply | None:
        iid = str(call.params.get("DBInstanceIdentifier", ""))
        shown = self._state.status("instance", call.region, iid)
        if shown is None:
            return None  # moto refuses instances that are not stopped
        return fail(
            "InvalidDBInstanceState",
            f"Instance {iid} is not stopped, it cannot be started.",
        )
