"""The contract for what stands beside the databases, on both backends (the fake and boto3 on
the demo sandbox): the scan finds each kind with what it is attached to, a listing the caller may
not make is a "could not check" line and not a failed region, and each step that removes a
related resource acts once, is skipped when run again, and leaves the next scan without it."""

from __future__ import annotations

import pytest
from backends import Arrange
from test_gateway_contract import EU, US, Backend, step, twice

from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome, RegionScan, RelatedKind, RelatedResource
from slrwizard.domain.plan import StepKind
from slrwizard.domain.ports import Gateway


def scan(gw: Gateway, region: str) -> RegionScan:
    found = gw.scan_regions([region])[0]
    assert found.outcome is RegionOutcome.SCANNED, found.reason
    return found


def related(gw: Gateway, region: str, kind: RelatedKind) -> list[RelatedResource]:
    return [x for x in scan(gw, region).related if x.kind is kind]


def arrange_all(arrange: Arrange) -> None:
    """One of each kind, around a cluster and two instances in eu-west-1."""
    arrange.cluster(EU, "ledger")
    arrange.cluster(EU, "fleet-a")
    arrange.instance(EU, "crm")
    arrange.instance(EU, "crm-green")
    arrange.related(
        RelatedResource(
            kind=RelatedKind.BLUE_GREEN,
            region=EU,
            identifier="bgd-crm",
            attached_to=["crm"],
            green=["crm-green"],
            status="AVAILABLE",
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.SHARD_GROUP,
            region=EU,
            identifier="ledger-shards",
            attached_to=["ledger"],
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.INTEGRATION,
            region=EU,
            identifier="0a1b2c3d",
            name="ledger-to-redshift",
            attached_to=["ledger"],
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.PROXY, region=EU, identifier="crm-proxy", attached_to=["crm"]
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.CLUSTER_GROUP,
            region=EU,
            identifier="fleet",
            attached_to=["fleet-a"],
            deletion_protection=True,
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.INSTANCE_BACKUP,
            region=EU,
            identifier="old-crm",
            retention_days=7,
            storage_gib=100,
        )
    )


def test_the_scan_finds_each_related_kind_with_what_it_is_attached_to(backend: Backend) -> None:
    gw, arrange = backend
    arrange_all(arrange)
    found = scan(gw, EU)
    seen = {(x.kind, x.identifier): x for x in found.related}
    assert set(seen) == {
        (RelatedKind.BLUE_GREEN, "bgd-crm"),
        (RelatedKind.SHARD_GROUP, "ledger-shards"),
        (RelatedKind.INTEGRATION, "0a1b2c3d"),
        (RelatedKind.PROXY, "crm-proxy"),
        (RelatedKind.CLUSTER_GROUP, "fleet"),
        (RelatedKind.INSTANCE_BACKUP, "old-crm"),
    }
    deployment = seen[(RelatedKind.BLUE_GREEN, "bgd-crm")]
    assert (deployment.attached_to, deployment.green) == (["crm"], ["crm-green"])
    assert seen[(RelatedKind.SHARD_GROUP, "ledger-shards")].attached_to == ["ledger"]
    assert seen[(RelatedKind.INTEGRATION, "0a1b2c3d")].attached_to == ["ledger"]
    assert seen[(RelatedKind.INTEGRATION, "0a1b2c3d")].name == "ledger-to-redshift"
    assert seen[(RelatedKind.PROXY, "crm-proxy")].attached_to == ["crm"]
    group = seen[(RelatedKind.CLUSTER_GROUP, "fleet")]
    assert (group.attached_to, group.deletion_protection) == (["fleet-a"], True)
    backup = seen[(RelatedKind.INSTANCE_BACKUP, "old-crm")]
    assert (backup.retention_days, backup.storage_gib) == (7, 100)
    assert {c.identifier: c.cluster_group_id for c in found.clusters} == {
        "fleet-a": "fleet",
        "ledger": None,
    }
    assert found.unchecked == []
    assert scan(gw, US).related == []  # each region's own


def test_a_listing_the_caller_may_not_make_is_a_could_not_check_line(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(EU, "crm")
    arrange.refuse_listing(EU, RelatedKind.INTEGRATION)
    found = scan(gw, EU)  # still scanned
    assert [i.identifier for i in found.instances] == ["crm"]
    assert found.unchecked == [
        "could not check zero-ETL integrations (AccessDenied: this caller may not list them)"
    ]


@pytest.mark.parametrize(
    ("kind", "related_kind", "target"),
    [
        (StepKind.DELETE_BLUE_GREEN, RelatedKind.BLUE_GREEN, "bgd-crm"),
        (StepKind.DELETE_SHARD_GROUP, RelatedKind.SHARD_GROUP, "ledger-shards"),
        (StepKind.DELETE_INTEGRATION, RelatedKind.INTEGRATION, "0a1b2c3d"),
        (StepKind.DELETE_PROXY, RelatedKind.PROXY, "crm-proxy"),
    ],
)
def test_a_related_deletion_acts_once_and_the_next_scan_no_longer_lists_it(
    backend: Backend, kind: StepKind, related_kind: RelatedKind, target: str
) -> None:
    gw, arrange = backend
    arrange_all(arrange)
    twice(gw, step(kind, EU, target))
    assert related(gw, EU, related_kind) == []


def test_remove_from_cluster_group_leaves_the_group_empty(backend: Backend) -> None:
    gw, arrange = backend
    arrange_all(arrange)
    twice(gw, step(StepKind.REMOVE_FROM_CLUSTER_GROUP, EU, "fleet-a"))
    found = scan(gw, EU)
    assert {c.identifier: c.cluster_group_id for c in found.clusters}["fleet-a"] is None
    [group] = [x for x in found.related if x.kind is RelatedKind.CLUSTER_GROUP]
    assert group.attached_to == []  # left behind, empty


def test_a_shard_group_and_a_blue_green_deployment_must_go_first(backend: Backend) -> None:
    gw, arrange = backend
    arrange_all(arrange)
    gw.run_step(step(StepKind.DELETE_MEMBER, EU, "ledger-w", cluster_id="ledger"))
    with pytest.raises(e.InvalidStateError, match="shard group"):
        gw.run_step(step(StepKind.DELETE_CLUSTER, EU, "ledger"))
    with pytest.raises(e.InvalidStateError, match="Blue/Green"):
        gw.run_step(step(StepKind.DELETE_INSTANCE, EU, "crm-green"))
    gw.run_step(step(StepKind.DELETE_SHARD_GROUP, EU, "ledger-shards"))
    gw.run_step(step(StepKind.DELETE_BLUE_GREEN, EU, "bgd-crm"))
    assert gw.run_step(step(StepKind.DELETE_CLUSTER, EU, "ledger")).skipped is False
    assert gw.run_step(step(StepKind.DELETE_INSTANCE, EU, "crm-green")).skipped is False
