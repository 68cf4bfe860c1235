"""The executor through the wizard, against moto (and the demo sandbox for global databases):
concurrency, dependencies, resources that vanish, names taken late, denials, retry and stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from enginekit import (
    ACCOUNT,
    Call,
    Faults,
    delete_cluster_outside,
    exists,
    lifted,
    make_cluster,
    make_instance,
    ok_reply,
    outside,
    to_confirming,
)

from slrwizard.domain import errors as e
from slrwizard.domain.executor import Executor, ResourceState, StepUpdate
from slrwizard.domain.plan import DeletionPlan, StepKind
from slrwizard.domain.records import Record, StepRecord, StepStatus
from slrwizard.domain.wizard import Wizard

MakeWizard = Callable[..., Wizard]


@dataclass
class Seen:
    at: float
    update: StepUpdate
    kind: StepKind


class Timeline:
    """A step listener that remembers when each update happened, and can act on one."""

    def __init__(self, wz: Wizard) -> None:
        self.wz = wz
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.hooks: list[tuple[Callable[[Seen], bool], Callable[[], None]]] = []

    def __call__(self, update: StepUpdate) -> None:
        steps = self.wz.progress[update.resource].steps.steps
        seen = Seen(time.monotonic(), update, steps[min(update.index, len(steps) - 1)].kind)
        with self.lock:
            self.seen.append(seen)
            due = [h for h in self.hooks if h[0](seen)]
            for hook in due:
                self.hooks.remove(hook)
        for _, action in due:
            action()

    def after(
        self, resource: str, index: int, action: Callable[[], None], *, status: str = "done"
    ) -> None:
        """Run ``action`` once, when step ``index`` of ``resource`` reaches ``status``."""

        def when(s: Seen) -> bool:
            return (s.update.resource, s.update.index, s.update.status.value) == (
                resource,
                index,
                status,
            )

        self.hooks.append((when, action))

    def first(self, resource: str, kind: StepKind, status: str) -> float:
        return next(
            s.at
            for s in self.seen
            if s.update.resource == resource and s.kind is kind and s.update.status.value == status
        )

    def span(self, resource: str) -> tuple[float, float]:
        times = [s.at for s in self.seen if s.update.resource == resource]
        return min(times), max(times)


def confirmed(wz: Wizard) -> Timeline:
    """Inspect, scan, plan (default, protection lifted), confirm; a timeline for the run."""
    to_confirming(wz)
    wz.confirm(wz.account)
    return Timeline(wz)


def confirmed_with(wz: Wizard, plan: DeletionPlan) -> Timeline:
    """Confirm ``plan`` (the wizard is reviewing); a timeline for the run."""
    assert wz.set_plan(plan) == []
    wz.review()
    wz.confirm(wz.account)
    return Timeline(wz)


# -- concurrency ------------------------------------------------------------------------------
def test_resources_in_different_regions_are_deleted_at_the_same_time(
    make_wizard: MakeWizard, faults: Faults
) -> None:
    make_cluster("eu-west-1", "alpha", protected=True)
    make_cluster("us-east-1", "bravo")
    make_instance("ap-south-1", "charlie")
    latency = 0.3
    for op in ("DeleteDBCluster", "DeleteDBInstance", "ModifyDBCluster"):
        faults.delay(latency, service="rds", operation=op)
    wz = make_wizard(["ap-south-1", "eu-west-1", "us-east-1"])
    timeline = confirmed(wz)
    started = time.monotonic()
    assert wz.delete_resources(timeline)
    elapsed = time.monotonic() - started
    spans = {key: timeline.span(key) for key in wz.progress}
    assert len(spans) == 3
    # Every resource started before any finished: they ran side by side...
    assert max(s for s, _ in spans.values()) < min(f for _, f in spans.values())
    # ...so the whole run took far less than the resources' times added up (each one waited
    # at least `latency` per delayed call; one after another they would add up).
    busy = sum(f - s for s, f in spans.values())
    assert busy >= latency * (3 + 2 + 1)
    assert elapsed < 0.7 * busy, f"{elapsed:.2f}s is not concurrent ({busy:.2f}s of work)"


def test_the_longest_chains_start_first(make_wizard: MakeWizard, faults: Faults) -> None:
    """A stopped cluster must be started (minutes) before anything else: it goes first, so the
    total is its chain and not its chain plus everyone else's first calls."""
    make_instance("eu-west-1", "alpha")
    make_cluster("eu-west-1", "bravo", readers=2, protected=True)
    make_cluster("us-east-1", "charlie", stopped=True)
    make_instance("us-east-1", "delta")
    wz = make_wizard()
    to_confirming(wz)
    wz.confirm(wz.account)
    assert wz.plan is not None and wz.scan_result is not None
    executor = Executor(wz.gateway, wz.plan, wz.scan_result, max_workers=1)
    progress = executor.run()  # one at a time: the order is the order they were started in
    assert all(p.state is ResourceState.DONE for p in progress.values())
    order = [c for c in faults.mutating_calls()]
    assert (order[0].operation, order[0].params.get("DBClusterIdentifier")) == (
        "StartDBCluster",
        "charlie",
    )
    # then the longer plans (bravo: protection, two readers, a writer, itself) before the short
    firsts = [c.params.get("DBClusterIdentifier") or c.params.get("DBInstanceIdentifier")
              for c in order]  # fmt: skip
    assert firsts.index("bravo") < firsts.index("alpha")
    assert firsts.index("bravo") < firsts.index("delta")


