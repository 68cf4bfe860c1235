"""Identity on the demo sandbox (moto, with AWS's unique ``DbiResourceId`` per instance): an
instance deleted and created again under its name after the confirmation is not deleted."""

from __future__ import annotations

import time
from typing import Any

from enginekit import Faults, to_confirming

from slrwizard.domain import errors as e
from slrwizard.domain.executor import ResourceState
from slrwizard.domain.wizard import Wizard

REGION, NAME = "us-east-1", "legacy-reporting"


def _recreate(rds: Any) -> str:
    rds.delete_db_instance(DBInstanceIdentifier=NAME, SkipFinalSnapshot=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            rds.describe_db_instances(DBInstanceIdentifier=NAME)
        except rds.exceptions.DBInstanceNotFoundFault:
            break
        time.sleep(0.05)
    answer = rds.create_db_instance(
        DBInstanceIdentifier=NAME,
        Engine="postgres",
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
    assert all(p.state is ResourceState.DONE for p in others)
