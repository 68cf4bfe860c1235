"""Partitions and regions: a caller of one partition is never sent to another partition's regions,
and a region AWS lists as enabled that refuses the credentials is a failure, not "not enabled".

moto cannot be a GovCloud or China account, so the caller's answer is replaced where botocore
meets moto (a ``before-call`` answer, the way the sandbox names its caller): everything after it,
the gateway's region sources, early listings and scan, runs unchanged on moto.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from enginekit import ACCOUNT, Call, Faults, make_cluster, ok_reply

from slrwizard.aws.gateway import Boto3Gateway
from slrwizard.domain.models import RegionOutcome, RegionSource

GOV = ("aws-us-gov", ["us-gov-east-1", "us-gov-west-1"])
CHINA = ("aws-cn", ["cn-north-1", "cn-northwest-1"])


def caller_in(faults: Faults, partition: str) -> None:
    """STS answers as it would for a role of ``partition``."""
    arn = f"arn:{partition}:sts::{ACCOUNT}:assumed-role/DatabaseAdmin/alice"
    faults.answer(
        "GetCallerIdentity",
        lambda c: ok_reply({"Account": ACCOUNT, "Arn": arn, "UserId": "AROAEXAMPLE:alice"}),
    )


def only_static_regions(faults: Faults) -> None:
    """EC2 and the account API both denied: only botocore's static list is left."""
    faults.fail("DescribeRegions", "UnauthorizedOperation", "You are not authorized.")
    faults.deny("ListRegions")


def listed_regions(faults: Faults) -> set[str]:
    return {c.region for c in list(faults.calls) if c.service == "rds"}


@pytest.mark.parametrize(("partition", "regions"), [GOV, CHINA], ids=["govcloud", "china"])
def test_the_static_fallback_lists_the_callers_partition_only(
    gw: Boto3Gateway, faults: Faults, partition: str, regions: list[str]
) -> None:
    caller_in(faults, partition)
    only_static_regions(faults)
    assert gw.caller().arn.startswith(f"arn:{partition}:")
    listed = gw.list_regions()
    assert listed.source is RegionSource.STATIC
    assert listed.regions == regions
    assert listed.note is not None and f"the {partition} partition" in listed.note
    scans = gw.scan_regions(listed.regions)
    assert [s.region for s in scans] == regions
    gw.settle()
    # The early listings left before the list came back: they too stayed in the partition.
    assert listed_regions(faults) == set(regions)


def test_a_commercial_caller_never_scans_govcloud_or_china(
    gw: Boto3Gateway, faults: Faults
) -> None:
    """moto's DescribeRegions lists GovCloud and China too; AWS lists the caller's partition."""
    gw.caller()  # moto's caller: arn:aws:sts::...
    listed = gw.list_regions()
    assert listed.source is RegionSource.EC2
    assert {"us-east-1", "eu-west-1"} <= set(listed.regions)
    assert not [r for r in listed.regions if r.startswith(("us-gov-", "cn-"))]
    gw.scan_regions(listed.regions)
    gw.settle()
    assert not [r for r in listed_regions(faults) if r.startswith(("us-gov-", "cn-"))]


def test_a_govcloud_caller_keeps_only_its_regions_of_ec2s_answer(
    gw: Boto3Gateway, faults: Faults
) -> None:
    caller_in(faults, "aws-us-gov")
    gw.caller()
    listed = gw.list_regions()
    assert listed.source is RegionSource.EC2
    assert listed.regions == GOV[1]


def test_early_listings_wait_for_a_caller_still_on_its_way(
    gw: Boto3Gateway, faults: Faults
) -> None:
    """The report asks for the caller and the regions side by side: the listings that leave
    before the region list must wait for the caller's partition rather than guess it."""
    only_static_regions(faults)
    asking, release = threading.Event(), threading.Event()
    arn = f"arn:aws-us-gov:sts::{ACCOUNT}:assumed-role/DatabaseAdmin/alice"

    def slow_caller(call: Call) -> Any:
        asking.set()
        release.wait(10)
        return ok_reply({"Account": ACCOUNT, "Arn": arn, "UserId": "AROAEXAMPLE:alice"})

    faults.answer("GetCallerIdentity", slow_caller)
    caller = threading.Thread(target=gw.caller)
    caller.start()
    assert asking.wait(10)
    regions: list[str] = []
    lister = threading.Thread(target=lambda: regions.extend(gw.list_regions().regions))
    lister.start()
    lister.join(0.3)
    assert lister.is_alive(), "the region list did not wait for the caller's partition"
    assert listed_regions(faults) == set(), "a listing left before the partition was known"
    release.set()
    caller.join(10)
    lister.join(10)
    assert regions == GOV[1]
    gw.settle()
    assert listed_regions(faults) <= set(GOV[1])


def test_an_enabled_region_that_refuses_the_credentials_failed(
    gw: Boto3Gateway, faults: Faults
) -> None:
    """DescribeRegions lists eu-south-1 as enabled; it answers InvalidClientTokenId (an STS
    global-endpoint token): the region is there, the credentials are what it refuses."""
    make_cluster("eu-west-1", "orders")
    for operation in ("DescribeDBClusters", "DescribeDBInstances"):
        faults.fail(
            operation,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            status=403,
            region="eu-south-1",
        )
    listed = gw.list_regions()
    assert "eu-south-1" in listed.regions
    scans = {s.region: s for s in gw.scan_regions(["eu-south-1", "eu-west-1"])}
    refused = scans["eu-south-1"]
    assert refused.outcome is RegionOutcome.FAILED
    assert refused.outcome.label == "failed"
    assert refused.reason is not None
    assert refused.reason.startswith("refuses these credentials (InvalidClientTokenId)")
    assert "not enabled" not in refused.reason
    assert "global endpoint" in refused.reason
    assert "AWS_STS_REGIONAL_ENDPOINTS=regional" in refused.reason
    assert [c.identifier for c in scans["eu-west-1"].clusters] == ["orders"]


@pytest.mark.parametrize("code", ["OptInRequired", "InvalidClientTokenId", "AuthFailure"])
def test_a_region_aws_did_not_list_is_skipped_in_one_plain_sentence(
    gw: Boto3Gateway, faults: Faults, code: str
) -> None:
    """No region list from EC2 or the account API (static list, --regions): a refusal there is
    most likely a region the account never enabled. Said once, not twice."""
    for operation in ("DescribeDBClusters", "DescribeDBInstances"):
        faults.fail(operation, code, "The security token included is invalid.", region="me-south-1")
    (scan,) = gw.scan_regions(["me-south-1"])
    assert scan.outcome is RegionOutcome.SKIPPED_DISABLED
    assert scan.outcome.label == "skipped"
    line = f"{scan.region} ({scan.outcome.label}): {scan.reason}"
    assert line.startswith("me-south-1 (skipped): me-south-1 ")
    assert line.count("not enabled") == 1
    assert code in line
