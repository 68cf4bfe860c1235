"""The executor gates on completion, checks before anything irreversible, and waits out AWS's
"not now" refusals, on the in-memory fake (docs/aws-behaviours.md lists what AWS does)."""

from __future__ import annotations

import pytest
from fakekit import EU, US, MakeWizard, Running, confirmed, eventually, new_wizard, position, steps
from fakes import FakeAccount

from slrwizard.domain import errors as e
from slrwizard.domain.executor import RETRIES, ResourceState
from slrwizard.domain.plan import StepKind
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


def not_available(cid: str) -> e.InvalidStateError:
    """AWS's refusal while a change settles (terraform-provider-aws retries exactly this)."""
    return e.InvalidStateError(
        f"AWS refused rds:DeleteDBCluster in {EU}: DB cluster {cid} is not currently in the "
        "available state.",
        code="InvalidDBClusterStateFault",
    )


def test_a_transient_refusal_is_retried_and_shown_as_waiting(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    account.add_cluster(EU, "orders")
    account.refuse(K.DELETE_CLUSTER.value, not_available("orders"), times=2)
    wz = make_wizard()
    confirmed(wz)
    assert wz.delete_resources() is True
    journal = steps(records, f"{EU}/orders")
    waits = [r.note for r in journal if r.step.kind is K.DELETE_CLUSTER]
    assert [r.status for r in journal if r.step.kind is K.DELETE_CLUSTER] == [
        StepStatus.RUNNING,
        StepStatus.WAITING,
        StepStatus.RUNNING,
        StepStatus.WAITING,
        StepStatus.RUNNING,
        StepStatus.DONE,
    ]
    assert waits[1].startswith("AWS is not ready yet (InvalidDBClusterStateFault): trying again")
    assert f"(1 of {RETRIES} retries)" in waits[1] and f"(2 of {RETRIES} retries)" in waits[3]
    assert not any(r.status is StepStatus.FAILED for r in journal)
    assert account.clusters == {}


def test_a_refusal_that_outlasts_the_retries_fails_with_aws_words(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    account.add_cluster(EU, "orders")
    account.refuse(K.DELETE_CLUSTER.value, not_available("orders"), times=RETRIES + 1)
    wz = make_wizard()
    confirmed(wz)
    assert wz.delete_resources() is False
    orders = wz.progress[f"{EU}/orders"]
    assert orders.state is ResourceState.FAILED
    assert orders.error is not None and "not currently in the available state" in (
        orders.error.explanation
    )
    waited = [r for r in steps(records, f"{EU}/orders") if r.status is StepStatus.WAITING]
    assert len(waited) == RETRIES
    assert wz.retry(f"{EU}/orders") is True  # the retry starts a fresh count


def test_a_refusal_that_is_not_transient_is_not_retried(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    account.add_cluster(EU, "orders")
    account.refuse(
        K.DELETE_CLUSTER.value,
        e.InvalidInputError("AWS refused it: InvalidParameterCombination", code="X"),
    )
    wz = make_wizard()
    confirmed(wz)
    assert wz.delete_resources() is False
    assert not any(r.status is StepStatus.WAITING for r in steps(records, f"{EU}/orders"))


@pytest.mark.parametrize("why", ["quota", "kms", "state"])
def test_a_failed_check_stops_the_resource_before_anything_is_changed(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record], why: str
) -> None:
    cluster = account.add_cluster(EU, "orders", readers=1, protected=True)
    instance = account.add_instance(US, "solo", protected=True)
    wz = make_wizard()
    confirmed(wz)
    if why == "quota":
        account.snapshot_quota = 0
    elif why == "kms":
        cluster.kms_key_state = instance.kms_key_state = "Disabled"
    else:
        account.instances[f"{US}/solo"].status = "incompatible-network"
        account.snapshot_quota, cluster.kms_key_state = 100, "Disabled"
    assert wz.delete_resources() is False
    expected = {
        "quota": ("SnapshotQuotaExceeded", "SnapshotQuotaExceeded"),
        "kms": ("KMSKeyNotAccessibleFault", "KMSKeyNotAccessibleFault"),
        "state": ("KMSKeyNotAccessibleFault", "InvalidDBInstanceState"),
    }[why]
    for key, code in zip((f"{EU}/orders", f"{US}/solo"), expected, strict=True):
        stopped = wz.progress[key]
        assert stopped.state is ResourceState.FAILED
        assert stopped.error is not None and stopped.error.code == code
        assert "Nothing was changed" in stopped.error.explanation
        assert stopped.next_index == 0
        assert [r.status for r in steps(records, key)] == [StepStatus.RUNNING, StepStatus.FAILED]
    # AWS shows both as they were: protected, with every member.
    assert cluster.deletion_protection and instance.deletion_protection
    assert len(account.members(EU, "orders")) == 2


def test_a_replica_source_waits_until_the_promotion_is_seen_complete(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    source = account.add_cluster(US, "source").arn
    account.add_cluster(EU, "replica", replica_of=source)
    settling = account.hold(K.WAIT_CLUSTER_AVAILABLE, target="replica")
    wz = make_wizard()
    confirmed(wz)
    run = Running(wz)
    assert settling.wait_reached()
    # Promoted (the call returned) but not yet seen available without its source: still gated.
    assert position(records, f"{EU}/replica", K.PROMOTE_REPLICA, "done") >= 0
    assert eventually(
        lambda: any(
            r.status is StepStatus.WAITING and r.note == f"waiting for {EU}/replica"
            for r in steps(records, f"{US}/source")
        )
    )
    assert [m.identifier for m in account.members(US, "source")] == ["source-w"]
    settling.release()
    assert run.finish() is True
    assert position(records, f"{EU}/replica", K.WAIT_CLUSTER_AVAILABLE, "done") < position(
        records, f"{US}/source", K.DELETE_MEMBER, "running"
    )
