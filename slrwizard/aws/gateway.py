"""The boto3 implementation of :class:`slrwizard.domain.ports.Gateway`.

This package is the only place that imports boto3/botocore. Every call goes through
:meth:`Boto3Gateway._call` (or a paginator or waiter made by the same client), so it is retried by
botocore's ``adaptive`` mode, its IAM action is recorded (``slrwizard policy`` is tested against
that record) and its failure is translated into a typed domain error.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, DataNotFoundError, WaiterError
from botocore.loaders import Loader, instance_cache
from botocore.model import Shape
from botocore.parsers import ResponseParserFactory
from botocore.utils import parse_timestamp as botocore_parse_timestamp
from pydantic import BaseModel, ConfigDict

from slrwizard.aws.errors import CREATE_SLR_STATEMENT, REGION_DISABLED_CODES, error_code, translate
from slrwizard.aws.models import MODELS_DIR, SERVICES, endpoints_dir, file_digest
from slrwizard.aws.steps import StepRunner
from slrwizard.domain import errors as e
from slrwizard.domain.models import (
    ROLE_NAME,
    SERVICE_PRINCIPAL,
    AccessAdvisorEntry,
    Caller,
    RegionList,
    RegionOutcome,
    RegionScan,
    RegionSource,
    Role,
    RoleDeletionState,
    RoleDeletionStatus,
    RoleInspection,
    RoleUsage,
)
from slrwizard.domain.parse import cluster_from_api, instance_from_api
from slrwizard.domain.plan import PlanStep
from slrwizard.domain.ports import StepResult

_SERVICE_PREFIX = {"rds": "rds", "iam": "iam", "sts": "sts", "ec2": "ec2", "account": "account"}

_LISTINGS = (("DescribeDBClusters", "DBClusters"), ("DescribeDBInstances", "DBInstances"))
"""A region's scan: these two listings, every page."""

_EARLY_LISTINGS_FRESH_FOR = 30.0
"""Seconds for which listings started before the region list came back may stand in for a scan's
own (the wizard scans right after learning the regions; anything older is asked again)."""


class GatewaySettings(BaseModel):
    """Tuning of the AWS client: timeouts, retries, polling and concurrency."""

    model_config = ConfigDict(frozen=True)

    profile: str | None = None
    region: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 8
    """Total attempts per call, including the first (botocore 'adaptive' retry mode)."""
    poll_seconds: float = 15.0
    """Delay between polls of a deletion, a start or the role's deletion task."""
    wait_timeout: float = 3600.0
    """How long to wait for one resource to reach a state before giving up on it."""
    max_workers: int = 32
    """Connections per client (one client per service and region), for the concurrent calls of a
    plan's resources in that region."""
    demo: bool = False


def make_session(
    profile: str | None, region: str | None, *, trimmed_models: bool = True
) -> boto3.Session:
    """A boto3 session from the standard credential chain, errors explained.

    Its botocore data path starts with our trimmed models (:mod:`slrwizard.aws.models`), so its
    EC2, IAM and RDS clients know only the operations the gateway calls: the EC2 client, used for
    DescribeRegions alone, does not read EC2's 830 operations; and it knows only the gateway's
    services (:class:`GatewayLoader`). ``trimmed_models=False`` gives botocore's whole models
    and every service (the demo's sandbox seeds its account with other operations).
    """
    try:
        core = botocore.session.get_session()
        if trimmed_models:
            data_path = core.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
            extra = [
                str(Path(os.path.expandvars(path)).expanduser())
                for path in (data_path.split(os.pathsep) if data_path else [])
            ]
            core.register_component(
                "data_loader", GatewayLoader(SERVICES, [str(MODELS_DIR), *extra], ENDPOINTS)
            )
        parsers = FewParsersAtOnce(PARSERS_AT_ONCE)
        parsers.set_parser_defaults(timestamp_parser=parse_timestamp)
        core.register_component("response_parser_factory", parsers)
        return boto3.Session(botocore_session=core, profile_name=profile, region_name=region)
    except Exception as exc:  # ProfileNotFound and friends
        raise translate(exc, "configuration") from None


ENDPOINTS = endpoints_dir(file_digest(Path(Loader.BUILTIN_DATA_PATH) / "endpoints.json"))
"""The folder of our cut-down copy of the installed botocore's ``endpoints.json``, if we have
one for that very file."""


