"""Fault drills on the moto server: throttling, denied calls, a silent region, a dropped network.

Each drill checks three things: what the operator is told (the error's explanation), what the
journal says, and that nothing was lost or done twice (the server's log of mutating calls that
reached "AWS", and the final snapshots).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from drill_support import (
    CONDITIONAL_STEPS,
    PLAN_CALLS,
    STEP_OPS,
    aws_error,
    confirm_plan,
    drill_plan,
    request_params,
    request_region,
    run_fresh,
)

from slrwizard.domain import errors as e
from slrwizard.domain.executor import ResourceState
from slrwizard.domain.models import RegionOutcome
from slrwizard.domain.records import RoleDeletionRecord, ScanCompleted, StepRecord
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.export import export_markdown

RESOURCE_OF = {"orders-1": "orders", "orders-2": "orders"}


def key_of(target: str) -> str:
    name = RESOURCE_OF.get(target, target)
    return f"{'us-east-1' if name == 'ledger' else 'eu-west-1'}/{name}"


def start_deleting(wizard: Wizard) -> bool:
    wizard.inspect()
    wizard.scan()
    confirm_plan(wizard, drill_plan(wizard))
    return wizard.delete_resources()


def finish(wizard: Wizard) -> None:
    wizard.finish_deletions()
    wizard.rescan()
    wizard.delete_role()
    assert wizard.state == "done"


def manual_cluster_snapshots(moto: Any) -> list[dict[str, Any]]:
    """eu-west-1's cluster snapshots, without moto's automated ones."""
    rds = moto.client("rds", "eu-west-1")
    return list(rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"])


def failed_steps(drill: Any) -> list[StepRecord]:
    return [r for r in drill.records() if isinstance(r, StepRecord) and r.status.value == "failed"]


def test_throttling_bursts_on_every_call(drill: Any, moto: Any) -> None:
    """The first 2 calls of every operation are throttled; botocore retries, nobody notices."""
    seen: Counter[str] = Counter()

    def throttle(request: Any, event_name: str, **_: Any) -> Any:
        operation = event_name.split(".")[-1]
        seen[operation] += 1
        if seen[operation] <= 2:
            return aws_error(event_name, 400, "Throttling", "Rate exceeded")
        return None

    drill.gateway.events.register("before-send", throttle)
    run_fresh(drill.wizard)

    assert drill.wizard.state == "done"
    assert failed_steps(drill) == []
    expected = {"DescribeDBClusters", "DescribeDBInstances", "DeleteDBCluster", "DeleteDBInstance"}
    expected |= {"ModifyDBCluster", "ModifyDBInstance", "GetRole", "DeleteServiceLinkedRole"}
    assert expected <= {op for op, n in seen.items() if n > 2}  # each was throttled, then went
    assert sorted(moto.log.calls) == sorted(PLAN_CALLS)  # throttled requests never reached AWS


@pytest.mark.parametrize(("op", "target"), PLAN_CALLS, ids=[f"{o}-{t}" for o, t in PLAN_CALLS])
def test_access_denied_on_a_mutating_call(drill: Any, moto: Any, op: str, target: str) -> None:
    """The plan stops at that resource and names the missing action; the others carry on."""
    denied = {"on": True}

    def deny(request: Any, event_name: str, **_: Any) -> Any:
        params = request_params(request)
        if denied["on"] and params.get("Action") == op and target in params.values():
            message = f"User is not authorized to perform: {event_name.split('.')[1]}:{op}"
            return aws_error(event_name, 403, "AccessDenied", message)
        return None

    drill.gateway.events.register("before-send", deny)
    wizard = drill.wizard
    action = ("iam:" if op == "DeleteServiceLinkedRole" else "rds:") + op
    if op == "DeleteServiceLinkedRole":
        assert start_deleting(wizard)
        wizard.finish_deletions()
        wizard.rescan()
        with pytest.raises(e.AccessDeniedError) as caught:
            wizard.delete_role()
        assert caught.value.action == action
        [refused] = [
            r for r in drill.records() if isinstance(r, RoleDeletionRecord) and r.phase == "refused"
        ]
        assert refused.error_code == "AccessDenied" and action in (refused.error or "")
        denied["on"] = False  # the administrator grants the permission
        wizard.delete_role()
    else:
        assert not start_deleting(wizard)
        key = key_of(target)
        progress = wizard.progress
        assert progress[key].state is ResourceState.FAILED
        error = progress[key].error
        assert isinstance(error, e.AccessDeniedError) and error.action == action
        assert action in error.explanation and "slrwizard policy" in error.hint
        assert all(p.finished for k, p in progress.items() if k != key)  # the others went on
        [failed] = failed_steps(drill)
        assert failed.resource == key and failed.error_code == "AccessDenied"
        assert (op, target) not in moto.log.calls  # refused, so never done
        report = export_markdown(drill.journal, wizard.session_id)
        assert f"| failed | AccessDenied: Access denied: {action}" in report
        denied["on"] = False  # the administrator grants the permission
        assert wizard.retry(key)
        finish(wizard)
    assert wizard.state == "done"
    assert sorted(moto.log.calls) == sorted(PLAN_CALLS)  # each done once, the denied one too


@pytest.mark.parametrize("fault", [ReadTimeoutError, ConnectTimeoutError])
def test_region_stops_answering_mid_scan(drill: Any, fault: type[Exception]) -> None:
    """eu-west-1 answers one call, then goes silent: it is 'failed', us-east-1 is scanned."""
    answered: Counter[str] = Counter()

    def silence(request: Any, **_: Any) -> None:
        region = request_region(request)
        answered[region] += 1
        if region == "eu-west-1" and answered[region] > 1:
            raise fault(endpoint_url=request.url)

    drill.gateway.events.register("before-send.rds", silence)
    drill.wizard.inspect()
    scan = drill.wizard.scan()

    outcomes = {r.region: r for r in scan.regions}
    assert outcomes["us-east-1"].outcome is RegionOutcome.SCANNED
    assert [c.identifier for c in outcomes["us-east-1"].clusters] == ["ledger"]
    silent = outcomes["eu-west-1"]
    assert silent.outcome is RegionOutcome.FAILED
    assert "Could not reach the AWS endpoint in eu-west-1" in (silent.reason or "")
    assert not scan.complete
    [journaled] = [r for r in drill.records() if isinstance(r, ScanCompleted)]
    assert journaled.scan.incomplete_regions[0].region == "eu-west-1"
    assert journaled.scan.incomplete_regions[0].reason == silent.reason


def test_role_is_kept_while_a_region_is_unscanned(drill: Any) -> None:
    def silence(request: Any, **_: Any) -> None:
        if request_region(request) == "eu-west-1":
            raise ReadTimeoutError(endpoint_url=request.url)

    drill.gateway.events.register("before-send.rds", silence)
    wizard = drill.wizard
    wizard.inspect()
    wizard.scan()
    wizard.set_plan(drill_plan(wizard))
    wizard.review()
    wizard.confirm(wizard.account)
    wizard.delete_resources()
    wizard.finish_deletions()
    try:
        wizard.rescan()
    except e.WizardError:
        return  # refused: the role stays
    assert wizard.state != "deleting_role"


def test_network_drops_mid_deletion_then_recovers(drill: Any, moto: Any) -> None:
    """Right after ledger's DeleteDBCluster the network goes; retry() finishes, no repeat."""
    network = {"down": False, "cut": False}

    def cut(parsed: dict[str, Any], **_: Any) -> None:
        if parsed["DBCluster"]["DBClusterIdentifier"] == "ledger" and not network["cut"]:
            network["down"] = network["cut"] = True

    def drop(request: Any, **_: Any) -> None:
        if network["down"]:
            raise EndpointConnectionError(endpoint_url=request.url)

    drill.gateway.events.register("after-call.rds.DeleteDBCluster", cut)
    drill.gateway.events.register("before-send", drop)
    wizard = drill.wizard

    assert not start_deleting(wizard)
    ledger = wizard.progress["us-east-1/ledger"]
    assert ledger.state is ResourceState.FAILED
    assert isinstance(ledger.error, e.UnreachableError)
    assert "Could not reach the AWS endpoint in us-east-1" in ledger.error.explanation
    journaled = [r for r in failed_steps(drill) if r.resource == "us-east-1/ledger"]
    assert journaled[-1].step.kind.value == "wait-cluster-deleted"
    assert journaled[-1].error_code == "EndpointConnectionError"
    report = export_markdown(drill.journal, wizard.session_id)
    assert "| failed | EndpointConnectionError: Could not reach the AWS endpoint" in report

    network["down"] = False
    retried = [key for key, progress in wizard.progress.items() if not progress.finished]
    assert "us-east-1/ledger" in retried
    assert [wizard.retry(key) for key in retried][-1]  # True once every resource is gone
    finish(wizard)
    assert sorted(moto.log.calls) == sorted(PLAN_CALLS)  # the delete was not repeated
    snaps = manual_cluster_snapshots(moto)
    assert [s["Status"] for s in snaps] == ["available"]  # orders' final snapshot


