"""Backups on every backend: RDS Custom's manual snapshot before its deletion, and the room for
retained automated backups checked before a database's first irreversible call."""

from __future__ import annotations

import pytest
from backends import Arrange

from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome
from slrwizard.domain.plan import PlanStep, StepKind
from slrwizard.domain.ports import Gateway

Backend = tuple[Gateway, Arrange]
EU = "eu-west-1"
K = StepKind


def step(kind: StepKind, target: str, **refs: object) -> PlanStep:
    return PlanStep(kind=kind, region=EU, target=target, description=kind.value, **refs)  # type: ignore[arg-type]


def names(gw: Gateway) -> set[str]:
    [scan] = gw.scan_regions([EU])
    assert scan.outcome is RegionOutcome.SCANNED
    return {c.identifier for c in scan.clusters} | {i.identifier for i in scan.instances}


def test_rds_custom_is_snapshotted_then_deleted_without_a_final_snapshot(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.custom_instance(EU, "erp")
    snap = step(K.SNAPSHOT_INSTANCE, "erp", final_snapshot_id="erp-backup")
    assert gw.run_step(snap).skipped is False
    assert gw.run_step(snap).skipped is True  # a retried or resumed step takes no second one
    assert gw.run_step(step(K.VERIFY_INSTANCE_SNAPSHOT, "erp-backup")).note == "available"
    assert gw.snapshot_status(EU, "erp-backup", cluster=False) == "available"
    gw.run_step(step(K.DELETE_INSTANCE, "erp"))  # SkipFinalSnapshot, as AWS requires
    gw.run_step(step(K.WAIT_INSTANCE_DELETED, "erp"))
    assert "erp" not in names(gw)
    assert gw.snapshot_status(EU, "erp-backup", cluster=False) == "available"


def test_a_full_retained_backups_quota_stops_the_check_before_anything_changes(
    backend: Backend,
) -> None:
    gw, arrange = backend
    arrange.retained_backup_quota(1)
    arrange.cluster(EU, "old")
    arrange.cluster(EU, "orders")
    # One cluster deleted with its automated backups retained fills the quota of 1.
    gw.run_step(step(K.DELETE_MEMBER, "old-w", cluster_id="old"))
    gw.run_step(step(K.DELETE_CLUSTER, "old", delete_automated_backups=False))
    gw.run_step(step(K.WAIT_CLUSTER_DELETED, "old"))

    check = step(K.CHECK_CLUSTER, "orders", delete_automated_backups=False)
    with pytest.raises(e.AwsError) as refused:
        gw.run_step(check)
    assert refused.value.code == "DBClusterAutomatedBackupQuotaExceededFault"
    assert "Nothing was changed" in refused.value.explanation
    assert "orders" in names(gw)
    # Deleting its automated backups with it needs no room.
    gw.run_step(step(K.CHECK_CLUSTER, "orders", delete_automated_backups=True))


def test_backups_deleted_with_the_database_leave_no_retained_backup(backend: Backend) -> None:
    gw, arrange = backend
    arrange.retained_backup_quota(1)
    for name in ("a", "b"):
        arrange.cluster(EU, name)
        gw.run_step(step(K.DELETE_MEMBER, f"{name}-w", cluster_id=name))
        gw.run_step(step(K.DELETE_CLUSTER, name, delete_automated_backups=True))
        gw.run_step(step(K.WAIT_CLUSTER_DELETED, name))
    arrange.cluster(EU, "c")
    gw.run_step(step(K.CHECK_CLUSTER, "c", delete_automated_backups=False))


def test_a_resumed_rds_custom_plan_accepts_the_snapshot_it_already_took(
    backend: Backend,
) -> None:
    """Killed between the manual snapshot and the deletion: the resumed check finds the name
    taken by its own snapshot of this very instance, and goes on; another instance may not
    use that name."""
    gw, arrange = backend
    arrange.custom_instance(EU, "erp")
    arrange.custom_instance(EU, "crm")
    gw.run_step(step(K.SNAPSHOT_INSTANCE, "erp", final_snapshot_id="erp-backup"))
    result = gw.run_step(step(K.CHECK_INSTANCE, "erp", final_snapshot_id="erp-backup"))
    assert "already taken" in result.note
    with pytest.raises(e.SnapshotExistsError):
        gw.run_step(step(K.CHECK_INSTANCE, "crm", final_snapshot_id="erp-backup"))
