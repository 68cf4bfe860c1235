"""What stands beside the demo's databases: Blue/Green deployments, Limitless shard groups,
zero-ETL integrations, RDS Proxies, DB cluster groups, retained automated backups, and read
replicas of a Multi-AZ DB cluster.

moto 5.2 has none of DescribeIntegrations, DescribeDBClusterGroups, DeleteDBShardGroup or
DescribeDBClusterAutomatedBackups, cannot make a replica of a Multi-AZ DB cluster, and its
Blue/Green deployments and proxies need real networks; so the sandbox keeps all of these kinds
itself, one uniform store, and answers their calls as AWS does:

- a listing answers its items; one named by identifier that does not exist is its NotFound fault;
- a deletion shows the item ``deleting`` (never skipped, even at ``--demo-speed 0``) until its
  time is up and a describe has shown it, then it is gone;
- ``DeleteDBCluster`` refuses a cluster that still has a shard group, and ``DeleteDBCluster``/
  ``DeleteDBInstance`` refuse either side of a Blue/Green deployment that still exists;
- deleting a Multi-AZ DB cluster promotes its read replicas (API reference, DeleteDBCluster): they
  lose ``ReadReplicaSourceDBClusterIdentifier`` and stay, holding the role;
- ``listing_refusals`` makes chosen listings answer an error (the demo's "could not check").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slrwizard.sandbox.calls import Call, Reply, answer, fail
from slrwizard.sandbox.clock import SimClock

DELETE_SECONDS = 2.0
"""How long a related resource takes to delete, at ``--demo-speed 1``."""

# listing -> (kind, result key, identifier parameter, NotFound code)
_LISTINGS: dict[str, tuple[str, str, str, str]] = {
    "DescribeBlueGreenDeployments": (
        "blue-green",
        "BlueGreenDeployments",
        "BlueGreenDeploymentIdentifier",
        "BlueGreenDeploymentNotFoundFault",
    ),
    "DescribeDBShardGroups": (
        "shard-group",
        "DBShardGroups",
        "DBShardGroupIdentifier",
        "DBShardGroupNotFound",
    ),
    "DescribeIntegrations": (
        "integration",
        "Integrations",
        "IntegrationIdentifier",
        "IntegrationNotFoundFault",
    ),
    "DescribeDBProxies": ("proxy", "DBProxies", "DBProxyName", "DBProxyNotFoundFault"),
    "DescribeDBClusterGroups": (
        "cluster-group",
        "DBClusterGroups",
        "DBClusterGroupIdentifier",
        "DBClusterGroupNotFound",
    ),
    "DescribeDBInstanceAutomatedBackups": (
        "instance-backup",
        "DBInstanceAutomatedBackups",
        "DBInstanceIdentifier",
        "DBInstanceAutomatedBackupNotFound",
    ),
    "DescribeDBClusterAutomatedBackups": (
        "cluster-backup",
        "DBClusterAutomatedBackups",
        "DBClusterIdentifier",
        "DBClusterAutomatedBackupNotFoundFault",
    ),
}
# deletion -> (describe operation, its identifier parameter, how the answer wraps the item)
_DELETIONS: dict[str, tuple[str, str, str | None]] = {
    "DeleteBlueGreenDeployment": (
        "DescribeBlueGreenDeployments",
        "BlueGreenDeploymentIdentifier",
        "BlueGreenDeployment",
    ),
    "DeleteDBShardGroup": ("DescribeDBShardGroups", "DBShardGroupIdentifier", None),
    "DeleteIntegration": ("DescribeIntegrations", "IntegrationIdentifier", None),
    "DeleteDBProxy": ("DescribeDBProxies", "DBProxyName", "DBProxy"),
}
_HOLDS_ROLE = ("blue-green", "shard-group", "integration", "proxy")


@dataclass
class Item:
    """One related resource, in the API's form."""

    kind: str
    region: str
    ident: str
    body: dict[str, Any]
    arn: str = ""
    attached: list[str] = field(default_factory=list)
    """Databases (identifiers) it guards: a deployment's sides, a shard group's cluster, a
    proxy's targets."""
    gone_at: float | None = None
    seen_deleting: bool = False

    def names(self) -> set[str]:
        """What a call may name it by: its identifier, its ARN, its ARN's last part."""
        return {self.ident.lower(), self.arn.lower(), self.arn.rsplit(":", 1)[-1].lower()} - {""}


