"""How each backend of the contract arranges its account (the tests observe only the port).

``fake``: :class:`fakes.FakeGateway`, arranged by writing its :class:`fakes.FakeAccount`.
``boto3``: the real :class:`Boto3Gateway` on the demo sandbox (moto plus the AWS behaviours moto
lacks: role deletion tasks that fail while resources remain, statuses that pass through
``deleting``), instant (``time_scale=0``), arranged through a plain boto3 client on the same
sandbox, the way someone else would change the account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import boto3
import botocore.loaders
import botocore.session
from fakes import STEP_ACTIONS, FakeAccount, Hold

from slrwizard.aws.related import RELATED_LISTINGS
from slrwizard.domain.models import (
    RELATED_LISTING_LABELS,
    ROLE_NAME,
    ROLE_PATH,
    SERVICE_PRINCIPAL,
    RelatedKind,
    RelatedResource,
)
from slrwizard.domain.plan import StepKind

PASSWORD = "contract-password-1"  # a fake database in moto
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE_PRINCIPAL},
            "Action": "sts:AssumeRole",
        }
    ],
}
_LOADER = botocore.loaders.create_loader()  # the service models, decoded once for the suite


class Arrange(Protocol):
    """What a contract test may set up, the same way for every backend."""

    disabled_region: str
    denied_region: str

    def role(self) -> None: ...

    def cluster(
        self,
        region: str,
        ident: str,
        *,
        readers: int = 0,
        protected: bool = False,
        stopped: bool = False,
        global_id: str | None = None,
        replica_of: str | None = None,
    ) -> str: ...

    def instance(
        self, region: str, ident: str, *, protected: bool = False, stopped: bool = False
    ) -> str: ...

    def snapshot_quota(self, most: int) -> None:
        """Manual snapshots allowed per region (of clusters and of instances alike)."""
        ...

    def autoscale(self, region: str, ident: str, low: int = 1, high: int = 4) -> None:
        """Aurora Auto Scaling of the cluster's readers (a registered scalable target)."""
        ...

    def cluster_snapshot(self, region: str, cluster_id: str, name: str) -> None: ...

    def retained_backup_quota(self, most: int) -> None:
        """Retained automated backups allowed per region (AWS: the DB cluster/instance quota)."""
        ...

    def custom_instance(self, region: str, ident: str) -> str:
        """An RDS Custom for Oracle instance (with automated backups); its ARN."""
        ...

    def instance_snapshot(self, region: str, instance_id: str, name: str) -> None: ...

    def delete_outside(self, region: str, ident: str, *, cluster: bool = True) -> None:
        """Someone else deletes it, members and protection and all, without a snapshot."""
        ...

    def deny(self, kind: StepKind, *, target: str, scp: bool = False) -> object:
        """IAM refuses the call steps of ``kind`` on ``target`` make, until :meth:`allow`."""
        ...

    def allow(self, denial: object) -> None: ...

    def hold(self, kind: StepKind, *, target: str) -> Hold:
        """The next step of ``kind`` on ``target`` stays in flight until released."""
        ...

    def related(self, resource: RelatedResource) -> None:
        """Put a related resource (a Blue/Green deployment, a proxy...) in the account."""
        ...

    def refuse_listing(self, region: str, kind: RelatedKind) -> None:
        """The caller may not list ``kind`` in ``region`` (AccessDenied)."""
        ...