def test_a_read_replica_is_promoted_before_its_source_loses_a_member(
    make_wizard: MakeWizard, faults: Faults
) -> None:
    source = make_cluster("us-east-1", "source")
    make_cluster("eu-west-1", "replica", replica_of=source)
    make_instance("us-east-1", "db")
    make_instance("us-east-1", "db-rr", replica_of="db")
    faults.delay(0.3, operation="PromoteReadReplicaDBCluster")
    faults.delay(0.3, operation="DeleteDBInstance")
    wz = make_wizard(["eu-west-1", "us-east-1"])
    timeline = confirmed(wz)
    assert wz.delete_resources(timeline)
    promoted = timeline.first("eu-west-1/replica", StepKind.PROMOTE_REPLICA, "done")
    first_member = timeline.first("us-east-1/source", StepKind.DELETE_MEMBER, "running")
    assert first_member >= promoted
    replica_gone = timeline.first("us-east-1/db-rr", StepKind.WAIT_INSTANCE_DELETED, "done")
    source_deleted = timeline.first("us-east-1/db", StepKind.DELETE_INSTANCE, "running")
    assert source_deleted >= replica_gone
    waits = [s.update.note for s in timeline.seen if s.update.status is StepStatus.WAITING]
    assert "waiting for eu-west-1/replica" in waits
    assert "waiting for us-east-1/db-rr" in waits


# -- global databases (the sandbox: moto cannot detach a member outside us-east-1) -------------
PRIMARY, SECONDARY = "us-east-1/payments-core-use1", "eu-west-1/payments-core-euw1"


def _global_members() -> list[str]:
    found = outside("rds", "us-east-1").describe_global_clusters(
        GlobalClusterIdentifier="payments-global"
    )["GlobalClusters"]
    return [m["DBClusterArn"].rsplit(":", 1)[-1] for m in found[0]["GlobalClusterMembers"]]


def test_global_primary_waits_for_its_secondary_to_leave(demo: Any) -> None:
    wz, _, faults = demo
    faults.delay(0.3, operation="RemoveFromGlobalCluster", region="eu-west-1")
    timeline = confirmed(wz)
    assert wz.delete_resources(timeline)
    secondary_left = timeline.first(SECONDARY, StepKind.REMOVE_FROM_GLOBAL, "done")
    primary_leaves = timeline.first(PRIMARY, StepKind.REMOVE_FROM_GLOBAL, "running")
    assert primary_leaves >= secondary_left
    assert any(
        s.update.resource == PRIMARY and s.update.note == f"waiting for {SECONDARY}"
        for s in timeline.seen
    )
    deleted_global = [c for c in faults.calls if c.operation == "DeleteGlobalCluster"]
    assert [c.params["GlobalClusterIdentifier"] for c in deleted_global] == ["payments-global"]