def test_cluster_deleted_by_someone_else_mid_plan(drill: Any, moto: Any) -> None:
    """Once the wizard deleted orders' last member, a colleague deletes orders: 'vanished'."""
    outsider = moto.client("rds", "eu-west-1")

    def colleague(parsed: dict[str, Any], **_: Any) -> None:
        if parsed["DBInstance"]["DBInstanceIdentifier"] == "orders-1":
            outsider.modify_db_cluster(DBClusterIdentifier="orders", DeletionProtection=False)
            outsider.delete_db_cluster(DBClusterIdentifier="orders", SkipFinalSnapshot=True)

    drill.gateway.events.register("after-call.rds.DeleteDBInstance", colleague)
    wizard = drill.wizard
    assert start_deleting(wizard)  # vanished counts as finished
    orders = wizard.progress["eu-west-1/orders"]
    assert orders.state is ResourceState.VANISHED
    assert "no longer exists" in (orders.error.explanation if orders.error else "")
    gone = [
        r
        for r in drill.records()
        if isinstance(r, StepRecord) and r.resource == "eu-west-1/orders" and r.note
    ]
    assert any(r.status.value == "skipped" and r.note.startswith("gone:") for r in gone)
    finish(wizard)
    report = export_markdown(drill.journal, wizard.session_id)
    assert "- Databases: 2 deleted, 1 vanished." in report
    assert "| eu-west-1/orders | eu-west-1 |" not in report  # no final snapshot claimed for it
    ours = [c for c in moto.log.calls if c[1] == "orders"]
    # The wizard changed nothing irreversible on the cluster itself: it only lifted protection,
    # which comes before any deletion.
    assert ours == [("ModifyDBCluster", "orders")]
    assert not failed_steps(drill)