class FakeArrange:
    disabled_region = "af-south-1"
    denied_region = "sa-east-1"

    def __init__(self, account: FakeAccount) -> None:
        self.aws = account

    def role(self) -> None:
        self.aws.add_role()

    def cluster(
        self,
        region: str,
        ident: str,
        *,
        readers: int = 0,
        protected: bool = False,
        stopped: bool = False,
        global_id: str | None = None,
        replica_of: str | None = None,
    ) -> str:
        return self.aws.add_cluster(
            region,
            ident,
            readers=readers,
            protected=protected,
            stopped=stopped,
            global_id=global_id,
            replica_of=replica_of,
        ).arn

    def instance(
        self, region: str, ident: str, *, protected: bool = False, stopped: bool = False
    ) -> str:
        found = self.aws.add_instance(region, ident, protected=protected)
        found.status = "stopped" if stopped else found.status
        return found.arn

    def snapshot_quota(self, most: int) -> None:
        self.aws.snapshot_quota = most

    def autoscale(self, region: str, ident: str, low: int = 1, high: int = 4) -> None:
        self.aws.autoscale(region, ident, low, high)

    def retained_backup_quota(self, most: int) -> None:
        self.aws.retained_quota = most

    def custom_instance(self, region: str, ident: str) -> str:
        return self.aws.add_instance(region, ident, engine="custom-oracle-ee").arn

    def cluster_snapshot(self, region: str, cluster_id: str, name: str) -> None:
        assert f"{region}/{cluster_id}" in self.aws.clusters
        self.aws.add_snapshot(region, name, cluster=True)

    def instance_snapshot(self, region: str, instance_id: str, name: str) -> None:
        assert f"{region}/{instance_id}" in self.aws.instances
        self.aws.add_snapshot(region, name, cluster=False)

    def delete_outside(self, region: str, ident: str, *, cluster: bool = True) -> None:
        self.aws.delete_outside(region, ident)

    def deny(self, kind: StepKind, *, target: str, scp: bool = False) -> object:
        return self.aws.deny(kind, target=target, scp=scp)

    def allow(self, denial: object) -> None:
        self.aws.allow(denial)  # type: ignore[arg-type]

    def hold(self, kind: StepKind, *, target: str) -> Hold:
        return self.aws.hold(kind, target=target)

    def related(self, resource: RelatedResource) -> None:
        self.aws.related.append(resource)

    def refuse_listing(self, region: str, kind: RelatedKind) -> None:
        self.aws.unchecked.setdefault(region, []).append(
            f"could not check {RELATED_LISTING_LABELS[kind]} "
            "(AccessDenied: this caller may not list them)"
        )


@dataclass
class _HttpStatus:
    """The part of an HTTP response botocore reads from a ``before-call`` answer."""

    status_code: int


def _names(params: Any) -> set[str]:
    """The identifiers a query- or JSON-protocol request names (an ARN also by its last
    part)."""
    body = params.get("body") if isinstance(params, dict) else None
    if isinstance(body, (bytes, str)) and body[:1] in (b"{", "{"):  # a JSON-protocol request
        body = json.loads(body)
    values = [str(v) for v in (body or {}).values()] if isinstance(body, dict) else []
    return {*values, *(v.rsplit(":", 1)[-1] for v in values)}


