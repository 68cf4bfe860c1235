"""A token refused by STS or IAM is the credentials' fault, not a region's (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from slrwizard.domain import errors as e
from slrwizard.domain.models import RegionOutcome


def refuse(code: str) -> Any:
    def hook(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "no such token"}}, "operation")

    return hook


@pytest.mark.parametrize("code", ["InvalidClientTokenId", "UnrecognizedClientException"])
def test_sts_refusing_the_token_blames_the_credentials_not_a_region(
    moto_gateway: Any, code: str
) -> None:
    moto_gateway.events.register("before-call.sts.GetCallerIdentity", refuse(code))
    with pytest.raises(e.NoCredentialsError) as raised:
        moto_gateway.caller()
    said = f"{raised.value} {raised.value.hint}"
    assert f"AWS does not recognise these credentials ({code}" in said
    assert "sts:GetCallerIdentity" in said
    assert "not enabled" not in said  # the old wording sent the operator to the regions page


def test_a_regional_service_refusing_the_token_still_names_the_region(moto_gateway: Any) -> None:
    moto_gateway.events.register("before-call.rds.DescribeDBClusters", refuse("AuthFailure"))
    [scan] = moto_gateway.scan_regions(["eu-west-1"])
    assert scan.outcome is RegionOutcome.SKIPPED_DISABLED
    assert scan.reason.startswith("eu-west-1 refused these credentials (AuthFailure)")
