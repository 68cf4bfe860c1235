"""Drill: the wizard is SIGKILLed right before, or right after, each mutating call of its plan;
a second process resumes. AWS (a ThreadedMotoServer in this process) survives both.

Whatever the moment of death: every resource ends gone, the role deleted, the final snapshots
exist, and no mutating call reached AWS twice for the same resource across the two processes.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from drill_support import (
    PLAN_CALLS,
    REGIONS,
    ROLE_NAME,
    CallLog,
    brisk,
    read_calls,
    run_child,
    run_resume,
    start_child,
)

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.records import PlanConfirmed, RoleDeletionRecord, SessionEnded, StepRecord
from slrwizard.domain.resume import PriorSession
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.export import export_markdown
from slrwizard.journal.sessions import load


def assert_account_emptied(moto: Any) -> None:
    for region in REGIONS:
        rds = moto.client("rds", region)
        assert rds.describe_db_clusters()["DBClusters"] == []
        assert rds.describe_db_instances()["DBInstances"] == []
    iam = moto.client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE_NAME)


def assert_final_snapshots(moto: Any, journal: Path) -> None:
    """Every final snapshot of the confirmed plans exists and is available."""
    view = load(journal)
    plans = [
        r.plan for s in view.sessions.values() for r in s.records if isinstance(r, PlanConfirmed)
    ]
    wanted = {r.identifier: r.final_snapshot_id for p in plans for r in p.resources}
    assert wanted["ledger"] is None  # skipped on purpose
    rds = moto.client("rds", "eu-west-1")
    cluster_snap = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=wanted["orders"])
    assert cluster_snap["DBClusterSnapshots"][0]["Status"] == "available"
    instance_snap = rds.describe_db_snapshots(DBSnapshotIdentifier=wanted["solo"])
    assert instance_snap["DBSnapshots"][0]["Status"] == "available"


def resume_in_process(journal: Path, calls: Path) -> Wizard:
    """What the launcher does when the operator picks "Resume", then the resume walkthrough."""
    offered: list[PriorSession] = []

    def accept(prior: PriorSession) -> bool:
        offered.append(prior)
        return True

    wizard, wiring = connect_wizard(
        Options(regions=REGIONS), journal_path=journal, on_unfinished=accept
    )
    CallLog(calls, f"resume-{wizard.session_id}").install(wiring.gateway.events)
    brisk(wiring.gateway)
    assert len(offered) == 1
    run_resume(wizard, offered[0])
    return wizard


def announced(journal: Path, op: str, target: str) -> bool:
    """The journal announced the call before it was made (the last line of defence)."""
    records = [r for s in load(journal).sessions.values() for r in s.records]
    if op == "DeleteServiceLinkedRole":
        return any(isinstance(r, RoleDeletionRecord) and r.phase == "requested" for r in records)
    return any(
        isinstance(r, StepRecord) and r.status.value == "running" and r.step.target == target
        for r in records
        if isinstance(r, StepRecord) and r.step.mutating
    )


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize(("op", "target"), PLAN_CALLS, ids=[f"{o}-{t}" for o, t in PLAN_CALLS])
def test_killed_at_each_mutating_call_then_resumed(
    moto: Any, tmp_path: Path, op: str, target: str, when: str
) -> None:
    journal, calls = tmp_path / "journal.jsonl", tmp_path / "calls.jsonl"

    first = run_child(moto.url, "run", str(journal), str(calls), "--kill", f"{op}:{target}:{when}")
    assert first.returncode == -signal.SIGKILL, first.stderr
    assert announced(journal, op, target)
    [killed] = load(journal).sessions.values()
    assert killed.ended is None  # SIGKILL leaves no end record: that is what resume is for

    # The resume runs in this process (the ThreadedMotoServer's); a child resume is covered by
    # test_role_task_in_flight_is_polled_not_requested_again.
    resumed_wizard = resume_in_process(journal, calls)
    assert resumed_wizard.state == "done"

    assert_account_emptied(moto)
    assert_final_snapshots(moto, journal)
    # Each planned call reached AWS exactly once across both processes.
    assert sorted(moto.log.calls) == sorted(PLAN_CALLS), moto.log.calls
    answered = [(c["op"], c["target"]) for c in read_calls(calls)]
    assert len(answered) == len(set(answered)), answered

    view = load(journal)
    resumed = view.get("latest")
    assert resumed.resumed_from == killed.session_id
    assert isinstance(resumed.records[-1], SessionEnded)
    assert resumed.records[-1].state == "done"
    report = export_markdown(journal, resumed.session_id)
    assert "Role AWSServiceRoleForRDS: **deleted**" in report
    assert "- Databases: 3 deleted." in report  # across both sessions, whoever saw them go
    assert "| available (" in report  # both final snapshots verified by a session
    assert "not verified" not in report


def test_role_task_in_flight_is_polled_not_requested_again(moto: Any, tmp_path: Path) -> None:
    """Killed while AWS is still deleting the role: the resume polls the same task."""
    journal, calls = tmp_path / "journal.jsonl", tmp_path / "calls.jsonl"
    first = start_child(moto.url, "run", str(journal), str(calls), "--async-role")
    assert first.stdout is not None
    for line in first.stdout:
        if line.startswith("POLLING"):
            break
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    tasks = [
        r.task_id
        for r in load(journal).get("latest").records
        if isinstance(r, RoleDeletionRecord) and r.task_id
    ]
    assert len(tasks) == 1

    (journal.with_suffix(".role-done")).touch()  # AWS finishes the task meanwhile
    second = run_child(moto.url, "resume", str(journal), str(calls), "--async-role")
    assert second.returncode == 0, second.stderr
    assert f"POLLED {tasks[0]}" in second.stdout
    assert_account_emptied(moto)
    role_calls = [c for c in read_calls(calls) if c["op"] == "DeleteServiceLinkedRole"]
    assert [c["by"].split("-")[0] for c in role_calls] == ["run"]  # never requested again
    resumed = load(journal).get("latest")
    statuses = [r for r in resumed.records if isinstance(r, RoleDeletionRecord)]
    assert [r.phase for r in statuses] == ["status"]
    assert statuses[0].task_id == tasks[0]


def test_resume_waits_for_a_deletion_aws_is_still_carrying_out(moto: Any, tmp_path: Path) -> None:
    """Killed as DeleteDBCluster went out; on AWS the cluster is then ``deleting`` for minutes and
    its final snapshot already exists. The resume must wait for it: neither delete it again nor
    refuse it because "a snapshot with that name exists" (it is the one this deletion takes)."""
    from moto.rds.models import rds_backends

    journal, calls = tmp_path / "journal.jsonl", tmp_path / "calls.jsonl"
    first = run_child(
        moto.url, "run", str(journal), str(calls), "--kill", "DeleteDBCluster:orders:before"
    )
    assert first.returncode == -signal.SIGKILL, first.stderr
    [plan] = [r.plan for r in load(journal).get("latest").records if isinstance(r, PlanConfirmed)]
    snapshot = plan.choice("eu-west-1/orders").final_snapshot_id  # type: ignore[union-attr]
    # What AWS does with the request the process died making (moto deletes at once instead):
    backend = rds_backends["123456789012"]["eu-west-1"]
    moto.client("rds", "eu-west-1").create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=snapshot, DBClusterIdentifier="orders"
    )
    backend.clusters["orders"].status = "deleting"
    polls = {"n": 0}

    def aws_finishes_later(**_: Any) -> None:
        polls["n"] += 1
        if polls["n"] == 6:  # a few polls later the deletion is over
            backend.clusters.pop("orders", None)

    offered: list[PriorSession] = []
    wizard, wiring = connect_wizard(
        Options(regions=REGIONS),
        journal_path=journal,
        on_unfinished=lambda p: offered.append(p) or True,
    )
    wiring.gateway.events.register("after-call.rds.DescribeDBClusters", aws_finishes_later)
    brisk(wiring.gateway, poll_seconds=0.01)
    run_resume(wizard, offered[0])

    assert wizard.state == "done"
    assert ("DeleteDBCluster", "orders") not in moto.log.calls  # never sent, by either process
    steps = [r for r in load(journal).get("latest").records if isinstance(r, StepRecord)]
    delete = [
        r for r in steps if r.step.target == "orders" and r.step.kind.value == "delete-cluster"
    ]
    assert delete[-1].status.value == "skipped" and "not deleting again" in delete[-1].note
    assert any(r.step.target == snapshot and r.status.value == "done" for r in steps)
    assert_account_emptied(moto)
