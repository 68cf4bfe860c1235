"""Helpers of the journal tests (importable by test modules, unlike conftest)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from slrwizard.domain.errors import InvalidInputError
from slrwizard.domain.plan import DeletionPlan
from slrwizard.domain.wizard import Wizard

REGIONS = ["eu-west-1", "us-east-1"]
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "rds.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
SEEDED_PASSWORD = "seeded-Pa55word-never-seen"  # must never reach a journal or an export


def lifted(wizard: Wizard) -> DeletionPlan:
    plan = wizard.default_plan()
    return DeletionPlan(
        account=plan.account,
        resources=[r.model_copy(update={"lift_protection": True}) for r in plan.resources],
    )


def brisk(gateway: Any) -> None:
    """Poll moto briskly: it changes things at once, and AWS's pauses (a first poll after 2 s,
    then every 15 s) would make each wait cost seconds."""
    gateway.settings = gateway.settings.model_copy(
        update={"poll_seconds": 0.05, "settle_seconds": 0.05}
    )


def walk(wizard: Wizard, *, until: str = "done") -> None:
    """Walk the whole procedure headlessly, or stop once ``until`` is reached."""
    wizard.inspect()
    wizard.scan()
    wizard.set_plan(lifted(wizard))
    wizard.review()
    with contextlib.suppress(InvalidInputError):
        wizard.confirm("000000000000")  # a mistyped confirmation first: refused, journaled
    wizard.confirm(wizard.account)
    if until == "deleting_clusters":
        return
    assert wizard.delete_resources()
    wizard.finish_deletions()
    wizard.rescan()
    wizard.delete_role()


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]