class GatewayLoader(Loader):
    """botocore's data loader, for the gateway's services only.

    Before a service's first client, botocore makes sure the service exists by listing every
    service it has data for, once for each kind of file it reads (model, endpoint rules,
    paginators, waiters): some 450 directories and 5,000 file checks, ~33 ms before the report's
    first request (benchmarks/scan.py). This loader looks for the gateway's services only, in the
    same places; any other is unknown to it (``UnknownServiceError``), as it is to the gateway.

    Given ``endpoints`` (a folder), it reads the ``endpoints.json`` there first: our copy of
    botocore's, cut down to those services (botocore's is 1.2 MB, ~20 ms to parse), cut from the
    installed botocore's very file (:func:`~slrwizard.aws.models.endpoints_dir`). botocore resolves
    endpoints differently from an endpoints file that is not its own (it hands the old
    resolver's answer to the endpoint rules), so that copy counts as botocore's:
    ``tests/engine/test_engine_models.py`` holds it to botocore's file.
    """

    def __init__(
        self, services: Sequence[str], search_paths: Sequence[str], endpoints: Path | None = None
    ) -> None:
        first = [str(endpoints)] if endpoints is not None else []
        super().__init__(extra_search_paths=[*first, *search_paths])
        self.services = tuple(services)
        self._endpoints = str(endpoints / "endpoints") if endpoints is not None else None

    @instance_cache
    def list_available_services(self, type_name: str) -> list[str]:
        return sorted(s for s in self.services if self._has(s, type_name))

    def _has(self, service: str, type_name: str) -> bool:
        try:
            return bool(self.list_api_versions(service, type_name))
        except DataNotFoundError:  # STS has no waiters, for one
            return False

    def is_builtin_path(self, path: str) -> bool:
        return bool(super().is_builtin_path(path)) or path == self._endpoints


PARSERS_AT_ONCE = 1
"""Answers parsed at the same time, across all of a session's clients (see FewParsersAtOnce)."""


class FewParsersAtOnce(ResponseParserFactory):
    """botocore's parser factory, whose parsers take turns: at most ``slots`` parse at once.

    Parsing an answer is pure Python under the interpreter lock, so two threads never parse faster
    than one; but forty scan threads each parsing a region's listing all queue for that lock, and
    so does the UI thread behind them. In a 20-region scan of 3,000 resources without a table, a
    keystroke waited 80-480 ms, 17-38 ms with one or two parsers at a time, and the scan took no
    longer (benchmarks/scale.py). A semaphore held only while parsing, with no I/O inside, cannot
    deadlock.
    """

    def __init__(self, slots: int) -> None:
        super().__init__()
        self._slots = threading.BoundedSemaphore(slots)

    def create_parser(self, protocol_name: str) -> Any:
        parser = super().create_parser(protocol_name)
        parse, slots = parser.parse, self._slots

        def take_turns(response: Mapping[str, Any], shape: Shape) -> Any:
            with slots:
                return parse(response, shape)

        setattr(parser, "parse", take_turns)  # noqa: B010 - this parser's, not the class's
        return parser


