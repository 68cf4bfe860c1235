"""Recreating the role waits for IAM to show it (IAM is eventually consistent)."""

from __future__ import annotations

from typing import Any

import pytest
from enginekit import Call, Faults, ok_reply, role_exists, seed_role

from slrwizard.aws import role as role_module
from slrwizard.domain import errors as e


def _created_as_aws_names_it(call: Call) -> Any:
    """moto names the role AWSServiceRoleForrds; AWS names it AWSServiceRoleForRDS."""
    seed_role()
    return ok_reply({})


def test_a_role_iam_shows_late_is_waited_for(gw: Any, faults: Faults) -> None:
    assert not role_exists()
    faults.answer("CreateServiceLinkedRole", _created_as_aws_names_it)
    faults.fail(
        "GetRole",
        "NoSuchEntity",
        "The role with name AWSServiceRoleForRDS cannot be found.",
        status=404,
        times=2,
    )
    role = gw.create_role()
    assert role.name == "AWSServiceRoleForRDS"
    assert role_exists()
    assert faults.operations("iam").count("GetRole") >= 3  # looked again, twice refused


def test_a_role_never_shown_is_explained_without_a_permission_hint(
    gw: Any, faults: Faults, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(role_module, "ROLE_VISIBLE_WITHIN", 0.2)
    faults.answer("CreateServiceLinkedRole", _created_as_aws_names_it)
    faults.fail(
        "GetRole",
        "NoSuchEntity",
        "The role with name AWSServiceRoleForRDS cannot be found.",
        status=404,
    )
    with pytest.raises(e.AwsError) as raised:
        gw.create_role()
    assert "eventually consistent" in raised.value.explanation
    assert "Policy" not in (raised.value.hint or "")
    assert "iam:CreateServiceLinkedRole" not in (raised.value.hint or "")