def test_a_secondary_that_cannot_leave_holds_the_primary_back(demo: Any) -> None:
    wz, _, faults = demo
    denial = faults.deny("RemoveFromGlobalCluster", region="eu-west-1")
    timeline = confirmed(wz)
    assert wz.delete_resources(timeline) is False
    secondary, primary = wz.progress[SECONDARY], wz.progress[PRIMARY]
    assert secondary.state is ResourceState.FAILED
    assert isinstance(secondary.error, e.AccessDeniedError)
    assert primary.state is ResourceState.FAILED
    assert primary.error is not None
    assert primary.error.code == "DependencyFailed"
    assert SECONDARY in primary.error.explanation
    assert sorted(_global_members()) == ["payments-core-euw1", "payments-core-use1"]
    assert exists("us-east-1", "payments-core-use1")
    others = [p for k, p in wz.progress.items() if k not in (PRIMARY, SECONDARY)]
    assert all(p.state is ResourceState.DONE for p in others)
    faults.remove(denial)
    assert wz.retry(SECONDARY) is False  # the primary is still failed
    assert wz.retry(PRIMARY) is True
    assert not exists("us-east-1", "payments-core-use1")


# -- a cluster that vanishes mid-plan ---------------------------------------------------------
@pytest.mark.parametrize(
    ("index", "status"),
    [(0, "running"), (1, "done"), (4, "done")],
    ids=["before-start", "after-start", "after-members-and-protection"],
)
def test_a_cluster_deleted_behind_the_wizards_back_ends_vanished(
    make_wizard: MakeWizard, faults: Faults, records: list[Record], index: int, status: str
) -> None:
    make_cluster("eu-west-1", "doomed", readers=1, protected=True, stopped=True)
    make_instance("us-east-1", "bystander")
    wz = make_wizard()
    timeline = confirmed(wz)
    key = "eu-west-1/doomed"
    timeline.after(key, index, lambda: delete_cluster_outside("eu-west-1", "doomed"), status=status)
    assert wz.delete_resources(timeline) is True  # vanished counts as finished
    kinds = [s.kind for s in wz.progress[key].steps.steps]
    assert kinds[:6] == [
        StepKind.START_CLUSTER,
        StepKind.WAIT_CLUSTER_AVAILABLE,
        StepKind.DELETE_MEMBER,
        StepKind.DELETE_MEMBER,
        StepKind.LIFT_CLUSTER_PROTECTION,
        StepKind.DELETE_CLUSTER,
    ]
    doomed = wz.progress[key]
    assert doomed.state is ResourceState.VANISHED
    assert isinstance(doomed.error, e.NotFoundError)
    assert "doomed" in doomed.error.explanation
    assert wz.progress["us-east-1/bystander"].state is ResourceState.DONE
    steps = [r for r in records if isinstance(r, StepRecord) and r.resource == key]
    assert not any(r.status is StepStatus.FAILED for r in steps)
    assert steps[-1].status is StepStatus.SKIPPED
    assert "DeleteDBCluster" not in [
        c.operation for c in faults.calls if c.params.get("DBClusterIdentifier") == "doomed"
    ]
    wz.finish_deletions()
    wz.rescan()
    assert wz.state == "deleting_role"


def test_a_cluster_gone_before_a_delete_without_snapshot_is_not_a_failure(
    make_wizard: MakeWizard,
) -> None:
    make_cluster("eu-west-1", "doomed", protected=True)
    wz = make_wizard()
    wz.inspect()
    wz.scan()
    plan = lifted(wz.default_plan())
    skip = [
        r.model_copy(update={"final_snapshot_id": None, "skip_final_snapshot": True})
        for r in plan.resources
    ]
    timeline = confirmed_with(wz, plan.model_copy(update={"resources": skip}))
    timeline.after("eu-west-1/doomed", 1, lambda: delete_cluster_outside("eu-west-1", "doomed"))
    assert wz.delete_resources(timeline) is True
    assert wz.progress["eu-west-1/doomed"].state in (ResourceState.DONE, ResourceState.VANISHED)


@pytest.mark.parametrize(("index", "status"), [(0, "running"), (0, "done")])
def test_a_standalone_instance_deleted_behind_the_wizards_back_ends_vanished(
    make_wizard: MakeWizard, index: int, status: str
) -> None:
    make_instance("eu-west-1", "doomed", protected=True)
    wz = make_wizard()
    timeline = confirmed(wz)

    def delete() -> None:
        rds = outside("rds", "eu-west-1")
        rds.modify_db_instance(DBInstanceIdentifier="doomed", DeletionProtection=False)
        rds.delete_db_instance(DBInstanceIdentifier="doomed", SkipFinalSnapshot=True)

    timeline.after("eu-west-1/doomed", index, delete, status=status)
    assert wz.delete_resources(timeline) is True
    assert wz.progress["eu-west-1/doomed"].state is ResourceState.VANISHED


