"""How each backend of the contract arranges its account (the tests observe only the port).

``fake``: :class:`fakes.FakeGateway`, arranged by writing its :class:`fakes.FakeAccount`.
``boto3``: the real :class:`Boto3Gateway` on the demo sandbox (moto plus the AWS behaviours moto
lacks: role deletion tasks that fail while resources remain, statuses that pass through
``deleting``), instant (``time_scale=0``), arranged through a plain boto3 client on the same
sandbox, the way someone else would change the account.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import boto3
import botocore.loaders
import botocore.session
from fakes import FakeAccount

from slrwizard.domain.models import ROLE_NAME, ROLE_PATH, SERVICE_PRINCIPAL

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

    def instance(self, region: str, ident: str, *, protected: bool = False) -> str: ...

    def cluster_snapshot(self, region: str, cluster_id: str, name: str) -> None: ...


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

    def instance(self, region: str, ident: str, *, protected: bool = False) -> str:
        return self.aws.add_instance(region, ident, protected=protected).arn

    def cluster_snapshot(self, region: str, cluster_id: str, name: str) -> None:
        assert f"{region}/{cluster_id}" in self.aws.clusters
        self.aws.add_snapshot(region, name, cluster=True)


class Boto3Arrange:
    """Plain boto3 calls on the sandbox, as enginekit's ``make_cluster`` makes them."""

    disabled_region = "af-south-1"
    denied_region = "sa-east-1"

    def __init__(self, session: boto3.Session) -> None:
        self.session = session

    def client(self, service: str, region: str) -> Any:
        return self.session.client(service, region_name=region)  # type: ignore[call-overload]

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

    def instance(self, region: str, ident: str, *, protected: bool = False) -> str:
        answer = self.client("rds", region).create_db_instance(
            DBInstanceIdentifier=ident,
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            DeletionProtection=protected,
        )
        return str(answer["DBInstance"]["DBInstanceArn"])

    def cluster_snapshot(self, region: str, cluster_id: str, name: str) -> None:
        self.client("rds", region).create_db_cluster_snapshot(
            DBClusterIdentifier=cluster_id, DBClusterSnapshotIdentifier=name
        )


def new_session() -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(botocore_session=core, region_name="us-east-1")
