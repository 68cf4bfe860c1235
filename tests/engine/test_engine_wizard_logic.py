"""The wizard's guards on the in-memory fake: what the state machine allows, and that nothing it
refuses ever reaches the account. These test our logic, not AWS: the fake keeps the account
(``tests/fakes``, held to the boto3 gateway by ``tests/contract``) and answers in microseconds.
The moto walk of the same wizard lives in ``test_engine_wizard.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from enginekit import lifted, to_confirming
from fakes import ACCOUNT, FakeAccount, FakeGateway
from statemachine.exceptions import TransitionNotAllowed

from slrwizard.domain import errors as e
from slrwizard.domain.records import ConfirmationRefused, PlanConfirmed, Record
from slrwizard.domain.wizard import Wizard

MakeWizard = Callable[..., Wizard]
WRONG = ["", "yes", ACCOUNT[:-1], ACCOUNT + "0", "123456789013", ACCOUNT.replace("1", "l", 1)]


@pytest.fixture
def account() -> FakeAccount:
    """The role; orders (writer and reader, protected) in eu-west-1; solo in us-east-1."""
    aws = FakeAccount()
    aws.add_role()
    aws.add_cluster("eu-west-1", "orders", readers=1, protected=True)
    aws.add_instance("us-east-1", "solo")
    return aws


@pytest.fixture
def records() -> list[Record]:
    return []


@pytest.fixture
def make_wizard(account: FakeAccount, records: list[Record]) -> MakeWizard:
    def make(*, read_only: bool = False) -> Wizard:
        wizard = Wizard(
            FakeGateway(account),
            regions=["eu-west-1", "us-east-1"],
            read_only=read_only,
            listeners=[records.append],
            operator="tester",
        )
        wizard.start()
        return wizard

    return make


def untouched(aws: FakeAccount) -> None:
    """Everything the account held is still there, as it was."""
    assert aws.role is not None
    assert sorted(aws.clusters) == ["eu-west-1/orders"]
    assert aws.clusters["eu-west-1/orders"].deletion_protection is True
    assert sorted(aws.instances) == ["eu-west-1/orders-r1", "eu-west-1/orders-w", "us-east-1/solo"]
    assert aws.tasks == {}


def test_confirm_refuses_a_plan_made_invalid_after_review(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    wz = make_wizard()
    to_confirming(wz)
    wz.set_plan(wz.default_plan())  # changed in the confirmation step: protection unticked
    with pytest.raises(e.WizardError, match="deletion protection"):
        wz.confirm(ACCOUNT)
    assert wz.state == "confirming"
    assert not wz.plan_confirmed
    assert not any(isinstance(r, PlanConfirmed) for r in records)
    untouched(account)


def test_a_wrong_confirmation_deletes_nothing(
    make_wizard: MakeWizard, account: FakeAccount, records: list[Record]
) -> None:
    wz = make_wizard()
    to_confirming(wz)
    for typed in WRONG:
        with pytest.raises(e.InvalidInputError, match="nothing was deleted"):
            wz.confirm(typed)
        assert wz.state == "confirming", typed
        assert isinstance(records[-1], ConfirmationRefused)
        with pytest.raises(e.GuardError):
            wz.delete_resources()
    assert not any(isinstance(r, PlanConfirmed) for r in records)
    untouched(account)
    wz.confirm(f"  {ACCOUNT} ")  # the right one, with stray spaces, is accepted
    assert wz.state == "deleting_clusters"


def test_read_only_never_changes_anything(make_wizard: MakeWizard, account: FakeAccount) -> None:
    wz = make_wizard(read_only=True)
    with pytest.raises(e.GuardError, match="Read-only"):
        wz.recreate_role()
    to_confirming(wz)
    with pytest.raises(e.GuardError, match="Read-only"):
        wz.confirm(ACCOUNT)
    assert wz.state == "confirming"
    assert not wz.plan_confirmed
    with pytest.raises(e.GuardError):
        wz.delete_resources()
    untouched(account)


def test_read_only_walks_to_the_role_but_does_not_delete_it() -> None:
    empty = FakeAccount()
    empty.add_role()
    wz = Wizard(FakeGateway(empty), regions=["eu-west-1"], read_only=True, operator="tester")
    wz.start()
    wz.inspect()
    wz.scan()
    wz.skip_to_role()
    assert wz.state == "deleting_role"
    with pytest.raises(e.GuardError, match="Read-only"):
        wz.delete_role()
    assert empty.role is not None
    assert empty.tasks == {}  # no deletion task was ever started


def test_the_role_cannot_be_reached_while_resources_remain(
    make_wizard: MakeWizard, account: FakeAccount
) -> None:
    wz = make_wizard()
    wz.inspect()
    wz.scan()
    with pytest.raises(e.GuardError):
        wz.skip_to_role()
    with pytest.raises(TransitionNotAllowed):
        wz.machine.send("nothing_to_delete")  # the guard is the machine's, not the wizard's
    for attempt in (wz.delete_role, wz.finish_deletions, wz.rescan):
        with pytest.raises(e.GuardError):
            attempt()
    wz.set_plan(lifted(wz.default_plan()))
    wz.review()
    with pytest.raises(e.GuardError):
        wz.delete_role()
    wz.confirm(ACCOUNT)
    with pytest.raises(e.GuardError):
        wz.delete_role()
    assert wz.state == "deleting_clusters"
    untouched(account)


def test_a_resource_left_behind_sends_the_walk_back_to_review(
    make_wizard: MakeWizard, account: FakeAccount
) -> None:
    account.refuse(
        "delete-instance",
        e.AccessDeniedError("not authorized", action="rds:DeleteDBInstance"),
        times=5,
    )
    wz = make_wizard()
    to_confirming(wz)
    wz.confirm(ACCOUNT)
    assert wz.delete_resources() is False
    assert wz.progress["us-east-1/solo"].state.value == "failed"
    assert wz.progress["eu-west-1/orders"].state.value == "done"
    wz.skip("us-east-1/solo")  # the operator leaves it
    wz.finish_deletions()
    rescan = wz.rescan()
    assert [i.key for i in rescan.instances] == ["us-east-1/solo"]
    assert wz.state == "reviewing"
    with pytest.raises(e.GuardError):
        wz.delete_role()
    with pytest.raises(e.GuardError):
        wz.skip_to_role()
    assert account.role is not None
    assert sorted(account.instances) == ["us-east-1/solo"]