class RelatedBehaviour:
    """The store of related resources and the calls about them (a sandbox Behaviour)."""

    def __init__(self, clock: SimClock, account: str) -> None:
        self._clock = clock
        self._account = account
        self.items: list[Item] = []
        self.cluster_replicas: dict[tuple[str, str], str] = {}
        """(region, instance id) -> the Multi-AZ DB cluster it replicates from."""
        self.listing_refusals: dict[tuple[str, str], tuple[str, str]] = {}
        """(region, listing operation) -> (error code, message) it answers instead."""

    def clear(self) -> None:
        self.items.clear()
        self.cluster_replicas.clear()
        self.listing_refusals.clear()

    def arn(self, region: str, kind: str, name: str) -> str:
        return f"arn:aws:rds:{region}:{self._account}:{kind}:{name}"

    def add(
        self,
        kind: str,
        region: str,
        ident: str,
        body: dict[str, Any],
        *,
        arn: str = "",
        attached: list[str] | None = None,
    ) -> Item:
        """Put a related resource in the account (the demo's seed, and tests)."""
        item = Item(kind, region, ident, body, arn=arn, attached=list(attached or []))
        self.items.append(item)
        return item

    def role_usage(self) -> list[tuple[str, list[str]]]:
        """The related resources AWS names in a refused role deletion, by region."""
        by_region: dict[str, list[str]] = {}
        for item in self.items:
            if item.kind in _HOLDS_ROLE:
                by_region.setdefault(item.region, []).append(item.arn or item.ident)
        return sorted(by_region.items())

    # -- a Behaviour ----------------------------------------------------------------------------
    def before_call(self, call: Call) -> Reply | None:
        if call.service != "rds":
            return None
        self._expire()
        refusal = self.listing_refusals.get((call.region, call.operation))
        if refusal is not None:
            return fail(*refusal)
        if call.operation in _LISTINGS:
            return self._describe(call)
        if call.operation == "DescribeDBProxyTargets":
            return self._proxy_targets(call)
        if call.operation in _DELETIONS:
            return self._delete(call)
        if call.operation == "RemoveDBClusterFromDBClusterGroup":
            return self._remove_from_group(call)
        if call.operation in ("DeleteDBCluster", "DeleteDBInstance"):
            return self._refuse_delete(call)
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        if call.service != "rds":
            return
        if call.operation == "DescribeDBClusters":
            for cluster in parsed.get("DBClusters") or []:
                group = self._group_of(call.region, str(cluster.get("DBClusterIdentifier", "")))
                if group:
                    cluster["DBClusterGroupIdentifier"] = group
        elif call.operation == "DescribeDBInstances":
            for db in parsed.get("DBInstances") or []:
                source = self.cluster_replicas.get(
                    (call.region, str(db.get("DBInstanceIdentifier", "")))
                )
                if source:
                    db["ReadReplicaSourceDBClusterIdentifier"] = source
        elif call.operation == "DeleteDBCluster":
            cid = str(call.params.get("DBClusterIdentifier", ""))
            # Deleting a Multi-AZ DB cluster promotes its read replicas to standalone instances.
            for key, source in list(self.cluster_replicas.items()):
                if key[0] == call.region and source == cid:
                    del self.cluster_replicas[key]

    # -- answers --------------------------------------------------------------------------------
    def _find(self, region: str, kind: str, name: str) -> Item | None:
        name = name.lower()
        return next(
            (i for i in self.items if i.region == region and i.kind == kind and name in i.names()),
            None,
        )

    def _shown(self, item: Item) -> dict[str, Any]:
        if item.gone_at is not None:
            item.seen_deleting = True
        return dict(item.body)

    def _describe(self, call: Call) -> Reply:
        kind, key, param, missing = _LISTINGS[call.operation]
        wanted = call.params.get(param)
        items = [i for i in self.items if i.region == call.region and i.kind == kind]
        if wanted:
            items = [i for i in items if str(wanted).lower() in i.names()]
            if not items and not kind.endswith("backup"):
                return fail(missing, f"{wanted} not found.", 404)
        return answer({key: [self._shown(i) for i in items]})

    def _proxy_targets(self, call: Call) -> Reply:
        proxy = self._find(call.region, "proxy", str(call.params.get("DBProxyName", "")))
        if proxy is None:
            return fail("DBProxyNotFoundFault", "The proxy was not found.", 404)
        targets = [
            {"RdsResourceId": name, "Type": "RDS_INSTANCE", "Port": 3306} for name in proxy.attached
        ]
        return answer({"Targets": targets})

    def _delete(self, call: Call) -> Reply:
        describe, param, wrap = _DELETIONS[call.operation]
        kind, _, _, missing = _LISTINGS[describe]
        item = self._find(call.region, kind, str(call.params.get(param, "")))
        if item is None or item.gone_at is not None:
            return fail(missing, f"{call.params.get(param)} not found.", 404)
        status = "DELETING" if kind == "blue-green" else "deleting"
        item.body["Status"] = status
        item.gone_at = self._clock.deadline(DELETE_SECONDS)
        body = dict(item.body)
        return answer({wrap: body} if wrap else body)

    def _remove_from_group(self, call: Call) -> Reply:
        group = self._find(
            call.region, "cluster-group", str(call.params["DBClusterGroupIdentifier"])
        )
        if group is None:
            return fail("DBClusterGroupNotFound", "The DB cluster group was not found.", 404)
        cid = str(call.params["DBClusterIdentifier"]).lower()
        members = group.body.get("DBClusterGroupMembers") or []
        kept = [m for m in members if str(m["DBClusterArn"]).split(":")[-1].lower() != cid]
        if len(kept) == len(members):
            return fail(
                "InvalidDBClusterStateFault",
                f"DB cluster {cid} is not a member of {group.ident}.",
            )
        group.body["DBClusterGroupMembers"] = kept
        return answer({})

    def _refuse_delete(self, call: Call) -> Reply | None:
        cluster = call.operation == "DeleteDBCluster"
        ident = str(
            call.params.get("DBClusterIdentifier" if cluster else "DBInstanceIdentifier", "")
        ).lower()
        for item in self.items:
            if item.region != call.region or item.gone_at is not None:
                continue
            guarded = {a.lower() for a in item.attached}
            if ident not in guarded:
                continue
            if item.kind == "blue-green":
                return fail(
                    "InvalidDBClusterStateFault" if cluster else "InvalidDBInstanceState",
                    f"{ident} is part of Blue/Green deployment {item.ident}; delete the "
                    "deployment first.",
                )
            if item.kind == "shard-group" and cluster:
                return fail(
                    "InvalidDBClusterStateFault",
                    f"DB cluster {ident} has DB shard group {item.ident}; delete the shard "
                    "group first.",
                )
        return None

    def _group_of(self, region: str, cluster_id: str) -> str | None:
        for item in self.items:
            if item.region == region and item.kind == "cluster-group":
                for m in item.body.get("DBClusterGroupMembers") or []:
                    if str(m["DBClusterArn"]).split(":")[-1].lower() == cluster_id.lower():
                        return item.ident
        return None

    def _expire(self) -> None:
        self.items = [
            i
            for i in self.items
            if i.gone_at is None or not (i.seen_deleting and self._clock.passed(i.gone_at))
        ]
