"""The contract of what the executor's fast tests arrange on the fake: denials, holds, resources
deleted behind the wizard's back, snapshot names taken, a wait told to stop.

``tests/engine/test_engine_executor.py`` and ``test_engine_denials.py`` run on the fake; they are
worth what this file proves on both backends: a denied step raises the boto3 gateway's own
AccessDeniedError (same action, same words) and changes nothing, a held step changes nothing
until released, and the steps of a resource someone else deleted end as the gateway ends them.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from backends import Arrange
from fakes import STEP_ACTIONS

from slrwizard.domain import errors as e
from slrwizard.domain.models import (
    Cluster,
    Instance,
    RegionOutcome,
    RelatedKind,
    RelatedResource,
)
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import Gateway

Backend = tuple[Gateway, Arrange]
K = StepKind
EU, US = "eu-west-1", "us-east-1"


def step(kind: StepKind, region: str, target: str, **refs: Any) -> PlanStep:
    return PlanStep(kind=kind, region=region, target=target, description=kind.value, **refs)


def seen(gw: Gateway, region: str) -> tuple[dict[str, Cluster], dict[str, Instance]]:
    scan = gw.scan_regions([region])[0]
    assert scan.outcome is RegionOutcome.SCANNED, scan.reason
    return {c.identifier: c for c in scan.clusters}, {i.identifier: i for i in scan.instances}


def state(gw: Gateway) -> list[tuple[Any, ...]]:
    """What an operator would compare: every resource's status, protection, links, members,
    and what stands beside them."""
    clusters, instances = seen(gw, US)
    related = gw.scan_regions([US])[0].related
    return [
        *((x.kind, x.identifier, x.status, x.attached_to) for x in related),
        *(
            (
                c.identifier,
                c.status,
                c.deletion_protection,
                c.global_cluster_id,
                bool(c.replication_source),
                [m.identifier for m in c.members],
                c.cluster_group_id,
            )
            for c in clusters.values()
        ),
        *((i.identifier, i.status, i.deletion_protection) for i in instances.values()),
    ]


# A step of every kind, on what ``_arrange_every_kind`` arranged.
EVERY_KIND = [
    step(K.CHECK_CLUSTER, US, "plain", final_snapshot_id="plain-final"),
    step(K.CHECK_INSTANCE, US, "solo", final_snapshot_id="solo-final"),
    step(K.START_INSTANCE, US, "dozing"),
    step(K.SNAPSHOT_INSTANCE, US, "solo", final_snapshot_id="solo-backup"),
    step(K.WAIT_INSTANCE_AVAILABLE, US, "solo"),
    step(K.START_CLUSTER, US, "sleepy"),
    step(K.WAIT_CLUSTER_AVAILABLE, US, "plain"),
    step(K.REMOVE_FROM_GLOBAL, US, "prim", global_cluster_id="g1"),
    step(K.PROMOTE_REPLICA, US, "rep", source_cluster_id="src"),
    step(K.DEREGISTER_AUTOSCALING, US, "plain"),
    step(K.DELETE_MEMBER, US, "plain-w", cluster_id="plain"),
    step(K.DELETE_NEW_MEMBERS, US, "plain"),
    step(K.LIFT_CLUSTER_PROTECTION, US, "guarded"),
    step(K.DELETE_CLUSTER, US, "plain", final_snapshot_id="plain-final"),
    step(K.WAIT_CLUSTER_DELETED, US, "plain"),
    step(K.DELETE_GLOBAL_CLUSTER, US, "g1"),
    step(K.VERIFY_CLUSTER_SNAPSHOT, US, "plain-final"),
    step(K.LIFT_INSTANCE_PROTECTION, US, "solo"),
    step(K.DELETE_INSTANCE, US, "solo", final_snapshot_id="solo-final"),
    step(K.WAIT_INSTANCE_DELETED, US, "solo"),
    step(K.VERIFY_INSTANCE_SNAPSHOT, US, "solo-final"),
    step(K.DELETE_BLUE_GREEN, US, "bgd-solo"),
    step(K.DELETE_INTEGRATION, US, "0a1b2c3d"),
    step(K.DELETE_PROXY, US, "solo-proxy"),
    step(K.DELETE_SHARD_GROUP, US, "plain-shards"),
    step(K.REMOVE_FROM_CLUSTER_GROUP, US, "guarded"),
]


def _arrange_every_kind(arrange: Arrange) -> None:
    arrange.cluster(US, "sleepy", stopped=True)
    arrange.cluster(US, "plain")
    arrange.autoscale(US, "plain")
    arrange.cluster(US, "guarded", protected=True)
    arrange.cluster(US, "prim", global_id="g1")
    arrange.cluster(US, "rep", replica_of=arrange.cluster(US, "src"))
    arrange.instance(US, "solo", protected=True)
    arrange.instance(US, "dozing", stopped=True)
    arrange.related(
        RelatedResource(
            kind=RelatedKind.BLUE_GREEN,
            region=US,
            identifier="bgd-solo",
            attached_to=["solo"],
            green=["dozing"],
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.INTEGRATION, region=US, identifier="0a1b2c3d", attached_to=["plain"]
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.PROXY, region=US, identifier="solo-proxy", attached_to=["solo"]
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.SHARD_GROUP,
            region=US,
            identifier="plain-shards",
            attached_to=["plain"],
        )
    )
    arrange.related(
        RelatedResource(
            kind=RelatedKind.CLUSTER_GROUP, region=US, identifier="fleet", attached_to=["guarded"]
        )
    )


def test_every_kind_of_step_denied_names_its_action_and_changes_nothing(
    backend: Backend,
) -> None:
    gw, arrange = backend
    _arrange_every_kind(arrange)
    before = state(gw)
    assert {s.kind for s in EVERY_KIND} == set(STEP_ACTIONS)
    for s in EVERY_KIND:
        denial = arrange.deny(s.kind, target=s.target)
        with pytest.raises(e.AccessDeniedError) as caught:
            gw.run_step(s)
        arrange.allow(denial)
        action = STEP_ACTIONS[s.kind]
        denied = caught.value
        assert (denied.action, denied.code) == (action, "AccessDenied"), s.kind
        assert denied.explanation == (
            f"Access denied: {action} in {US} was refused because your IAM policy does not "
            "allow it."
        )
        assert denied.hint == (
            f"Add {action} to the caller's policy (`slrwizard policy` prints the full policy)."
        )
    assert state(gw) == before
    assert gw.snapshot_exists(US, "plain-final", cluster=True) is False
    assert gw.snapshot_exists(US, "solo-final", cluster=False) is False
    assert gw.snapshot_exists(US, "solo-backup", cluster=False) is False


def test_a_denial_by_a_service_control_policy_says_so(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(EU, "solo")
    arrange.deny(K.DELETE_INSTANCE, target="solo", scp=True)
    with pytest.raises(e.AccessDeniedError) as caught:
        gw.run_step(step(K.DELETE_INSTANCE, EU, "solo"))
    assert caught.value.explanation == (
        f"Access denied: rds:DeleteDBInstance in {EU} was refused because a service control "
        "policy denies it."
    )
    assert caught.value.hint == "Ask your organisation's administrators about the SCP."
    assert "solo" in seen(gw, EU)[1]


def test_a_denial_of_one_resource_leaves_the_others_alone(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(EU, "solo")
    arrange.instance(EU, "other")
    arrange.deny(K.DELETE_INSTANCE, target="solo")
    assert gw.run_step(step(K.DELETE_INSTANCE, EU, "other")).skipped is False
    with pytest.raises(e.AccessDeniedError):
        gw.run_step(step(K.DELETE_INSTANCE, EU, "solo"))


def test_a_held_step_changes_nothing_until_released(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders", readers=1)
    hold = arrange.hold(K.DELETE_MEMBER, target="orders-r1")
    results: list[bool] = []
    runner = threading.Thread(
        target=lambda: results.append(
            gw.run_step(step(K.DELETE_MEMBER, EU, "orders-r1", cluster_id="orders")).skipped
        )
    )
    runner.start()
    assert hold.wait_reached()
    assert runner.is_alive()
    members = [m.identifier for m in seen(gw, EU)[0]["orders"].members]
    assert members == ["orders-w", "orders-r1"]
    hold.release()
    runner.join(5)
    assert results == [False]
    left = seen(gw, EU)[0]["orders"].members
    assert [m.identifier for m in left if m.status != "deleting"] == ["orders-w"]


# -- what the steps of a resource someone else deleted do -----------------------------------------
def test_the_steps_of_a_cluster_deleted_by_someone_else(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "doomed", readers=1, protected=True)
    arrange.delete_outside(EU, "doomed")
    assert "doomed" not in seen(gw, EU)[0]
    for kind in (K.START_CLUSTER, K.WAIT_CLUSTER_AVAILABLE, K.LIFT_CLUSTER_PROTECTION):
        with pytest.raises(e.NotFoundError):
            gw.run_step(step(kind, EU, "doomed"))
    member = gw.run_step(step(K.DELETE_MEMBER, EU, "doomed-r1", cluster_id="doomed"))
    assert member.skipped is True
    with pytest.raises(e.NotFoundError):
        gw.run_step(step(K.DELETE_CLUSTER, EU, "doomed", final_snapshot_id="doomed-final"))
    assert gw.run_step(step(K.DELETE_CLUSTER, EU, "doomed")).skipped is True
    gw.run_step(step(K.WAIT_CLUSTER_DELETED, EU, "doomed"))
    assert gw.snapshot_exists(EU, "doomed-final", cluster=True) is False


def test_the_steps_of_an_instance_deleted_by_someone_else(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(EU, "doomed", protected=True)
    arrange.delete_outside(EU, "doomed", cluster=False)
    with pytest.raises(e.NotFoundError):
        gw.run_step(step(K.LIFT_INSTANCE_PROTECTION, EU, "doomed"))
    with pytest.raises(e.NotFoundError):
        gw.run_step(step(K.DELETE_INSTANCE, EU, "doomed", final_snapshot_id="doomed-final"))
    gw.run_step(step(K.WAIT_INSTANCE_DELETED, EU, "doomed"))
    assert "doomed" not in seen(gw, EU)[1]


def test_a_snapshot_someone_else_took_is_seen_by_name(backend: Backend) -> None:
    """The executor's check before the first change: a name taken is seen, by kind."""
    gw, arrange = backend
    arrange.cluster(EU, "orders")
    arrange.instance(EU, "solo")
    arrange.cluster_snapshot(EU, "orders", "orders-manual")
    arrange.instance_snapshot(EU, "solo", "solo-manual")
    assert gw.snapshot_exists(EU, "orders-manual", cluster=True)
    assert gw.snapshot_exists(EU, "solo-manual", cluster=False)
    assert gw.snapshot_exists(EU, "solo-manual", cluster=True) is False
    assert gw.snapshot_exists(EU, "orders-manual", cluster=False) is False


def test_a_primary_cannot_leave_its_global_database_before_its_secondaries(
    backend: Backend,
) -> None:
    """Why the executor gates the primary: AWS refuses it, and nothing changes."""
    gw, arrange = backend
    arrange.cluster(US, "pay-use1", global_id="pay")
    arrange.cluster(EU, "pay-euw1", global_id="pay")
    with pytest.raises(e.InvalidStateError):
        gw.run_step(step(K.REMOVE_FROM_GLOBAL, US, "pay-use1", global_cluster_id="pay"))
    assert seen(gw, US)[0]["pay-use1"].global_cluster_primary
    assert seen(gw, EU)[0]["pay-euw1"].global_cluster_id == "pay"


def test_a_wait_polls_until_told_to_stop_then_gives_up_and_changes_nothing(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "sleepy", stopped=True)
    asked: list[bool] = []

    def should_stop() -> bool:  # the operator presses Stop after a few polls
        asked.append(True)
        return len(asked) > 3

    with pytest.raises(e.GuardError):
        gw.run_step(step(K.WAIT_CLUSTER_AVAILABLE, EU, "sleepy"), should_stop)
    assert seen(gw, EU)[0]["sleepy"].status == "stopped"
