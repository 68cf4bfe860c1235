"""Tools for the engine suite: AWS faults injected where botocore meets the network, and seeding.

Faults are botocore event handlers on the gateway's own session (the way the demo sandbox works),
so the code under test runs unchanged: the gateway, its retries, its error translation, the
executor and the wizard all see what they would see from AWS.

- ``before-call.<service>`` handlers answer a call with ``(http, parsed)``: an error (AccessDenied,
  OptInRequired, a FAILED role deletion...) or a canned answer. botocore does not retry these.
- ``before-send.<service>`` handlers run under botocore's retry loop: they add latency, return an
  HTTP error body (Throttling, retried by the adaptive mode) or raise a network exception.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError

from slrwizard.domain.models import (
    ROLE_NAME,
    ROLE_PATH,
    Cluster,
    ClusterMember,
    Instance,
    RegionOutcome,
    RegionScan,
    RegionSource,
    ScanResult,
)
from slrwizard.domain.plan import DeletionPlan
from slrwizard.domain.wizard import Wizard

ACCOUNT = "123456789012"  # moto's default account
PASSWORD = "password123"  # a fake database in moto
SERVICES = ("rds", "iam", "sts", "ec2", "account")
TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)
MUTATING_RDS = frozenset(
    {
        "StartDBCluster",
        "RemoveFromGlobalCluster",
        "PromoteReadReplicaDBCluster",
        "ModifyDBCluster",
        "DeleteDBCluster",
        "ModifyDBInstance",
        "DeleteDBInstance",
        "DeleteGlobalCluster",
    }
)


class _Body:
    """The raw stream botocore reads an HTTP body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._body


def query_error(code: str, message: str) -> bytes:
    """An error body in the query protocol (RDS, IAM, STS)."""
    return (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>enginekit</RequestId></ErrorResponse>"
    ).encode()


@dataclass
class FakeHttp:
    """The part of an HTTP response botocore reads from a ``before-call`` answer."""

    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(code: str, message: str, status: int = 400) -> tuple[FakeHttp, dict[str, Any]]:
    """A ``before-call`` answer that makes botocore raise the modelled error ``code``."""
    return FakeHttp(status), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "enginekit"},
    }


def ok_reply(parsed: dict[str, Any]) -> tuple[FakeHttp, dict[str, Any]]:
    """A ``before-call`` answer that botocore returns as the call's result."""
    return FakeHttp(200), {
        **parsed,
        "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": "enginekit"},
    }


def access_denied(action: str, *, scp: bool = False) -> tuple[FakeHttp, dict[str, Any]]:
    """IAM's 403 for ``action``, worded as AWS words it."""
    why = (
        "with an explicit deny in a service control policy"
        if scp
        else "because no identity-based policy allows the " + action + " action"
    )
    return error_reply(
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/ops is not authorized to perform: {action} {why}",
        403,
    )


@dataclass
class Call:
    """One API call seen by the faults (after the gateway, before moto)."""

    service: str
    operation: str
    region: str
    params: dict[str, Any]
    at: float


@dataclass
class _Rule:
    """Answer (or act on) matching calls; ``times`` limits how often (None: always)."""

    service: str | None
    operation: str | None
    region: str | None
    action: Callable[..., Any]
    times: int | None = None
    when: Callable[[Call], bool] | None = None
    hits: int = 0

    def matches(self, call: Call) -> bool:
        return (
            (self.service is None or self.service == call.service)
            and (self.operation is None or self.operation == call.operation)
            and (self.region is None or self.region == call.region)
            and (self.times is None or self.hits < self.times)
            and (self.when is None or self.when(call))
        )


