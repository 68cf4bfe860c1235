"""The interactive demo's story: AWS refuses the role because a cluster appeared meanwhile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.models import RoleDeletionState
from slrwizard.domain.plan import DeletionPlan
from slrwizard.domain.wizard import Wizard


@pytest.fixture
def story() -> Iterator[Wizard]:
    wizard, wiring = connect_wizard(Options(demo=True, demo_speed=0, demo_late_arrival=True))
    try:
        yield wizard
    finally:
        wiring.close()


def _delete_everything(wizard: Wizard) -> None:
    plan = wizard.default_plan()
    lifted = [r.model_copy(update={"lift_protection": True}) for r in plan.resources]
    assert wizard.set_plan(DeletionPlan(account=plan.account, resources=lifted)) == []
    wizard.review()
    wizard.confirm(wizard.account)
    assert wizard.delete_resources()
    wizard.finish_deletions()


def test_the_late_arrival_makes_aws_refuse_the_role_then_the_way_back_finishes(
    story: Wizard,
) -> None:
    story.inspect()
    story.scan()
    assert story.accept_unscanned_regions() == ["sa-east-1"]
    _delete_everything(story)
    story.rescan()
    assert story.state == "deleting_role"  # the re-scan was clean a moment ago

    refused = story.delete_role()
    assert refused.state is RoleDeletionState.FAILED
    assert refused.usage_regions == ["eu-west-2"]
    assert any("reporting-ci-nightly" in arn for u in refused.usage for arn in u.resources)
    assert story.state == "deleting_role"

    again = story.back_to_scan()
    assert [r.region for r in again.regions] == ["eu-west-2"]  # exactly the usage regions
    assert [c.identifier for c in again.clusters] == ["reporting-ci-nightly"]
    _delete_everything(story)
    story.rescan()
    assert story.delete_role().state is RoleDeletionState.SUCCEEDED
    assert story.state == "done"


def test_the_report_and_the_tests_get_no_late_arrival_by_default() -> None:
    wizard, wiring = connect_wizard(Options(demo=True, demo_speed=0))
    try:
        wizard.inspect()
        wizard.scan()
        assert "eu-west-2/reporting-ci-nightly" not in {c.key for c in wizard.scan_result.clusters}
    finally:
        wiring.close()
