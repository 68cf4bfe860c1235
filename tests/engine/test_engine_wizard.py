"""The state machine through :class:`Wizard`, against moto: the path, and every guard on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from enginekit import (
    ACCOUNT,
    Faults,
    exists,
    lifted,
    make_cluster,
    make_instance,
    outside,
    pending_task,
    role_exists,
    role_failed_status,
    to_confirming,
)

from slrwizard.domain import errors as e
from slrwizard.domain.records import (
    Record,
    RoleDeletionRecord,
    ScanCompleted,
    SessionEnded,
    StepRecord,
)
from slrwizard.domain.wizard import Wizard

MakeWizard = Callable[..., Wizard]


@pytest.fixture
def account_with_resources() -> None:
    make_cluster("eu-west-1", "orders", readers=1, protected=True)
    make_instance("us-east-1", "solo")


def test_the_whole_path_from_inspection_to_done(
    make_wizard: MakeWizard,
    faults: Faults,
    records: list[Record],
    account_with_resources: None,
) -> None:
    wz = make_wizard()
    seen = [wz.state]
    inspection = wz.inspect()
    assert inspection.exists
    assert inspection.role is not None
    assert inspection.role.trust_principals == ["rds.amazonaws.com"]
    scan = wz.scan()
    seen.append(wz.state)
    assert [c.key for c in scan.clusters] == ["eu-west-1/orders"]
    assert [i.key for i in scan.instances] == ["us-east-1/solo"]
    assert scan.clusters[0].members[0].is_writer
    plan = lifted(wz.default_plan())
    assert wz.set_plan(plan) == []
    wz.review()
    seen.append(wz.state)
    wz.confirm(ACCOUNT)
    seen.append(wz.state)
    assert wz.delete_resources() is True, {
        k: p.error.explanation for k, p in wz.progress.items() if p.error
    }
    assert {p.state.value for p in wz.progress.values()} == {"done"}
    wz.finish_deletions()
    seen.append(wz.state)
    rescan = wz.rescan()
    seen.append(wz.state)
    assert rescan.resource_count == 0
    status = wz.delete_role()
    seen.append(wz.state)
    assert status.state.value == "SUCCEEDED"
    assert seen == [
        "inspecting",
        "reviewing",
        "confirming",
        "deleting_clusters",
        "rescanning",
        "deleting_role",
        "done",
    ]
    # What AWS now holds: nothing but the final snapshots.
    assert not exists("eu-west-1", "orders")
    assert not exists("us-east-1", "solo", cluster=False)
    assert not role_exists()
    rds = outside("rds", "eu-west-1")
    snap = rds.describe_db_cluster_snapshots(
        DBClusterSnapshotIdentifier=plan.resources[0].final_snapshot_id
    )
    assert snap["DBClusterSnapshots"][0]["Status"] == "available"
    # What the journal was told, in order.
    kinds = [r.kind for r in records]
    assert kinds[:3] == ["session-started", "role-inspected", "scan-completed"]
    assert kinds.index("plan-confirmed") < kinds.index("step")
    assert [r.purpose for r in records if isinstance(r, ScanCompleted)] == ["scan", "rescan"]
    assert isinstance(records[-1], SessionEnded)
    assert records[-1].state == "done"
    running = [r for r in records if isinstance(r, StepRecord) and r.status.value == "running"]
    assert {r.resource for r in running} == {"eu-west-1/orders", "us-east-1/solo"}
    assert sorted(wz.deleted) == ["eu-west-1/orders", "us-east-1/solo"]


def test_an_absent_role_ends_the_walk_without_scanning(
    make_wizard: MakeWizard, faults: Faults
) -> None:
    wz = make_wizard(role=False)
    assert wz.inspect().exists is False
    with pytest.raises(e.GuardError):
        wz.scan()
    wz.finish_without_role()
    assert wz.state == "done"
    assert "DescribeDBClusters" not in faults.operations()


# -- no confirmation without a valid plan -----------------------------------------------------
def test_review_needs_a_valid_plan(make_wizard: MakeWizard, account_with_resources: None) -> None:
    wz = make_wizard()
    wz.inspect()
    wz.scan()
    with pytest.raises(e.InvalidInputError, match="no deletion plan"):
        wz.review()
    problems = wz.set_plan(wz.default_plan())  # protection not ticked
    assert problems == [
        "Cluster eu-west-1/orders has deletion protection; tick 'lift protection' to allow "
        "the wizard to turn it off."
    ]
    with pytest.raises(e.InvalidInputError, match="deletion protection"):
        wz.review()
    with pytest.raises(e.GuardError):
        wz.confirm(ACCOUNT)
    assert wz.state == "reviewing"
    other = lifted(wz.default_plan()).model_copy(update={"account": "999999999999"})
    assert wz.set_plan(other) == ["The plan was made for another account."]
    with pytest.raises(e.InvalidInputError):
        wz.review()


# The guards on confirmation, read-only and the role: test_engine_wizard_logic.py (on the fake).


def test_resources_appearing_before_the_rescan_keep_the_role(
    make_wizard: MakeWizard, faults: Faults
) -> None:
    make_cluster("eu-west-1", "orders")
    wz = make_wizard()
    to_confirming(wz)
    wz.confirm(ACCOUNT)
    assert wz.delete_resources()
    wz.finish_deletions()
    make_instance("us-east-1", "newcomer")  # someone creates a database meanwhile
    wz.rescan()
    assert wz.state == "reviewing"
    with pytest.raises(e.GuardError):
        wz.delete_role()
    assert role_exists()


# -- the role still in use: back to scanning the regions AWS named ----------------------------
def test_role_in_use_goes_back_to_scan_exactly_the_usage_regions(
    make_wizard: MakeWizard, faults: Faults, records: list[Record]
) -> None:
    regions = ["ap-south-1", "eu-central-1", "eu-west-1", "us-east-1"]
    wz = make_wizard(regions)
    wz.inspect()
    assert wz.scan().resource_count == 0
    wz.skip_to_role()
    # A cluster appears after the scan; AWS's task fails and names it (under another region).
    late = make_cluster("eu-central-1", "late")
    faults.answer("DeleteServiceLinkedRole", pending_task, times=1)
    faults.answer(
        "GetServiceLinkedRoleDeletionStatus",
        role_failed_status([("eu-west-1", [late])]),
        times=1,
    )
    status = wz.delete_role()
    assert status.state.value == "FAILED"
    assert status.usage_regions == ["eu-west-1", "eu-central-1"]
    assert wz.state == "deleting_role"
    assert wz.role_deletion_failed
    assert role_exists()
    failed = [r for r in records if isinstance(r, RoleDeletionRecord) and r.status is not None]
    assert failed[-1].status is not None
    assert failed[-1].status.usage[0].resources == [late]

    mark = len(faults.calls)
    scan = wz.back_to_scan()
    scanned = {c.region for c in faults.calls[mark:] if c.operation == "DescribeDBClusters"}
    assert scanned == {"eu-west-1", "eu-central-1"}
    assert [r.region for r in scan.regions] == ["eu-central-1", "eu-west-1"]
    assert wz.state == "reviewing"
    assert [c.key for c in scan.clusters] == ["eu-central-1/late"]

    wz.set_plan(wz.default_plan())
    wz.review()
    wz.confirm(ACCOUNT)
    assert wz.delete_resources()
    wz.finish_deletions()
    full = wz.rescan()
    assert sorted(r.region for r in full.regions) == regions  # the role needs every region
    assert wz.delete_role().state.value == "SUCCEEDED"
    assert wz.state == "done"
    assert not role_exists()


def test_back_to_scan_needs_a_failed_role_deletion(make_wizard: MakeWizard) -> None:
    wz = make_wizard()
    wz.inspect()
    wz.scan()
    wz.skip_to_role()
    with pytest.raises(e.GuardError):
        wz.back_to_scan()  # nothing failed: no way back from the role step
    assert wz.state == "deleting_role"


# -- abort ------------------------------------------------------------------------------------
def _drive(wz: Wizard, state: str) -> None:
    """Walk ``wz`` (on an account with one cluster) to ``state``."""
    if state == "inspecting":
        return
    wz.inspect()
    if state == "scanning":
        return
    wz.scan()
    if state == "reviewing":
        return
    wz.set_plan(lifted(wz.default_plan()))
    wz.review()
    if state == "confirming":
        return
    wz.confirm(ACCOUNT)
    if state == "deleting_clusters":
        return
    assert wz.delete_resources()
    wz.finish_deletions()
    if state == "rescanning":
        return
    wz.rescan()
    assert state == "deleting_role"


@pytest.mark.parametrize(
    "state",
    [
        "inspecting",
        "reviewing",
        "confirming",
        "deleting_clusters",
        "rescanning",
        "deleting_role",
    ],
)
def test_abort_from_every_state(
    make_wizard: MakeWizard, faults: Faults, records: list[Record], state: str
) -> None:
    make_cluster("eu-west-1", "orders")
    wz = make_wizard()
    _drive(wz, state)
    assert wz.state == state
    mutations = len(faults.mutating_calls())
    wz.abort("operator said stop")
    assert wz.state == "aborted"
    assert isinstance(records[-1], SessionEnded)
    assert records[-1].state == "aborted"
    assert records[-1].reason == "operator said stop"
    for attempt in (
        wz.inspect,
        wz.scan,
        lambda: wz.confirm(ACCOUNT),
        wz.delete_resources,
        wz.finish_deletions,
        wz.rescan,
        wz.delete_role,
    ):
        with pytest.raises(e.GuardError):
            attempt()
    assert len(faults.mutating_calls()) == mutations  # nothing after the abort
    assert role_exists()
    wz.abort("again")  # a final state stays as it is
    assert wz.state == "aborted"
    assert len([r for r in records if isinstance(r, SessionEnded)]) == 1


def test_abort_while_scanning(make_wizard: MakeWizard, records: list[Record]) -> None:
    wz = make_wizard(["eu-west-1"])
    wz.inspect()

    def abort_midway(_: Any) -> None:
        assert wz.state == "scanning"
        wz.abort("closed the window")

    with pytest.raises(e.GuardError):
        wz.scan(on_region=abort_midway)
    assert wz.state == "aborted"
    ended = [r for r in records if isinstance(r, SessionEnded)]
    assert [(r.state, r.reason) for r in ended] == [("aborted", "closed the window")]
    with pytest.raises(e.GuardError):
        wz.skip_to_role()


def test_abort_in_a_final_state_changes_nothing(make_wizard: MakeWizard) -> None:
    wz = make_wizard(role=False)
    wz.inspect()
    wz.finish_without_role()
    wz.abort("late")
    assert wz.state == "done"