class Faults:
    """Faults, latency and canned answers for one gateway, plus a log of every call it made.

    The most recent matching rule answers (a later rule overrides an earlier one until its
    ``times`` run out).

    Handlers are registered ahead of any other (``register_first``), on the session and on the
    clients the gateway already made (clients copy the session's handlers when created).
    """

    def __init__(self, gateway: Any) -> None:
        self._lock = threading.Lock()
        self._call_rules: list[_Rule] = []
        self._send_rules: list[_Rule] = []
        self.calls: list[Call] = []
        # The session first (clients made from now on copy it), then the clients made so far;
        # unique ids make a client made in between harmless (registered once, not twice).
        emitters = [gateway.events, *(c.meta.events for c in gateway.transport.clients())]
        for events in emitters:
            for service in SERVICES:
                for event, handler in (
                    ("before-parameter-build", self._keep_params),
                    ("before-call", self._before_call),
                    ("before-send", self._before_send),
                ):
                    name = f"{event}.{service}"
                    events.register_first(name, handler, unique_id=f"enginekit-{id(self)}-{name}")

    # -- rules ----------------------------------------------------------------------------------
    def answer(
        self,
        operation: str,
        reply: Callable[[Call], Any],
        *,
        service: str | None = None,
        region: str | None = None,
        times: int | None = None,
        when: Callable[[Call], bool] | None = None,
    ) -> _Rule:
        """Answer matching calls with ``reply(call)`` (``(http, parsed)``, or None to pass)."""
        rule = _Rule(service, operation, region, reply, times, when)
        with self._lock:
            self._call_rules.append(rule)
        return rule

    def deny(self, operation: str, *, scp: bool = False, **match: Any) -> _Rule:
        """Refuse matching calls with AccessDenied naming their IAM action."""
        return self.answer(
            operation, lambda c: access_denied(f"{c.service}:{c.operation}", scp=scp), **match
        )

    def fail(
        self, operation: str, code: str, message: str = "", *, status: int = 400, **match: Any
    ) -> _Rule:
        """Refuse matching calls with error ``code``."""
        reply = error_reply(code, message or code, status)
        return self.answer(operation, lambda c: reply, **match)

    def on_send(
        self,
        action: Callable[[Call, Any], Any],
        *,
        service: str | None = None,
        operation: str | None = None,
        region: str | None = None,
        times: int | None = None,
    ) -> _Rule:
        """Run ``action(call, request)`` inside botocore's retry loop (None: send to moto)."""
        rule = _Rule(service, operation, region, action, times)  # action(call, request)
        with self._lock:
            self._send_rules.append(rule)
        return rule

    def delay(self, seconds: float, **match: Any) -> _Rule:
        """Network latency: sleep before each matching request."""

        def sleep(call: Call, request: Any) -> None:
            time.sleep(seconds)

        return self.on_send(sleep, **match)

    def throttle(self, times: int, **match: Any) -> _Rule:
        """Answer the first ``times`` matching requests with HTTP 400 ``Throttling``."""

        def throttled(call: Call, request: Any) -> AWSResponse:
            body = _Body(query_error("Throttling", "Rate exceeded"))
            return AWSResponse(request.url, 400, {}, body)

        return self.on_send(throttled, times=times, **match)

    def timeout(self, **match: Any) -> _Rule:
        """The endpoint never answers: every matching request times out."""

        def hang(call: Call, request: Any) -> None:
            raise ConnectTimeoutError(endpoint_url=request.url)

        return self.on_send(hang, **match)

    def remove(self, *rules: _Rule) -> None:
        with self._lock:
            for rule in rules:
                for rules_list in (self._call_rules, self._send_rules):
                    if rule in rules_list:
                        rules_list.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._call_rules.clear()
            self._send_rules.clear()

    # -- what happened --------------------------------------------------------------------------
    def operations(self, service: str | None = None) -> list[str]:
        with self._lock:
            return [c.operation for c in self.calls if service in (None, c.service)]

    def mutating_calls(self) -> list[Call]:
        """Every call that changes RDS or deletes the role."""
        with self._lock:
            return [
                c
                for c in self.calls
                if (c.service == "rds" and c.operation in MUTATING_RDS)
                or (c.service == "iam" and c.operation == "DeleteServiceLinkedRole")
            ]

    # -- botocore handlers ----------------------------------------------------------------------
    @staticmethod
    def _keep_params(params: Any, context: Any, **_: Any) -> None:
        context["enginekit.params"] = dict(params)

    def _before_call(self, context: Any, event_name: str, **_: Any) -> Any:
        _, service, operation = event_name.split(".", 2)
        call = Call(
            service,
            operation,
            str(context.get("client_region", "")),
            dict(context.get("enginekit.params", {})),
            time.monotonic(),
        )
        with self._lock:
            self.calls.append(call)
            rule = next((r for r in reversed(self._call_rules) if r.matches(call)), None)
            if rule is not None:
                rule.hits += 1
        return rule.action(call) if rule is not None else None

    def _before_send(self, request: Any, event_name: str, **_: Any) -> Any:
        _, service, operation = event_name.split(".", 2)
        host = urlparse(request.url).hostname or ""
        region = next((p for p in host.split(".") if p.count("-") >= 2), "")
        call = Call(service, operation, region, {}, time.monotonic())
        with self._lock:
            rule = next((r for r in reversed(self._send_rules) if r.matches(call)), None)
            if rule is not None:
                rule.hits += 1
        return rule.action(call, request) if rule is not None else None


