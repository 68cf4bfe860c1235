"""Identity, not names: a database deleted and created again under the same name after the
confirmation (or between a kill and the resume) is never deleted under the old confirmation."""

from __future__ import annotations

from pathlib import Path

from fakekit import EU, confirmed, new_wizard
from fakes import ACCOUNT, FakeAccount, FakeGateway

from slrwizard.domain import errors as e
from slrwizard.domain.executor import ResourceState
from slrwizard.domain.plan import DeletionPlan, StepKind
from slrwizard.domain.records import PlanConfirmed, Record
from slrwizard.domain.resume import adapt_plan
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.resume import find_unfinished
from slrwizard.journal.store import Journal

REGIONS = [EU]


def _account() -> FakeAccount:
    account = FakeAccount(enabled=REGIONS, denied=[])
    account.add_role()
    account.add_cluster(EU, "orders", readers=1)
    account.add_instance(EU, "solo")
    return account


def _recreate(account: FakeAccount, ident: str, *, cluster: bool) -> str:
    """Someone deletes ``ident`` and creates another database under its name."""
    account.delete_outside(EU, ident)
    if cluster:
        return account.add_cluster(EU, ident, readers=1).resource_id
    return account.add_instance(EU, ident).resource_id


def test_the_confirmation_records_each_database_and_member_id() -> None:
    account = _account()
    records: list[Record] = []
    wizard = new_wizard(account, records, REGIONS)
    confirmed(wizard)
    [confirmation] = [r for r in records if isinstance(r, PlanConfirmed)]
    orders = confirmation.plan.choice(f"{EU}/orders")
    solo = confirmation.plan.choice(f"{EU}/solo")
    assert orders is not None and solo is not None
    assert orders.resource_id == account.clusters[f"{EU}/orders"].resource_id
    assert dict(orders.member_ids) == {
        "orders-w": account.instances[f"{EU}/orders-w"].resource_id,
        "orders-r1": account.instances[f"{EU}/orders-r1"].resource_id,
    }
    assert hash(orders)  # a choice stays a hashable value
    assert solo.resource_id == account.instances[f"{EU}/solo"].resource_id
    # Read back from JSON (the journal), it is the same plan.
    assert DeletionPlan.model_validate_json(confirmation.plan.model_dump_json()) == (
        confirmation.plan
    )


def test_recreated_between_confirmation_and_execution_nothing_of_it_is_deleted() -> None:
    account = _account()
    wizard = new_wizard(account, [], REGIONS)
    confirmed(wizard)
    new_solo = _recreate(account, "solo", cluster=False)
    new_orders = _recreate(account, "orders", cluster=True)

    assert wizard.delete_resources() is False

    for key in (f"{EU}/solo", f"{EU}/orders"):
        progress = wizard.progress[key]
        assert progress.state is ResourceState.FAILED
        assert isinstance(progress.error, e.ResourceReplacedError)
        assert "not the database you confirmed" in progress.error.explanation
        assert "Scan again" in progress.error.hint
    assert account.instances[f"{EU}/solo"].resource_id == new_solo
    assert account.clusters[f"{EU}/orders"].resource_id == new_orders
    assert {f"{EU}/orders-w", f"{EU}/orders-r1"} <= set(account.instances)  # members kept


def test_a_member_recreated_after_the_confirmation_is_not_deleted() -> None:
    account = _account()
    wizard = new_wizard(account, [], REGIONS)
    confirmed(wizard)
    account.delete_outside(EU, "orders-r1")
    account.add_instance(EU, "orders-r1", engine="aurora-mysql", cluster_id="orders")

    wizard.delete_resources()

    progress = wizard.progress[f"{EU}/orders"]
    assert progress.state is ResourceState.FAILED
    assert isinstance(progress.error, e.ResourceReplacedError)
    assert f"{EU}/orders-r1" in account.instances
    assert f"{EU}/orders" in account.clusters  # stopped before its cluster went


