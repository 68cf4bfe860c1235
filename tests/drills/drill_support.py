"""Shared scaffolding of the fault drills: the account, headless walkthroughs, botocore hooks.

Used both by the drills (in the pytest process) and by ``child_run.py`` (a separate process that
the kill drills SIGKILL), so it imports nothing from pytest.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from botocore.awsrequest import AWSResponse

from slrwizard.domain.plan import DeletionPlan
from slrwizard.domain.resume import (
    PriorSession,
    adapt_plan,
    delete_emptied_global_databases,
    verify_prior_snapshots,
)
from slrwizard.domain.wizard import Wizard

REGIONS = ["eu-west-1", "us-east-1"]
ROLE_NAME = "AWSServiceRoleForRDS"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "rds.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)

# Every call that changes the account, and the parameter naming what it changes.
MUTATING: dict[str, str] = {
    "DeleteDBInstance": "DBInstanceIdentifier",
    "DeleteDBCluster": "DBClusterIdentifier",
    "ModifyDBCluster": "DBClusterIdentifier",
    "ModifyDBInstance": "DBInstanceIdentifier",
    "StartDBCluster": "DBClusterIdentifier",
    "RemoveFromGlobalCluster": "DbClusterIdentifier",
    "PromoteReadReplicaDBCluster": "DBClusterIdentifier",
    "DeleteGlobalCluster": "GlobalClusterIdentifier",
    "DeleteServiceLinkedRole": "RoleName",
    "CreateServiceLinkedRole": "AWSServiceName",
}

# The AWS call behind each mutating plan step.
STEP_OPS = {
    "delete-member": "DeleteDBInstance",
    "delete-instance": "DeleteDBInstance",
    "lift-cluster-protection": "ModifyDBCluster",
    "lift-instance-protection": "ModifyDBInstance",
    "delete-cluster": "DeleteDBCluster",
    "start-cluster": "StartDBCluster",
    "start-instance": "StartDBInstance",
    "snapshot-instance": "CreateDBSnapshot",
    "remove-from-global": "RemoveFromGlobalCluster",
    "promote-replica": "PromoteReadReplicaDBCluster",
    "delete-global-cluster": "DeleteGlobalCluster",
}
CONDITIONAL_STEPS = frozenset({"delete-new-members", "deregister-autoscaling"})
"""Mutating steps that call AWS only for what they find (a member that appeared, a scalable
target): none in the drill account."""

# The drill account's plan, call by call: (operation, target) of each mutating call.
PLAN_CALLS = [
    ("ModifyDBCluster", "orders"),  # deletion protection off: reversible, so first
    ("DeleteDBInstance", "orders-2"),  # the reader first
    ("DeleteDBInstance", "orders-1"),  # then the writer
    ("DeleteDBCluster", "orders"),  # final snapshot kept
    ("ModifyDBInstance", "solo"),  # deletion protection off
    ("DeleteDBInstance", "solo"),  # final snapshot kept
    ("DeleteDBCluster", "ledger"),  # no final snapshot, on purpose
    ("DeleteServiceLinkedRole", ROLE_NAME),
]


def seed(client: Callable[[str, str], Any]) -> None:
    """The drill account: the role; orders (2 members, protected) and solo (protected) in
    eu-west-1; ledger (no members) in us-east-1. ``client(service, region)`` makes clients."""
    client("iam", "us-east-1").create_role(
        RoleName=ROLE_NAME,
        Path="/aws-service-role/rds.amazonaws.com/",
        AssumeRolePolicyDocument=TRUST,
    )
    eu = client("rds", "eu-west-1")
    # Neptune: its members go one by one, a call each, for the drills to kill between. (An
    # Aurora cluster goes in one DeleteDBCluster with DeleteDBInstances, which the drills' plain
    # moto server does not know: tests/test_sandbox_atomic.py and the sandbox model it.)
    eu.create_db_cluster(
        DBClusterIdentifier="orders",
        Engine="neptune",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        DeletionProtection=True,
    )
    for name in ("orders-1", "orders-2"):
        eu.create_db_instance(
            DBInstanceIdentifier=name,
            DBClusterIdentifier="orders",
            Engine="neptune",
            DBInstanceClass="db.r6g.large",
        )
    eu.create_db_instance(
        DBInstanceIdentifier="solo",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-2",
        AllocatedStorage=20,
        DeletionProtection=True,
    )
    client("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-3",
    )


def drill_plan(wizard: Wizard) -> DeletionPlan:
    """The default plan, protection lifted everywhere, ledger without a final snapshot."""
    plan = wizard.default_plan()
    resources = []
    for r in plan.resources:
        update: dict[str, Any] = {"lift_protection": True}
        if r.identifier == "ledger":
            update.update(final_snapshot_id=None, skip_final_snapshot=True)
        resources.append(r.model_copy(update=update))
    return DeletionPlan(account=plan.account, resources=resources)


def confirm_plan(wizard: Wizard, plan: DeletionPlan) -> None:
    problems = wizard.set_plan(plan)
    assert not problems, problems
    wizard.review()
    wizard.confirm(wizard.account)


def run_fresh(wizard: Wizard) -> None:
    """A whole walkthrough, as an operator who accepts every default would do it."""
    wizard.inspect()
    wizard.scan()
    confirm_plan(wizard, drill_plan(wizard))
    assert wizard.delete_resources(), {k: p.error for k, p in wizard.progress.items()}
    wizard.finish_deletions()
    wizard.rescan()
    wizard.delete_role()


def run_resume(wizard: Wizard, prior: PriorSession) -> None:
    """The resume walkthrough of slrwizard.domain.resume, on the Wizard's public API."""
    if not wizard.inspect().exists:
        verify_prior_snapshots(wizard, prior)
        delete_emptied_global_databases(wizard, prior)
        wizard.finish_without_role()
        return
    scan = wizard.scan()
    if scan.resource_count == 0:
        verify_prior_snapshots(wizard, prior)
        delete_emptied_global_databases(wizard, prior)
        wizard.skip_to_role()
    else:
        fresh = drill_plan(wizard)  # the operator's choices, for what the prior plan lacks
        if prior.plan is None:
            plan = fresh
        else:
            plan = adapt_plan(prior.plan, scan).completed(fresh.resources)
        confirm_plan(wizard, plan)
        assert wizard.delete_resources(), {k: p.error for k, p in wizard.progress.items()}
        verify_prior_snapshots(wizard, prior)
        delete_emptied_global_databases(wizard, prior)
        wizard.finish_deletions()
        wizard.rescan()
    wizard.delete_role(task_id=prior.role_task_id)


