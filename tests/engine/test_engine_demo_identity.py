"""Identity on the demo sandbox (moto, with AWS's unique ``DbiResourceId`` per instance): an
instance deleted and created again under its name after the confirmation is not deleted."""

from __future__ import annotations

import time
from typing import Any

import pytest
from enginekit import Faults, to_confirming

from slrwizard.domain import errors as e
from slrwizard.domain.executor import ResourceState
from slrwizard.domain.wizard import Wizard

REGION, NAME = "ap-southeast-2", "crm-mysql"


def _until(rds: Any, done: Any) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            found = rds.describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"]
        except rds.exceptions.DBInstanceNotFoundFault:
            found = []
        if done(found):
            return
        time.sleep(0.05)
    raise AssertionError("the other team's change did not settle")


def _recreate(rds: Any) -> str:
    """Another team lifts its protection, deletes it, then creates a new instance under its
    name."""
    rds.modify_db_instance(
        DBInstanceIdentifier=NAME, DeletionProtection=False, ApplyImmediately=True
    )
    _until(rds, lambda found: found[0]["DBInstanceStatus"] == "available")
    rds.delete_db_instance(DBInstanceIdentifier=NAME, SkipFinalSnapshot=True)
    _until(rds, lambda found: not found)
    answer = rds.create_db_instance(
        DBInstanceIdentifier=NAME,
        Engine="mysql",
        DBInstanceClass="db.t4g.large",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="another-team-1",
    )
    return str(answer["DBInstance"]["DbiResourceId"])


def test_an_instance_recreated_after_the_confirmation_is_not_deleted(
    demo: tuple[Wizard, Any, Faults],
) -> None:
    wizard, wiring, _ = demo
    to_confirming(wizard)
    wizard.confirm(wizard.account)
    assert wizard.plan is not None
    confirmed = wizard.plan.choice(f"{REGION}/{NAME}")
    assert confirmed is not None and confirmed.resource_id
    rds = wiring.gateway.client("rds", REGION)
    new_id = _recreate(rds)
    assert new_id != confirmed.resource_id  # AWS (and the sandbox) never reuse one

    wizard.delete_resources()

    progress = wizard.progress[f"{REGION}/{NAME}"]
    assert progress.state is ResourceState.FAILED
    assert isinstance(progress.error, e.ResourceReplacedError)
    assert new_id in progress.error.explanation
    [still] = rds.describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"]
    assert still["DbiResourceId"] == new_id and still["DBInstanceStatus"] != "deleting"
    others = [p for k, p in wizard.progress.items() if k != f"{REGION}/{NAME}"]
    assert all(p.state is ResourceState.DONE for p in others), [
        (p.key, p.state, p.error) for p in others if p.state is not ResourceState.DONE
    ]


def test_recreated_between_kill_and_resume_it_is_new_and_the_old_confirmation_deletes_nothing(
    tmp_path: Any,
) -> None:
    """The first session confirms and dies; before the resume, the instance is deleted and
    created again under its name. The resume lists it as new, the old choice is refused as a
    plan, and a step carrying the old confirmation changes nothing."""
    from slrwizard.bootstrap import Options, connect_wizard
    from slrwizard.domain.plan import StepKind
    from slrwizard.domain.resume import PriorSession, adapt_plan

    journal = tmp_path / "journal.jsonl"
    first, wiring = connect_wizard(Options(demo=True, demo_speed=0), journal_path=journal)
    try:
        to_confirming(first)
        first.confirm(first.account)  # then the process dies: no end record
    finally:
        wiring.close()

    offered: list[PriorSession] = []
    wizard, wiring = connect_wizard(
        Options(demo=True, demo_speed=0),
        journal_path=journal,
        on_unfinished=lambda p: offered.append(p) or True,
    )
    try:
        [prior] = offered
        assert prior.plan is not None
        old = prior.plan.choice(f"{REGION}/{NAME}")
        assert old is not None and old.resource_id
        rds = wiring.gateway.client("rds", REGION)
        assert (
            rds.describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]["DbiResourceId"]
            == old.resource_id
        )  # the same account, seeded afresh
        new_id = _recreate(rds)

        wizard.inspect()
        scan = wizard.scan()
        adapted = adapt_plan(prior.plan, scan)
        assert adapted.recreated == [f"{REGION}/{NAME}"]
        assert f"{REGION}/{NAME}" in adapted.new and f"{REGION}/{NAME}" not in adapted.kept
        assert any(NAME in line and "Created again" in line for line in adapted.lines())
        wizard.accept_unscanned_regions()
        assert any("not the database you confirmed" in p for p in wizard.set_plan(prior.plan))

        # Even a step carrying the old confirmation (a resumed step) deletes nothing.
        [steps] = [r for r in prior.plan.schedule(scan) if r.key == f"{REGION}/{NAME}"]
        delete = next(s for s in steps.steps if s.kind is StepKind.DELETE_INSTANCE)
        assert delete.resource_id == old.resource_id
        with pytest.raises(e.ResourceReplacedError) as refused:
            wizard.gateway.run_step(delete)
        assert new_id in refused.value.explanation
        assert old.resource_id in refused.value.explanation
        [still] = rds.describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"]
        assert still["DbiResourceId"] == new_id and still["DBInstanceStatus"] == "available"
    finally:
        wiring.close()