class Boto3Arrange:
    """Plain boto3 calls on the sandbox, as enginekit's ``make_cluster`` makes them; denials and
    holds are ``before-call`` handlers on the gateway's own session, as the sandbox is."""

    disabled_region = "af-south-1"
    denied_region = "sa-east-1"

    def __init__(self, session: boto3.Session, gateway: Any, sandbox: Any) -> None:
        self.session = session
        self._clients: dict[tuple[str, str], Any] = {}
        self.gateway = gateway
        self.sandbox = sandbox
        self._ids = 0

    def _on_call(self, kind: StepKind, handler: Any) -> str:
        """Register ``handler`` for the call steps of ``kind`` make, on the gateway's session
        and on the clients it already made (a client copies the session's handlers once)."""
        self._ids += 1
        service, operation = STEP_ACTIONS[kind].split(":", 1)
        event = f"before-call.{service}.{operation}"
        unique = f"contract-{self._ids}"
        for events in [
            self.gateway.events,
            *(c.meta.events for c in self.gateway.transport.clients()),
        ]:
            events.register_first(event, handler, unique_id=unique)
        return f"{event} {unique}"

    def deny(self, kind: StepKind, *, target: str, scp: bool = False) -> object:
        action = STEP_ACTIONS[kind]
        why = "an explicit deny in a service control policy" if scp else "no identity-based policy"
        reply = (
            _HttpStatus(403),
            {
                "Error": {
                    "Code": "AccessDenied",
                    "Message": f"User: arn:aws:iam::123456789012:user/ops is not authorized to "
                    f"perform: {action} with {why}",
                },
                "ResponseMetadata": {"HTTPStatusCode": 403},
            },
        )

        def named(params: Any) -> bool:
            names = _names(params)
            if kind is StepKind.DELETE_NEW_MEMBERS:  # it names the cluster's members
                return any(n.startswith(f"{target}-") for n in names)
            if kind is StepKind.DEREGISTER_AUTOSCALING:  # the target is cluster:<id>
                return f"cluster:{target}" in names
            return target in names

        def refuse(params: Any, **_: Any) -> Any:
            return reply if named(params) else None

        return self._on_call(kind, refuse)

    def allow(self, denial: object) -> None:
        event, unique = str(denial).split(" ")
        for events in [
            self.gateway.events,
            *(c.meta.events for c in self.gateway.transport.clients()),
        ]:
            events.unregister(event, unique_id=unique)

    def hold(self, kind: StepKind, *, target: str) -> Hold:
        hold = Hold(kind, None, target)

        def wait(params: Any, **_: Any) -> None:
            if target in _names(params) and not hold.reached.is_set():
                hold.reached.set()
                hold.released.wait(10)

        self._on_call(kind, wait)
        return hold

    def client(self, service: str, region: str) -> Any:
        """One client per service and region (a client costs 3-15 ms to build)."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region)  # type: ignore[call-overload]
        return self._clients[key]

    def related(self, resource: RelatedResource) -> None:
        """Into the sandbox's store of related resources, in the API's form."""
        kind, body, arn = _api_form(self.sandbox.related, resource)
        guarded = [*resource.attached_to, *resource.green]
        if resource.kind is RelatedKind.CLUSTER_GROUP:
            guarded = []  # its members are in its body
        self.sandbox.related.add(
            kind, resource.region, resource.identifier, body, arn=arn, attached=guarded
        )

    def refuse_listing(self, region: str, kind: RelatedKind) -> None:
        operation = {k: op for k, op, _ in RELATED_LISTINGS}[kind]
        self.sandbox.related.listing_refusals[(region, operation)] = (
            "AccessDenied",
            f"User is not authorized to perform: rds:{operation}",
        )

    def role(self) -> None:
        self.client("iam", "us-east-1").create_role(
            RoleName=ROLE_NAME, Path=ROLE_PATH, AssumeRolePolicyDocument=json.dumps(TRUST)
        )

    def cluster(
        self,
        region: str,
        ident: str,
        *,
        readers: int = 0,
        protected: bool = False,
        stopped: bool = False,
        global_id: str | None = None,
        replica_of: str | None = None,
    ) -> str:
        rds = self.client("rds", region)
        kwargs: dict[str, Any] = {
            "DBClusterIdentifier": ident,
            "Engine": "aurora-mysql",
            "DeletionProtection": protected,
        }
        if global_id:
            known = rds.describe_global_clusters()["GlobalClusters"]
            if not any(g["GlobalClusterIdentifier"] == global_id for g in known):
                rds.create_global_cluster(GlobalClusterIdentifier=global_id, Engine="aurora-mysql")
            kwargs["GlobalClusterIdentifier"] = global_id
        else:
            kwargs.update(MasterUsername="admin", MasterUserPassword=PASSWORD)
        if replica_of:
            kwargs["ReplicationSourceIdentifier"] = replica_of
        arn = str(rds.create_db_cluster(**kwargs)["DBCluster"]["DBClusterArn"])
        names = [f"{ident}-w"] + [f"{ident}-r{n}" for n in range(1, readers + 1)]
        for name in names:
            rds.create_db_instance(
                DBInstanceIdentifier=name,
                DBClusterIdentifier=ident,
                Engine="aurora-mysql",
                DBInstanceClass="db.r6g.large",
            )
        rds.describe_db_clusters(DBClusterIdentifier=ident)  # moto: `creating` only once
        if stopped:
            rds.stop_db_cluster(DBClusterIdentifier=ident)
        return arn

    def snapshot_quota(self, most: int) -> None:
        self.sandbox.limits.snapshot_quota = most

    def autoscale(self, region: str, ident: str, low: int = 1, high: int = 4) -> None:
        self.client("application-autoscaling", region).register_scalable_target(
            ServiceNamespace="rds",
            ResourceId=f"cluster:{ident}",
            ScalableDimension="rds:cluster:ReadReplicaCount",
            MinCapacity=low,
            MaxCapacity=high,
        )

    def instance(
        self, region: str, ident: str, *, protected: bool = False, stopped: bool = False
    ) -> str:
        answer = self.client("rds", region).create_db_instance(
            DBInstanceIdentifier=ident,
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            DeletionProtection=protected,
        )
        if stopped:
            self.client("rds", region).stop_db_instance(DBInstanceIdentifier=ident)
        return str(answer["DBInstance"]["DBInstanceArn"])

    def retained_backup_quota(self, most: int) -> None:
        self.sandbox.limits.cluster_quota = self.sandbox.limits.instance_quota = most

    def custom_instance(self, region: str, ident: str) -> str:
        answer = self.client("rds", region).create_db_instance(
            DBInstanceIdentifier=ident,
            Engine="custom-oracle-ee",
            EngineVersion="19.c.ee.002",
            DBInstanceClass="db.m5.xlarge",
            AllocatedStorage=40,
            Port=1521,
            BackupRetentionPeriod=7,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
        )
        return str(answer["DBInstance"]["DBInstanceArn"])

    def cluster_snapshot(self, region: str, cluster_id: str, name: str) -> None:
        self.client("rds", region).create_db_cluster_snapshot(
            DBClusterIdentifier=cluster_id, DBClusterSnapshotIdentifier=name
        )

    def instance_snapshot(self, region: str, instance_id: str, name: str) -> None:
        self.client("rds", region).create_db_snapshot(
            DBInstanceIdentifier=instance_id, DBSnapshotIdentifier=name
        )

    def delete_outside(self, region: str, ident: str, *, cluster: bool = True) -> None:
        rds = self.client("rds", region)
        if not cluster:
            rds.modify_db_instance(DBInstanceIdentifier=ident, DeletionProtection=False)
            rds.describe_db_instances(DBInstanceIdentifier=ident)  # it is `modifying` until seen
            rds.delete_db_instance(DBInstanceIdentifier=ident, SkipFinalSnapshot=True)
            self._watch_it_go(rds)
            return
        found = rds.describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0]
        for member in found.get("DBClusterMembers", []):
            rds.delete_db_instance(
                DBInstanceIdentifier=member["DBInstanceIdentifier"], SkipFinalSnapshot=True
            )
        rds.modify_db_cluster(DBClusterIdentifier=ident, DeletionProtection=False)
        rds.describe_db_clusters(DBClusterIdentifier=ident)  # it is `modifying` until seen
        rds.delete_db_cluster(DBClusterIdentifier=ident, SkipFinalSnapshot=True)
        self._watch_it_go(rds)

    @staticmethod
    def _watch_it_go(rds: Any) -> None:
        """Whoever deleted it saw it `deleting`: at the sandbox's speed 0, that ends it."""
        rds.describe_db_clusters()
        rds.describe_db_instances()