def brisk(gateway: Any, poll_seconds: float = 0.05) -> None:
    """Poll the moto server briskly: it changes things at once, and AWS's pauses (a first poll
    after 2 s, then every 15 s) would make each wait of a drill cost seconds."""
    gateway.settings = gateway.settings.model_copy(
        update={"poll_seconds": poll_seconds, "settle_seconds": poll_seconds}
    )


# -- hooks ----------------------------------------------------------------------------------------
def _target(operation: str, params: dict[str, Any]) -> str:
    return str(params.get(MUTATING.get(operation, ""), ""))


class CallLog:
    """Appends every mutating call that got an answer to a file (one JSON line each)."""

    def __init__(self, path: Path, tag: str) -> None:
        self.path, self.tag = path, tag
        self._lock = threading.Lock()

    def install(self, events: Any) -> None:
        events.register("before-parameter-build", self._remember)
        events.register("after-call", self._after)

    @staticmethod
    def _remember(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name in MUTATING:
            context["drill_target"] = _target(model.name, params)

    def _after(self, model: Any, context: dict[str, Any], http_response: Any, **_: Any) -> None:
        if model.name in MUTATING:
            line = {
                "by": self.tag,
                "op": model.name,
                "target": context.get("drill_target", ""),
                "status": http_response.status_code,
            }
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line) + "\n")


class SelfKill:
    """SIGKILLs this process right before or right after the call ``operation`` on ``target``."""

    def __init__(self, operation: str, target: str, when: str) -> None:
        self.operation, self.target, self.when = operation, target, when

    def install(self, events: Any) -> None:
        events.register("before-parameter-build", self._before)
        events.register("after-call", self._after)

    def _hit(self, model: Any, target: str) -> bool:
        return model.name == self.operation and target == self.target

    def _before(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        hit = self._hit(model, _target(model.name, params))
        context["drill_kill"] = hit
        if hit and self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        if context.get("drill_kill") and self.when == "after":
            os.kill(os.getpid(), signal.SIGKILL)


# -- child processes ------------------------------------------------------------------------------
CHILD = Path(__file__).with_name("child_run.py")


def start_child(endpoint: str, *args: str) -> subprocess.Popen[str]:
    """Start ``child_run.py`` against the moto server at ``endpoint``."""
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        env=dict(os.environ, AWS_ENDPOINT_URL=endpoint),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_child(endpoint: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``child_run.py`` to its end (or its death) and return what it said."""
    child = start_child(endpoint, *args)
    out, err = child.communicate(timeout=timeout)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def read_calls(path: Path) -> list[dict[str, Any]]:
    """The mutating calls the children logged (see :class:`CallLog`)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- faults ---------------------------------------------------------------------------------------
class _Raw(io.BytesIO):
    """What botocore reads an HTTP body from (``stream()``), for hand-made responses."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def aws_error(event_name: str, status: int, code: str, message: str) -> AWSResponse:
    """An error answer as the service would send it (EC2 has its own XML shape)."""
    service = event_name.split(".")[1] if "." in event_name else ""
    if service == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
            "</Errors><RequestID>drill</RequestID></Response>"
        )
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>drill</RequestId></ErrorResponse>"
        )
    return AWSResponse("https://drill.invalid", status, {}, _Raw(body.encode()))


def request_params(request: Any) -> dict[str, str]:
    """The form parameters of a query-protocol request (Action, identifiers...)."""
    body = request.body or b""
    text = body.decode() if isinstance(body, bytes) else str(body)
    return {k: v[0] for k, v in parse_qs(text).items()}


def request_region(request: Any) -> str:
    """The region a request is signed for (every service shares one moto endpoint)."""
    auth = request.headers.get("Authorization", b"")
    text = auth.decode() if isinstance(auth, bytes) else str(auth)
    match = re.search(r"Credential=[^/]+/\d+/([^/]+)/", text)
    return match.group(1) if match else ""
