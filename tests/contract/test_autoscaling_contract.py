"""The contract of the one-call deletion and of Aurora Auto Scaling, on both backends: a cluster
deleted with ``DeleteDBInstances`` goes with its instances; a cluster's scalable targets are in
the scan; a reader deleted from an autoscaled cluster comes back, and the members read again
before ``DeleteDBCluster`` are deleted; a deregistered target adds no reader back."""

from __future__ import annotations

from typing import Any

from backends import Arrange
from test_gateway_contract import cluster, step, twice

from slrwizard.domain.plan import StepKind
from slrwizard.domain.ports import Gateway

Backend = tuple[Gateway, Arrange]
K = StepKind
EU = "eu-west-1"


def members(gw: Gateway, ident: str) -> list[str]:
    found = cluster(gw, EU, ident)
    assert found is not None
    return sorted(m.identifier for m in found.members)


def test_one_call_deletes_the_cluster_with_its_instances(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "shop", readers=2)
    one_call = step(
        K.DELETE_CLUSTER, EU, "shop", final_snapshot_id="shop-final", delete_instances=True
    )
    twice(gw, one_call)
    gw.run_step(step(K.WAIT_CLUSTER_DELETED, EU, "shop"))
    assert cluster(gw, EU, "shop") is None
    gw.run_step(step(K.VERIFY_CLUSTER_SNAPSHOT, EU, "shop-final"))
    assert gw.snapshot_exists(EU, "shop-final", cluster=True)


def test_the_scan_shows_a_clusters_autoscaling_targets(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "shop", readers=1)
    arrange.cluster(EU, "calm", readers=1)
    arrange.autoscale(EU, "shop", 1, 4)
    shop, calm = cluster(gw, EU, "shop"), cluster(gw, EU, "calm")
    assert shop is not None and calm is not None
    assert [(t.resource_id, t.dimension, t.label) for t in shop.autoscaling] == [
        (
            "cluster:shop",
            "rds:cluster:ReadReplicaCount",
            "readers 1-4 (rds:cluster:ReadReplicaCount)",
        )
    ]
    assert calm.autoscaling == []


def _one_by_one(gw: Gateway) -> Any:
    gw.run_step(step(K.DELETE_MEMBER, EU, "shop-r1", cluster_id="shop"))
    return members(gw, "shop")


def test_a_reader_comes_back_and_the_members_read_again_are_deleted(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "shop", readers=1)
    arrange.autoscale(EU, "shop")
    after = _one_by_one(gw)
    added = [m for m in after if m not in ("shop-w", "shop-r1")]
    assert len(added) == 1  # Aurora Auto Scaling added a reader back
    gw.run_step(step(K.DELETE_MEMBER, EU, "shop-w", cluster_id="shop"))
    # Without the re-read, AWS refuses the cluster: a member is not deleting.
    again = gw.run_step(step(K.DELETE_NEW_MEMBERS, EU, "shop"))
    assert again.skipped is False
    assert added[0] in again.note
    assert gw.run_step(step(K.DELETE_NEW_MEMBERS, EU, "shop")).skipped is True
    gw.run_step(step(K.DELETE_CLUSTER, EU, "shop", final_snapshot_id="shop-final"))
    gw.run_step(step(K.WAIT_CLUSTER_DELETED, EU, "shop"))
    assert cluster(gw, EU, "shop") is None


def test_a_deregistered_target_adds_no_reader(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "shop", readers=1)
    arrange.autoscale(EU, "shop")
    twice(gw, step(K.DEREGISTER_AUTOSCALING, EU, "shop"))
    found = cluster(gw, EU, "shop")
    assert found is not None and found.autoscaling == []
    assert [m for m in _one_by_one(gw) if m not in ("shop-w", "shop-r1")] == []
    gw.run_step(step(K.DELETE_MEMBER, EU, "shop-w", cluster_id="shop"))
    assert gw.run_step(step(K.DELETE_NEW_MEMBERS, EU, "shop")).skipped is True


def test_a_reader_added_after_the_members_were_read_goes_with_the_cluster(
    backend: Backend,
) -> None:
    """AWS refuses DeleteDBCluster while a member is not deleting: the step deletes the reader
    Aurora Auto Scaling added since the members were read again, then the cluster, once."""
    gw, arrange = backend
    arrange.cluster(EU, "shop", readers=1)
    arrange.autoscale(EU, "shop")
    added = [m for m in _one_by_one(gw) if m not in ("shop-w", "shop-r1")]
    assert len(added) == 1  # Aurora Auto Scaling added a reader back
    gw.run_step(step(K.DELETE_MEMBER, EU, "shop-w", cluster_id="shop"))
    done = gw.run_step(step(K.DELETE_CLUSTER, EU, "shop", final_snapshot_id="shop-final"))
    assert "members were left: deleted one by one first" in done.note
    gw.run_step(step(K.WAIT_CLUSTER_DELETED, EU, "shop"))
    assert cluster(gw, EU, "shop") is None
    assert gw.snapshot_exists(EU, "shop-final", cluster=True)