def test_snapshot_name_taken_between_confirmation_and_deletion(drill: Any, moto: Any) -> None:
    """Nothing changes on that resource; the operator picks another name and it goes."""
    wizard = drill.wizard
    wizard.inspect()
    wizard.scan()
    confirm_plan(wizard, drill_plan(wizard))
    assert wizard.plan is not None
    orders = wizard.plan.choice("eu-west-1/orders")
    assert orders is not None and orders.final_snapshot_id
    moto.client("rds", "eu-west-1").create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=orders.final_snapshot_id, DBClusterIdentifier="orders"
    )

    assert not wizard.delete_resources()
    progress = wizard.progress["eu-west-1/orders"]
    assert isinstance(progress.error, e.SnapshotExistsError)
    assert "nothing was changed on orders" in progress.error.explanation
    assert [c for c in moto.log.calls if c[1].startswith("orders")] == []  # untouched
    [failed] = failed_steps(drill)
    assert failed.error_code == "DBClusterSnapshotAlreadyExistsFault"
    report = export_markdown(drill.journal, wizard.session_id)
    assert "| failed | DBClusterSnapshotAlreadyExistsFault: A snapshot named" in report

    wizard.skip("eu-west-1/orders")
    wizard.finish_deletions()
    wizard.rescan()
    assert wizard.state == "reviewing"  # orders is still there: the role stays
    renamed = orders.model_copy(update={"final_snapshot_id": "orders-final-second"})
    plan = drill_plan(wizard).model_copy(update={"resources": [renamed]})
    confirm_plan(wizard, plan)
    assert wizard.delete_resources()
    finish(wizard)
    assert sorted(moto.log.calls) == sorted(PLAN_CALLS)
    snaps = manual_cluster_snapshots(moto)
    assert sorted(s["DBClusterSnapshotIdentifier"] for s in snaps) == sorted(
        [orders.final_snapshot_id, "orders-final-second"]
    )


def test_the_drill_calls_are_what_the_wizard_plans_for_the_seeded_account(drill: Any) -> None:
    """PLAN_CALLS, which the drills compare moto's log with, is what the wizard itself plans for
    the seeded account: the resources its scan finds, and its mutating steps, in order."""
    wizard = drill.wizard
    wizard.inspect()
    scan = wizard.scan()
    found = {c.key for c in scan.clusters} | {i.key for i in scan.instances}
    assert found == {key_of(t) for _, t in PLAN_CALLS[:-1]}
    plan = drill_plan(wizard)
    by_resource = {
        r.key: [
            (STEP_OPS[s.kind.value], s.target)
            for s in r.steps
            if s.mutating and s.kind.value not in CONDITIONAL_STEPS
        ]
        for r in plan.schedule(scan)
    }
    expected: dict[str, list[tuple[str, str]]] = {}
    for op, target in PLAN_CALLS[:-1]:
        expected.setdefault(key_of(target), []).append((op, target))
    assert by_resource == expected