def test_a_final_snapshot_that_never_appears_is_a_failure_not_a_vanishing(
    make_wizard: MakeWizard, faults: Faults
) -> None:
    """The final snapshot is the proof nothing was lost: its absence must not read as 'gone'."""
    make_cluster("eu-west-1", "orders")
    wz = make_wizard()
    timeline = confirmed(wz)
    faults.fail(
        "DescribeDBClusterSnapshots",
        "DBClusterSnapshotNotFoundFault",
        "not found",
        when=lambda c: wz.progress["eu-west-1/orders"].next_index > 2,
    )
    assert wz.delete_resources(timeline) is False
    orders = wz.progress["eu-west-1/orders"]
    assert orders.state is ResourceState.FAILED
    assert orders.error is not None
    assert "final snapshot" in orders.error.explanation
    assert orders.error.code == "FinalSnapshotMissing"


# -- a snapshot name taken between confirmation and deletion ----------------------------------
@pytest.mark.parametrize("taken", ["cluster", "instance"])
def test_a_snapshot_name_taken_after_confirmation_stops_only_that_resource(
    make_wizard: MakeWizard, faults: Faults, taken: str
) -> None:
    make_cluster("eu-west-1", "orders", readers=1, protected=True)
    make_cluster("us-east-1", "billing")
    make_instance("eu-west-1", "solo", protected=True)
    wz = make_wizard()
    confirmed(wz)
    assert wz.plan is not None
    victim = "eu-west-1/orders" if taken == "cluster" else "eu-west-1/solo"
    chosen = wz.plan.choice(victim)
    assert chosen is not None
    name = str(chosen.final_snapshot_id)
    rds = outside("rds", "eu-west-1")
    if taken == "cluster":  # a colleague takes a manual snapshot with that very name
        rds.create_db_cluster_snapshot(
            DBClusterIdentifier="orders", DBClusterSnapshotIdentifier=name
        )
    else:
        rds.create_db_snapshot(DBInstanceIdentifier="solo", DBSnapshotIdentifier=name)
    assert wz.delete_resources() is False
    stopped = wz.progress[victim]
    assert stopped.state is ResourceState.FAILED
    assert isinstance(stopped.error, e.SnapshotExistsError)
    assert name in stopped.error.explanation
    assert "nothing was changed" in stopped.error.explanation
    assert stopped.next_index == 0
    assert all(p.state is ResourceState.DONE for k, p in wz.progress.items() if k != victim)
    # Nothing at all was done to it.
    ident = victim.split("/")[1]
    touched = [c for c in faults.mutating_calls() if ident in str(c.params)]
    assert touched == []
    if taken == "cluster":
        cluster = rds.describe_db_clusters(DBClusterIdentifier="orders")["DBClusters"][0]
        assert cluster["DeletionProtection"] is True
        assert len(cluster["DBClusterMembers"]) == 2
    else:
        solo = rds.describe_db_instances(DBInstanceIdentifier="solo")["DBInstances"][0]
        assert solo["DeletionProtection"] is True
    # The way out: leave it, rescan, choose another name, and the walk goes on.
    wz.skip(victim)
    wz.finish_deletions()
    rescan = wz.rescan()
    assert wz.state == "reviewing"
    assert [r.key for r in [*rescan.clusters, *rescan.instances]] == [victim]
    renamed = [
        r.model_copy(update={"final_snapshot_id": f"{ident}-second-try"})
        for r in lifted(wz.default_plan()).resources
    ]
    confirmed_with(wz, DeletionPlan(account=ACCOUNT, resources=renamed))
    assert wz.delete_resources() is True, {k: p.error for k, p in wz.progress.items()}
    assert not exists("eu-west-1", ident, cluster=taken == "cluster")


