"""The executor through the wizard, on the in-memory fake: every resource at once, the gates AWS
requires (a global primary after its secondaries, a replica's source after its promotion),
resources that vanish, names taken late, retry, skip and stop. Each test reads what an operator
or AWS would see: the fake account and the records the wizard emits. The fake is held to the
boto3 gateway by ``tests/contract``; the moto runs live in ``test_engine_demo_executor.py``."""

from __future__ import annotations

import time

import pytest
from enginekit import lifted
from fakekit import (
    AP,
    EU,
    US,
    Hooks,
    MakeWizard,
    Running,
    confirmed,
    confirmed_with,
    eventually,
    new_wizard,
    position,
    steps,
    waiting_for,
)
from fakes import ACCOUNT, FakeAccount

from slrwizard.domain import errors as e
from slrwizard.domain.executor import Executor, ResourceState, StepUpdate
from slrwizard.domain.plan import DeletionPlan, StepKind
from slrwizard.domain.records import Record, StepStatus
from slrwizard.domain.wizard import Wizard

K = StepKind


@pytest.fixture
def account() -> FakeAccount:
    aws = FakeAccount()
    aws.add_role()
    return aws


@pytest.fixture
def records() -> list[Record]:
    return []


@pytest.fixture
def make_wizard(account: FakeAccount, records: list[Record]) -> MakeWizard:
    def make(regions: list[str] | None = None) -> Wizard:
        return new_wizard(account, records, regions or [EU, US])

    return make


# -- concurrency ------------------------------------------------------------------------------
def test_resources_in_different_regions_are_deleted_at_the_same_time(
    make_wizard: MakeWizard, account: FakeAccount
) -> None:
    account.add_cluster(EU, "alpha", protected=True)
    account.add_cluster(US, "bravo")
    account.add_instance(AP, "charlie")
    holds = [
        account.hold(K.DELETE_CLUSTER, target="alpha"),
        account.hold(K.DELETE_CLUSTER, target="bravo"),
        account.hold(K.DELETE_INSTANCE, target="charlie"),
    ]
    wz = make_wizard([AP, EU, US])
    confirmed(wz)
    run = Running(wz)
    # Each is in the middle of its deletion while the others are in theirs: side by side.
    assert all(hold.wait_reached() for hold in holds)
    assert sorted(account.clusters) == [f"{EU}/alpha", f"{US}/bravo"]
    assert f"{AP}/charlie" in account.instances
    for hold in holds:
        hold.release()
    assert run.finish() is True
    assert (account.clusters, account.instances) == ({}, {})
    assert sorted((region, cluster) for region, _, cluster in account.snapshots) == [
        (AP, False),
        (EU, True),
        (US, True),
    ]


def test_the_longest_chains_start_first(make_wizard: MakeWizard, account: FakeAccount) -> None:
    """A stopped cluster must be started (minutes) before anything else: it goes first, so the
    total is its chain and not its chain plus everyone else's first calls."""
    account.add_instance(EU, "alpha")
    account.add_cluster(EU, "bravo", readers=2, protected=True)
    account.add_cluster(US, "charlie", stopped=True)
    account.add_instance(US, "delta")
    wz = make_wizard()
    confirmed(wz)
    assert wz.plan is not None and wz.scan_result is not None
    updates: list[StepUpdate] = []
    executor = Executor(wz.gateway, wz.plan, wz.scan_result, updates.append, max_workers=1)
    progress = executor.run()  # one at a time: the order is the order they were started in
    assert all(p.state is ResourceState.DONE for p in progress.values())
    started = list(dict.fromkeys(u.resource for u in updates if u.status is StepStatus.RUNNING))
    assert started[:2] == [f"{US}/charlie", f"{EU}/bravo"]
    assert sorted(started[2:]) == [f"{EU}/alpha", f"{US}/delta"]
    assert (account.clusters, account.instances) == ({}, {})


