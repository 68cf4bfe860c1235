"""The boto3 gateway against moto, with faults injected at botocore's boundary."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from enginekit import (
    ACCOUNT,
    Call,
    Faults,
    make_cluster,
    make_instance,
    new_session,
    ok_reply,
    outside,
    seed_role,
)
from moto import mock_aws

from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
from slrwizard.aws.related import RELATED_LISTINGS
from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome, RegionSource
from slrwizard.domain.plan import PlanStep, StepKind

K = StepKind
JOB = "01234567-89ab-cdef-0123-456789abcdef"  # an Access Advisor job id (36 characters)


# -- who and where ----------------------------------------------------------------------------
def test_caller_identifies_the_account_and_holds_no_secret(gw: Boto3Gateway) -> None:
    caller = gw.caller()
    assert caller.account == ACCOUNT
    assert caller.arn.startswith(f"arn:aws:sts::{ACCOUNT}:")
    assert caller.home_region == "us-east-1"
    assert caller.demo is False
    dumped = caller.model_dump_json()
    assert "testing" not in dumped  # the conftest's fake key and secret
    assert gw.actions_called == {"sts:GetCallerIdentity"}


def test_the_role_absent_is_an_answer_not_an_error(gw: Boto3Gateway) -> None:
    assert gw.inspect_role().exists is False


def test_the_role_present_is_described(gw: Boto3Gateway, faults: Faults) -> None:
    seed_role()
    faults.answer("GenerateServiceLastAccessedDetails", lambda c: ok_reply({"JobId": JOB}))
    used = time.time() - 3600
    faults.answer(
        "GetServiceLastAccessedDetails",
        lambda c: ok_reply(
            {
                "JobStatus": "COMPLETED",
                "JobCreationDate": time.time(),
                "JobCompletionDate": time.time(),
                "ServicesLastAccessed": [
                    {"ServiceName": "Amazon EC2", "ServiceNamespace": "ec2"},
                    {
                        "ServiceName": "Amazon RDS",
                        "ServiceNamespace": "rds",
                        "LastAuthenticated": used,
                        "LastAuthenticatedRegion": "eu-west-1",
                    },
                ],
            }
        ),
    )
    faults.answer(
        "GetServiceLastAccessedDetails", lambda c: ok_reply({"JobStatus": "IN_PROGRESS"}), times=1
    )
    inspection = gw.inspect_role()
    role = inspection.role
    assert inspection.exists and role is not None
    assert role.name == "AWSServiceRoleForRDS"
    assert role.path == "/aws-service-role/rds.amazonaws.com/"
    assert role.trust_principals == ["rds.amazonaws.com"]
    rds = next(a for a in role.access_advisor if a.service_namespace == "rds")
    assert rds.last_authenticated_region == "eu-west-1"
    assert role.access_advisor[0].service_namespace == "rds"  # used services before unused
    assert role.access_advisor_note is not None
    assert "four hours" in role.access_advisor_note


@pytest.mark.parametrize(
    "operation", ["GenerateServiceLastAccessedDetails", "GetServiceLastAccessedDetails"]
)
def test_access_advisor_denied_is_a_note_never_an_error(
    gw: Boto3Gateway, faults: Faults, operation: str
) -> None:
    seed_role()
    faults.answer("GenerateServiceLastAccessedDetails", lambda c: ok_reply({"JobId": JOB}))
    faults.deny(operation)
    role = gw.inspect_role().role
    assert role is not None
    assert role.access_advisor == []
    assert role.access_advisor_note is not None
    assert f"iam:{operation}" in role.access_advisor_note


def test_regions_come_from_ec2_first(gw: Boto3Gateway, faults: Faults) -> None:
    regions = gw.list_regions()
    assert regions.source is RegionSource.EC2
    assert regions.note is None
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(regions.regions)
    assert regions.regions == sorted(regions.regions)
    assert [c.operation for c in faults.calls if c.service != "rds"] == ["DescribeRegions"]


def test_the_scan_listings_leave_beside_describe_regions(gw: Boto3Gateway, faults: Faults) -> None:
    """Listing is read-only, so the scan does not wait a round trip for the region list."""
    make_cluster("eu-west-1", "orders")
    listing_left = threading.Event()
    listing_left_first: list[bool] = []

    def hold_the_answer(call: Call, request: Any) -> None:
        # AWS answers DescribeRegions only once eu-west-1's listing has left (or gives up after
        # 10 s): a gateway that waits for the region list before listing fails here.
        listing_left_first.append(listing_left.wait(10))

    faults.on_send(hold_the_answer, operation="DescribeRegions")
    faults.on_send(lambda call, request: listing_left.set(),
                   operation="DescribeDBClusters", region="eu-west-1")  # fmt: skip
    regions = gw.list_regions()
    scans = {s.region: s for s in gw.scan_regions(regions.regions)}
    assert listing_left_first == [True]
    early = [c for c in faults.calls if c.service == "rds" and c.region == "eu-west-1"]
    related = [operation for _, operation, _ in RELATED_LISTINGS]
    assert sorted(c.operation for c in early) == sorted(
        ["DescribeDBClusters", "DescribeDBInstances", *related]
    ), "each region is listed once: the early listings are the scan's"
    assert [c.identifier for c in scans["eu-west-1"].clusters] == ["orders"]
    assert set(scans) == set(regions.regions)


def test_a_region_botocore_does_not_know_is_scanned_after_the_list(
    gw: Boto3Gateway, faults: Faults
) -> None:
    faults.answer(
        "DescribeRegions",
        lambda c: ok_reply({"Regions": [{"RegionName": "eu-west-1"}, {"RegionName": "xx-new-1"}]}),
    )
    make_cluster("eu-west-1", "orders")
    regions = gw.list_regions()
    assert regions.regions == ["eu-west-1", "xx-new-1"]
    scans = gw.scan_regions(regions.regions)
    assert [s.region for s in scans] == ["eu-west-1", "xx-new-1"]
    assert scans[0].clusters[0].identifier == "orders"
    listed = [c.region for c in faults.calls if c.operation == "DescribeDBClusters"]
    assert listed.count("eu-west-1") == 1
    assert listed.count("xx-new-1") == 1  # not known in advance, so listed once the list came


def test_early_listings_serve_one_scan_only_and_only_while_fresh(
    gw: Boto3Gateway, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cluster("eu-west-1", "orders")
    gw.list_regions()
    gw.scan_regions(["eu-west-1"])
    make_cluster("eu-west-1", "late")
    rescan = gw.scan_regions(["eu-west-1"])  # a re-scan asks AWS again
    assert [c.identifier for c in rescan[0].clusters] == ["late", "orders"]

    gw.list_regions()
    make_cluster("eu-west-1", "later")
    monkeypatch.setattr("slrwizard.aws.scan.EARLY_LISTINGS_FRESH_FOR", 0.0)
    stale = gw.scan_regions(["eu-west-1"])  # the early answers are too old to stand in
    assert [c.identifier for c in stale[0].clusters] == ["late", "later", "orders"]

    def listings() -> int:
        return [c.region for c in list(faults.calls) if c.operation == "DescribeDBClusters"].count(
            "eu-west-1"
        )

    deadline = time.monotonic() + 10  # early listings nobody reads may still be on their way
    while listings() < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listings() == 4  # early, re-scan, early again, the stale one asked again


def test_settle_waits_for_the_early_listings_nobody_read(gw: Boto3Gateway, faults: Faults) -> None:
    """A caller about to tear the endpoint down first lets the unread listings end."""
    answered: list[str] = []
    gw.events.register(
        "after-call.rds.DescribeDBClusters", lambda **kwargs: answered.append("answer")
    )
    faults.on_send(lambda call, request: time.sleep(0.1), operation="DescribeDBClusters")
    # DescribeRegions slow enough for the early listings to leave before it answers, even with
    # other tests on every core (they start while it is in flight, and only then).
    faults.on_send(lambda call, request: time.sleep(1.0), operation="DescribeRegions")
    gw.list_regions()
    gw.settle()
    sent = [c.region for c in list(faults.calls) if c.operation == "DescribeDBClusters"]
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(sent)  # listed early...
    assert len(answered) == len(sent)  # ...and every listing had its answer before settle ended


def test_regions_fall_back_to_account_list_regions_when_ec2_is_denied(
    gw: Boto3Gateway, faults: Faults
) -> None:
    faults.fail("DescribeRegions", "UnauthorizedOperation", "You are not authorized.")
    faults.answer(
        "ListRegions",
        lambda c: ok_reply(
            {
                "Regions": [
                    {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
                    {"RegionName": "eu-south-1", "RegionOptStatus": "ENABLED"},
                ]
            }
        ),
    )
    regions = gw.list_regions()
    assert regions.source is RegionSource.ACCOUNT
    assert regions.regions == ["eu-south-1", "us-east-1"]
    assert regions.note is not None
    assert "account:ListRegions" in regions.note
    assert "ec2:DescribeRegions" in regions.note
    asked = next(c for c in faults.calls if c.operation == "ListRegions")
    assert set(asked.params["RegionOptStatusContains"]) == {"ENABLED", "ENABLED_BY_DEFAULT"}


def test_regions_fall_back_to_the_static_list_and_say_so(gw: Boto3Gateway, faults: Faults) -> None:
    faults.fail("DescribeRegions", "UnauthorizedOperation", "You are not authorized.")
    faults.deny("ListRegions")
    regions = gw.list_regions()
    assert regions.source is RegionSource.STATIC
    assert "us-east-1" in regions.regions
    assert regions.note is not None
    assert "static region list" in regions.note
    assert "ec2:DescribeRegions" in regions.note
    assert "account:ListRegions" in regions.note
    assert "opt-in" in regions.note


# -- scanning ---------------------------------------------------------------------------------
def test_the_scan_finds_clusters_members_and_standalone_instances(gw: Boto3Gateway) -> None:
    make_cluster("eu-west-1", "orders", readers=2, protected=True)
    make_cluster("eu-west-1", "graph", engine="neptune")
    make_instance("eu-west-1", "solo", protected=True)
    make_instance("eu-west-1", "solo-rr", replica_of="solo")
    (scan,) = gw.scan_regions(["eu-west-1"])
    assert scan.outcome is RegionOutcome.SCANNED
    assert [c.identifier for c in scan.clusters] == ["graph", "orders"]
    orders = scan.clusters[1]
    assert orders.deletion_protection
    assert [(m.identifier, m.is_writer) for m in orders.members] == [
        ("orders-w", True),
        ("orders-r1", False),
        ("orders-r2", False),
    ]
    assert scan.clusters[0].engine_label == "Neptune"
    # members are not standalone instances; the replica knows its source
    assert [(i.identifier, i.read_replica_source) for i in scan.instances] == [
        ("solo", None),
        ("solo-rr", "solo"),
    ]


def test_regions_are_scanned_concurrently(gw: Boto3Gateway, faults: Faults) -> None:
    regions = ["ap-south-1", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1",
               "eu-west-2", "eu-west-3", "sa-east-1", "us-east-2", "us-west-2"]  # fmt: skip
    gw.scan_regions(regions[:1])  # warm up: the first client is slow to make
    latency = 0.2
    lock = threading.Lock()
    in_flight = peak = 0

    def slow_network(call: Any, request: Any) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(latency)
        with lock:
            in_flight -= 1

    faults.on_send(slow_network, service="rds")
    started = time.monotonic()
    scans = gw.scan_regions(regions)
    elapsed = time.monotonic() - started
    assert [s.region for s in scans] == regions
    assert all(s.outcome is RegionOutcome.SCANNED for s in scans)
    # The listings are in flight together (three threads per region), whatever the load...
    assert peak >= len(regions), f"at most {peak} listings in flight at once"
    # ...so the scan takes nowhere near one round trip after another (2 x 10 x 0.2 s for the
    # clusters and instances alone; each thread has at most four listings to make).
    serial = 2 * len(regions) * latency
    assert elapsed < serial / 2, f"{elapsed:.2f}s for {len(regions)} regions is not concurrent"


DISABLED = {
    "af-south-1": "OptInRequired",
    "ap-east-1": "InvalidClientTokenId",
    "me-south-1": "AuthFailure",
    "il-central-1": "UnrecognizedClientException",
}


def test_disabled_regions_are_skipped_with_a_reason(gw: Boto3Gateway, faults: Faults) -> None:
    make_cluster("eu-west-1", "orders")
    for region, code in DISABLED.items():
        for operation in ("DescribeDBClusters", "DescribeDBInstances"):
            faults.fail(operation, code, "The security token included is invalid.", region=region)
    scans = {s.region: s for s in gw.scan_regions([*DISABLED, "eu-west-1"])}
    for region in DISABLED:
        skipped = scans[region]
        assert skipped.outcome is RegionOutcome.SKIPPED_DISABLED, region
        assert skipped.reason is not None
        assert region in skipped.reason
        assert "not enabled" in skipped.reason
    assert scans["eu-west-1"].outcome is RegionOutcome.SCANNED
    assert [c.identifier for c in scans["eu-west-1"].clusters] == ["orders"]


@pytest.mark.parametrize(
    ("operation", "scp"),
    [
        ("DescribeDBClusters", True),
        ("DescribeDBInstances", False),
        ("DescribeGlobalClusters", False),
    ],
)
def test_a_denied_region_is_reported_denied(
    gw: Boto3Gateway, faults: Faults, operation: str, scp: bool
) -> None:
    outside("rds", "us-east-1").create_global_cluster(
        GlobalClusterIdentifier="g", Engine="aurora-mysql"
    )
    make_cluster("sa-east-1", "member", global_id="g")
    faults.deny(operation, region="sa-east-1", scp=scp)
    scans = {s.region: s for s in gw.scan_regions(["sa-east-1", "eu-west-1"])}
    denied = scans["sa-east-1"]
    assert denied.outcome is RegionOutcome.DENIED
    assert denied.reason is not None
    assert f"rds:{operation}" in denied.reason
    assert ("service control policy" in denied.reason) is scp
    assert denied.clusters == []
    assert scans["eu-west-1"].outcome is RegionOutcome.SCANNED


@pytest.mark.parametrize(
    "error",
    [
        lambda request: ReadTimeoutError(endpoint_url=request.url),
        None,  # ConnectTimeoutError
    ],
    ids=["read-timeout", "connect-timeout"],
)
def test_a_region_that_times_out_fails_without_stopping_the_scan(
    gw: Boto3Gateway, faults: Faults, error: Callable[[Any], Exception] | None
) -> None:
    if error is None:
        rule = faults.timeout(service="rds", region="ap-east-1")
    else:

        def hang(call: Call, request: Any) -> None:
            raise error(request)

        rule = faults.on_send(hang, service="rds", region="ap-east-1")
    scans = {s.region: s for s in gw.scan_regions(["ap-east-1", "eu-west-1"])}
    failed = scans["ap-east-1"]
    assert failed.outcome is RegionOutcome.FAILED
    assert failed.reason is not None
    assert "Could not reach" in failed.reason
    assert "ap-east-1" in failed.reason
    assert scans["eu-west-1"].outcome is RegionOutcome.SCANNED
    assert rule.hits >= 2  # botocore retried before giving up


def test_throttling_bursts_are_retried_transparently(gw: Boto3Gateway, faults: Faults) -> None:
    make_cluster("eu-west-1", "orders")
    burst = faults.throttle(2, service="rds")
    scans = gw.scan_regions(["eu-west-1", "us-east-1"])
    assert [s.outcome for s in scans] == [RegionOutcome.SCANNED] * 2
    assert [c.identifier for c in scans[0].clusters] == ["orders"]
    assert burst.hits == 2  # each throttled request was sent again, and answered


def test_throttling_that_never_ends_is_explained_and_retryable() -> None:
    with mock_aws():
        settings = GatewaySettings(region="us-east-1", max_attempts=2)
        gw = Boto3Gateway(settings, new_session())
        faults = Faults(gw)
        throttled = faults.throttle(100, service="sts")
        with pytest.raises(e.ThrottledError) as caught:
            gw.caller()
    assert throttled.hits == 2  # botocore tried twice before the gateway explained it
    assert caught.value.retryable
    assert "sts:GetCallerIdentity" in caught.value.explanation


def test_expired_credentials_are_explained(gw: Boto3Gateway, faults: Faults) -> None:
    for code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        faults.fail("GetCallerIdentity", code, "The security token in the request is expired")
        with pytest.raises(e.ExpiredCredentialsError) as caught:
            gw.caller()
        assert "expired" in caught.value.explanation
        assert "testing" not in str(caught.value)


def test_role_deletion_status_forgotten_after_the_role_is_gone_means_done(
    gw: Boto3Gateway, faults: Faults
) -> None:
    faults.fail("GetServiceLinkedRoleDeletionStatus", "NoSuchEntity", "task not found", status=404)
    status = gw.role_deletion_status("task/x")
    assert status.state.value == "SUCCEEDED"
    seed_role()
    with pytest.raises(e.NotFoundError):
        gw.role_deletion_status("task/x")  # the role is still there: not done at all


def test_role_deletion_status_carries_the_usage_list(gw: Boto3Gateway, faults: Faults) -> None:
    from enginekit import role_failed_status

    arn = f"arn:aws:rds:eu-central-1:{ACCOUNT}:cluster:late"
    faults.answer("GetServiceLinkedRoleDeletionStatus", role_failed_status([("eu-west-1", [arn])]))
    status = gw.role_deletion_status("task/x")
    assert status.state.value == "FAILED"
    assert status.reason == "The role is still in use by RDS resources."
    assert status.usage[0].resources == [arn]
    assert status.usage_regions == ["eu-west-1", "eu-central-1"]


# -- snapshots and steps ----------------------------------------------------------------------
def test_snapshot_status_reads_what_aws_reports(gw: Boto3Gateway) -> None:
    make_cluster("eu-west-1", "orders")
    outside("rds", "eu-west-1").create_db_cluster_snapshot(
        DBClusterIdentifier="orders", DBClusterSnapshotIdentifier="orders-kept"
    )
    make_instance("eu-west-1", "solo")
    outside("rds", "eu-west-1").create_db_snapshot(
        DBInstanceIdentifier="solo", DBSnapshotIdentifier="solo-kept"
    )
    assert gw.snapshot_status("eu-west-1", "orders-kept", cluster=True) == "available"
    assert gw.snapshot_status("eu-west-1", "solo-kept", cluster=False) == "available"
    assert gw.snapshot_status("eu-west-1", "solo-kept", cluster=True) is None  # not a cluster's
    assert gw.snapshot_status("us-east-1", "orders-kept", cluster=True) is None  # another region
    assert gw.snapshot_exists("eu-west-1", "orders-kept", cluster=True)
    assert not gw.snapshot_exists("eu-west-1", "nothing", cluster=False)
    assert "rds:DescribeDBClusterSnapshots" in gw.actions_called


@pytest.mark.parametrize("snapshot", ["solo-last", None], ids=["keep", "skip"])
def test_deleting_an_instance_keeps_exactly_the_snapshot_the_step_names(
    gw: Boto3Gateway, snapshot: str | None
) -> None:
    make_instance("eu-west-1", "solo")
    step = PlanStep(
        kind=K.DELETE_INSTANCE,
        region="eu-west-1",
        target="solo",
        final_snapshot_id=snapshot,
        description="Delete solo",
    )
    assert not gw.run_step(step).skipped
    kept = outside("rds", "eu-west-1").describe_db_snapshots()["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in kept] == ([snapshot] if snapshot else [])
    again = gw.run_step(step)  # retried: AWS is already where the step leads
    assert again.skipped


def test_the_gateway_clients_know_every_operation_of_the_service(gw: Boto3Gateway) -> None:
    """Plain botocore models: the demo seeds its account through the gateway's own clients."""
    gw.client("rds", "eu-west-1").create_db_instance(
        DBInstanceIdentifier="seeded",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password123",
    )
    (scan,) = gw.scan_regions(["eu-west-1"])
    assert [i.identifier for i in scan.instances] == ["seeded"]
    assert "rds:CreateDBInstance" not in gw.actions_called  # not the gateway's own call


def test_a_related_listing_refused_or_unknown_is_a_could_not_check_line(
    gw: Boto3Gateway, faults: Faults
) -> None:
    """Denied, or unknown to the endpoint: the region is still scanned, and says what it could
    not check (never a failed region)."""
    make_cluster("eu-west-1", "orders")
    faults.deny("DescribeDBProxies")
    faults.fail("DescribeDBClusterGroups", "InvalidAction", "Could not find operation", status=400)
    [scan] = gw.scan_regions(["eu-west-1"])
    assert scan.outcome is RegionOutcome.SCANNED
    assert [c.identifier for c in scan.clusters] == ["orders"]
    assert "could not check RDS Proxies (AccessDenied: this caller may not list them)" in (
        scan.unchecked
    )
    assert (
        "could not check DB cluster groups (InvalidAction: this endpoint does not know the "
        "operation)" in scan.unchecked
    )