# -- AccessDenied on a mutating call, then retry ----------------------------------------------
def test_access_denied_on_delete_cluster_stops_that_cluster_and_retry_finishes_it(
    make_wizard: MakeWizard, faults: Faults, records: list[Record]
) -> None:
    make_cluster("eu-west-1", "orders", readers=1)
    make_cluster("us-east-1", "billing")
    make_instance("eu-west-1", "solo")
    denial = faults.deny("DeleteDBCluster", region="eu-west-1")
    wz = make_wizard()
    confirmed(wz)
    assert wz.delete_resources() is False
    orders = wz.progress["eu-west-1/orders"]
    assert orders.state is ResourceState.FAILED
    assert isinstance(orders.error, e.AccessDeniedError)
    assert orders.error.action == "rds:DeleteDBCluster"
    assert "rds:DeleteDBCluster" in orders.error.explanation
    assert "rds:DeleteDBCluster" in orders.error.hint
    assert orders.steps.steps[orders.next_index].kind is StepKind.DELETE_CLUSTER
    assert wz.progress["us-east-1/billing"].state is ResourceState.DONE
    assert wz.progress["eu-west-1/solo"].state is ResourceState.DONE
    failed = [r for r in records if isinstance(r, StepRecord) and r.status is StepStatus.FAILED]
    assert [(r.resource, r.error_code) for r in failed] == [("eu-west-1/orders", "AccessDenied")]
    with pytest.raises(e.GuardError):
        wz.delete_role()
    faults.remove(denial)
    assert wz.retry("eu-west-1/orders") is True
    assert orders.state is ResourceState.DONE
    assert not exists("eu-west-1", "orders")
    assert wz.plan is not None
    chosen = wz.plan.choice("eu-west-1/orders")
    assert chosen is not None
    snapshot = str(chosen.final_snapshot_id)
    found = outside("rds", "eu-west-1").describe_db_cluster_snapshots(
        DBClusterSnapshotIdentifier=snapshot
    )["DBClusterSnapshots"]
    assert found[0]["Status"] == "available"
    member_deletes = [
        c for c in faults.calls if c.operation == "DeleteDBInstance" and "orders" in str(c.params)
    ]
    assert len(member_deletes) == 2  # the retry did not delete the members twice


# -- stop() while waiting ---------------------------------------------------------------------
def _deleting_forever(faults: Faults, ident: str) -> Any:
    """From now on AWS describes ``ident`` as 'deleting', for ever."""

    def reply(call: Call) -> Any:
        return ok_reply(
            {
                "DBClusters": [
                    {
                        "DBClusterIdentifier": ident,
                        "Status": "deleting",
                        "Engine": "aurora-mysql",
                        "DBClusterArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster:{ident}",
                    }
                ]
            }
        )

    return faults.answer(
        "DescribeDBClusters",
        reply,
        when=lambda c: c.params.get("DBClusterIdentifier") == ident,
    )


@pytest.mark.parametrize("how", ["stop", "abort"])
def test_stop_during_a_wait_returns_promptly_and_retry_resumes(
    make_wizard: MakeWizard, faults: Faults, how: str
) -> None:
    make_cluster("eu-west-1", "slow")
    wz = make_wizard()
    timeline = confirmed(wz)
    key = "eu-west-1/slow"
    rule: list[Any] = []
    timeline.after(key, 1, lambda: rule.append(_deleting_forever(faults, "slow")))
    waiting = threading.Event()
    timeline.after(key, 2, waiting.set, status="running")
    result: list[bool] = []
    runner = threading.Thread(target=lambda: result.append(wz.delete_resources(timeline)))
    runner.start()
    assert waiting.wait(10)
    time.sleep(0.2)  # a few polls
    assert runner.is_alive()
    asked = time.monotonic()
    wz.stop() if how == "stop" else wz.abort("operator closed the wizard")
    runner.join(5)
    assert not runner.is_alive()
    assert time.monotonic() - asked < 2
    assert result == [False]
    slow = wz.progress[key]
    assert slow.state is ResourceState.STOPPED
    assert slow.steps.steps[slow.next_index].kind is StepKind.WAIT_CLUSTER_DELETED
    if how == "abort":
        assert wz.state == "aborted"
        with pytest.raises(e.GuardError):
            wz.retry(key)
        return
    faults.remove(*rule)
    assert wz.retry(key) is True
    assert slow.state is ResourceState.DONE
