"""The whole-account drill's scaffolding: a 6-region account on the strict sandbox, a wizard
process that can die at any mutating call, and AWS's own log of what it was asked to change.

Why the death is simulated in this process rather than by a real SIGKILL: the strict sandbox
(``slrwizard/sandbox``) is AWS here, and it lives in the process that runs the wizard (moto
in-process plus botocore handlers that keep its timed states). A real SIGKILL would kill AWS
with the wizard. So a :class:`Life` ends the way SIGKILL ends a process, as far as AWS and the
journal can tell: at the chosen call, before it leaves or once its answer arrived, the journal
stops taking records and every later call of that wizard's gateway, from any of its threads,
raises :class:`Killed` before it reaches AWS. What AWS was already doing (a deletion in
progress) goes on. The next wizard gets a new gateway on the same sandbox and the journal the
first one left. ``test_drill_kill_resume.py`` is the real-SIGKILL drill, on a moto server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings, make_session
from slrwizard.domain.models import ROLE_NAME, ROLE_PATH
from slrwizard.domain.plan import DeletionPlan
from slrwizard.domain.records import Record
from slrwizard.domain.resume import adapt_plan, verify_prior_snapshots
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.resume import find_unfinished
from slrwizard.journal.store import Journal
from slrwizard.sandbox import Sandbox

ACCOUNT = "210987654321"
REGIONS = ["ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"]
PASSWORD = "drill-password-1"  # a fake account in memory
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
MUTATING = {
    "DeleteDBInstance": "DBInstanceIdentifier",
    "DeleteDBCluster": "DBClusterIdentifier",
    "ModifyDBCluster": "DBClusterIdentifier",
    "ModifyDBInstance": "DBInstanceIdentifier",
    "StartDBCluster": "DBClusterIdentifier",
    "StartDBInstance": "DBInstanceIdentifier",
    "RemoveFromGlobalCluster": "DbClusterIdentifier",
    "PromoteReadReplicaDBCluster": "DBClusterIdentifier",
    "DeleteGlobalCluster": "GlobalClusterIdentifier",
    "DeleteServiceLinkedRole": "RoleName",
    "DeregisterScalableTarget": "ResourceId",
    "CreateDBSnapshot": "DBSnapshotIdentifier",
}
"""Every call of the plan that changes the account, and the parameter naming what it changes."""
SERVICES = ("rds", "iam", "sts", "ec2", "kms", "application-auto-scaling")
"""Every service the wizard calls (botocore's hyphenised service ids)."""


def new_session() -> Any:
    """A plain session, as the wizard makes it (its botocore loader is shared per process)."""
    return make_session(None, "us-east-1")


# -- the account ----------------------------------------------------------------------------------
@dataclass
class Expected:
    """What the account must look like after any number of deaths and resumes."""

    gone: set[str] = field(default_factory=set)
    """``region/identifier`` of every database the wizard can delete."""
    kept: dict[str, list[str]] = field(default_factory=dict)
    """``region/identifier`` of each database a pre-check must stop, with its instances: AWS
    would refuse its final snapshot, so it must keep every instance."""
    skipped_snapshots: set[str] = field(default_factory=set)
    """Databases deleted without a final snapshot, by the operator's explicit choice."""
    snapshot_names: dict[str, str] = field(default_factory=dict)
    """Final snapshot names the operator typed instead of the default."""
    deregister: set[str] = field(default_factory=set)
    """Clusters whose Aurora Auto Scaling target the operator ticks to deregister first."""


class DrillAccount:
    """Arranges the account through a plain boto3 session on the sandbox, as another tool would."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.session = new_session()
        sandbox.install(self.session.events)
        self.expected = Expected()
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        """One client per service and region (a client costs 3-15 ms to build)."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region)  # type: ignore[call-overload]
        return self._clients[key]

    def cluster(
        self,
        region: str,
        ident: str,
        *,
        readers: int = 0,
        writer: bool = True,
        protected: bool = False,
        stopped: bool = False,
        global_id: str | None = None,
        replica_of: str | None = None,
        kms_key: str | None = None,
        engine: str = "aurora-mysql",
    ) -> str:
        rds = self.client("rds", region)
        kwargs: dict[str, Any] = {
            "DBClusterIdentifier": ident,
            "Engine": engine,
            "DeletionProtection": protected,
        }
        if global_id:
            kwargs["GlobalClusterIdentifier"] = global_id
        else:
            kwargs.update(MasterUsername="admin", MasterUserPassword=PASSWORD)
        if replica_of:
            kwargs["ReplicationSourceIdentifier"] = replica_of
        if kms_key:
            kwargs.update(StorageEncrypted=True, KmsKeyId=kms_key)
        arn = str(rds.create_db_cluster(**kwargs)["DBCluster"]["DBClusterArn"])
        names = ([f"{ident}-w"] if writer else []) + [f"{ident}-r{n}" for n in range(readers)]
        for name in names:
            rds.create_db_instance(
                DBInstanceIdentifier=name,
                DBClusterIdentifier=ident,
                Engine=engine,
                DBInstanceClass="db.r6g.large",
            )
        rds.describe_db_clusters(DBClusterIdentifier=ident)  # moto: `creating` only once
        if stopped:
            rds.stop_db_cluster(DBClusterIdentifier=ident)
        self.expected.gone.add(f"{region}/{ident}")
        return arn

    def instance(
        self,
        region: str,
        ident: str,
        *,
        protected: bool = False,
        stopped: bool = False,
        engine: str = "postgres",
    ) -> None:
        rds = self.client("rds", region)
        rds.create_db_instance(
            # moto knows no default port or version for RDS Custom
            **(
                {"Port": 1521, "EngineVersion": "19.c.ee.002"}
                if engine.startswith("custom-")
                else {}
            ),
            DBInstanceIdentifier=ident,
            Engine=engine,
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            DeletionProtection=protected,
        )
        if stopped:
            rds.stop_db_instance(DBInstanceIdentifier=ident)
        self.expected.gone.add(f"{region}/{ident}")

    def autoscale(self, region: str, ident: str) -> None:
        """Aurora Auto Scaling keeps at least one reader: the sandbox adds one back."""
        self.client("application-autoscaling", region).register_scalable_target(
            ServiceNamespace="rds",
            ResourceId=f"cluster:{ident}",
            ScalableDimension="rds:cluster:ReadReplicaCount",
            MinCapacity=1,
            MaxCapacity=4,
        )

    def must_stop(self, region: str, ident: str) -> None:
        """A database whose pre-check fails: it keeps every instance it has now."""
        key = f"{region}/{ident}"
        self.expected.gone.discard(key)
        found = self.client("rds", region).describe_db_clusters(DBClusterIdentifier=ident)
        members = found["DBClusters"][0]["DBClusterMembers"]
        self.expected.kept[key] = sorted(m["DBInstanceIdentifier"] for m in members)

    def seed(self) -> Expected:
        """Twenty databases in six regions, with every kind the engine must order or refuse."""
        self.client("iam", "us-east-1").create_role(
            RoleName=ROLE_NAME, Path=ROLE_PATH, AssumeRolePolicyDocument=json.dumps(TRUST)
        )
        use1, euw1 = "us-east-1", "eu-west-1"
        # A global database: primary in us-east-1, secondary in eu-west-1.
        self.client("rds", use1).create_global_cluster(
            GlobalClusterIdentifier="drill-global", Engine="aurora-mysql"
        )
        self.cluster(use1, "global-primary", readers=1, global_id="drill-global")
        self.cluster(euw1, "global-secondary", global_id="drill-global")
        # A replica cluster (eu-west-1) of a source cluster in us-east-1: promoted first.
        source = self.cluster(use1, "ledger-source", readers=1)
        self.cluster(euw1, "ledger-replica", replica_of=source)
        self.cluster(use1, "orders", readers=2, protected=True)
        self.instance(use1, "solo-pg", protected=True)
        # A disabled KMS key: the final snapshot would be refused; the cluster must stop.
        kms = self.client("kms", use1)
        key = kms.create_key(Description="drill")["KeyMetadata"]
        self.cluster(use1, "vault", readers=1, kms_key=key["Arn"])
        kms.disable_key(KeyId=key["KeyId"])
        self.must_stop(use1, "vault")
        self.cluster(euw1, "billing")
        self.instance(euw1, "reports-pg")
        # A stopped cluster, a stopped protected instance, a Neptune cluster.
        euc1 = "eu-central-1"
        self.cluster(euc1, "analytics", readers=1, stopped=True)
        self.instance(euc1, "archive-pg", protected=True, stopped=True)
        self.cluster(euc1, "graph", engine="neptune")
        # A final snapshot name already taken in another case: AWS's names are case-blind.
        apse2 = "ap-southeast-2"
        self.cluster(apse2, "inventory", readers=1)
        self.cluster(apse2, "crm")
        self.client("rds", apse2).create_db_cluster_snapshot(
            DBClusterIdentifier="crm", DBClusterSnapshotIdentifier="INVENTORY-FINAL"
        )
        self.expected.snapshot_names[f"{apse2}/inventory"] = "inventory-final"
        self.must_stop(apse2, "inventory")
        self.instance(apse2, "crm-pg")
        usw2, cac1 = "us-west-2", "ca-central-1"
        self.cluster(usw2, "empty", writer=False)  # a cluster with no instance
        # Two autoscaled clusters: one whose target the operator deregisters first, one whose
        # re-added readers the deletion must still see through.
        self.cluster(usw2, "sessions", readers=1)
        self.autoscale(usw2, "sessions")
        self.expected.skipped_snapshots.add(f"{usw2}/sessions")
        self.cluster(cac1, "ca-orders", readers=1)
        self.autoscale(cac1, "ca-orders")
        self.expected.deregister.add(f"{cac1}/ca-orders")
        # RDS Custom: AWS deletes it only without a final snapshot; the wizard snapshots it first.
        self.instance(cac1, "ca-erp-custom", engine="custom-oracle-ee")
        self.instance(cac1, "ca-misc", protected=True)
        return self.expected

    def remaining(self) -> dict[str, list[str]]:
        """Every database left, with its instances (a cluster's) or [] (a standalone one)."""
        found: dict[str, list[str]] = {}
        for region in REGIONS:
            rds = self.client("rds", region)
            for c in rds.describe_db_clusters()["DBClusters"]:
                members = sorted(m["DBInstanceIdentifier"] for m in c["DBClusterMembers"])
                found[f"{region}/{c['DBClusterIdentifier']}"] = members
            for i in rds.describe_db_instances()["DBInstances"]:
                if not i.get("DBClusterIdentifier"):
                    found[f"{region}/{i['DBInstanceIdentifier']}"] = []
        return found


# -- AWS's log, and a life that can end -----------------------------------------------------------
@dataclass
class AwsLog:
    """Every mutating request AWS accepted, from whichever wizard: (operation, target). A request
    AWS refused changed nothing (a deletion retried while a start settles); one it accepted
    twice would be a change made twice."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self, operation: str, target: str) -> None:
        with self.lock:
            self.calls.append((operation, target))

    def repeated(self) -> list[tuple[str, str]]:
        return sorted({c for c in self.calls if self.calls.count(c) > 1})


class Killed(BaseException):
    """The wizard's process is dead: nothing of it runs on (a BaseException, as SIGKILL is
    nothing the wizard may catch and tidy up after)."""


class Life:
    """One wizard process, which dies at its ``at``-th mutating call (``before`` it leaves, or
    ``after`` AWS answered it), or lives to the end if ``at`` is 0."""

    def __init__(self, log: AwsLog, at: int = 0, when: str = "before") -> None:
        self.log, self.at, self.when = log, at, when
        self.count = 0
        self.dead = threading.Event()
        self.lock = threading.Lock()
        self.died_at: tuple[str, str] | None = None
        self.on_death: Callable[[], None] = lambda: None
        """Stops the rest of the process: its threads waiting on each other, which in a real
        death would not outlive it (a gate nobody will open)."""

    def install(self, events: Any) -> None:
        # First in line: the sandbox answers some calls in its own ``before-call.<service>``
        # handlers, and a dead process must not reach it (botocore calls the more specific
        # event's handlers first, and the ``register_first`` ones first among them).
        for service in SERVICES:
            events.register_first(f"before-call.{service}", self._before)
        events.register("after-call", self._after)

    def journal(self, append: Callable[[Record], None]) -> Callable[[Record], None]:
        """The journal as this process writes it: nothing once it is dead."""

        def write(record: Record) -> None:
            if not self.dead.is_set():
                append(record)

        return write

    def _before(
        self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if self.dead.is_set():
            raise Killed
        if model.name not in MUTATING:
            return
        with self.lock:
            self.count += 1
            fatal = self.count == self.at
        target = str(_param(params, MUTATING[model.name]))
        context["drill_target"] = target
        if fatal and self.when == "before":
            self._die(model.name, target)
        context["drill_fatal"] = fatal

    def _after(self, model: Any, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name in MUTATING and http_response.status_code < 300:
            self.log.accepted(model.name, context.get("drill_target", ""))
        if context.get("drill_fatal") and self.when == "after":
            self._die(model.name, context.get("drill_target", ""))

    def _die(self, operation: str, target: str) -> None:
        self.died_at = (operation, target)
        self.dead.set()
        self.on_death()
        raise Killed


def _param(params: dict[str, Any], name: str) -> Any:
    """A parameter of a query-protocol request, as ``before-call`` sees it (serialised)."""
    body = params.get("body")
    return body.get(name, "") if isinstance(body, dict) else ""


# -- a wizard process -----------------------------------------------------------------------------
def gateway_on(sandbox: Sandbox, life: Life) -> Boto3Gateway:
    settings = GatewaySettings(
        region="us-east-1",
        demo=False,
        poll_seconds=0.02,
        settle_seconds=0.02,
        max_attempts=3,
        wait_timeout=30,
    )
    gateway = Boto3Gateway(settings, new_session())
    sandbox.install(gateway.events)
    life.install(gateway.events)
    return gateway


def drill_plan(wizard: Wizard, expected: Expected) -> DeletionPlan:
    """The defaults, protection lifted everywhere, the one explicit snapshot skip."""
    plan = wizard.default_plan()
    resources = []
    for r in plan.resources:
        update: dict[str, Any] = {"lift_protection": True}
        if r.key in expected.skipped_snapshots:
            update.update(final_snapshot_id=None, skip_final_snapshot=True)
        if r.key in expected.deregister:
            update.update(deregister_autoscaling=True)
        if r.key in expected.snapshot_names:
            update.update(final_snapshot_id=expected.snapshot_names[r.key])
        resources.append(r.model_copy(update=update))
    return DeletionPlan(account=plan.account, resources=resources)


def walk(
    sandbox: Sandbox, journal_path: Path, expected: Expected, life: Life, *, resume: bool
) -> Wizard | None:
    """One operator session: fresh or resuming the journal's unfinished one, accepting every
    default, leaving what fails its pre-check, re-scanning, then deleting the role if the scan
    is clean. Returns the wizard, or None if the process died."""
    gateway = gateway_on(sandbox, life)
    journal = Journal(journal_path).open()
    wizard = Wizard(gateway, regions=REGIONS, listeners=[life.journal(journal.append)])
    life.on_death = wizard.stop
    try:
        prior = None
        if resume:
            prior = find_unfinished(journal_path, ACCOUNT)
            assert prior is not None, "the dead session is offered for resuming"
        wizard.start(resumed_from=prior.session_id if prior else None)
        wizard.inspect()
        scan = wizard.scan()
        if scan.resource_count:
            fresh = drill_plan(wizard, expected)
            plan = fresh
            if prior is not None and prior.plan is not None:
                plan = adapt_plan(prior.plan, scan).completed(fresh.resources)
            problems = wizard.set_plan(plan)
            assert not problems, problems
            wizard.review()
            wizard.confirm(ACCOUNT)
            wizard.delete_resources()
            if life.dead.is_set():
                raise Killed
            for key, progress in wizard.progress.items():
                if not progress.finished:
                    assert key in expected.kept, (key, progress.error)
                    wizard.skip(key)
        if prior is not None:
            verify_prior_snapshots(wizard, prior)
        if scan.resource_count:
            wizard.finish_deletions()
            wizard.rescan()
        else:
            wizard.skip_to_role()
        if wizard.scan_clean:
            wizard.delete_role(task_id=prior.role_task_id if prior else None)
        else:
            wizard.abort("databases remain that the wizard may not delete")
        return wizard
    except Killed:
        return None
    finally:
        gateway.settle()