def _unfinished_session(account: FakeAccount, journal: Path) -> None:
    """A first session confirms, then stops before deleting anything (killed: no end record)."""
    store = Journal(journal).open()
    wizard = Wizard(FakeGateway(account), regions=REGIONS, listeners=[store.append])
    wizard.start()
    confirmed(wizard)


def test_recreated_between_kill_and_resume_it_is_new_and_needs_its_own_choice(
    tmp_path: Path,
) -> None:
    account = _account()
    journal = tmp_path / "j.jsonl"
    _unfinished_session(account, journal)
    new_solo = _recreate(account, "solo", cluster=False)
    prior = find_unfinished(journal, ACCOUNT)
    assert prior is not None and prior.plan is not None

    wizard = new_wizard(account, [], REGIONS)
    wizard.inspect()
    scan = wizard.scan()
    adapted = adapt_plan(prior.plan, scan)

    assert adapted.kept == [f"{EU}/orders"]
    assert adapted.new == [f"{EU}/solo"] and adapted.recreated == [f"{EU}/solo"]
    assert any("Created again under a confirmed name" in line for line in adapted.lines())
    # The old choice cannot be slipped back in: the plan names it as another database.
    assert any("not the database you confirmed" in p for p in prior.plan.problems(scan))
    assert wizard.set_plan(prior.plan) != []
    # With its own choice and confirmation, it is deleted like any other.
    fresh = wizard.default_plan()
    plan = adapted.completed(fresh.resources)
    assert wizard.set_plan(plan) == []
    wizard.review()
    wizard.confirm(ACCOUNT)
    assert wizard.delete_resources() is True
    assert f"{EU}/solo" not in account.instances
    assert wizard.plan is not None
    solo = wizard.plan.choice(f"{EU}/solo")
    assert solo is not None and solo.resource_id == new_solo


def test_a_journal_without_ids_is_still_read_and_matched_by_name(tmp_path: Path) -> None:
    account = _account()
    journal = tmp_path / "j.jsonl"
    _unfinished_session(account, journal)
    # A journal of an earlier release: no resource ids anywhere.
    lines = journal.read_text().splitlines()
    old = [line.replace('"resource_id"', '"_gone"') for line in lines]
    stripped = []
    import json

    for line in old:
        data = json.loads(line)
        for choice in (data.get("plan") or {}).get("resources", []):
            choice.pop("_gone", None)
            choice.pop("member_ids", None)
        stripped.append(json.dumps(data))
    journal.write_text("\n".join(stripped) + "\n")

    prior = find_unfinished(journal, ACCOUNT)
    assert prior is not None and prior.plan is not None
    assert all(r.resource_id is None for r in prior.plan.resources)
    wizard = new_wizard(account, [], REGIONS)
    wizard.inspect()
    adapted = adapt_plan(prior.plan, wizard.scan())
    assert adapted.kept == [f"{EU}/orders", f"{EU}/solo"] and adapted.new == []


def test_the_steps_carry_the_confirmed_ids() -> None:
    account = _account()
    wizard = new_wizard(account, [], REGIONS)
    confirmed(wizard)
    assert wizard.plan is not None and wizard.scan_result is not None
    [orders, solo] = wizard.plan.schedule(wizard.scan_result)
    cluster_id = account.clusters[f"{EU}/orders"].resource_id
    for s in orders.steps:
        if s.kind is StepKind.DELETE_MEMBER:
            assert s.resource_id == account.instances[f"{EU}/{s.target}"].resource_id
        elif s.kind is StepKind.VERIFY_CLUSTER_SNAPSHOT:
            assert s.resource_id is None
        else:
            assert s.resource_id == cluster_id
    assert all(
        s.resource_id == account.instances[f"{EU}/solo"].resource_id
        for s in solo.steps
        if s.kind is not StepKind.VERIFY_INSTANCE_SNAPSHOT
    )
