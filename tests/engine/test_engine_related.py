"""What stands beside the databases, in the plan and the executor (on the in-memory fake): the
removals AWS requires come after a database's checks and reversible steps and before its first
irreversible one, in AWS's order; a Blue/Green deployment is removed from whichever side gets
there first, its green side recognised (no final snapshot, never "an ordinary replica"); a
Multi-AZ DB cluster waits until its read replicas are gone; what the wizard does not delete (a
cluster group, retained backups) is named and does not block the role."""

from __future__ import annotations

from fakekit import EU, US, confirmed, new_wizard, position, steps
from fakes import FakeAccount

from slrwizard.domain.models import RelatedKind, RelatedResource
from slrwizard.domain.plan import IRREVERSIBLE_STEPS, RELATED_STEPS, StepKind
from slrwizard.domain.records import Record, StepStatus
from slrwizard.domain.related import left_behind

K = StepKind


def _account() -> FakeAccount:
    aws = FakeAccount()
    aws.add_role()
    aws.add_cluster(EU, "ledger", readers=1, protected=True)
    aws.add_instance(US, "crm")
    aws.add_instance(US, "crm-green", replica_of="crm")
    aws.add_cluster(US, "events", engine="mysql", writer=False)  # a Multi-AZ DB cluster
    aws.add_instance(US, "events-rr", engine="mysql").read_replica_source_cluster = "events"
    aws.related += [
        RelatedResource(
            kind=RelatedKind.CLUSTER_GROUP, region=EU, identifier="fleet", attached_to=["ledger"]
        ),
        RelatedResource(
            kind=RelatedKind.SHARD_GROUP, region=EU, identifier="shards", attached_to=["ledger"]
        ),
        RelatedResource(kind=RelatedKind.PROXY, region=EU, identifier="px", attached_to=["ledger"]),
        RelatedResource(
            kind=RelatedKind.INTEGRATION, region=EU, identifier="0a1b", attached_to=["ledger"]
        ),
        RelatedResource(
            kind=RelatedKind.BLUE_GREEN,
            region=US,
            identifier="bgd-crm",
            attached_to=["crm"],
            green=["crm-green"],
        ),
        RelatedResource(
            kind=RelatedKind.INSTANCE_BACKUP, region=US, identifier="old", retention_days=7
        ),
    ]
    return aws


def test_removals_come_before_the_first_irreversible_step_in_aws_order() -> None:
    records: list[Record] = []
    wz = new_wizard(_account(), records, [EU, US])
    confirmed(wz)
    assert wz.plan is not None and wz.scan_result is not None
    schedule = {r.key: [s.kind for s in r.steps] for r in wz.plan.schedule(wz.scan_result)}
    ledger = schedule[f"{EU}/ledger"]
    assert ledger[:2] == [K.CHECK_CLUSTER, K.LIFT_CLUSTER_PROTECTION]
    assert ledger[2:6] == [
        K.DELETE_INTEGRATION,
        K.DELETE_PROXY,
        K.DELETE_SHARD_GROUP,
        K.REMOVE_FROM_CLUSTER_GROUP,
    ]
    assert ledger[6] is K.DELETE_MEMBER
    reversible = {
        K.CHECK_CLUSTER,
        K.CHECK_INSTANCE,
        K.START_CLUSTER,
        K.START_INSTANCE,
        K.WAIT_CLUSTER_AVAILABLE,
        K.WAIT_INSTANCE_AVAILABLE,
        K.LIFT_CLUSTER_PROTECTION,
        K.LIFT_INSTANCE_PROTECTION,
    }
    for kinds in schedule.values():
        related = [i for i, k in enumerate(kinds) if k in RELATED_STEPS]
        if not related:
            continue
        own = [i for i, k in enumerate(kinds) if k in IRREVERSIBLE_STEPS - RELATED_STEPS]
        assert max(related) < min(own)  # before the database's own first irreversible step
        assert max(i for i, k in enumerate(kinds) if k in reversible) < min(related)
    # both sides of the deployment remove it first; the green is its replica: no snapshot
    assert K.DELETE_BLUE_GREEN in schedule[f"{US}/crm"]
    assert K.DELETE_BLUE_GREEN in schedule[f"{US}/crm-green"]
    green = wz.plan.choice(f"{US}/crm-green")
    assert green is not None and green.skip_final_snapshot
    replica = wz.plan.choice(f"{US}/events-rr")
    assert replica is not None and replica.skip_final_snapshot


def test_the_whole_plan_runs_and_only_what_the_wizard_leaves_remains() -> None:
    records: list[Record] = []
    account = _account()
    wz = new_wizard(account, records, [EU, US])
    confirmed(wz)
    assert wz.delete_resources() is True, {
        k: p.error.explanation for k, p in wz.progress.items() if p.error
    }
    ended = sorted(
        r.status.value
        for r in steps(records)
        if r.step.kind is K.DELETE_BLUE_GREEN and r.status in (StepStatus.DONE, StepStatus.SKIPPED)
    )
    assert ended == ["done", "skipped"]  # deleted once, by whichever side came first
    # The Multi-AZ DB cluster is deleted only once its read replica is gone (else AWS would
    # promote the replica to a standalone instance that still holds the role).
    assert position(records, f"{US}/events-rr", K.WAIT_INSTANCE_DELETED, "done") < position(
        records, f"{US}/events", K.DELETE_CLUSTER, "running"
    )
    wz.finish_deletions()
    rescan = wz.rescan()
    assert rescan.resource_count == 0
    assert sorted((x.kind, x.identifier, x.attached_to) for x in rescan.related) == [
        (RelatedKind.CLUSTER_GROUP, "fleet", []),
        (RelatedKind.INSTANCE_BACKUP, "old", []),
    ]
    assert wz.state == "deleting_role"  # neither blocks the role: AWS's answer decides
    lines = left_behind(rescan)
    assert any(
        "aws rds delete-db-cluster-group --db-cluster-group-identifier fleet" in x for x in lines
    )
    assert any("Kept 7 days, storage billed until they expire" in x for x in lines)
    assert wz.delete_role().state.value == "SUCCEEDED"


def test_a_final_snapshot_of_a_multi_az_cluster_replica_is_refused_by_the_plan() -> None:
    records: list[Record] = []
    wz = new_wizard(_account(), records, [EU, US])
    confirmed(wz)
    assert wz.plan is not None and wz.scan_result is not None
    plan = wz.plan.model_copy(
        update={
            "resources": [
                r.model_copy(update={"final_snapshot_id": "rr-final", "skip_final_snapshot": False})
                if r.identifier == "events-rr"
                else r
                for r in wz.plan.resources
            ]
        }
    )
    assert f"Instance {US}/events-rr is a read replica: AWS refuses" in " ".join(
        plan.problems(wz.scan_result)
    )