def parse_timestamp(value: Any) -> datetime:
    """AWS's ISO 8601 timestamps read with ``datetime.fromisoformat``, anything else by botocore.

    botocore's own parser goes through dateutil, a third of the CPU it spends reading a region's
    DescribeDBInstances answer (benchmarks/scale.py). Both give the same aware datetime.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] == "Z" else value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:  # a naive one is botocore's to interpret
                return parsed
    return botocore_parse_timestamp(value)


class Boto3Gateway:
    """Talks to AWS (or anything ``AWS_ENDPOINT_URL`` points at) through one boto3 session."""

    def __init__(self, settings: GatewaySettings, session: boto3.Session | None = None) -> None:
        self.settings = settings
        self.session = session or make_session(settings.profile, settings.region)
        self.home_region = self.session.region_name or settings.region or "us-east-1"
        self._config = Config(
            # total_max_attempts counts the first call; botocore's max_attempts would not.
            retries={"mode": "adaptive", "total_max_attempts": settings.max_attempts},
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            max_pool_connections=max(10, settings.max_workers),
            user_agent_extra="slrwizard",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        # Its own lock: recording an action must not wait for a client being built (3-15 ms).
        self._actions_lock = threading.Lock()
        self.actions_called: set[str] = set()
        # Listings started while the region list is being asked for (see list_regions).
        self._early: dict[tuple[str, str], Future[list[dict[str, Any]]]] = {}
        self._early_started = 0.0
        self._early_lock = threading.Lock()
        self._early_all: list[Future[list[dict[str, Any]]]] = []
        self._steps = StepRunner(self)

    # -- plumbing -------------------------------------------------------------------------------
    @property
    def events(self) -> Any:
        """The botocore event emitter of the session (the demo sandbox hooks in here)."""
        return self.session.events

    @property
    def poll_seconds(self) -> float:
        return self.settings.poll_seconds

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client; boto3 sessions are not thread-safe when creating clients."""
        key = (service, region or self.home_region)
        cached = self._clients.get(key)  # no lock: a scan must not queue behind a client build
        if cached is not None:
            return cached
        with self._lock:
            if key not in self._clients:
                try:
                    client = self.session.client(
                        service,  # type: ignore[call-overload]
                        region_name=key[1],
                        config=self._config,
                    )
                    if not any(s == service for s, _ in self._clients):
                        _load_models_once(client)
                except Exception as exc:
                    raise translate(exc, f"{service}:client", region=key[1]) from None
                self._clients[key] = client
            return self._clients[key]

    def _action(self, service: str, operation: str) -> str:
        action = f"{_SERVICE_PREFIX.get(service, service)}:{operation}"
        with self._actions_lock:
            self.actions_called.add(action)
        return action

    def call(
        self, service: str, operation: str, region: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """Call ``operation`` (CamelCase) and return its answer, or raise a WizardError."""
        client = self.client(service, region)
        action = self._action(service, operation)
        method = getattr(client, xform_name(operation))
        try:
            return dict(method(**params))
        except Exception as exc:
            raise translate(exc, action, region=region) from None

    def paginate(
        self, service: str, operation: str, key: str, region: str | None = None, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every item under ``key`` across all pages (botocore paginators)."""
        client = self.client(service, region)
        action = self._action(service, operation)
        paginator = client.get_paginator(xform_name(operation))
        try:
            for page in paginator.paginate(**params):
                yield from page.get(key, [])
        except Exception as exc:
            raise translate(exc, action, region=region) from None

    def wait(
        self,
        service: str,
        waiter_name: str,
        region: str,
        should_stop: Callable[[], bool] | None = None,
        **params: Any,
    ) -> None:
        """Wait with a botocore waiter, one attempt at a time so that a stop request is heard."""
        client = self.client(service, region)
        waiter = client.get_waiter(waiter_name)
        action = self._action(service, waiter.config.operation)
        deadline = time.monotonic() + self.settings.wait_timeout
        while True:
            try:
                waiter.wait(**params, WaiterConfig={"Delay": 0, "MaxAttempts": 1})
                return
            except WaiterError as exc:
                last = exc.last_response or {}
                if "Error" in last and "Max attempts" not in str(exc.kwargs.get("reason")):
                    if error_code(ClientError(last, waiter.config.operation)) in _THROTTLES:
                        pass  # botocore already retried; keep polling
                    else:
                        raise translate(
                            ClientError(last, waiter.config.operation), action, region=region
                        ) from None
                elif "terminal failure" in str(exc.kwargs.get("reason")):
                    raise e.InvalidStateError(
                        f"{action} in {region}: the resource reached a state that will never "
                        f"become what we wait for ({exc.kwargs.get('reason')}).",
                        code="WaiterFailure",
                    ) from None
            except Exception as exc:
                raise translate(exc, action, region=region) from None
            if time.monotonic() > deadline:
                raise e.UnreachableError(
                    f"Gave up waiting ({waiter_name}) in {region} after "
                    f"{self.settings.wait_timeout:.0f} s.",
                    code="WaitTimeout",
                )
            if _sleep_or_stop(self.poll_seconds, should_stop):
                raise e.GuardError("Stopped while waiting, at the operator's request.")

    # -- who and where --------------------------------------------------------------------------
    def caller(self) -> Caller:
        ident = self.call("sts", "GetCallerIdentity")
        return Caller(
            account=str(ident["Account"]),
            arn=str(ident["Arn"]),
            profile=self.settings.profile or os.environ.get("AWS_PROFILE"),
            home_region=self.home_region,
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
            demo=self.settings.demo,
        )

    def list_regions(self) -> RegionList:
        """Enabled regions, from the most to the least trustworthy source."""
        try:
            self.client("ec2")  # first: the early listings below keep the CPU busy for a while
            self._list_early()
            answer = self.call("ec2", "DescribeRegions")
            names = sorted(r["RegionName"] for r in answer.get("Regions", []))
            if names:
                return RegionList(regions=names, source=RegionSource.EC2)
            first_problem = "ec2:DescribeRegions answered no regions"
        except e.WizardError as exc:
            first_problem = exc.explanation
        try:
            names = sorted(
                r["RegionName"]
                for r in self.paginate(
                    "account",
                    "ListRegions",
                    "Regions",
                    RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"],
                )
            )
            if names:
                return RegionList(
                    regions=names,
                    source=RegionSource.ACCOUNT,
                    note=f"Used account:ListRegions because {first_problem}",
                )
        except e.WizardError as exc:
            first_problem += f"; {exc.explanation}"
        names = sorted(self.session.get_available_regions("rds"))
        return RegionList(
            regions=names,
            source=RegionSource.STATIC,
            note=(
                f"Used botocore's static region list because {first_problem}. It ignores opt-in: "
                "regions that are not enabled will show as skipped."
            ),
        )

    # -- the role -------------------------------------------------------------------------------
    def inspect_role(self) -> RoleInspection:
        try:
            raw = self.call("iam", "GetRole", RoleName=ROLE_NAME)["Role"]
        except e.NotFoundError:
            return RoleInspection(exists=False)
        # Access Advisor (two round trips or more) needs only the ARN: run it beside the policy
        # listing, not after it, so inspecting costs one round trip less (benchmarks/scan.py).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="advisor") as pool:
            advisor_f = pool.submit(self._access_advisor, str(raw["Arn"]))
            policies = [
                str(p["PolicyName"])
                for p in self.paginate(
                    "iam", "ListAttachedRolePolicies", "AttachedPolicies", RoleName=ROLE_NAME
                )
            ]
            advisor, note = advisor_f.result()
        last_used = raw.get("RoleLastUsed") or {}
        role = Role(
            name=str(raw["RoleName"]),
            arn=str(raw["Arn"]),
            path=str(raw.get("Path", "/")),
            role_id=str(raw.get("RoleId", "")),
            trust_principals=_trust_principals(raw.get("AssumeRolePolicyDocument")),
            attached_policies=policies,
            description=str(raw.get("Description", "")),
            created=raw.get("CreateDate"),
            last_used=last_used.get("LastUsedDate"),
            last_used_region=last_used.get("Region"),
            access_advisor=advisor,
            access_advisor_note=note,
        )
        return RoleInspection(exists=True, role=role)

    def _access_advisor(self, arn: str) -> tuple[list[AccessAdvisorEntry], str | None]:
        """Access Advisor is advisory: any failure becomes a note, never an error."""
        try:
            job = self.call("iam", "GenerateServiceLastAccessedDetails", Arn=arn)["JobId"]
            deadline = time.monotonic() + max(10.0, 2 * self.poll_seconds)
            delay = 0.25  # a job often completes within a second: poll soon, then back off
            while True:
                answer = self.call("iam", "GetServiceLastAccessedDetails", JobId=job)
                status = answer.get("JobStatus")
                if status == "COMPLETED":
                    break
                if status == "FAILED" or time.monotonic() > deadline:
                    return [], f"Access Advisor report {str(status).lower()}; see the IAM console."
                time.sleep(min(delay, self.poll_seconds))
                delay = min(1.0, 2 * delay)
        except e.WizardError as exc:
            return [], f"Access Advisor unavailable: {exc.explanation}"
        entries = [
            AccessAdvisorEntry(
                service_namespace=str(s.get("ServiceNamespace", "")),
                service_name=str(s.get("ServiceName", "")),
                last_authenticated=s.get("LastAuthenticated"),
                last_authenticated_region=s.get("LastAuthenticatedRegion"),
            )
            for s in answer.get("ServicesLastAccessed", [])
        ]
        # Most recent first, as the IAM console shows it; never-used services last.
        entries.sort(key=lambda a: a.last_authenticated.timestamp() if a.last_authenticated else 0)
        entries.reverse()
        return entries, "AWS updates Access Advisor with a delay of about four hours."

    def delete_role(self) -> str:
        return str(
            self.call("iam", "DeleteServiceLinkedRole", RoleName=ROLE_NAME)["DeletionTaskId"]
        )

    def role_deletion_status(self, task_id: str) -> RoleDeletionStatus:
        try:
            answer = self.call("iam", "GetServiceLinkedRoleDeletionStatus", DeletionTaskId=task_id)
        except e.NotFoundError:
            # AWS may forget the task once the role is gone: confirm with GetRole.
            if not self.inspect_role().exists:
                return RoleDeletionStatus(task_id=task_id, state=RoleDeletionState.SUCCEEDED)
            raise
        reason = answer.get("Reason") or {}
        return RoleDeletionStatus(
            task_id=task_id,
            state=RoleDeletionState(str(answer["Status"])),
            reason=reason.get("Reason"),
            usage=[
                RoleUsage(region=str(u.get("Region", "")), resources=list(u.get("Resources", [])))
                for u in reason.get("RoleUsageList", [])
            ],
        )

    def create_role(self) -> Role:
        try:
            self.call("iam", "CreateServiceLinkedRole", AWSServiceName=SERVICE_PRINCIPAL)
        except e.InvalidInputError as exc:
            if "taken" not in exc.explanation:
                raise
        inspection = self.inspect_role()
        if inspection.role is None:
            raise e.AwsError(
                "IAM accepted CreateServiceLinkedRole but the role is not visible yet.",
                hint="Wait a few seconds and inspect again. Policy needed:\n"
                + CREATE_SLR_STATEMENT,
            )
        return inspection.role

    # -- scanning -------------------------------------------------------------------------------
    def scan_regions(
        self,
        regions: Sequence[str],
        on_region: Callable[[RegionScan], None] | None = None,
    ) -> list[RegionScan]:
        """Scan all regions at once: every region's two listings are in flight together."""
        with self._early_lock:
            early, self._early = self._early, {}
            fresh = time.monotonic() - self._early_started <= _EARLY_LISTINGS_FRESH_FOR
        listings = {
            region: [
                (early.get((region, operation)) if fresh else None)
                or self._start_listing(region, operation, key)
                for operation, key in _LISTINGS
            ]
            for region in dict.fromkeys(regions)
        }
        # Listings started early in regions that are not to be scanned are left to finish; their
        # answers (often "not enabled") are never read. Every listing is in flight already (AWS
        # throttles per region, so all can go at once); one thread per region turns its two
        # answers into the domain's models as soon as both are in.
        with ThreadPoolExecutor(
            max_workers=max(1, len(listings)), thread_name_prefix="scan"
        ) as pool:
            futures = {
                region: pool.submit(self._scan_one, region, pair[0], pair[1], on_region)
                for region, pair in listings.items()
            }
            return [futures[region].result() for region in regions]

    def _list_early(self) -> None:
        """Start the scan's listings in every region botocore knows in this partition, now.

        Which regions are enabled is known only once ec2:DescribeRegions answers, one round trip
        later, and the scan needs another. Listing is read-only, so the scan's listings go out
        beside DescribeRegions and ``scan_regions`` takes those of the enabled regions: the scan
        costs one round trip instead of two (benchmarks/scan.py). A region that is not enabled
        costs one refused request that nobody reads.
        """
        try:
            partition = self.session.get_partition_for_region(self.home_region)
            known = self.session.get_available_regions("rds", partition_name=partition)
        except Exception:  # a home region botocore does not know: no head start
            return
        early: dict[tuple[str, str], Future[list[dict[str, Any]]]] = {
            (region, operation): Future() for region in known for operation, _ in _LISTINGS
        }
        with self._early_lock:
            self._early, self._early_started = early, time.monotonic()
            # Only those still running: a finished one holds a region's whole answer, and a
            # session lists regions again at every re-scan.
            self._early_all = [f for f in self._early_all if not f.done()] + list(early.values())

        def start_all() -> None:
            # One region after another: a client is built (3-15 ms of CPU, under the client
            # lock) and that region's listings leave at once. Seventy threads all building at
            # once would queue for the GIL and delay the calls that other steps wait for.
            for region in known:
                for operation, key in _LISTINGS:
                    self._start_listing(region, operation, key, early[(region, operation)])

        threading.Thread(target=start_all, name="early-listings", daemon=True).start()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait (at most ``timeout`` seconds) for early listings that no scan took to end.

        They are read-only and their answers are dropped; this is for a caller about to tear the
        endpoint down (the tests' moto) rather than let them run on in the background.
        """
        with self._early_lock:
            pending, self._early_all = self._early_all, []
        wait(pending, timeout=timeout)

    def _start_listing(
        self,
        region: str,
        operation: str,
        key: str,
        future: Future[list[dict[str, Any]]] | None = None,
    ) -> Future[list[dict[str, Any]]]:
        """Every item of one RDS listing in ``region``, on its own thread, into ``future``.

        A daemon thread rather than a pool's: a listing nobody will read (an early one in a region
        that is not enabled, or unreachable) must not hold the process open at exit.
        """
        future = future if future is not None else Future()
        try:
            self.client("rds", region)  # here, so that the thread starts with its request
        except e.WizardError as exc:
            future.set_exception(exc)
            return future

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(list(self.paginate("rds", operation, key, region)))
            except BaseException as exc:  # handed to whoever reads the future
                future.set_exception(exc)

        threading.Thread(target=run, name=f"list-{region}", daemon=True).start()
        return future

    def _scan_one(
        self,
        region: str,
        clusters_f: Future[list[dict[str, Any]]],
        instances_f: Future[list[dict[str, Any]]],
        on_region: Callable[[RegionScan], None] | None,
    ) -> RegionScan:
        started = time.monotonic()
        try:
            raw_clusters, raw_instances = clusters_f.result(), instances_f.result()
            primaries = self._global_writers(region, raw_clusters)
            status = {
                str(i["DBInstanceIdentifier"]): str(i["DBInstanceStatus"]) for i in raw_instances
            }
            clusters = [cluster_from_api(region, c, status, primaries) for c in raw_clusters]
            instances = [
                instance_from_api(region, i)
                for i in raw_instances
                if not i.get("DBClusterIdentifier")
            ]
            scan = RegionScan(
                region=region,
                outcome=RegionOutcome.SCANNED,
                clusters=sorted(clusters, key=lambda c: c.identifier),
                instances=sorted(instances, key=lambda i: i.identifier),
                seconds=time.monotonic() - started,
            )
        except e.WizardError as exc:
            scan = RegionScan(
                region=region,
                outcome=_outcome(exc),
                reason=exc.explanation,
                seconds=time.monotonic() - started,
            )
        if on_region is not None:
            on_region(scan)
        return scan

    def _global_writers(self, region: str, raw_clusters: list[dict[str, Any]]) -> set[str]:
        """ARNs of clusters that are the writer (primary) of their global database."""
        writers: set[str] = set()
        for gid in sorted(
            {c["GlobalClusterIdentifier"] for c in raw_clusters if c.get("GlobalClusterIdentifier")}
        ):
            for g in self.paginate(
                "rds",
                "DescribeGlobalClusters",
                "GlobalClusters",
                region,
                GlobalClusterIdentifier=gid,
            ):
                writers |= {
                    str(m["DBClusterArn"])
                    for m in g.get("GlobalClusterMembers", [])
                    if m.get("IsWriter")
                }
        return writers

    # -- deleting -------------------------------------------------------------------------------
    def run_step(self, step: PlanStep, should_stop: Callable[[], bool] | None = None) -> StepResult:
        return self._steps.run(step, should_stop)

    def snapshot_exists(self, region: str, name: str, cluster: bool) -> bool:
        return self._steps.snapshot_exists(region, name, cluster)


_THROTTLES = {"Throttling", "ThrottlingException", "RequestLimitExceeded"}


def _load_models_once(client: Any) -> None:
    """Load the service's paginator and waiter definitions now, on this one thread.

    botocore's loader caches what it has read, without a lock: when 70 threads paginated for the
    first time at once, each of them listed botocore's data directories and read the same file
    (~1 s of CPU in a 38-region scan, benchmarks/scan.py). Read once here, it is cached for every
    client of the service.
    """
    operations = list(client.meta.method_to_api_mapping)
    if operations:
        client.can_paginate(operations[0])
    client.waiter_names  # noqa: B018 - the property reads the waiter definitions


def _outcome(exc: e.WizardError) -> RegionOutcome:
    if isinstance(exc, e.RegionUnavailableError) or exc.code in REGION_DISABLED_CODES:
        return RegionOutcome.SKIPPED_DISABLED
    if isinstance(exc, e.AccessDeniedError):
        return RegionOutcome.DENIED
    return RegionOutcome.FAILED


def _sleep_or_stop(seconds: float, should_stop: Callable[[], bool] | None) -> bool:
    """Sleep in short slices; True if a stop was requested meanwhile."""
    end = time.monotonic() + seconds
    while True:
        if should_stop is not None and should_stop():
            return True
        left = end - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(0.2, left))


def _trust_principals(document: Any) -> list[str]:
    """Service principals of a trust policy (boto3 decodes it; a raw string is URL-encoded)."""
    if isinstance(document, str):
        document = json.loads(unquote(document))
    if not isinstance(document, dict):
        return []
    principals: list[str] = []
    for statement in document.get("Statement", []):
        service = (statement.get("Principal") or {}).get("Service", [])
        for name in [service] if isinstance(service, str) else service:
            if name not in principals:
                principals.append(str(name))
    return principals