# -- gates ------------------------------------------------------------------------------------
def test_a_read_replica_is_promoted_before_its_source_loses_a_member(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    source = account.add_cluster(US, "source").arn
    account.add_cluster(EU, "replica", replica_of=source)
    account.add_instance(US, "db")
    account.add_instance(US, "db-rr", replica_of="db")
    promote = account.hold(K.PROMOTE_REPLICA, target="replica")
    replica_deleted = account.hold(K.DELETE_INSTANCE, target="db-rr")
    wz = make_wizard()
    confirmed(wz)
    run = Running(wz)
    assert promote.wait_reached() and replica_deleted.wait_reached()
    # The sources wait, untouched, while their replicas are held.
    assert eventually(lambda: waiting_for(records, f"{US}/source", f"{EU}/replica"))
    assert eventually(lambda: waiting_for(records, f"{US}/db", f"{US}/db-rr"))
    assert [m.identifier for m in account.members(US, "source")] == ["source-w"]
    assert f"{US}/db" in account.instances
    promote.release()
    replica_deleted.release()
    assert run.finish() is True
    assert (account.clusters, account.instances) == ({}, {})
    assert position(records, f"{EU}/replica", K.PROMOTE_REPLICA, "done") < position(
        records, f"{US}/source", K.DELETE_MEMBER, "running"
    )
    assert position(records, f"{US}/db-rr", K.WAIT_INSTANCE_DELETED, "done") < position(
        records, f"{US}/db", K.DELETE_INSTANCE, "running"
    )


PRIMARY, SECONDARY = f"{US}/pay-use1", f"{EU}/pay-euw1"


def test_global_primary_waits_for_its_secondary_to_leave(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    account.add_cluster(US, "pay-use1", global_id="pay")
    account.add_cluster(EU, "pay-euw1", global_id="pay")
    leaving = account.hold(K.REMOVE_FROM_GLOBAL, target="pay-euw1")
    wz = make_wizard()
    confirmed(wz)
    run = Running(wz)
    assert leaving.wait_reached()
    assert eventually(lambda: waiting_for(records, PRIMARY, SECONDARY))
    assert account.globals["pay"].members == [PRIMARY, SECONDARY]
    leaving.release()
    assert run.finish() is True
    assert (account.clusters, account.globals) == ({}, {})
    assert position(records, SECONDARY, K.REMOVE_FROM_GLOBAL, "done") < position(
        records, PRIMARY, K.REMOVE_FROM_GLOBAL, "running"
    )


def test_a_secondary_that_cannot_leave_holds_the_primary_back(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    account.add_cluster(US, "pay-use1", global_id="pay")
    account.add_cluster(EU, "pay-euw1", global_id="pay")
    account.add_instance(US, "bystander")
    denial = account.deny(K.REMOVE_FROM_GLOBAL, target="pay-euw1")
    wz = make_wizard()
    confirmed(wz)
    assert wz.delete_resources() is False
    secondary, primary = wz.progress[SECONDARY], wz.progress[PRIMARY]
    assert secondary.state is ResourceState.FAILED
    assert isinstance(secondary.error, e.AccessDeniedError)
    assert secondary.error.action == "rds:RemoveFromGlobalCluster"
    assert primary.state is ResourceState.FAILED
    assert primary.error is not None and primary.error.code == "DependencyFailed"
    assert SECONDARY in primary.error.explanation
    assert f"Retry {SECONDARY} first" in primary.error.hint
    failed = [
        (r.resource, r.error_code, r.note) for r in steps(records) if r.status.value == "failed"
    ]
    assert sorted(failed) == sorted(
        [
            (SECONDARY, "AccessDenied", secondary.error.explanation),
            (PRIMARY, "DependencyFailed", primary.error.explanation),
        ]
    )
    # Nothing was done to either: both still in the global database, with their writers.
    assert account.globals["pay"].members == [PRIMARY, SECONDARY]
    assert len(account.members(US, "pay-use1")) == len(account.members(EU, "pay-euw1")) == 1
    assert wz.progress[f"{US}/bystander"].state is ResourceState.DONE
    account.allow(denial)
    assert wz.retry(SECONDARY) is False  # the primary is still failed
    assert wz.retry(PRIMARY) is True
    assert (account.clusters, account.globals) == ({}, {})


# -- a resource that vanishes mid-plan --------------------------------------------------------
@pytest.mark.parametrize(
    ("index", "status"),
    [(0, "running"), (1, "done"), (5, "done")],
    ids=["during-the-check", "after-start", "after-protection-and-members"],
)
def test_a_cluster_deleted_behind_the_wizards_back_ends_vanished(
    make_wizard: MakeWizard,
    account: FakeAccount,
    records: list[Record],
    index: int,
    status: str,
) -> None:
    # Neptune: its members go one by one (no DeleteDBInstances), so there are steps between.
    account.add_cluster(EU, "doomed", readers=1, protected=True, stopped=True, engine="neptune")
    account.add_instance(US, "bystander")
    wz = make_wizard()
    confirmed(wz)
    key = f"{EU}/doomed"
    hooks = Hooks()
    hooks.after(key, index, lambda: account.delete_outside(EU, "doomed"), status)
    assert wz.delete_resources(hooks) is True  # vanished counts as finished
    doomed = wz.progress[key]
    assert [s.kind for s in doomed.steps.steps][:8] == [
        K.CHECK_CLUSTER,
        K.START_CLUSTER,
        K.WAIT_CLUSTER_AVAILABLE,
        K.LIFT_CLUSTER_PROTECTION,  # reversible, so before anything irreversible
        K.DELETE_MEMBER,
        K.DELETE_MEMBER,
        K.DELETE_NEW_MEMBERS,
        K.DELETE_CLUSTER,
    ]
    assert doomed.state is ResourceState.VANISHED
    assert isinstance(doomed.error, e.NotFoundError)
    assert "doomed" in doomed.error.explanation
    assert wz.progress[f"{US}/bystander"].state is ResourceState.DONE
    journal = steps(records, key)
    assert not any(r.status is StepStatus.FAILED for r in journal)
    assert journal[-1].status is StepStatus.SKIPPED
    done_before = index + (status == "done")  # what it did before it was gone
    assert [r.index for r in journal if r.status is StepStatus.DONE] == list(range(done_before))
    assert [r for r in account.snapshots if r[0] == EU] == []  # no snapshot claimed as ours
    wz.finish_deletions()
    wz.rescan()
    assert wz.state == "deleting_role"


def test_a_cluster_gone_before_a_delete_without_snapshot_is_not_a_failure(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    account.add_cluster(EU, "doomed", protected=True)
    wz = make_wizard()
    wz.inspect()
    wz.scan()
    plan = lifted(wz.default_plan())
    skip = [
        r.model_copy(update={"final_snapshot_id": None, "skip_final_snapshot": True})
        for r in plan.resources
    ]
    confirmed_with(wz, plan.model_copy(update={"resources": skip}))
    hooks = Hooks()
    hooks.after(f"{EU}/doomed", 1, lambda: account.delete_outside(EU, "doomed"))
    assert wz.delete_resources(hooks) is True
    assert wz.progress[f"{EU}/doomed"].state is ResourceState.DONE
    assert [r.note for r in steps(records) if r.step.kind is K.DELETE_CLUSTER][-1] == "already gone"
    assert account.snapshots == {}


@pytest.mark.parametrize(("index", "status"), [(0, "running"), (0, "done")])
def test_a_standalone_instance_deleted_behind_the_wizards_back_ends_vanished(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record], index: int, status: str
) -> None:
    account.add_instance(EU, "doomed", protected=True)
    wz = make_wizard()
    confirmed(wz)
    hooks = Hooks()
    hooks.after(f"{EU}/doomed", index, lambda: account.delete_outside(EU, "doomed"), status)
    assert wz.delete_resources(hooks) is True
    assert wz.progress[f"{EU}/doomed"].state is ResourceState.VANISHED
    assert steps(records, f"{EU}/doomed")[-1].note == "resource already gone"
    assert account.snapshots == {}


def test_a_final_snapshot_that_never_appears_is_a_failure_not_a_vanishing(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    """The final snapshot is the proof nothing was lost: its absence must not read as 'gone'."""
    account.add_cluster(EU, "orders")
    wz = make_wizard()
    confirmed(wz)
    hooks = Hooks()
    hooks.after(f"{EU}/orders", 2, account.snapshots.clear)  # deleted by someone, at once
    assert wz.delete_resources(hooks) is False
    orders = wz.progress[f"{EU}/orders"]
    assert orders.state is ResourceState.FAILED
    assert orders.error is not None and orders.error.code == "FinalSnapshotMissing"
    assert "final snapshot" in orders.error.explanation
    failed = steps(records, f"{EU}/orders")[-1]
    assert (failed.status, failed.step.kind) == (StepStatus.FAILED, K.VERIFY_CLUSTER_SNAPSHOT)
    assert failed.error == orders.error.explanation


# -- a snapshot name taken between confirmation and deletion ----------------------------------
@pytest.mark.parametrize("taken", ["cluster", "instance"])
def test_a_snapshot_name_taken_after_confirmation_stops_only_that_resource(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record], taken: str
) -> None:
    account.add_cluster(EU, "orders", readers=1, protected=True)
    account.add_cluster(US, "billing")
    account.add_instance(EU, "solo", protected=True)
    wz = make_wizard()
    confirmed(wz)
    assert wz.plan is not None
    victim = f"{EU}/orders" if taken == "cluster" else f"{EU}/solo"
    chosen = wz.plan.choice(victim)
    assert chosen is not None
    name = str(chosen.final_snapshot_id)
    account.add_snapshot(EU, name, cluster=taken == "cluster")  # a colleague's manual snapshot
    assert wz.delete_resources() is False
    stopped = wz.progress[victim]
    assert stopped.state is ResourceState.FAILED
    assert isinstance(stopped.error, e.SnapshotExistsError)
    assert name in stopped.error.explanation
    assert "nothing was changed" in stopped.error.explanation
    assert stopped.next_index == 0
    assert all(p.state is ResourceState.DONE for k, p in wz.progress.items() if k != victim)
    # Only its check ran, and the account shows it as it was.
    assert [(r.step.kind, r.status) for r in steps(records, victim)] == [
        (K.CHECK_CLUSTER if taken == "cluster" else K.CHECK_INSTANCE, StepStatus.RUNNING),
        (K.CHECK_CLUSTER if taken == "cluster" else K.CHECK_INSTANCE, StepStatus.FAILED),
    ]
    if taken == "cluster":
        assert account.clusters[victim].deletion_protection is True
        assert len(account.members(EU, "orders")) == 2
    else:
        assert account.instances[victim].deletion_protection is True
    # The way out: leave it, rescan, choose another name, and the walk goes on.
    wz.skip(victim)
    wz.finish_deletions()
    rescan = wz.rescan()
    assert wz.state == "reviewing"
    assert [r.key for r in [*rescan.clusters, *rescan.instances]] == [victim]
    ident = victim.split("/")[1]
    renamed = [
        r.model_copy(update={"final_snapshot_id": f"{ident}-second-try"})
        for r in lifted(wz.default_plan()).resources
    ]
    confirmed_with(wz, DeletionPlan(account=ACCOUNT, resources=renamed))
    assert wz.delete_resources() is True, {k: p.error for k, p in wz.progress.items()}
    assert victim not in {**account.clusters, **account.instances}
    assert {(EU, name), (EU, f"{ident}-second-try")} <= {(r, n) for r, n, _ in account.snapshots}


# -- AccessDenied on a mutating call, then retry ----------------------------------------------
def test_access_denied_on_delete_cluster_stops_that_cluster_and_retry_finishes_it(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    # Neptune: its members go one by one before DeleteDBCluster (no DeleteDBInstances).
    account.add_cluster(EU, "orders", readers=1, engine="neptune")
    account.add_cluster(US, "billing")
    account.add_instance(EU, "solo")
    denial = account.deny(K.DELETE_CLUSTER, region=EU)
    wz = make_wizard()
    confirmed(wz)
    assert wz.delete_resources() is False
    orders = wz.progress[f"{EU}/orders"]
    assert orders.state is ResourceState.FAILED
    assert isinstance(orders.error, e.AccessDeniedError)
    assert orders.error.action == "rds:DeleteDBCluster"
    assert "rds:DeleteDBCluster" in orders.error.explanation
    assert "rds:DeleteDBCluster" in orders.error.hint
    assert orders.steps.steps[orders.next_index].kind is K.DELETE_CLUSTER
    assert wz.progress[f"{US}/billing"].state is ResourceState.DONE
    assert wz.progress[f"{EU}/solo"].state is ResourceState.DONE
    failed = [r for r in steps(records) if r.status is StepStatus.FAILED]
    assert [(r.resource, r.error_code) for r in failed] == [(f"{EU}/orders", "AccessDenied")]
    assert failed[0].note == failed[0].error == orders.error.explanation
    assert f"{EU}/orders" in account.clusters and account.members(EU, "orders") == []
    with pytest.raises(e.GuardError):
        wz.delete_role()
    account.allow(denial)
    assert wz.retry(f"{EU}/orders") is True
    assert orders.state is ResourceState.DONE
    assert f"{EU}/orders" not in account.clusters
    assert wz.plan is not None
    chosen = wz.plan.choice(f"{EU}/orders")
    assert chosen is not None
    assert account.snapshots[(EU, str(chosen.final_snapshot_id), True)] == "available"
    # The retry went on from the refused step: each member was deleted once.
    members = [r for r in steps(records, f"{EU}/orders") if r.step.kind is K.DELETE_MEMBER]
    assert [(r.step.target, r.status.value) for r in members if r.status.value != "running"] == [
        ("orders-r1", "done"),
        ("orders-w", "done"),
    ]


# -- stop() while waiting ---------------------------------------------------------------------
@pytest.mark.parametrize("how", ["stop", "abort"])
def test_stop_during_a_wait_returns_promptly_and_retry_resumes(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record], how: str
) -> None:
    slow = account.add_cluster(EU, "slow")
    wz = make_wizard()
    confirmed(wz)
    key = f"{EU}/slow"

    def deleting_forever() -> None:  # the same cluster, still deleting (its own resource id)
        again = account.add_cluster(EU, "slow", writer=False)
        again.status, again.resource_id = "deleting", slow.resource_id

    hooks = Hooks()
    hooks.after(key, 1, deleting_forever)  # after its DeleteDBCluster (instances and all)
    run = Running(wz, hooks)
    assert eventually(lambda: any(r.step.kind is K.WAIT_CLUSTER_DELETED for r in steps(records)))
    time.sleep(0.05)  # a few polls
    assert run.thread.is_alive()
    asked = time.monotonic()
    wz.stop() if how == "stop" else wz.abort("operator closed the wizard")
    assert run.finish() is False
    assert time.monotonic() - asked < 2
    slow = wz.progress[key]
    assert slow.state is ResourceState.STOPPED
    assert slow.steps.steps[slow.next_index].kind is K.WAIT_CLUSTER_DELETED
    assert (steps(records, key)[-1].status, steps(records, key)[-1].note) == (
        StepStatus.PENDING,
        "stopped",
    )
    if how == "abort":
        assert wz.state == "aborted"
        with pytest.raises(e.GuardError):
            wz.retry(key)
        return
    account.delete_outside(EU, "slow")  # AWS finished the deletion meanwhile
    assert wz.retry(key) is True
    assert slow.state is ResourceState.DONE