def _api_form(store: Any, x: RelatedResource) -> tuple[str, dict[str, Any], str]:
    """(the sandbox's kind, the API item, its ARN) for a related resource."""
    r, ident = x.region, x.identifier
    on = x.attached_to[0] if x.attached_to else ""
    match x.kind:
        case RelatedKind.BLUE_GREEN:
            arn = store.arn(r, "deployment", ident)
            body: dict[str, Any] = {
                "BlueGreenDeploymentIdentifier": ident,
                "Source": store.arn(r, "db", on),
                "Target": store.arn(r, "db", x.green[0]),
                "Status": x.status or "AVAILABLE",
            }
            return "blue-green", body, arn
        case RelatedKind.SHARD_GROUP:
            arn = store.arn(r, "shard-group", f"shardgroup-{ident}")
            body = {
                "DBShardGroupIdentifier": ident,
                "DBClusterIdentifier": on,
                "DBShardGroupArn": arn,
                "Status": x.status or "available",
            }
            return "shard-group", body, arn
        case RelatedKind.INTEGRATION:
            arn = store.arn(r, "integration", ident)
            body = {
                "IntegrationArn": arn,
                "IntegrationName": x.name,
                "SourceArn": store.arn(r, "cluster", on),
                "Status": x.status or "active",
            }
            return "integration", body, arn
        case RelatedKind.PROXY:
            arn = store.arn(r, "db-proxy", f"prx-{ident}")
            body = {"DBProxyName": ident, "DBProxyArn": arn, "Status": x.status or "available"}
            return "proxy", body, arn
        case RelatedKind.CLUSTER_GROUP:
            arn = store.arn(r, "cluster-group", ident)
            body = {
                "DBClusterGroupIdentifier": ident,
                "DBClusterGroupArn": arn,
                "Status": x.status or "available",
                "DeletionProtection": x.deletion_protection,
                "DBClusterGroupMembers": [
                    {"DBClusterArn": store.arn(r, "cluster", c)} for c in x.attached_to
                ],
            }
            return "cluster-group", body, arn
        case RelatedKind.INSTANCE_BACKUP | RelatedKind.CLUSTER_BACKUP:
            cluster = x.kind is RelatedKind.CLUSTER_BACKUP
            arn = store.arn(r, "auto-backup", f"ab-{ident}")
            body = {
                "DBClusterIdentifier" if cluster else "DBInstanceIdentifier": ident,
                "DBClusterAutomatedBackupsArn" if cluster else "DBInstanceAutomatedBackupsArn": arn,
                "Status": "retained",
                "BackupRetentionPeriod": x.retention_days,
                "AllocatedStorage": x.storage_gib,
            }
            return ("cluster-backup" if cluster else "instance-backup"), body, arn


def new_session() -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(botocore_session=core, region_name="us-east-1")