# -- sessions ------------------------------------------------------------------------------------
_LOADER: Any = None
_OUTSIDE: boto3.Session | None = None


def new_session() -> boto3.Session:
    """A new boto3 session whose botocore loader is shared by the whole suite.

    Each session otherwise decodes the service models' JSON again (RDS and EC2 are megabytes:
    about half a second per test); the loader only reads files, so sharing it changes nothing
    else. Credentials and region still come from the environment, per session.
    """
    global _LOADER
    core = botocore.session.get_session()
    if _LOADER is None:
        _LOADER = core.get_component("data_loader")
    else:
        core.register_component("data_loader", _LOADER)
    session = boto3.Session(botocore_session=core, region_name="us-east-1")
    _LOADER.search_paths[:] = list(dict.fromkeys(_LOADER.search_paths))  # boto3 appends
    return session


# -- seeding (plain moto) ---------------------------------------------------------------------
def outside(service: str, region: str) -> Any:
    """A client that is not the wizard's: someone else acting on the account meanwhile."""
    global _OUTSIDE
    if _OUTSIDE is None:
        _OUTSIDE = new_session()
    return _OUTSIDE.client(service, region_name=region)  # type: ignore[call-overload]


def seed_role(region: str = "us-east-1") -> None:
    """AWSServiceRoleForRDS as AWS names it (moto's CreateServiceLinkedRole would not)."""
    outside("iam", region).create_role(
        RoleName=ROLE_NAME, Path=ROLE_PATH, AssumeRolePolicyDocument=TRUST
    )


def make_cluster(
    region: str,
    ident: str,
    *,
    engine: str = "aurora-mysql",
    readers: int = 0,
    writer: bool = True,
    protected: bool = False,
    stopped: bool = False,
    global_id: str | None = None,
    replica_of: str | None = None,
) -> str:
    """A cluster with its instances (``<ident>-w`` writer, ``<ident>-r<n>`` readers); its ARN."""
    rds = outside("rds", region)
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
    arn = str(rds.create_db_cluster(**kwargs)["DBCluster"]["DBClusterArn"])
    names = ([f"{ident}-w"] if writer else []) + [f"{ident}-r{n}" for n in range(1, readers + 1)]
    for name in names:
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBClusterIdentifier=ident,
            Engine=engine,
            DBInstanceClass="db.r6g.large",
        )
    if stopped:
        rds.stop_db_cluster(DBClusterIdentifier=ident)
    return arn


def make_instance(
    region: str,
    ident: str,
    *,
    engine: str = "postgres",
    protected: bool = False,
    replica_of: str | None = None,
) -> str:
    """A standalone instance (or a read replica of one); its ARN."""
    rds = outside("rds", region)
    if replica_of:
        answer = rds.create_db_instance_read_replica(
            DBInstanceIdentifier=ident, SourceDBInstanceIdentifier=replica_of
        )
    else:
        answer = rds.create_db_instance(
            DBInstanceIdentifier=ident,
            Engine=engine,
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="admin",
            MasterUserPassword=PASSWORD,
            DeletionProtection=protected,
        )
    return str(answer["DBInstance"]["DBInstanceArn"])


def delete_cluster_outside(region: str, ident: str) -> None:
    """Someone else deletes a cluster for good: members, protection, no final snapshot."""
    rds = outside("rds", region)
    cluster = rds.describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0]
    for member in cluster.get("DBClusterMembers", []):
        rds.delete_db_instance(
            DBInstanceIdentifier=member["DBInstanceIdentifier"], SkipFinalSnapshot=True
        )
    if cluster.get("DeletionProtection"):
        rds.modify_db_cluster(DBClusterIdentifier=ident, DeletionProtection=False)
    rds.delete_db_cluster(DBClusterIdentifier=ident, SkipFinalSnapshot=True)


