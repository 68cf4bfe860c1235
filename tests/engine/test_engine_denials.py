"""AccessDenied in the middle of the deletions, on the in-memory fake: whichever step IAM refuses,
the wizard names the IAM action to add, stops only that resource where it was refused, lets the
others finish, keeps the role, and finishes the resource on retry once the policy is fixed.

The fake's denials are the boto3 gateway's own errors (``tests/contract`` proves the action and
the words on the demo sandbox); the gateway's translation of each botocore error is tested on
moto in ``test_engine_demo_denials.py``.
"""

from __future__ import annotations

import pytest
from enginekit import lifted
from fakekit import EU, US, confirmed_with, new_wizard, steps
from fakes import STEP_ACTIONS, FakeAccount

from slrwizard.domain import errors as e
from slrwizard.domain.executor import ResourceState
from slrwizard.domain.models import RelatedKind, RelatedResource
from slrwizard.domain.plan import StepKind
from slrwizard.domain.records import Record, StepStatus
from slrwizard.domain.wizard import Wizard

K = StepKind
ELSEWHERE = "arn:aws:rds:us-west-2:123456789012:cluster:elsewhere"


@pytest.fixture
def records() -> list[Record]:
    return []


def _account() -> FakeAccount:
    """A resource with a step of every kind, none waiting for another."""
    aws = FakeAccount()
    aws.add_role()
    aws.add_cluster(EU, "orders", readers=1, protected=True, stopped=True)
    aws.add_cluster(EU, "copy", replica_of=ELSEWHERE)  # its source is not in this account
    aws.add_cluster(US, "pay", global_id="pay-global")  # a global database of one
    aws.autoscale(US, "pay")  # its Auto Scaling target deregistered (ticked), readers one by one
    aws.add_instance(US, "solo", protected=True)
    aws.add_instance(US, "dozing", protected=True).status = "stopped"  # started, then lifted
    aws.add_instance(US, "bystander")
    # What must go before a database, each before exactly one of them.
    aws.related += [
        RelatedResource(
            kind=RelatedKind.BLUE_GREEN, region=US, identifier="bgd-b", attached_to=["bystander"]
        ),
        RelatedResource(
            kind=RelatedKind.INTEGRATION, region=EU, identifier="0a1b2c", attached_to=["copy"]
        ),
        RelatedResource(kind=RelatedKind.PROXY, region=US, identifier="px", attached_to=["solo"]),
        RelatedResource(
            kind=RelatedKind.SHARD_GROUP, region=EU, identifier="shards", attached_to=["copy"]
        ),
        RelatedResource(
            kind=RelatedKind.CLUSTER_GROUP, region=US, identifier="fleet", attached_to=["pay"]
        ),
    ]
    aws.add_instance(US, "erp-custom", engine="custom-oracle-ee")  # a manual snapshot first
    return aws


def _run(account: FakeAccount, records: list[Record]) -> Wizard:
    wz = new_wizard(account, records, [EU, US])
    wz.inspect()
    wz.scan()
    plan = lifted(wz.default_plan())
    ticked = [r.model_copy(update={"deregister_autoscaling": True}) for r in plan.resources]
    confirmed_with(wz, plan.model_copy(update={"resources": ticked}))
    return wz


def _victim(wz: Wizard, kind: StepKind) -> tuple[str, str]:
    """The first resource whose plan has a step of ``kind``, and that step's target."""
    assert wz.plan is not None and wz.scan_result is not None
    return next(
        (r.key, s.target)
        for r in wz.plan.schedule(wz.scan_result)
        for s in r.steps
        if s.kind is kind
    )


def _present(account: FakeAccount, key: str) -> bool:
    return key in account.clusters or key in account.instances


@pytest.mark.parametrize("kind", list(STEP_ACTIONS), ids=[k.value for k in STEP_ACTIONS])
def test_a_denied_step_names_its_action_and_stops_only_that_resource(
    kind: StepKind, records: list[Record]
) -> None:
    account = _account()
    wz = _run(account, records)
    key, target = _victim(wz, kind)
    denial = account.deny(kind, target=target)
    action = STEP_ACTIONS[kind]

    assert wz.delete_resources() is False
    victim = wz.progress[key]
    assert victim.state is ResourceState.FAILED
    assert victim.steps.steps[victim.next_index].kind is kind  # stopped where it was refused
    assert isinstance(victim.error, e.AccessDeniedError)
    assert victim.error.action == action
    assert action in victim.error.explanation and key.split("/")[0] in victim.error.explanation
    assert f"Add {action} to the caller's policy" in victim.error.hint
    # The journal says which step failed and why, in the words the operator reads.
    failed = [r for r in steps(records) if r.status is StepStatus.FAILED]
    assert [(r.resource, r.step.kind, r.error_code) for r in failed] == [
        (key, kind, "AccessDenied")
    ]
    assert failed[0].error == failed[0].note == victim.error.explanation
    # Every other resource is gone; the role stays while this one may remain.
    others = [k for k in wz.progress if k != key]
    assert all(wz.progress[k].state is ResourceState.DONE for k in others)
    assert not any(_present(account, k) for k in others)
    with pytest.raises(e.GuardError):
        wz.delete_role()
    assert account.role is not None

    account.allow(denial)  # the policy was fixed
    assert wz.retry(key) is True
    assert not _present(account, key)
    assert wz.plan is not None
    choice = wz.plan.choice(key)
    assert choice is not None and choice.final_snapshot_id
    assert any(name == choice.final_snapshot_id for _, name, _ in account.snapshots)
    wz.finish_deletions()
    wz.rescan()
    assert wz.state == "deleting_role"


def test_a_denial_by_a_service_control_policy_is_explained_as_such(
    records: list[Record],
) -> None:
    account = _account()
    wz = _run(account, records)
    account.deny(K.DELETE_INSTANCE, target="solo", scp=True)
    assert wz.delete_resources() is False
    solo = wz.progress[f"{US}/solo"]
    assert solo.error is not None
    assert "service control policy" in solo.error.explanation
    assert "SCP" in solo.error.hint
    [failed] = [r for r in steps(records) if r.status is StepStatus.FAILED]
    assert (failed.resource, failed.error) == (f"{US}/solo", solo.error.explanation)
    assert account.instances[f"{US}/solo"].deletion_protection is False  # lifted before


def test_a_denial_that_outlasts_a_retry_fails_again_and_skip_leaves_it(
    records: list[Record],
) -> None:
    account = _account()
    wz = _run(account, records)
    account.deny(K.DELETE_CLUSTER, target="copy")
    assert wz.delete_resources() is False
    assert wz.retry(f"{EU}/copy") is False
    failed = [r.resource for r in steps(records) if r.status is StepStatus.FAILED]
    assert failed == [f"{EU}/copy", f"{EU}/copy"]
    wz.skip(f"{EU}/copy")
    assert wz.progress[f"{EU}/copy"].state is ResourceState.STOPPED
    wz.finish_deletions()
    rescan = wz.rescan()
    assert [c.key for c in rescan.clusters] == [f"{EU}/copy"]
    assert wz.state == "reviewing"
    assert account.role is not None
