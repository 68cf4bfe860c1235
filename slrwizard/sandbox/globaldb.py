"""Aurora global databases the way AWS handles them.

moto 5.2.5 keeps global clusters in its us-east-1 backend but looks for them in the caller's
region when removing a member, so ``RemoveFromGlobalCluster`` from any other region silently does
nothing (and answers ``GlobalCluster: null``); it lets the primary leave while secondaries remain,
and ``DescribeGlobalClusters``/``DeleteGlobalCluster`` ignore or crash on unknown identifiers. The
sandbox answers these three calls itself, on moto's objects.

A cluster that leaves stays listed in ``DescribeGlobalClusters`` for a while on AWS (the removal is
asynchronous), and ``DeleteGlobalCluster`` refuses a global database that still lists members: the
sandbox keeps each leaver (``SimState.leavers``) until its time is up and a describe has shown it.
"""

from __future__ import annotations

from typing import Any

from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply, answer, fail
from slrwizard.sandbox.state import Leaver, SimState


def _find(account: str, ident: str) -> Any | None:
    """The moto global cluster named by identifier or ARN."""
    name = ident.rsplit(":", 1)[-1] if ident.startswith("arn:") else ident
    return backends.global_clusters(account).get(name)


def membership(account: str, cluster: Any) -> tuple[Any, bool, list[Any]] | None:
    """``(global cluster, is primary, other members)`` for a moto cluster, or None."""
    for gc in list(backends.global_clusters(account).values()):
        if any(m is cluster for m in gc.members):
            others = [m for m in gc.members if m is not cluster]
            return gc, bool(getattr(cluster, "is_writer", False)), others
    return None


def _member_row(gc: Any, member: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "DBClusterArn": member.db_cluster_arn,
        "Readers": [] if not member.is_writer else list(gc.readers),
        "IsWriter": bool(member.is_writer),
    }
    if not member.is_writer:
        row["GlobalWriteForwardingStatus"] = "disabled"
    return row


def describe(gc: Any, leavers: list[Leaver] | None = None) -> dict[str, Any]:
    """A global cluster in botocore's parsed form; ``leavers`` are still listed (and so seen)."""
    members = [_member_row(gc, member) for member in gc.members]
    for leaver in leavers or []:
        leaver.seen = True
        members.append(dict(leaver.row))
    return {
        "GlobalClusterIdentifier": gc.global_cluster_identifier,
        "GlobalClusterResourceId": gc.global_cluster_resource_id,
        "GlobalClusterArn": gc.global_cluster_arn,
        "Status": gc.status,
        "Engine": gc.engine,
        "EngineVersion": gc.engine_version,
        "StorageEncrypted": bool(gc.storage_encrypted),
        "DeletionProtection": bool(gc.deletion_protection),
        "GlobalClusterMembers": members,
    }


def _not_found(ident: str) -> Reply:
    return fail("GlobalClusterNotFoundFault", f"Global cluster {ident} not found.", 404)


class GlobalDbBehaviour:
    """``RemoveFromGlobalCluster``, ``DescribeGlobalClusters`` and ``DeleteGlobalCluster``."""

    def __init__(self, state: SimState, account: str) -> None:
        self._state = state
        self._account = account

    def before_call(self, call: Call) -> Reply | None:
        """Answer the global-database calls from moto's objects."""
        if call.service != "rds":
            return None
        if call.operation == "RemoveFromGlobalCluster":
            return self._remove(call)
        if call.operation == "DescribeGlobalClusters":
            return self._describe(call)
        if call.operation == "DeleteGlobalCluster":
            return self._delete(call)
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """Nothing to amend: every global-database call is answered before moto sees it."""

    def _describe(self, call: Call) -> Reply:
        ident = call.params.get("GlobalClusterIdentifier")
        if ident:
            gc = _find(self._account, ident)
            if gc is None:
                return _not_found(ident)
            return answer({"GlobalClusters": [self._row(gc)]})
        rows = [self._row(gc) for gc in list(backends.global_clusters(self._account).values())]
        return answer({"GlobalClusters": rows})

    def _row(self, gc: Any) -> dict[str, Any]:
        return describe(gc, self._state.leaving(gc.global_cluster_identifier))

    def _remove(self, call: Call) -> Reply:
        ident = str(call.params.get("GlobalClusterIdentifier", ""))
        target = str(call.params.get("DbClusterIdentifier", ""))
        gc = _find(self._account, ident)
        if gc is None:
            return _not_found(ident)
        # AWS wants the member's ARN here; a bare identifier matches nothing, as on AWS.
        member = next((m for m in gc.members if m.db_cluster_arn == target), None)
        if member is None:
            return fail(
                "InvalidParameterValue",
                f"The specified cluster {target} is not found in global cluster "
                f"{gc.global_cluster_identifier}.",
            )
        if member.is_writer and len(gc.members) > 1:
            return fail(
                "InvalidGlobalClusterStateFault",
                f"The primary cluster {target} cannot be removed from global cluster "
                f"{gc.global_cluster_identifier} while it has secondary clusters.",
            )
        row = _member_row(gc, member)
        gc.members.remove(member)
        member.global_cluster_identifier = None
        self._state.leavers.append(
            Leaver(
                global_id=gc.global_cluster_identifier,
                row=row,
                until=self._state.clock.deadline(self._state.clock.durations.leave_global),
                shown_until=self._state.visible_until(),
            )
        )
        if not member.is_writer:
            # A detached secondary is promoted to a standalone, writable cluster: it shows
            # `promoting` for a while, and refuses a final snapshot until it is available.
            member.is_writer = True
            self._state.begin(
                "cluster",
                member.region,
                member.db_cluster_identifier,
                "promoting",
                self._state.clock.durations.promote,
            )
        body = describe(gc)  # the answer still lists it; only a describe counts as seen
        body["GlobalClusterMembers"].append(row)
        return answer({"GlobalCluster": body})

    def _delete(self, call: Call) -> Reply:
        ident = str(call.params.get("GlobalClusterIdentifier", ""))
        gc = _find(self._account, ident)
        if gc is None:
            return _not_found(ident)
        if gc.deletion_protection:
            return fail(
                "InvalidParameterCombination",
                "Cannot delete protected Global Cluster, please disable deletion protection and "
                "try again.",
            )
        if gc.members or self._state.leaving(gc.global_cluster_identifier):
            return fail(
                "InvalidGlobalClusterStateFault",
                f"Global Cluster {gc.global_cluster_arn} is not empty",
            )
        backends.global_clusters(self._account).pop(gc.global_cluster_identifier)
        body = describe(gc)
        body["Status"] = "deleting"
        return answer({"GlobalCluster": body})
