"""A refused role deletion, read resource by resource: what the wizard deletes, what it names."""

from __future__ import annotations

from typing import Any

import pytest
from enginekit import Faults, pending_task, role_exists, role_failed_status, seed_role

from slrwizard.domain import errors as e
from slrwizard.domain.models import RoleDeletionState, RoleDeletionStatus, RoleUsage
from slrwizard.domain.usage import UsageKind, classify
from slrwizard.domain.wizard import Wizard

ACCOUNT = "481516234201"


def _failed(*usage: tuple[str, list[str]]) -> RoleDeletionStatus:
    return RoleDeletionStatus(
        task_id="task/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS/1",
        state=RoleDeletionState.FAILED,
        reason="The role is in use",
        usage=[RoleUsage(region=r, resources=arns) for r, arns in usage],
    )


def test_clusters_and_instances_send_the_operator_back_to_exactly_their_regions() -> None:
    advice = classify(
        _failed(
            (
                "eu-west-2",
                [
                    f"arn:aws:rds:eu-west-2:{ACCOUNT}:cluster:reporting-ci-nightly",
                    f"arn:aws:rds:eu-west-2:{ACCOUNT}:db:reporting-ci-nightly-1",
                ],
            )
        ),
        enabled_regions={"eu-west-2", "us-east-1"},
    )
    assert [i.kind for i in advice.items] == [UsageKind.CLUSTER, UsageKind.INSTANCE]
    assert advice.regions_to_scan == ["eu-west-2"]
    assert advice.can_scan_again and not advice.unhandled and not advice.likely_active_session


def test_kinds_the_wizard_does_not_delete_are_named_with_console_and_cli_and_no_loop() -> None:
    proxy = f"arn:aws:rds:us-east-1:{ACCOUNT}:db-proxy:prx-0123456789abcdef"
    bluegreen = f"arn:aws:rds:us-east-1:{ACCOUNT}:deployment:bgd-abcdef0123456789"
    other = f"arn:aws:dms:us-east-1:{ACCOUNT}:rep:ABCDEF"
    advice = classify(_failed(("us-east-1", [proxy, bluegreen, other])), {"us-east-1"})
    assert not advice.can_scan_again  # a scan cannot find these: going back would loop
    by_arn = {i.arn: i for i in advice.unhandled}
    assert by_arn[proxy].what == "RDS Proxy"
    assert "aws rds delete-db-proxy --region us-east-1" in by_arn[proxy].cli_command
    assert by_arn[proxy].console_url.startswith(
        "https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1#proxies"
    )
    assert by_arn[bluegreen].cli_command == (
        "aws rds delete-blue-green-deployment --region us-east-1 "
        "--blue-green-deployment-identifier bgd-abcdef0123456789"
    )
    assert by_arn[other].what.startswith("DMS resource") and by_arn[other].cli_command == ""


def test_an_empty_usage_list_means_wait_for_the_session_not_rescan() -> None:
    advice = classify(_failed(), {"us-east-1"})
    assert advice.likely_active_session
    assert not advice.can_scan_again


def test_a_region_disabled_since_is_named_and_not_scanned() -> None:
    arn = f"arn:aws:rds:me-south-1:{ACCOUNT}:cluster:old"
    advice = classify(_failed(("me-south-1", [arn])), enabled_regions={"us-east-1"})
    assert advice.disabled_regions == ["me-south-1"]
    assert advice.regions_to_scan == []
    assert not advice.likely_active_session


def test_other_partitions_get_their_own_console() -> None:
    arn = "arn:aws-us-gov:rds:us-gov-west-1:123456789012:deployment:bgd-1"
    (item,) = classify(_failed(("us-gov-west-1", [arn]))).items
    assert item.console_url.startswith("https://console.amazonaws-us-gov.com/rds/home")


def test_an_active_session_is_retried_without_a_rescan_that_would_loop(
    gw: Any, faults: Faults
) -> None:
    """AWS refuses with an empty usage list (a session of the role): the wizard does not send
    the operator back to a scan that finds nothing; asking again later succeeds."""
    seed_role()
    wizard = Wizard(gw, regions=["eu-west-1"], operator="tester")
    wizard.start()
    wizard.inspect()
    wizard.scan()
    wizard.skip_to_role()
    pending = faults.answer("DeleteServiceLinkedRole", pending_task, times=1)
    refusal = faults.answer("GetServiceLinkedRoleDeletionStatus", role_failed_status([]), times=1)

    assert wizard.delete_role().state is RoleDeletionState.FAILED
    advice = wizard.refusal_advice()
    assert advice is not None and advice.likely_active_session
    with pytest.raises(e.GuardError, match="A scan cannot help"):
        wizard.back_to_scan()
    assert wizard.state == "deleting_role"

    faults.remove(pending, refusal)
    assert wizard.delete_role().state is RoleDeletionState.SUCCEEDED
    assert not role_exists()