def exists(region: str, ident: str, *, cluster: bool = True) -> bool:
    """Whether AWS (moto) still has the cluster or instance."""
    rds = outside("rds", region)
    try:
        if cluster:
            return bool(rds.describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"])
        return bool(rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"])
    except rds.exceptions.ClientError:
        return False


def role_exists() -> bool:
    try:
        outside("iam", "us-east-1").get_role(RoleName=ROLE_NAME)
    except Exception:
        return False
    return True


def role_failed_status(usage: list[tuple[str, list[str]]]) -> Callable[[Call], Any]:
    """A GetServiceLinkedRoleDeletionStatus answer: FAILED, with AWS's RoleUsageList."""

    def reply(call: Call) -> Any:
        return ok_reply(
            {
                "Status": "FAILED",
                "Reason": {
                    "Reason": "The role is still in use by RDS resources.",
                    "RoleUsageList": [
                        {"Region": region, "Resources": resources} for region, resources in usage
                    ],
                },
            }
        )

    return reply


def pending_task(call: Call) -> Any:
    """AWS's answer to DeleteServiceLinkedRole: a task id (moto would delete the role at once)."""
    return ok_reply(
        {"DeletionTaskId": f"task/aws-service-role/rds.amazonaws.com/{ROLE_NAME}/enginekit"}
    )


# -- domain objects, for the tests that need no AWS at all -------------------------------------
def cluster_model(ident: str = "c1", region: str = "eu-west-1", **fields: Any) -> Cluster:
    members = fields.pop("members", None)
    if members is None:
        members = [ClusterMember(identifier=f"{ident}-w", is_writer=True)]
    return Cluster(
        region=region,
        identifier=ident,
        arn=f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{ident}",
        engine=fields.pop("engine", "aurora-mysql"),
        status=fields.pop("status", "available"),
        members=members,
        **fields,
    )


def instance_model(ident: str = "i1", region: str = "eu-west-1", **fields: Any) -> Instance:
    return Instance(
        region=region,
        identifier=ident,
        arn=f"arn:aws:rds:{region}:{ACCOUNT}:db:{ident}",
        engine=fields.pop("engine", "postgres"),
        status=fields.pop("status", "available"),
        **fields,
    )


def scan_of(*resources: Cluster | Instance, regions: Iterable[str] = ()) -> ScanResult:
    """A complete scan that found exactly ``resources``."""
    names = sorted({*regions, *(r.region for r in resources)})
    now = datetime.now(timezone.utc)
    return ScanResult(
        regions=[
            RegionScan(
                region=name,
                outcome=RegionOutcome.SCANNED,
                clusters=[r for r in resources if isinstance(r, Cluster) and r.region == name],
                instances=[r for r in resources if isinstance(r, Instance) and r.region == name],
            )
            for name in names
        ],
        region_source=RegionSource.USER,
        started=now,
        finished=now,
    )


# -- walking the wizard -----------------------------------------------------------------------
def lifted(plan: DeletionPlan) -> DeletionPlan:
    """The plan with every 'lift protection' box ticked."""
    return plan.model_copy(
        update={
            "resources": [r.model_copy(update={"lift_protection": True}) for r in plan.resources]
        }
    )


def to_confirming(wz: Wizard) -> None:
    """Inspect, scan, adopt the default plan with protection lifted, and review it."""
    wz.inspect()
    wz.scan()
    assert wz.set_plan(lifted(wz.default_plan())) == []
    wz.review()
    assert wz.state == "confirming"


# -- the command line -------------------------------------------------------------------------
# Distinctive fake credentials: none of these may ever reach standard output or error.
KEY_ID = "AKIAENGINESUITEKEY42"
SECRET = "engine/Suite+Secret/MustNeverBePrinted0123"
TOKEN = "EngineSuiteSessionTokenMustNeverBePrinted"
SECRETS = (KEY_ID, SECRET, TOKEN)
REPO = Path(__file__).resolve().parents[2]


Run = Callable[..., tuple[int, str, str]]


def assert_clean(out: str, err: str) -> None:
    assert "Traceback" not in out + err
    for secret in (*SECRETS, "testing"):
        assert secret not in out, secret
        assert secret not in err, secret


def run_process(*argv: str, env: dict[str, str], cwd: Path | None = None) -> tuple[int, str, str]:
    """``python -m slrwizard ARGS`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-m", "slrwizard", *argv],
        env=env,
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert_clean(done.stdout, done.stderr)
    return done.returncode, done.stdout, done.stderr


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment with the distinctive credentials and no route to AWS."""
    config = tmp_path / "config"
    config.write_text("[profile other]\nregion = eu-west-1\n")
    # COLUMNS/LINES: a Textual test earlier in the same worker may have left them set.
    inherited = ("PYTHONPATH", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in inherited}
    env.update(
        AWS_ACCESS_KEY_ID=KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_SESSION_TOKEN=TOKEN,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        SLRWIZARD_STATE_DIR=str(tmp_path / "state"),
        **extra,
    )
    return env
