"""The Gateway port's contract: what any implementation must show, observed through the port.

Every test runs twice, on the in-memory fake (``tests/fakes``) and on the boto3 gateway against
the demo sandbox: the fast tests that use the fake are only worth what this file proves, that the
fake does what the real gateway does. Each step is checked by its effect on the next scan (or
snapshot lookup) and by being skipped when run again, which is what makes a resumed plan safe.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from backends import Arrange
from fakes import ACCOUNT

from slrwizard.domain import errors as e
from slrwizard.domain.models import (
    ROLE_NAME,
    ROLE_PATH,
    Cluster,
    Instance,
    RegionOutcome,
    RoleDeletionState,
    RoleDeletionStatus,
)
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import Gateway

Backend = tuple[Gateway, Arrange]
EU, US = "eu-west-1", "us-east-1"


def step(kind: StepKind, region: str, target: str, **refs: Any) -> PlanStep:
    return PlanStep(kind=kind, region=region, target=target, description=kind.value, **refs)


def cluster(gw: Gateway, region: str, ident: str) -> Cluster | None:
    scan = gw.scan_regions([region])[0]
    assert scan.outcome is RegionOutcome.SCANNED, scan.reason
    return next((c for c in scan.clusters if c.identifier == ident), None)


def instance(gw: Gateway, region: str, ident: str) -> Instance | None:
    scan = gw.scan_regions([region])[0]
    return next((i for i in scan.instances if i.identifier == ident), None)


def twice(gw: Gateway, s: PlanStep) -> None:
    """Run ``s``, which must act, then again, which must find nothing left to do."""
    assert gw.run_step(s).skipped is False
    assert gw.run_step(s).skipped is True


def finished(gw: Gateway, task_id: str) -> RoleDeletionStatus:
    deadline = time.monotonic() + 5
    while True:
        status = gw.role_deletion_status(task_id)
        if status.finished or time.monotonic() > deadline:
            return status
        time.sleep(0.01)


# -- who, where, the role -------------------------------------------------------------------------
def test_caller_names_the_account(backend: Backend) -> None:
    gw, _ = backend
    caller = gw.caller()
    assert caller.account == ACCOUNT
    assert ACCOUNT in caller.arn


def test_an_absent_role_is_a_normal_answer_and_a_present_one_is_described(
    backend: Backend,
) -> None:
    gw, arrange = backend
    assert gw.inspect_role().exists is False
    arrange.role()
    inspection = gw.inspect_role()
    assert inspection.exists
    assert inspection.role is not None
    assert (inspection.role.name, inspection.role.path) == (ROLE_NAME, ROLE_PATH)
    assert inspection.role.trust_principals == ["rds.amazonaws.com"]
    assert inspection.role.arn.endswith(f":role{ROLE_PATH}{ROLE_NAME}")


def test_create_role_brings_the_role_back(backend: Backend) -> None:
    gw, _ = backend
    role = gw.create_role()
    assert role.name == ROLE_NAME
    assert gw.inspect_role().exists


def test_list_regions_lists_the_enabled_regions_only(backend: Backend) -> None:
    gw, arrange = backend
    regions = gw.list_regions().regions
    assert {EU, US, arrange.denied_region} <= set(regions)
    assert arrange.disabled_region not in regions
    assert regions == sorted(regions)


# -- scanning ---------------------------------------------------------------------------------
def test_scan_finds_what_was_arranged_and_says_why_a_region_was_not_scanned(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders", readers=2, protected=True)
    arrange.instance(US, "solo", protected=True)
    heard: list[str] = []
    regions = [EU, US, arrange.disabled_region, arrange.denied_region]
    scans = {s.region: s for s in gw.scan_regions(regions, lambda s: heard.append(s.region))}
    assert sorted(heard) == sorted(regions)
    assert scans[arrange.disabled_region].outcome is RegionOutcome.SKIPPED_DISABLED
    assert scans[arrange.denied_region].outcome is RegionOutcome.DENIED
    eu, us = scans[EU], scans[US]
    assert [c.identifier for c in eu.clusters] == ["orders"]
    assert eu.instances == []  # members belong to their cluster, not to the instance list
    orders = eu.clusters[0]
    assert (orders.status, orders.deletion_protection, orders.engine) == (
        "available",
        True,
        "aurora-mysql",
    )
    assert [(m.identifier, m.is_writer) for m in orders.members] == [
        ("orders-w", True),
        ("orders-r1", False),
        ("orders-r2", False),
    ]
    assert [(i.identifier, i.deletion_protection) for i in us.instances] == [("solo", True)]
    assert us.clusters == []


# -- steps: each changes what the next scan sees, and is skipped when repeated ----------------
def test_start_cluster(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "sleepy", stopped=True)
    assert (found := cluster(gw, EU, "sleepy")) is not None and found.status == "stopped"
    twice(gw, step(StepKind.START_CLUSTER, EU, "sleepy"))
    gw.run_step(step(StepKind.WAIT_CLUSTER_AVAILABLE, EU, "sleepy"))
    assert (found := cluster(gw, EU, "sleepy")) is not None and found.status == "available"


def test_lift_cluster_protection(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "guarded", protected=True)
    twice(gw, step(StepKind.LIFT_CLUSTER_PROTECTION, EU, "guarded"))
    assert (found := cluster(gw, EU, "guarded")) is not None
    assert found.deletion_protection is False


def test_lifted_protection_is_seen_lifted_when_the_step_returns(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(US, "solo", protected=True)
    lifted = gw.run_step(step(StepKind.LIFT_INSTANCE_PROTECTION, US, "solo"))
    assert (found := instance(gw, US, "solo")) is not None
    assert (found.deletion_protection, found.status) == (False, "available"), lifted.note


def test_a_stopped_instance_is_started_before_its_protection_is_lifted(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(US, "sleepy", protected=True, stopped=True)
    with pytest.raises(e.InvalidStateError) as refused:
        gw.run_step(step(StepKind.LIFT_INSTANCE_PROTECTION, US, "sleepy"))
    assert refused.value.code == "InvalidDBInstanceState"
    twice(gw, step(StepKind.START_INSTANCE, US, "sleepy"))
    gw.run_step(step(StepKind.WAIT_INSTANCE_AVAILABLE, US, "sleepy"))
    twice(gw, step(StepKind.LIFT_INSTANCE_PROTECTION, US, "sleepy"))
    assert (found := instance(gw, US, "sleepy")) is not None and not found.deletion_protection


def test_the_check_finds_a_snapshot_name_taken_in_another_case(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(US, "orders")
    arrange.cluster_snapshot(US, "orders", "orders-final")
    with pytest.raises(e.SnapshotExistsError):
        gw.run_step(step(StepKind.CHECK_CLUSTER, US, "orders", final_snapshot_id="Orders-Final"))
    ok = gw.run_step(step(StepKind.CHECK_CLUSTER, US, "orders", final_snapshot_id="orders-2"))
    assert ok.skipped is False and "orders-2 free" in ok.note


def test_the_check_counts_the_snapshot_quota_and_the_checked_snapshots(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(US, "a")
    arrange.cluster(US, "b")
    arrange.cluster_snapshot(US, "a", "kept")
    arrange.snapshot_quota(2)
    gw.run_step(step(StepKind.CHECK_CLUSTER, US, "a", final_snapshot_id="a-final"))
    gw.run_step(step(StepKind.CHECK_CLUSTER, US, "a", final_snapshot_id="a-final"))  # repeatable
    with pytest.raises(e.AwsError) as full:
        gw.run_step(step(StepKind.CHECK_CLUSTER, US, "b", final_snapshot_id="b-final"))
    assert full.value.code == "SnapshotQuotaExceeded"
    assert "Nothing was changed" in full.value.explanation
    assert gw.run_step(step(StepKind.CHECK_CLUSTER, US, "b")).note == "nothing to check"
    assert (found := cluster(gw, US, "b")) is not None and len(found.members) == 1


def test_the_check_of_a_vanished_resource_is_not_found(backend: Backend) -> None:
    gw, _ = backend
    with pytest.raises(e.NotFoundError):
        gw.run_step(step(StepKind.CHECK_INSTANCE, US, "ghost", final_snapshot_id="ghost-final"))


def test_delete_member(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders", readers=1)
    twice(gw, step(StepKind.DELETE_MEMBER, EU, "orders-r1", cluster_id="orders"))
    assert (found := cluster(gw, EU, "orders")) is not None
    assert [m.identifier for m in found.members if m.status not in ("deleting",)] == ["orders-w"]


def test_a_cluster_with_members_left_is_refused(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders")
    with pytest.raises(e.InvalidStateError):
        gw.run_step(step(StepKind.DELETE_CLUSTER, EU, "orders", final_snapshot_id="orders-final"))
    assert cluster(gw, EU, "orders") is not None
    assert gw.snapshot_exists(EU, "orders-final", cluster=True) is False


def test_delete_cluster_keeps_its_final_snapshot(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(EU, "orders")
    gw.run_step(step(StepKind.DELETE_MEMBER, EU, "orders-w", cluster_id="orders"))
    delete = step(StepKind.DELETE_CLUSTER, EU, "orders", final_snapshot_id="orders-final")
    assert gw.run_step(delete).skipped is False
    gw.run_step(step(StepKind.WAIT_CLUSTER_DELETED, EU, "orders"))
    assert cluster(gw, EU, "orders") is None
    assert gw.run_step(delete).skipped is True  # ours: its snapshot is there
    verify = gw.run_step(step(StepKind.VERIFY_CLUSTER_SNAPSHOT, EU, "orders-final"))
    assert verify.note == "available"
    assert gw.snapshot_exists(EU, "orders-final", cluster=True)
    assert gw.snapshot_status(EU, "orders-final", cluster=True) == "available"


def test_delete_cluster_without_snapshot(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(US, "scratch")
    gw.run_step(step(StepKind.DELETE_MEMBER, US, "scratch-w", cluster_id="scratch"))
    twice(gw, step(StepKind.DELETE_CLUSTER, US, "scratch"))
    gw.run_step(step(StepKind.WAIT_CLUSTER_DELETED, US, "scratch"))
    assert cluster(gw, US, "scratch") is None


def test_a_cluster_deleted_by_someone_else_is_not_found_when_a_snapshot_was_asked(
    backend: Backend,
) -> None:
    gw, _ = backend
    with pytest.raises(e.NotFoundError):
        gw.run_step(step(StepKind.DELETE_CLUSTER, EU, "ghost", final_snapshot_id="ghost-final"))


def test_a_snapshot_name_already_taken_is_refused(backend: Backend) -> None:
    gw, arrange = backend
    arrange.cluster(US, "orders", readers=0)
    arrange.cluster_snapshot(US, "orders", "orders-pre-upgrade")
    gw.run_step(step(StepKind.DELETE_MEMBER, US, "orders-w", cluster_id="orders"))
    with pytest.raises(e.SnapshotExistsError):
        gw.run_step(
            step(StepKind.DELETE_CLUSTER, US, "orders", final_snapshot_id="orders-pre-upgrade")
        )
    assert cluster(gw, US, "orders") is not None


def test_a_final_snapshot_that_does_not_exist_fails_verification(backend: Backend) -> None:
    gw, _ = backend
    with pytest.raises(e.AwsError) as caught:
        gw.run_step(step(StepKind.VERIFY_CLUSTER_SNAPSHOT, EU, "never-taken"))
    assert caught.value.code == "FinalSnapshotMissing"
    assert gw.snapshot_exists(EU, "never-taken", cluster=True) is False
    assert gw.snapshot_status(EU, "never-taken", cluster=True) is None


def test_global_database_secondary_then_primary_leave_and_it_is_deleted(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.cluster(US, "pay-use1", global_id="pay")
    arrange.cluster(EU, "pay-euw1", global_id="pay")
    primary, secondary = cluster(gw, US, "pay-use1"), cluster(gw, EU, "pay-euw1")
    assert primary is not None and secondary is not None
    assert (primary.global_cluster_id, primary.global_cluster_primary) == ("pay", True)
    assert (secondary.global_cluster_id, secondary.global_cluster_primary) == ("pay", False)
    twice(gw, step(StepKind.REMOVE_FROM_GLOBAL, EU, "pay-euw1", global_cluster_id="pay"))
    left_note = gw.run_step(
        step(StepKind.WAIT_CLUSTER_AVAILABLE, EU, "pay-euw1", global_cluster_id="pay")
    ).note
    assert left_note == "pay no longer lists it"
    assert (left := cluster(gw, EU, "pay-euw1")) is not None and left.global_cluster_id is None
    twice(gw, step(StepKind.REMOVE_FROM_GLOBAL, US, "pay-use1", global_cluster_id="pay"))
    gw.run_step(step(StepKind.WAIT_CLUSTER_AVAILABLE, US, "pay-use1", global_cluster_id="pay"))
    twice(gw, step(StepKind.DELETE_GLOBAL_CLUSTER, US, "pay"))


def test_promote_replica(backend: Backend) -> None:
    gw, arrange = backend
    source = arrange.cluster(US, "main")
    arrange.cluster(EU, "copy", replica_of=source)
    assert (found := cluster(gw, EU, "copy")) is not None and found.replication_source
    twice(gw, step(StepKind.PROMOTE_REPLICA, EU, "copy", source_cluster_id=source))
    gw.run_step(step(StepKind.WAIT_CLUSTER_AVAILABLE, EU, "copy", source_cluster_id=source))
    assert (found := cluster(gw, EU, "copy")) is not None and found.replication_source is None


def test_instance_steps(backend: Backend) -> None:
    gw, arrange = backend
    arrange.instance(US, "solo", protected=True)
    twice(gw, step(StepKind.LIFT_INSTANCE_PROTECTION, US, "solo"))
    assert (found := instance(gw, US, "solo")) is not None and not found.deletion_protection
    delete = step(StepKind.DELETE_INSTANCE, US, "solo", final_snapshot_id="solo-final")
    assert gw.run_step(delete).skipped is False
    gw.run_step(step(StepKind.WAIT_INSTANCE_DELETED, US, "solo"))
    assert instance(gw, US, "solo") is None
    assert gw.run_step(delete).skipped is True
    assert gw.run_step(step(StepKind.VERIFY_INSTANCE_SNAPSHOT, US, "solo-final")).note
    assert gw.snapshot_exists(US, "solo-final", cluster=False)
    assert gw.snapshot_exists(US, "solo-final", cluster=True) is False


# -- the role's deletion --------------------------------------------------------------------------
def test_role_deletion_succeeds_when_nothing_uses_the_role(backend: Backend) -> None:
    gw, arrange = backend
    arrange.role()
    status = finished(gw, gw.delete_role())
    assert status.state is RoleDeletionState.SUCCEEDED
    assert gw.inspect_role().exists is False


def test_role_deletion_fails_with_the_usage_while_something_remains(backend: Backend) -> None:
    gw, arrange = backend
    arrange.role()
    arn = arrange.cluster(EU, "late-arrival")
    status = finished(gw, gw.delete_role())
    assert status.state is RoleDeletionState.FAILED
    assert status.usage_regions == [EU]
    assert arn in [a for u in status.usage for a in u.resources]
    assert gw.inspect_role().exists


def test_a_wait_tells_the_status_aws_reports_meanwhile(backend: Backend) -> None:
    """The operator sees AWS's own words while a step waits (``starting``, ``deleting``)."""
    gw, arrange = backend
    arrange.cluster(EU, "sleepy", stopped=True)
    heard: list[str] = []
    gw.run_step(step(StepKind.START_CLUSTER, EU, "sleepy"))
    gw.run_step(step(StepKind.WAIT_CLUSTER_AVAILABLE, EU, "sleepy"), None, heard.append)
    assert heard == ["starting", "available"]  # each word once, as it changes
    gw.run_step(step(StepKind.DELETE_MEMBER, EU, "sleepy-w", cluster_id="sleepy"))
    gw.run_step(step(StepKind.DELETE_CLUSTER, EU, "sleepy"))
    gone: list[str] = []
    gw.run_step(step(StepKind.WAIT_CLUSTER_DELETED, EU, "sleepy"), None, gone.append)
    assert gone in ([], ["deleting"])  # the fake deletes at once; the sandbox shows `deleting`
